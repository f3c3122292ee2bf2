"""Small widget factories shared by the views and dialogs (one look for the same job)."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QWidget


def busy_bar(parent: QWidget, name: str = "Working", *, height: int = 8,
             max_width: Optional[int] = None) -> QProgressBar:
    """An indeterminate, text-less progress bar shown while a worker job runs (hidden)."""
    bar = QProgressBar(parent)
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setMaximumHeight(height)
    if max_width is not None:
        bar.setMaximumWidth(max_width)
    bar.setAccessibleName(name)
    bar.hide()
    return bar


def error_label(parent: QWidget) -> QLabel:
    """A wrapping rich-text label for a dialog's one-line error (hidden)."""
    lab = QLabel(parent)
    lab.setWordWrap(True)
    lab.setTextFormat(Qt.TextFormat.RichText)
    lab.setAccessibleName("Error")
    lab.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    lab.hide()
    return lab
