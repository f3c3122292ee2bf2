"""Accessibility helpers: what a screen reader announces for a widget, and a pass that
gives every interactive widget without one an accessible name.

A widget's name for assistive technology is its ``accessibleName`` or, when empty, what
Qt's accessibility interface derives (a button's text, a field's buddy label).
:func:`fill_accessible_names` sets a name from the best description available (tooltip,
placeholder, buddy label, the action of a tool button, the item of a tab) on the widgets
that still have none, so views built anywhere in the UI are covered.
"""

from __future__ import annotations

import re
from typing import Iterable

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSlider,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QToolButton,
    QWidget,
)

__all__ = ["INTERACTIVE", "accessible_name", "fill_accessible_names", "unnamed_widgets", "unnamed_actions",
           "is_internal"]

#: The widget types that must have a name (things a user operates or reads as a unit).
INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QTabBar, QTabWidget, QAbstractSpinBox,
               QSlider, QTextEdit, QPlainTextEdit)


def _clean(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", text or "")
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    return text.split("\n")[0].strip().rstrip("…").strip()


def accessible_name(w: QWidget) -> str:
    """What assistive technology announces as ``w``'s name ("" when nothing)."""
    name = w.accessibleName()
    if name:
        return name
    iface = QAccessible.queryAccessibleInterface(w)
    if iface is not None and iface.isValid():
        return (iface.text(QAccessible.Text.Name) or "").strip()
    return ""


def _buddy_text(w: QWidget) -> str:
    top = w.window()
    for lab in top.findChildren(QLabel):
        if lab.buddy() is w:
            return _clean(lab.text())
    return ""


def _describe(w: QWidget) -> str:
    if isinstance(w, QToolButton) and w.defaultAction() is not None:
        a = w.defaultAction()
        t = _clean(a.text()) or _clean(a.toolTip())
        if t:
            return t
    if isinstance(w, QAbstractButton) and _clean(w.text()):
        return _clean(w.text())
    for text in (_buddy_text(w), _clean(w.toolTip()), _clean(getattr(w, "placeholderText", lambda: "")()),
                 _clean(w.statusTip()), _clean(w.windowTitle()) if w.isWindow() else ""):
        if text:
            return text
    if isinstance(w, QTabBar) and w.count():
        return "Tabs: " + ", ".join(_clean(w.tabText(i)) for i in range(w.count()))
    if isinstance(w, QTabWidget) and w.count():
        return "Tabs: " + ", ".join(_clean(w.tabText(i)) for i in range(w.count()))
    if isinstance(w, QAbstractItemView):
        # a scroll area's own internals (e.g. a combo box's popup list) name after the owner
        parent = w.parentWidget()
        while parent is not None:
            n = parent.accessibleName()
            if n:
                return f"{n} list"
            parent = parent.parentWidget()
    if isinstance(w, QAbstractButton) and w.parentWidget() is not None:
        pn = accessible_name(w.parentWidget())
        cls = type(w).__name__
        if pn:
            return f"{pn} {('scroll ' if 'Scroll' in cls else '')}button"
    return ""


def is_internal(w: QWidget) -> bool:
    """Sub-widgets Qt builds inside another widget and exposes through that widget's
    accessibility interface: table headers and corner buttons, a combo box's popup list,
    a spin box's or date edit's text field, a line edit's clear button, the menu bar's
    and toolbar's overflow buttons."""
    if w.objectName().startswith("qt_") or w.objectName().startswith("_q_"):
        return True
    p = w.parentWidget()
    if isinstance(w, QHeaderView) and isinstance(p, QAbstractItemView):
        return True
    if isinstance(w, QToolButton) and isinstance(p, QLineEdit):
        return True
    if isinstance(w, QLineEdit) and isinstance(p, QAbstractSpinBox):
        return True
    anc, depth = p, 0
    while anc is not None and depth < 3:
        if isinstance(anc, QComboBox) and isinstance(w, QAbstractItemView):
            return True
        anc, depth = anc.parentWidget(), depth + 1
    return False


def _relevant(roots: Iterable[QWidget]) -> list[QWidget]:
    out, seen = [], set()
    for root in roots:
        for w in [root, *root.findChildren(QWidget)]:
            if id(w) in seen or not isinstance(w, INTERACTIVE) or is_internal(w):
                continue
            seen.add(id(w))
            out.append(w)
    return out


def fill_accessible_names(*roots: QWidget) -> int:
    """Give each interactive widget under ``roots`` that has no accessible name one from
    its description; returns how many were named."""
    n = 0
    for w in _relevant(roots):
        if accessible_name(w):
            continue
        name = _describe(w)
        if name:
            w.setAccessibleName(name)
            n += 1
    return n


def unnamed_widgets(*roots: QWidget, visible_only: bool = False) -> list[str]:
    """Descriptions (class, object name, parent chain) of interactive widgets under
    ``roots`` whose accessible name is empty."""
    out = []
    for w in _relevant(roots):
        if visible_only and not w.isVisibleTo(w.window()):
            continue
        if not accessible_name(w):
            chain, p = [], w.parentWidget()
            while p is not None and len(chain) < 4:
                chain.append(p.accessibleName() or type(p).__name__)
                p = p.parentWidget()
            out.append(f"{type(w).__name__}({w.objectName()!r}) in {' < '.join(chain)}")
    return out


def unnamed_actions(window: QWidget) -> list[str]:
    """Menu and toolbar entries of ``window`` (a QMainWindow) without a text: they would
    be announced as nothing."""
    from PySide6.QtWidgets import QMenu, QToolBar

    out = []
    for m in window.findChildren(QMenu):
        for a in m.actions():
            if not a.isSeparator() and not _clean(a.text()):
                out.append(f"menu {m.title()!r}: {a.objectName()!r}")
    for tb in window.findChildren(QToolBar):
        for a in tb.actions():
            if not a.isSeparator() and not _clean(a.text()) and not _clean(a.toolTip()):
                out.append(f"toolbar {tb.windowTitle()!r}: {a.objectName()!r}")
    return out
