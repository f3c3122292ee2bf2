#!/usr/bin/env bash
# Install the standalone bundle (dist/tollgate, built by `python packaging/build.py`) for one
# user or system-wide, with its desktop entry, icons and AppStream metadata. No Python needed.
#
#   packaging/linux/install.sh [BUNDLE_DIR] [PREFIX]
#     BUNDLE_DIR  default: dist/tollgate (next to this repository's packaging/)
#     PREFIX      default: ~/.local  (use /usr/local or /opt/tollgate as root)
#
# Files: PREFIX/lib/tollgate/ (the bundle), PREFIX/bin/tollgate and tollgate-gui (symlinks),
# PREFIX/share/applications/tollgate.desktop, PREFIX/share/icons/hicolor/*/apps/tollgate.*,
# PREFIX/share/metainfo/io.github.tollgate.Console.metainfo.xml.
# Uninstall: remove exactly those paths.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bundle="${1:-$repo/dist/tollgate}"
prefix="${2:-$HOME/.local}"
if [ ! -x "$bundle/tollgate" ] || [ ! -x "$bundle/tollgate-gui" ]; then
  echo "install.sh: error: no bundle at $bundle (build it with: python packaging/build.py)" >&2
  exit 2
fi
icons="$bundle/_internal/console/_resources/icons"
[ -d "$icons/hicolor" ] || icons="$repo/resources/icons"

mkdir -p "$prefix/lib" "$prefix/bin" "$prefix/share/applications" "$prefix/share/metainfo"
rm -rf "$prefix/lib/tollgate.new"
cp -a "$bundle" "$prefix/lib/tollgate.new"
rm -rf "$prefix/lib/tollgate"
mv "$prefix/lib/tollgate.new" "$prefix/lib/tollgate"
ln -sfn "$prefix/lib/tollgate/tollgate" "$prefix/bin/tollgate"
ln -sfn "$prefix/lib/tollgate/tollgate-gui" "$prefix/bin/tollgate-gui"

sed -e "s|^Exec=.*|Exec=$prefix/lib/tollgate/tollgate-gui|" \
    -e "s|^TryExec=.*|TryExec=$prefix/lib/tollgate/tollgate-gui|" \
    "$here/tollgate.desktop" > "$prefix/share/applications/tollgate.desktop"
install -m644 "$here/io.github.tollgate.Console.metainfo.xml" "$prefix/share/metainfo/"
for d in "$icons"/hicolor/*x*; do
  size="$(basename "$d")"
  install -Dm644 "$d/apps/tollgate.png" "$prefix/share/icons/hicolor/$size/apps/tollgate.png"
done
install -Dm644 "$icons/tollgate.svg" "$prefix/share/icons/hicolor/scalable/apps/tollgate.svg"

# refresh the desktop's caches when the tools are there (harmless when they are not)
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$prefix/share/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$prefix/share/icons/hicolor" || true
echo "Tollgate installed in $prefix/lib/tollgate; run: $prefix/bin/tollgate-gui (or find Tollgate in the application menu)"
