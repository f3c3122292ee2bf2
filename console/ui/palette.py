"""The command palette (Ctrl+K): type a few letters to jump to a model, a view or run
an action; Enter runs the highlighted entry, Esc closes, Up/Down move.

Matching is a fuzzy subsequence match in the style of editors' "Go to anything": every
typed character must appear in order in the entry's title (case-insensitive); matches at
the start of a word and runs of consecutive characters score higher, shorter titles
break ties.  Several space-separated words must all match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

__all__ = ["Entry", "fuzzy_score", "rank", "CommandPalette", "main_window_entries"]


@dataclass(frozen=True)
class Entry:
    """One thing the palette can do: ``kind`` is ``Model``, ``View`` or ``Action``."""

    kind: str
    title: str
    run: Callable[[], Any]
    detail: str = ""
    shortcut: str = ""


def fuzzy_score(query: str, text: str) -> Optional[float]:
    """Score of ``query`` as a subsequence of ``text`` (higher is better), or None when
    some character of ``query`` is not found in order."""
    q, t = query.casefold(), text.casefold()
    if not q:
        return 0.0
    score, pos, prev = 0.0, 0, -2
    for ch in q:
        i = t.find(ch, pos)
        if i < 0:
            return None
        bonus = 1.0
        if i == 0 or not t[i - 1].isalnum():
            bonus += 2.0  # start of a word
        if i == prev + 1:
            bonus += 1.5  # consecutive
        score += bonus - 0.01 * (i - pos)
        prev, pos = i, i + 1
    if t.startswith(q):
        score += 3.0
    return score - 0.005 * len(t)


def rank(query: str, entries: Sequence[Entry]) -> list[Entry]:
    """Entries matching every word of ``query`` (fuzzily in the title, or as a plain
    substring of title + detail), best first; all of them, in order, for an empty query."""
    words = query.split()
    if not words:
        return list(entries)
    scored = []
    for k, e in enumerate(entries):
        hay = f"{e.title} {e.detail}"
        total = 0.0
        for w in words:
            s = fuzzy_score(w, e.title)
            if s is None:
                if w.casefold() not in hay.casefold():
                    break
                s = 0.5  # a whole word of the detail text (owner, status...), not a scattered match
            total += s
        else:
            scored.append((-total, k, e))
    scored.sort(key=lambda x: (x[0], x[1]))
    return [e for _, _, e in scored]


class _KeyFilter(QObject):
    """Up/Down/PageUp/PageDown typed in the search field move the list's selection."""

    def __init__(self, palette: "CommandPalette") -> None:
        super().__init__(palette)
        self.palette = palette

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            lst = self.palette.list
            step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -8, Qt.Key.Key_PageDown: 8}[event.key()]
            if lst.count():
                lst.setCurrentRow(max(0, min(lst.count() - 1, lst.currentRow() + step)))
            return True
        return False


class CommandPalette(QDialog):
    """A small window-modal popup: a search field over a ranked list of :class:`Entry`."""

    def __init__(self, entries: Sequence[Entry], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setWindowTitle("Command palette")
        self.setAccessibleName("Command palette")
        self.entries = list(entries)
        self.ran: Optional[Entry] = None
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Go to a model, a view or an action…   (Enter runs, Esc closes)")
        self.edit.setAccessibleName("Search models, views and actions")
        self.edit.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Matching models, views and actions")
        self.list.setUniformItemSizes(True)
        self.hint = QLabel(self)
        self.hint.setProperty("role", "muted")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.setSpacing(6)
        lay.addWidget(self.edit)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.hint)
        self.edit.textChanged.connect(self.refilter)
        self.edit.returnPressed.connect(self.run_current)
        self.list.itemActivated.connect(lambda _i: self.run_current())
        self.edit.installEventFilter(_KeyFilter(self))
        self.setFocusProxy(self.edit)
        if parent is not None:
            w = min(680, max(420, parent.width() // 2))
            self.resize(w, 420)
            top = parent.mapToGlobal(parent.rect().topLeft())
            self.move(top.x() + (parent.width() - w) // 2, top.y() + 80)
        self.refilter("")

    def refilter(self, text: str = "") -> None:
        self.list.clear()
        shown = rank(text, self.entries)
        for e in shown[:200]:
            label = f"{e.kind}:  {e.title}"
            if e.detail:
                label += f"   — {e.detail}"
            if e.shortcut:
                label += f"   ({e.shortcut})"
            item = QListWidgetItem(label, self.list)
            item.setData(Qt.ItemDataRole.UserRole, self.entries.index(e))
            item.setToolTip(e.detail or e.title)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.hint.setText(f"{len(shown)} match{'es' if len(shown) != 1 else ''}" if text
                          else "Type to search; ↑/↓ choose, Enter runs, Esc closes")

    def current_entry(self) -> Optional[Entry]:
        item = self.list.currentItem()
        return None if item is None else self.entries[int(item.data(Qt.ItemDataRole.UserRole))]

    def run_current(self) -> Optional[Entry]:
        e = self.current_entry()
        self.accept()
        if e is not None:
            self.ran = e
            e.run()
        return e

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.edit.setFocus(Qt.FocusReason.PopupFocusReason)


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def main_window_entries(w: Any) -> list[Entry]:
    """Everything the palette offers in main window ``w``: its models (select and show
    details), the detail tabs and the views (audit trail, approvals, welcome, user
    guide), and every enabled action with a text."""
    from PySide6.QtGui import QKeySequence

    out: list[Entry] = []
    for m in sorted(w.inventory.model.rows(), key=lambda m: m.name.casefold()):
        out.append(Entry("Model", m.name, lambda mid=m.id: _go_to_model(w, mid),
                         f"tier {m.risk_tier} · {m.status.value} · {m.owner}"))
    tabs = w.detail.tabs
    for i in range(tabs.count()):
        title = _plain(tabs.tabText(i))
        out.append(Entry("View", f"{title} tab", lambda i=i: (tabs.setCurrentIndex(i), tabs.setFocus()),
                         "of the selected model"))
    seen = set()
    for a in w.actions() + [w.act_open_model]:
        text = _plain(a.text())
        if not text or text in seen or not a.isEnabled() or a is getattr(w, "act_palette", None):
            continue
        seen.add(text)
        kind = "View" if a in (w.act_audit, w.act_approvals, w.act_help, w.act_welcome) else "Action"
        if a in getattr(w, "theme_actions", {}).values():
            text = f"Theme: {text}"
        out.append(Entry(kind, text, a.trigger, a.statusTip(),
                         a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)))
    return out


def _go_to_model(w: Any, model_id: int) -> None:
    if not w.inventory.select_model_id(model_id):
        w.inventory.clear_filters()  # hidden by a filter: show everything, then select it
        w.inventory.select_model_id(model_id)
    w.inventory.table.setFocus(Qt.FocusReason.OtherFocusReason)
