"""Render the application icon set from ``resources/icons/tollgate.svg``.

Writes ``resources/icons/hicolor/<N>x<N>/apps/tollgate.png`` for N in
:data:`SIZES` (the freedesktop icon theme layout, so the folder can be copied into
``~/.local/share/icons/hicolor``), ``resources/icons/tollgate.png`` (256 px, for
``QIcon`` and README use) and ``resources/icons/tollgate.ico`` (Windows launcher icon,
16-256 px).  Rendering uses Qt's own SVG renderer (QSvgRenderer) on the offscreen
platform, so the output depends only on the SVG and the Qt version::

    python packaging/make_icons.py          # rewrite the PNGs (commit them)
    python packaging/make_icons.py --check  # exit 1 if a committed PNG is missing or stale
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
ICONS = REPO / "resources" / "icons"
SVG = ICONS / "tollgate.svg"
#: freedesktop hicolor sizes (Icon Theme Specification); 16-512 px.
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render_png(size: int) -> bytes:
    """The SVG rendered at ``size`` x ``size`` px (ARGB32, antialiased) as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {SVG} is not a valid SVG")
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(p)
    p.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    return bytes(data)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding the given PNG images (PNG-compressed ICO entries, which
    Windows Vista and later read; ICONDIR/ICONDIRENTRY layout per Microsoft's
    "Icons" documentation)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for s in sizes:
        blob = pngs[s]
        dim = 0 if s >= 256 else s  # 0 means 256
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    return header + entries + blobs


def targets() -> dict[Path, bytes]:
    """Every output file and its expected content."""
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841
    pngs = {s: render_png(s) for s in sorted(set(SIZES) | set(ICO_SIZES))}
    out = {ICONS / "hicolor" / f"{s}x{s}" / "apps" / "tollgate.png": pngs[s] for s in SIZES}
    out[ICONS / "tollgate.png"] = pngs[256]
    out[ICONS / "tollgate.ico"] = ico_bytes({s: pngs[s] for s in ICO_SIZES})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check that the committed files are up to date")
    args = ap.parse_args(argv)
    stale = []
    for path, data in targets().items():
        current = path.read_bytes() if path.exists() else None
        if current == data:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    rel = [str(p.relative_to(REPO)) for p in stale]
    if args.check:
        if rel:
            print("make_icons: stale or missing: " + ", ".join(rel) + " (run python packaging/make_icons.py)",
                  file=sys.stderr)
            return 1
        return 0
    print(f"make_icons: wrote {len(rel)} file(s)" + (": " + ", ".join(rel) if rel else " (all up to date)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
