"""GUI of monitoring over time (issue 4): the drift dashboard (heatmap, hover, click,
performance, prediction drift, UTC date axis, downsampling note) and the import dialog,
on the real demo workspace (``demo_copy``) and real Bank Marketing data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from tests.conftest import open_main_window

pytestmark = pytest.mark.slow

BANK = "Term deposit propensity"
BIKE = "Bike rental demand forecast"


@pytest.fixture
def window(qtbot, themed, demo_copy):
    w = open_main_window(qtbot, location=str(demo_copy))
    yield w
    w.shutdown()


def show_model(w, qtbot, name: str):
    s = next(m for m in w.inventory.model.rows() if m.name == name)
    if not (w.detail.detail is not None and w.detail.detail.model.id == s.id):
        with qtbot.waitSignal(w.detailLoaded, timeout=30000, check_params_cb=lambda mid: mid == s.id):
            assert w.inventory.select_model_id(s.id)
    w.detail.tabs.setCurrentIndex(w.detail.TAB_DRIFT)
    chart = w.detail.drift
    qtbot.waitUntil(lambda: chart.history_loaded, timeout=20000)
    return s, chart


def test_heatmap_cells_hover_and_click(window, qtbot):
    w = window
    s, chart = show_model(w, qtbot, BANK)
    run = chart.run
    windows = sorted(run.windows, key=lambda x: x.index)
    assert len(windows) == 30
    heat = chart.heatmap
    assert heat.psi.shape == (len(chart.feature_names()), 30)
    # every stored, tested PSI is in its cell; untested ones are NaN (a grey cell)
    checked = 0
    for j, win in enumerate(windows):
        for f in win.features:
            i = heat.names.index(f.name)
            if f.tested and f.psi is not None:
                assert heat.psi[i, j] == pytest.approx(f.psi, abs=0, rel=1e-12)
                checked += 1
            else:
                assert math.isnan(heat.psi[i, j])
    assert checked >= 30 * 10
    assert heat.window_axis.labels[0] == "2008-05" and heat.window_axis.labels[-1] == "2010-11"
    # the image has one pixel per cell
    assert heat.image.image.shape[:2] == heat.psi.shape

    # hover: the scene's mouse-move signal at a cell's centre shows its exact values
    f = next(f for f in windows[20].features if f.tested and f.psi is not None and f.psi >= 0.1)
    i = heat.names.index(f.name)
    heat.plot.scene().sigMouseMoved.emit(heat.scene_pos_of(i, 20))
    text = heat.hover_label.text()
    st = "drift" if f.psi >= chart.thresholds[1] else "warning"
    assert f"{f.psi:.4f}" in text and f.name in text and windows[20].label in text and st in text
    assert f"{windows[20].n_rows:,} rows" in text

    # click: a real mouse click on the cell shows that feature/window's distribution
    other = next(x for x in windows[5].features if x.distribution and x.name != chart.distribution_selection()[0])
    i5 = heat.names.index(other.name)
    with qtbot.waitSignal(chart.distributionChanged, timeout=5000) as blocker:
        pos = heat.plot.mapFromScene(heat.scene_pos_of(i5, 5))
        qtbot.mouseClick(heat.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == [other.name, 5]
    assert chart.distribution_selection() == (other.name, 5)
    widths = list(chart.cur_bars.opts["width"])
    assert widths[: len(other.distribution["current"])] == pytest.approx(
        [float(v or 0) for v in other.distribution["current"]][: len(widths)])
    assert heat.selected == (i5, 5) and heat.cursor.isVisible()
    assert windows[5].label in chart.dist_title.text()


def test_performance_prediction_drift_and_utc_axis(window, qtbot):
    from console.services import monitoring

    w = window
    s, chart = show_model(w, qtbot, BANK)
    hist = monitoring.monitoring_history(w.ws, s.id, None, run_id=chart.run.id)
    labelled = [x for x in hist.windows if x.performance and x.performance.get("accuracy") is not None]
    assert len(labelled) == 30
    acc = chart.perf_series.values["accuracy"]
    assert np.isfinite(acc).sum() == len(labelled)
    assert acc == pytest.approx([x.performance["accuracy"] for x in hist.windows])
    assert "ROC AUC" in chart.perf_series.lines and not chart.perf_series.no_data_shown
    # prediction drift: the logged predictions' PSI per window
    pred = chart.pred_series.values["predicted value"]
    assert pred[-1] == pytest.approx(next(c["psi"] for c in hist.windows[-1].prediction_drift["columns"]
                                          if c["name"] == "prediction"))
    # the time axes are UTC date axes and say so
    for series in (chart.psi_series, chart.perf_series, chart.pred_series):
        axis = series.plot.getPlotItem().getAxis("bottom")
        assert axis.utcOffset == 0 and "UTC" in axis.labelText
    assert series.x_text(0) == "2008-05-01 UTC"
    # a regression model shows RMSE and MAE
    s2, chart = show_model(w, qtbot, BIKE)
    assert set(chart.perf_series.lines) == {"RMSE", "MAE"}
    assert np.isfinite(chart.perf_series.values["RMSE"]).sum() == 24
    # a drift run without prediction logs says there is no performance
    s3, chart = show_model(w, qtbot, "Income eligibility screen")
    assert chart.history is None and chart.perf_series.no_data_shown and not chart.perf_series.lines


def test_million_point_series_is_downsampled_with_a_note(themed, qtbot):
    from console.ui.drift_dashboard import TimeSeriesPlot

    plot = TimeSeriesPlot("PSI", "PSI")
    qtbot.addWidget(plot)
    plot.resize(900, 400)
    plot.show()
    n = 1_000_000
    rng = np.random.default_rng(7)
    y = np.abs(np.cumsum(rng.normal(0, 0.01, n)))
    y[1000:1010] = np.nan  # a gap
    plot.set_x(1_577_836_800 + 60.0 * np.arange(n))
    plot.add_line("psi", y, "#0072b2")
    plot.finish()
    qtbot.waitUntil(lambda: plot.note.isVisibleTo(plot), timeout=10000)
    shown, total = plot.displayed_points()
    assert total == n and 0 < shown < n
    assert f"of {n:,} points" in plot.note.text() and "peak downsampling" in plot.note.text()
    assert "psi" not in [i.name() for i in []] and plot.lines["psi"].opts["symbol"] is None  # no markers at 1M
    # a few points: no note
    small = TimeSeriesPlot("PSI", "PSI")
    qtbot.addWidget(small)
    small.resize(900, 400)
    small.show()
    small.set_x(None, ["a", "b", "c"])
    small.add_line("x", np.array([0.1, np.nan, 0.3]), "#0072b2")
    small.finish()
    qtbot.waitUntil(lambda: small.displayed_points() == (3, 3), timeout=5000)
    assert not small.note.isVisibleTo(small)
    assert np.isnan(small.lines["x"].getData()[1][1])  # NaN drawn as a gap
    # a series without data says so in the plot
    small.clear_lines()
    small.add_line("empty", np.array([np.nan, np.nan, np.nan]), "#0072b2")
    small.finish(empty_text="No data for this series")
    assert small.no_data_shown and small.no_data.toPlainText() == "No data for this series"


def _bank_csv(shared_data, path, n: int = 240, features=None) -> pd.DataFrame:
    df = pd.read_csv(shared_data / "bank_marketing" / "bank-full.csv", sep=";").head(n)
    rng = np.random.default_rng(3)
    out = df[features].copy() if features else df.copy()
    ts = pd.Timestamp("2011-03-01 08:00") + pd.to_timedelta(np.arange(n) * 173, unit="min")
    out.insert(0, "timestamp", ts.strftime("%d/%m/%Y %H:%M"))
    out.insert(0, "request_id", [f"gui-{i}" for i in range(n)])
    out["prediction"] = np.where(rng.random(n) < 0.2, "yes", "no")
    out["score"] = rng.random(n).round(4)
    out["label"] = df["y"].to_numpy()
    out.to_csv(path, sep=";", decimal=",", index=False)
    return out


def open_dialog(w, qtbot):
    s, chart = show_model(w, qtbot, BANK)
    dlg = w.import_prediction_log()
    assert dlg is not None and dlg.isVisible()
    qtbot.addWidget(dlg)
    return s, dlg


def test_import_dialog_previews_ingests_and_runs_monitoring(window, qtbot, shared_data, tmp_path):
    from console.services import monitoring

    w = window
    assert w.act_import_log.isEnabled()
    s = next(m for m in w.inventory.model.rows() if m.name == BANK)
    features = list(w.ws.get_model(s.id).versions[-1].training_schema)
    path = tmp_path / "scores.csv"
    data = _bank_csv(shared_data, path, features=features)
    assert "0," in path.read_text().splitlines()[1]  # a decimal comma really is in the file
    s, dlg = open_dialog(w, qtbot)
    with qtbot.waitSignal(dlg.previewed, timeout=20000):
        dlg.set_path(str(path))
    p = dlg.preview
    assert p.separator == ";" and p.decimal == ","
    assert "semicolon" in dlg.sep_combo.itemText(0) and "comma" in dlg.decimal_combo.itemText(0)
    assert dlg.date_combo.currentText() == "%d/%m/%Y %H:%M"
    assert "decimal comma" in dlg.detected.text() and "%d/%m/%Y %H:%M" in dlg.detected.text()
    m = dlg.preview_model
    assert m.rowCount() == 50
    headers = [m.headerData(i, Qt.Orientation.Horizontal) for i in range(m.columnCount())]
    assert "score\n(number)" in headers and "timestamp\n(text)" in headers
    score_col = [h.split("\n")[0] for h in headers].index("score")
    assert float(m.data(m.index(0, score_col))) == pytest.approx(data["score"].iloc[0])
    assert dlg.roles() == {"timestamp": "timestamp", "prediction": "prediction", "score": "score",
                           "label": "label", "request_id": "request_id"}
    before = len(monitoring.list_batches(w.ws, s.id, 1))
    with qtbot.waitSignal(dlg.ingested, timeout=60000) as blocker:
        dlg.start_import()
    res = blocker.args[0]
    assert res.rows == 240 and res.labelled == 240 and not res.duplicate
    assert res.ts_min == pd.Timestamp("2011-03-01 08:00", tz="UTC")
    assert len(monitoring.list_batches(w.ws, s.id, 1)) == before + 1
    assert dlg.monitor_box.isVisibleTo(dlg)
    qtbot.waitUntil(lambda: not dlg.busy, timeout=10000)
    dlg.window_combo.setCurrentIndex(dlg.window_combo.findData("1M"))
    with qtbot.waitSignal(dlg.monitored, timeout=120000) as blocker:
        dlg.run_monitoring()
    run = blocker.args[0]
    assert run.windows[-1].label == "2011-03"  # the new month after the demo's history
    # the window reloads: the Drift tab shows the new run
    qtbot.waitUntil(lambda: w.detail.drift.run is not None and w.detail.drift.run.id == run.run_id, timeout=30000)
    qtbot.waitUntil(lambda: w.detail.drift.history_loaded, timeout=20000)
    assert w.detail.drift.heatmap.window_axis.labels[-1] == "2011-03"


def test_import_dialog_bad_file_shows_one_line_and_writes_nothing(window, qtbot, shared_data, tmp_path):
    from console.services import monitoring

    w = window
    s = next(m for m in w.inventory.model.rows() if m.name == BANK)
    features = list(w.ws.get_model(s.id).versions[-1].training_schema)
    path = tmp_path / "bad.csv"
    data = _bank_csv(shared_data, path, n=80, features=features)
    data.loc[61, "timestamp"] = "31/02/2011 10:00"  # no such day
    data.to_csv(path, sep=";", decimal=",", index=False)
    s, dlg = open_dialog(w, qtbot)
    with qtbot.waitSignal(dlg.previewed, timeout=20000):
        dlg.set_path(str(path))
    before = len(monitoring.list_batches(w.ws, s.id, 1))
    with qtbot.waitSignal(dlg.failed, timeout=60000) as blocker:
        dlg.start_import()
    msg = blocker.args[0]
    assert "\n" not in msg and "row 62" in msg and "timestamp" in msg and "bad.csv" in msg
    assert dlg.error_text == msg and "Traceback" not in msg
    qtbot.waitUntil(lambda: not dlg.busy, timeout=10000)
    assert len(monitoring.list_batches(w.ws, s.id, 1)) == before
    assert not dlg.monitor_box.isVisibleTo(dlg)
    # a file that is not a table at all: the preview says so in one line
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"PAR1 this is not parquet")
    with qtbot.waitSignal(dlg.failed, timeout=20000) as blocker:
        dlg.set_path(str(junk))
    assert "\n" not in blocker.args[0] and "junk.parquet" in blocker.args[0]
    assert not dlg.import_button.isEnabled()
