"""Redraw time of a 1,000,000-point PSI history: plain vs peak downsampling + clip-to-view.

Usage: .venv/bin/python benchmarks/bench_drift_chart.py [N] [REPEATS]

Draws one series of N points (default 1,000,000, one per minute from 2020-01-01 UTC, on
a UTC date axis) offscreen in a 1200 x 500 plot, zoomed to the middle 10 % of the
data (a user inspecting part of a long history), and times ``repaint()`` after a small
pan (so that the visible data are recomputed) REPEATS times (default 15).  Prints the
median per redraw for each mode and the ratio (issue 4 measured 188 ms vs 22 ms).
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: list[str]) -> int:
    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    n = int(argv[0]) if argv else 1_000_000
    repeats = int(argv[1]) if len(argv) > 1 else 15
    app = QApplication.instance() or QApplication([])
    rng = np.random.default_rng(0)
    x = 1_577_836_800 + 60.0 * np.arange(n)
    y = np.abs(np.cumsum(rng.normal(0, 0.01, n)))

    def run(optimised: bool) -> tuple[float, int]:
        w = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem("bottom", utcOffset=0)})
        w.resize(1200, 500)
        pi = w.getPlotItem()
        if optimised:
            pi.setDownsampling(auto=True, mode="peak")
            pi.setClipToView(True)
        item = pi.plot(x, y, pen=pg.mkPen("#0072b2", width=1), connect="finite")
        w.show()
        lo, hi = x[int(n * 0.45)], x[int(n * 0.55)]
        pi.setXRange(lo, hi, padding=0)
        app.processEvents()
        w.repaint()
        times = []
        for k in range(repeats):
            shift = (hi - lo) * 0.001 * (1 if k % 2 else -1)
            pi.setXRange(lo + shift, hi + shift, padding=0)
            t0 = time.perf_counter()
            app.processEvents()
            w.repaint()
            times.append(time.perf_counter() - t0)
        ds = item._getDisplayDataset()
        shown = len(ds.x) if ds is not None else 0
        w.close()
        w.deleteLater()
        app.processEvents()
        return statistics.median(times), shown

    plain, shown_plain = run(False)
    fast, shown_fast = run(True)
    print(f"points: {n:,} (view: middle 10 %), repeats: {repeats}, plot 1200x500 offscreen")
    print(f"{'mode':<34}{'median redraw':>16}{'points drawn':>16}")
    print(f"{'plain':<34}{plain * 1000:>13.1f} ms{shown_plain:>16,}")
    print(f"{'peak downsampling + clip-to-view':<34}{fast * 1000:>13.1f} ms{shown_fast:>16,}")
    print(f"ratio plain / optimised: {plain / fast:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
