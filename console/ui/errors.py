"""Error messages for people: a plain-language message, and the technical details
(an unexpected error's traceback) only behind a "Show Details…" expander.

A :class:`console.errors.TollgateError` arrives with empty ``details``: its message was
written for a person (what went wrong, what to do) and is shown alone.  Anything else is
a bug: the box says so in plain words, that nothing was saved, and keeps the traceback
in the collapsed details for a bug report.
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

__all__ = ["show_error", "error_box"]


def error_box(parent: Optional[QWidget], title: str, message: str, details: str = "") -> QMessageBox:
    """Build (not show) the message box; see the module docstring."""
    box = QMessageBox(parent)
    box.setWindowTitle("Tollgate")
    box.setText(title)
    box.setAccessibleName(title)
    if details:
        box.setIcon(QMessageBox.Icon.Critical)
        box.setInformativeText(
            f"{message}\n\nThis is an unexpected error in Tollgate; nothing was saved. "
            "Please report it, with the details below."
        )
        box.setDetailedText(details)
    else:
        box.setIcon(QMessageBox.Icon.Warning)
        box.setInformativeText(message)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box


def show_error(parent: Optional[QWidget], title: str, message: str, details: str = "") -> QMessageBox:
    """Show :func:`error_box` window-modally without blocking (``open()``); returns it."""
    box = error_box(parent, title, message, details)
    box.open()
    return box
