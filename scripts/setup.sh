# Shared setup for scripts/start.sh and scripts/test.sh (sourced, not run).
# Creates .venv with Python >= 3.11, installs Tollgate (editable) with the given extras,
# and installs the Debian packages Qt and the tests need when they are missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

find_python() {
  for py in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$py" ] || continue
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  echo "Tollgate needs Python 3.11 or newer (python3 --version says $(python3 --version 2>&1)); install it or set PYTHON=/path/to/python3.11" >&2
  return 1
}

# apt_ensure PKG...: install the Debian packages that are not installed yet (as root or via sudo -n).
apt_ensure() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
      echo "note: missing Debian packages ${missing[*]} (install them with: sudo apt-get install ${missing[*]})" >&2
      return 0
    fi
  fi
  echo "Installing Debian packages: ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Libraries Qt 6 loads (offscreen and xcb platforms).
QT_DEBS=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 fonts-dejavu-core libdbus-1-3 libglib2.0-0
         libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0)

setup_venv() {  # setup_venv EXTRAS  (e.g. "" or "[dev]")
  local py
  py=$(find_python)
  if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv with $py" >&2
    "$py" -m venv .venv
  fi
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$1"
}
