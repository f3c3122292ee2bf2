"""Issue 7, everyday comfort (pytest-qt, real widgets, offscreen): the first run as a new
user (welcome → demo → a model → validation → audit PDF), the command palette, Ctrl+F,
Enter/Delete, table export to CSV/Excel read back, chart export, settings persisted
across two windows, light/dark themes (WCAG AA tokens, applied live to charts),
accessible names on every interactive widget, the user guide, and screenshots of the main
views in both themes (docs/screenshots/*-light.png, *-dark.png).

``TOLLGATE_TEST_DEMO_WORKSPACE`` may name a prebuilt demo workspace to copy instead of
building one (``tollgate demo`` takes minutes on a busy machine); by default the
session's ``demo_workspace`` fixture is used.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")
pytest.importorskip("pyqtgraph")
pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings, Qt  # noqa: E402

from tests.conftest import open_main_window  # noqa: E402
from tests.test_gui import FakeWorkspace, _names  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "docs" / "screenshots"
T = 60000


# ---------------------------------------------------------------- fixtures
@pytest.fixture
def light(themed):
    """The light theme before and after the test, and no saved theme choice."""
    from console.ui import theme

    QSettings().remove(theme.SETTINGS_KEY)
    theme.set_mode("light", save=False)
    yield themed
    theme.set_mode("light", save=False)
    QSettings().remove(theme.SETTINGS_KEY)


@pytest.fixture
def fake_window(qtbot, light):
    from console.ui.main_window import MainWindow

    w = MainWindow(workspace=FakeWorkspace(delay=0.02), restore_state=False, warm_up=False, refresh_interval_s=0)
    qtbot.addWidget(w)
    w.resize(1400, 860)
    w.show()
    with qtbot.waitSignal(w.ready, timeout=10000):
        w.start()
    yield w
    w.shutdown()


def _copy_workspace(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)
    for suffix in ("-wal", "-shm"):
        side = src.with_name(src.name + suffix)
        if side.exists():
            shutil.copy2(side, dst.with_name(dst.name + suffix))
    return dst


@pytest.fixture(scope="module")
def prebuilt_demo(request) -> Path:
    """A built demo workspace (read-only): TOLLGATE_TEST_DEMO_WORKSPACE or the session's."""
    given = os.environ.get("TOLLGATE_TEST_DEMO_WORKSPACE")
    if given:
        return Path(given)
    return request.getfixturevalue("demo_workspace")


@pytest.fixture
def demo_file(prebuilt_demo, tmp_path) -> Path:
    return _copy_workspace(prebuilt_demo, tmp_path / "demo.sqlite")


def select_and_wait(w, qtbot, model_id: int) -> None:
    if w.detail.detail is not None and w.detail.detail.model.id == model_id and w.inventory.selected_id() == model_id:
        return
    with qtbot.waitSignal(w.detailLoaded, timeout=T, check_params_cb=lambda mid: mid == model_id):
        assert w.inventory.select_model_id(model_id)


# ---------------------------------------------------------------- themes
def test_both_themes_meet_wcag_aa_contrast():
    from console.ui.theme import DARK, LIGHT, SERIES_DARK, SERIES_LIGHT, contrast_ratio

    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    for t, series in ((LIGHT, SERIES_LIGHT), (DARK, SERIES_DARK)):
        text_pairs = [(t.text, t.window), (t.text, t.surface), (t.text, t.surface_alt), (t.text_muted, t.surface),
                      (t.text_muted, t.window), (t.accent_text, t.accent), (t.tooltip_text, t.tooltip_bg),
                      (t.inactive_highlight_text, t.inactive_highlight), (t.current, t.surface)]
        text_pairs += [(getattr(t, k), bg) for k in ("ok", "warn", "bad") for bg in (t.surface, t.window)]
        for fg, bg in text_pairs:
            assert contrast_ratio(fg, bg) >= 4.5, (t.name, fg, bg, contrast_ratio(fg, bg))
        # chart lines and glyphs: non-text contrast (WCAG 1.4.11)
        for fg in (*series, t.neutral, t.reference, t.warn_fill):
            assert contrast_ratio(fg, t.surface) >= 3.0, (t.name, fg, contrast_ratio(fg, t.surface))
    assert LIGHT.window != DARK.window


def test_style_sheet_font_sizes_are_points_not_pixels():
    import re

    from console.ui import theme

    for t in (theme.LIGHT, theme.DARK):
        sizes = re.findall(r"font-size:\s*([^;]+);", theme.style_sheet(t))
        assert sizes and all(s.strip().endswith("pt") for s in sizes), sizes


def test_dark_theme_applies_live_to_palette_glyphs_and_open_charts(fake_window, qtbot):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from console.ui import theme

    w = fake_window
    select_and_wait(w, qtbot, 1)  # a model with a drift run: the drift charts exist
    w.detail.tabs.setCurrentIndex(w.detail.TAB_DRIFT)
    chart = w.detail.drift
    plot = chart.psi_plot
    assert plot.backgroundBrush().color().name() == theme.LIGHT.surface
    assert chart._bands[0].brush.color().name() == theme.LIGHT.band_warn
    assert w.theme_actions["system"].isChecked() or w.theme_actions["light"].isChecked()

    w.theme_actions["dark"].trigger()  # View → Theme → Dark
    app = QApplication.instance()
    assert theme.TOKENS is theme.DARK and w.theme_actions["dark"].isChecked()
    assert app.palette().color(QPalette.ColorRole.Window).name() == theme.DARK.window
    assert app.palette().color(QPalette.ColorRole.Base).name() == theme.DARK.surface
    assert theme.DARK.grid in app.styleSheet()
    assert theme.status_colour("fail").name() == theme.DARK.bad
    # the chart that was already open follows: background, bands, thresholds, axes
    assert plot.backgroundBrush().color().name() == theme.DARK.surface
    assert chart._bands[0].brush.color().name() == theme.DARK.band_warn
    assert chart.threshold_lines[1].pen.color().name() == theme.DARK.bad
    axis = plot.getPlotItem().getAxis("left")
    assert axis.textPen().color().name() == theme.DARK.text_muted
    assert "Theme: dark" in w.last_status
    # a chart created in the dark theme gets dark colours from the start
    import pyqtgraph as pg

    assert pg.getConfigOption("background") == theme.DARK.surface

    w.theme_actions["light"].trigger()
    assert app.palette().color(QPalette.ColorRole.Window).name() == theme.LIGHT.window
    assert plot.backgroundBrush().color().name() == theme.LIGHT.surface
    assert chart._bands[0].brush.color().name() == theme.LIGHT.band_warn


def test_theme_choice_is_saved_and_system_follows_the_desktop(light):
    from PySide6.QtWidgets import QApplication

    from console.ui import theme

    theme.set_mode("dark")
    assert QSettings().value(theme.SETTINGS_KEY) == "dark" and theme.saved_mode() == "dark"
    theme.apply_theme(QApplication.instance())  # a new start reads the saved choice
    assert theme.TOKENS is theme.DARK
    theme.set_mode("system")
    assert theme.TOKENS is theme.tokens_for("system")
    assert theme.TOKENS.name == theme.system_scheme()
    with pytest.raises(ValueError):
        theme.set_mode("sepia")


# ---------------------------------------------------------------- keyboard
def test_fuzzy_ranking():
    from console.ui.palette import Entry, fuzzy_score, rank

    noop = lambda: None  # noqa: E731
    entries = [Entry("Action", "Export table", noop), Entry("Model", "term-deposit-propensity", noop),
               Entry("Model", "Term deposit propensity", noop, "tier 2 · production · Ольга"),
               Entry("Action", "Refresh", noop)]
    assert fuzzy_score("tdp", "term-deposit-propensity") is not None
    assert fuzzy_score("xyz", "term-deposit-propensity") is None
    assert [e.title for e in rank("term dep", entries)][:2] == ["term-deposit-propensity",
                                                               "Term deposit propensity"]
    assert [e.title for e in rank("refr", entries)] == ["Refresh"]
    assert [e.title for e in rank("ольга", entries)] == ["Term deposit propensity"]  # detail words
    assert rank("", entries) == entries


def test_command_palette_jumps_to_a_model_a_view_and_closes_on_escape(fake_window, qtbot):
    w = fake_window
    qtbot.keyClick(w, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    pal = w.command_palette
    assert pal is not None and pal.isVisible()
    qtbot.keyClicks(pal.edit, "term dep")
    assert pal.current_entry().title == "term-deposit-propensity"
    with qtbot.waitSignal(w.detailLoaded, timeout=10000, check_params_cb=lambda mid: mid == 2):
        qtbot.keyClick(pal.edit, Qt.Key.Key_Return)
    assert not pal.isVisible()
    assert w.inventory.selected_summary().name == "term-deposit-propensity"
    # a view: the Drift tab of the selected model
    pal = w.show_palette()
    qtbot.keyClicks(pal.edit, "drift tab")
    qtbot.keyClick(pal.edit, Qt.Key.Key_Return)
    assert w.detail.tabs.currentIndex() == w.detail.TAB_DRIFT
    # an action, chosen with the arrow keys: Theme → Dark is among the "dark" matches
    pal = w.show_palette()
    qtbot.keyClicks(pal.edit, "theme")
    titles = [pal.list.item(i).text() for i in range(pal.list.count())]
    assert any("Theme: Dark" in t for t in titles), titles
    # a model hidden by the filter is shown again (filter cleared) and selected
    w.inventory.filter_edit.setText("ruiz")
    qtbot.waitUntil(lambda: w.inventory.model.rowCount() == 2, timeout=3000)
    pal = w.show_palette()
    qtbot.keyClicks(pal.edit, "churn")
    qtbot.keyClick(pal.edit, Qt.Key.Key_Return)
    assert w.inventory.selected_summary().name == "churn-baseline"
    # Esc closes without running anything
    pal = w.show_palette()
    qtbot.keyClicks(pal.edit, "refresh")
    qtbot.keyClick(pal.edit, Qt.Key.Key_Escape)
    assert not pal.isVisible() and pal.ran is None


def test_ctrl_f_filters_the_current_table_and_enter_delete(fake_window, qtbot):
    w = fake_window
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert w.inventory.filter_edit.hasFocus()
    qtbot.keyClicks(w.inventory.filter_edit, "ruiz")
    qtbot.waitUntil(lambda: w.inventory.model.rowCount() == 2, timeout=3000)
    assert sorted(_names(w.inventory.model)) == ["credit-default-scorecard", "income-band-classifier"]
    # Enter on a model opens its details (keyboard focus moves there)
    w.inventory.select_model_id(1)
    w.inventory.table.setFocus()
    qtbot.keyClick(w.inventory.table, Qt.Key.Key_Return)  # details still loading: focus follows
    qtbot.waitUntil(lambda: w.detail.tabs.hasFocus(), timeout=5000)
    assert w.detail.detail.model.id == 1
    # Delete on a model: never deleted, a status-bar hint says what to do instead
    w.inventory.table.setFocus()
    qtbot.keyClick(w.inventory.table, Qt.Key.Key_Delete)
    assert "never deleted" in w.last_status and "Request approval" in w.last_status
    assert w.inventory.model.total_count() == 5
    # every menu action has a shortcut or is reachable through a menu; the key ones:
    keys = {a.shortcut().toString() for a in (w.act_palette, w.act_find, w.act_export_table, w.act_help,
                                              w.act_export_chart, w.act_connections)}
    assert keys == {"Ctrl+K", "Ctrl+F", "Ctrl+Shift+E", "F1", "Ctrl+Shift+G", "Ctrl+Shift+K"}
    in_menus = {a for m in w.menuBar().findChildren(type(w.recent_menu)) for a in m.actions()}
    for a in (w.act_palette, w.act_export_table, w.act_export_chart, w.act_help, w.act_welcome,
              *w.theme_actions.values()):
        assert a in in_menus, a.text()


# ---------------------------------------------------------------- export
def test_table_export_csv_and_excel_hold_the_filtered_sorted_rows(fake_window, qtbot, tmp_path):
    from openpyxl import load_workbook

    from console.ui.inventory import InventoryModel

    w = fake_window
    w.inventory.filter_edit.setText("ruiz")
    qtbot.waitUntil(lambda: w.inventory.model.rowCount() == 2, timeout=3000)
    w.inventory.table.horizontalHeader().setSortIndicator(InventoryModel.TIER, Qt.SortOrder.DescendingOrder)
    shown = [m.name for m in w.inventory.model.visible_rows()]
    assert shown == ["income-band-classifier", "credit-default-scorecard"]  # tier 2 before tier 1
    hidden = [w.inventory.model.columns[c].title for c in range(w.inventory.model.columnCount())
              if w.inventory.table.isColumnHidden(c)]
    assert hidden == ["Last synced", "On server"]  # no pulled model: not shown, not exported

    paths = iter([str(tmp_path / "inventory.csv"), str(tmp_path / "inventory")])  # no suffix -> .xlsx
    w.ask_export_path = lambda title, default, filters: next(paths)
    w.inventory.table.setFocus()
    out_csv = w.export_table()
    assert out_csv == tmp_path / "inventory.csv" and "2 rows exported" in w.last_status
    with open(out_csv, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    titles = [c.title for c in w.inventory.model.columns if c.title not in hidden]
    assert rows[0] == titles
    assert [r[0] for r in rows[1:]] == shown
    assert rows[1][titles.index("Risk tier")] == "Tier 2" and rows[1][titles.index("Owner")] == "ana ruiz"
    assert rows[2][titles.index("Last validation")].startswith("Pass · ")

    out_xlsx = w.export_table()
    assert out_xlsx == tmp_path / "inventory.xlsx"
    ws = load_workbook(out_xlsx).active
    values = [[("" if c is None else str(c)) for c in row] for row in ws.iter_rows(values_only=True)]
    assert values == rows  # the same cells as the CSV (whole numbers stored as numbers)
    assert ws["A1"].font.bold and ws.freeze_panes == "A2"
    assert isinstance(ws.cell(row=2, column=titles.index("Versions") + 1).value, int)

    # a file that cannot be written: one plain message, nothing left behind
    w.ask_export_path = lambda *a: str(tmp_path / "missing" / "x.csv")
    assert w.export_table() is None
    box = w.message_boxes[-1]
    assert "does not exist" in box.informativeText() and not box.detailedText()
    box.close()


def test_chart_export_png_and_svg(fake_window, qtbot, tmp_path):
    from PySide6.QtGui import QImage

    w = fake_window
    select_and_wait(w, qtbot, 1)
    w.detail.tabs.setCurrentIndex(w.detail.TAB_DRIFT)
    w.detail.drift.views.setCurrentIndex(1)  # PSI over time
    qtbot.wait(50)
    paths = iter([str(tmp_path / "psi.png"), str(tmp_path / "psi.svg")])
    w.ask_export_path = lambda title, default, filters: next(paths)
    png = w.export_chart()
    img = QImage(str(png))
    assert not img.isNull() and img.width() >= 400 and img.height() >= 100
    svg = w.export_chart()
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "PSI" in text
    # right-click on a chart: "Export chart … as PNG or SVG…"
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    plot = w.detail.drift.psi_plot
    vp = plot.viewport()
    QApplication.sendEvent(vp, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(20, 20),
                                                 vp.mapToGlobal(QPoint(20, 20))))
    menu = w._chart_menu.last_menu
    assert menu is not None and "PNG or SVG" in menu.actions()[0].text()
    w.ask_export_path = lambda *a: str(tmp_path / "from-menu.png")
    menu.actions()[0].trigger()
    menu.close()
    assert QImage(str(tmp_path / "from-menu.png")).width() >= 400
    w.detail.tabs.setCurrentIndex(w.detail.TAB_OVERVIEW)
    qtbot.wait(20)
    assert w.export_chart() is None and "No chart is shown" in w.last_status


# ---------------------------------------------------------------- settings
def test_layout_persists_across_two_windows_and_holds_no_secret(qtbot, light, _isolated_settings):
    from console.ui.inventory import InventoryModel
    from console.ui.main_window import SETTINGS_VERSION, MainWindow

    s = QSettings()
    for key in ("layout", "settings", "main"):
        s.remove(key)

    def window():
        w = MainWindow(workspace=FakeWorkspace(), restore_state=True, warm_up=False, refresh_interval_s=0)
        qtbot.addWidget(w)
        w.show()
        return w

    w1 = window()
    w1.resize(1000, 700)
    with qtbot.waitSignal(w1.ready, timeout=10000):
        w1.start()
    hh = w1.inventory.table.horizontalHeader()
    hh.resizeSection(InventoryModel.OWNER, 201)
    hh.setSortIndicator(InventoryModel.TIER, Qt.SortOrder.DescendingOrder)
    w1.splitter.setSizes([310, 450])
    sizes = w1.splitter.sizes()
    select_and_wait(w1, qtbot, 2)
    w1.detail.tabs.setCurrentIndex(w1.detail.TAB_DRIFT)
    w1.close()  # saves on close
    assert QSettings().value("settings/version") in (SETTINGS_VERSION, str(SETTINGS_VERSION))

    w2 = window()
    hh2 = w2.inventory.table.horizontalHeader()
    assert hh2.sectionSize(InventoryModel.OWNER) == 201
    assert (hh2.sortIndicatorSection(), hh2.sortIndicatorOrder()) == (InventoryModel.TIER,
                                                                     Qt.SortOrder.DescendingOrder)
    assert w2.size().width() < 1400 and w2.size().height() < 860  # not the default size: restored
    assert w2.detail.tabs.currentIndex() == w2.detail.TAB_DRIFT
    with qtbot.waitSignal(w2.ready, timeout=10000):
        w2.start()
    assert [m.risk_tier for m in w2.inventory.model.visible_rows()] == [3, 2, 2, 1, 1]
    assert w2.inventory.selected_id() == 2  # the last model looked at
    assert abs(w2.splitter.sizes()[0] - sizes[0]) <= 2
    w2.shutdown()

    # a stored layout of another settings version is discarded, not misapplied
    QSettings().setValue("settings/version", SETTINGS_VERSION + 99)
    w3 = window()
    assert w3.inventory.table.horizontalHeader().sectionSize(InventoryModel.OWNER) != 201
    assert QSettings().value("settings/version") in (SETTINGS_VERSION, str(SETTINGS_VERSION))
    w3.shutdown()
    QSettings().sync()
    text = "".join(p.read_text(errors="replace") for p in Path(_isolated_settings).rglob("*.ini")).lower()
    assert "layout" in text
    for word in ("password", "secret", "token", "s3cret"):
        assert word not in text, word


def test_recent_workspaces_never_keep_a_password(light):
    from console.ui.welcome import forget_workspace, recent_workspaces, remember_workspace, strip_secret

    QSettings().remove("workspaces/recent")
    url = "postgresql+psycopg://ana:s3cret@db.example:5432/tollgate?sslmode=require&password=x"
    assert strip_secret(url) == "postgresql+psycopg://ana@db.example:5432/tollgate?sslmode=require"
    remember_workspace(url)
    remember_workspace("/tmp/a.sqlite")
    remember_workspace(url)  # moves to the top, not duplicated
    assert recent_workspaces() == ["postgresql+psycopg://ana@db.example:5432/tollgate?sslmode=require",
                                   str(Path("/tmp/a.sqlite").resolve())]
    for i in range(12):
        remember_workspace(f"/tmp/w{i}.sqlite")
    assert len(recent_workspaces()) == 8
    forget_workspace(recent_workspaces()[0])
    assert len(recent_workspaces()) == 7 and not any("s3cret" in r for r in recent_workspaces())
    QSettings().remove("workspaces/recent")


# ---------------------------------------------------------------- welcome / first run
def test_welcome_creates_an_empty_workspace_and_lists_it_as_recent(qtbot, light, tmp_path):
    from console.ui.welcome import Launcher, recent_workspaces, startup_location

    QSettings().remove("workspaces/recent")
    assert startup_location(None) == (True, None)
    assert startup_location("/x/given.sqlite") == (False, "/x/given.sqlite")
    launcher = Launcher(sign_in=False, restore_state=False, warm_up=False)
    welcome = launcher.show_welcome()
    page = welcome.page
    assert page.recent_empty.isVisibleTo(welcome) and not page.recent_list.isVisibleTo(welcome)
    target = tmp_path / "mine"
    page.ask_new_path = lambda: str(target)
    with qtbot.waitSignal(launcher.windowOpened, timeout=T) as blocker:
        page.new_button.click()
    w = blocker.args[0]
    qtbot.waitUntil(lambda: w.is_ready, timeout=T)
    assert (tmp_path / "mine.sqlite").exists()
    assert w.inventory.model.total_count() == 0 and "no models yet" in w.inventory.message.text()
    assert recent_workspaces()[0] == str((tmp_path / "mine.sqlite").resolve())
    assert startup_location(None) == (False, str((tmp_path / "mine.sqlite").resolve()))
    # File → Open Recent lists it; the welcome page too, where Delete forgets an entry
    w._fill_recent_menu()
    assert any("mine.sqlite" in a.text() for a in w.recent_menu.actions())
    welcome2 = w.show_welcome()
    lst = welcome2.page.recent_list
    assert lst.count() == 1 and "mine.sqlite" in lst.item(0).text()
    welcome2.activateWindow()
    qtbot.waitUntil(welcome2.isActiveWindow, timeout=5000)
    lst.setFocus()
    qtbot.keyClick(lst, Qt.Key.Key_Delete)
    assert lst.count() == 0 and recent_workspaces() == []
    welcome2.close()
    w.close()
    QSettings().remove("workspaces/recent")


@pytest.mark.slow
def test_first_run_walkthrough_welcome_demo_model_validation_pdf(qtbot, light, prebuilt_demo, tmp_path,
                                                                monkeypatch):
    """As a new user: the welcome page, "Open the demo workspace" (already built into the
    default workspace, as scripts/start.sh does), Enter on a model, Run validation,
    Export audit PDF — the PDF parsed back."""
    import pypdf

    from console.ui.welcome import Launcher, recent_workspaces, startup_location

    data = tmp_path / "userdata"
    monkeypatch.setenv("TOLLGATE_DATA_DIR", str(data))
    default = _copy_workspace(prebuilt_demo, data / "workspace.sqlite")
    QSettings().remove("workspaces/recent")

    show_welcome, location = startup_location(None)
    assert show_welcome and location is None  # first run: the welcome page
    launcher = Launcher(sign_in=False, restore_state=False, warm_up=False)
    welcome = launcher.show_welcome()
    assert welcome.page.demo_button.isDefault() and str(default) in welcome.page.demo_button.toolTip()
    with qtbot.waitSignal(launcher.windowOpened, timeout=T) as blocker:
        qtbot.mouseClick(welcome.page.demo_button, Qt.MouseButton.LeftButton)
    w = blocker.args[0]
    qtbot.waitUntil(lambda: w.is_ready, timeout=T)
    assert w.inventory.model.total_count() >= 5
    qtbot.waitUntil(lambda: launcher.welcome is None, timeout=5000)  # the welcome window closed

    # open a model with the keyboard
    target = next(m for m in w.inventory.model.rows() if m.name.startswith("High-income"))
    select_and_wait(w, qtbot, target.id)
    w.inventory.table.setFocus()
    qtbot.keyClick(w.inventory.table, Qt.Key.Key_Return)
    assert w.detail.tabs.hasFocus() and w.detail.detail.model.name == target.name

    n_runs = w.detail.validation.runs_model.rowCount()
    with qtbot.waitSignal(w.jobFinished, timeout=600000) as done:
        w.act_run.trigger()
        assert w.progress.isVisible() and w.cancel_button.isVisible()
    assert done.args[1] is True, done.args
    assert w.last_status.startswith(("✔ Validation of", "✖ Validation of")), w.last_status
    qtbot.waitUntil(lambda: w.detail.validation.runs_model.rowCount() == n_runs + 1, timeout=T)

    pdf = tmp_path / "audit.pdf"
    w.ask_save_path = lambda default: str(pdf)
    with qtbot.waitSignal(w.jobFinished, timeout=600000) as done:
        assert w.export_audit_pdf() is not None  # the audit-PDF export path (a worker)
    assert done.args[1] is True, done.args
    reader = pypdf.PdfReader(str(pdf))
    text = " ".join(page.extract_text() or "" for page in reader.pages[:4])
    assert len(reader.pages) >= 1 and "High-income" in text
    assert str(pdf) in w.last_status

    assert recent_workspaces()[0] == str(default.resolve())
    assert startup_location(None) == (False, str(default.resolve()))  # next start: straight in
    w.close()
    QSettings().remove("workspaces/recent")


# ---------------------------------------------------------------- accessibility, help, screenshots
@pytest.mark.slow
def test_every_interactive_widget_has_an_accessible_name(qtbot, light, demo_file):
    from console.ui import a11y
    from console.ui.help import HelpWindow
    from console.ui.welcome import WelcomeWindow

    w = open_main_window(qtbot, location=str(demo_file), refresh_interval_s=0)
    for i in range(w.detail.tabs.count()):  # every tab builds its widgets
        w.detail.tabs.setCurrentIndex(i)
        qtbot.wait(50)
    w.detail.tabs.setCurrentIndex(w.detail.TAB_VALIDATION)
    qtbot.wait(100)
    audit = w.show_audit_view()
    approvals = w.show_approvals_view()
    # their lists load in workers (slow when the machine is busy): wait for them
    try:
        qtbot.waitUntil(lambda: not audit.busy and not approvals.busy, timeout=3 * T)
    except Exception:  # say which worker jobs were still running
        raise AssertionError(f"views still loading: audit busy={audit.busy}, approvals busy={approvals.busy}; "
                             f"jobs: {[j.title for j in w.runner.active_jobs]}") from None
    pal = w.show_palette()
    welcome = WelcomeWindow()
    qtbot.addWidget(welcome)
    help_window = HelpWindow(w)
    roots = (w, audit, approvals, pal, welcome, help_window)
    checked = a11y._relevant(roots)
    assert len(checked) > 60  # buttons, fields, combo boxes, tables, tab bars of every view
    assert a11y.unnamed_widgets(*roots) == []
    assert a11y.unnamed_actions(w) == []
    pal.reject()

    # focus order: filter → tier → status → inventory → detail tabs
    w.inventory.filter_edit.setFocus()
    order, cur = [], w.inventory.filter_edit
    for _ in range(60):
        order.append(cur)
        cur = cur.nextInFocusChain()
        if cur is w.inventory.filter_edit:
            break
    expected = [w.inventory.filter_edit, w.inventory.tier_combo, w.inventory.status_combo, w.inventory.table,
                w.detail.tabs]
    pos = [order.index(x) for x in expected]
    assert pos == sorted(pos), pos
    # statuses never by colour alone: every inventory status cell has a word and a glyph
    m = w.inventory.model
    for r in range(m.rowCount()):
        for col in (m.LAST_VALIDATION, m.DRIFT):
            idx = m.index(r, col)
            assert m.data(idx) and m.data(idx, Qt.ItemDataRole.DecorationRole) is not None
    w.shutdown()


def test_user_guide_opens_with_f1_and_covers_the_workflows(fake_window, qtbot):
    from console.ui.help import guide_path, guide_sections

    w = fake_window
    assert guide_path() == REPO / "resources" / "help" / "user-guide.md"
    qtbot.keyClick(w, Qt.Key.Key_F1)
    hw = w.help_window
    assert hw is not None and hw.isVisible()
    sections = guide_sections(hw.text)
    for s in ("Review the inventory", "Run a validation", "Read drift", "Approve a promotion", "Export a report"):
        assert s in sections
    assert hw.contents.count() == len(sections)
    assert "Run validation" in hw.browser.toPlainText()  # rendered, not raw Markdown
    assert "## " not in hw.browser.toPlainText()
    assert hw.go_to("Read drift")
    assert w.act_help in w.menuBar().actions()[-1].menu().actions()


def _mean_luminance(path: Path) -> float:
    from PySide6.QtGui import QImage

    img = QImage(str(path))
    step = 17
    total = n = 0
    for y in range(0, img.height(), step):
        for x in range(0, img.width(), step):
            c = img.pixelColor(x, y)
            total += 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF()
            n += 1
    return total / n


@pytest.mark.slow
def test_screenshots_of_the_main_views_in_light_and_dark(qtbot, light, demo_file):
    """docs/screenshots/{inventory,versions,validation,drift,audit-trail,approvals,audit,
    welcome}-{light,dark}.png (scripts/screenshots.py's themed_shots)."""
    spec = importlib.util.spec_from_file_location("tollgate_screenshots", REPO / "scripts" / "screenshots.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    def wait(signal, ms: int = 30000) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    w = open_main_window(qtbot, location=str(demo_file), refresh_interval_s=0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    written = []
    for mode in ("light", "dark"):
        written += mod.themed_shots(w, QApplication.instance(), SHOTS, wait, mode)
    names = sorted(p.name for p in written)
    stems = ("inventory", "versions", "validation", "drift", "audit-trail", "approvals", "audit", "welcome")
    assert names == sorted(f"{s}-{m}.png" for s in stems for m in ("light", "dark"))
    for stem in stems:
        lum_light = _mean_luminance(SHOTS / f"{stem}-light.png")
        lum_dark = _mean_luminance(SHOTS / f"{stem}-dark.png")
        assert lum_light > 0.6 and lum_dark < 0.35, (stem, lum_light, lum_dark)
    w.shutdown()
