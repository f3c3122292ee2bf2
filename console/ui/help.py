"""Help → User guide (F1): ``resources/help/user-guide.md`` rendered in the app.

The guide is plain Markdown (also readable in the repository); :class:`HelpWindow`
shows it in a :class:`QTextBrowser` (``setMarkdown``, CommonMark + GitHub tables),
with a table of contents built from its ``##`` headings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QSplitter, QTextBrowser, QWidget

__all__ = ["HelpWindow", "guide_path", "guide_text", "guide_sections"]


def guide_path() -> Path:
    """Where the shipped user guide lives (``resources/help/user-guide.md``)."""
    from console.paths import resource_path

    return resource_path("help", "user-guide.md")


def guide_text() -> str:
    """The guide's Markdown; a short note when the file is missing (a broken bundle)."""
    try:
        return guide_path().read_text(encoding="utf-8")
    except OSError:
        return ("# Tollgate user guide\n\nThe guide file was not found in this installation "
                f"(expected at `{guide_path()}`).")


def guide_sections(text: str) -> list[str]:
    """The ``##`` headings of the guide, in order."""
    return [m.group(1).strip() for m in re.finditer(r"^##\s+(.+)$", text, flags=re.MULTILINE)]


class HelpWindow(QWidget):
    """The user guide: contents on the left, the rendered Markdown on the right."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Tollgate user guide")
        self.setAccessibleName("Tollgate user guide")
        self.text = guide_text()
        self.browser = QTextBrowser(self)
        self.browser.setAccessibleName("User guide text")
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(False)
        self.browser.setMarkdown(self.text)
        self.browser.document().setDocumentMargin(16)
        self.contents = QListWidget(self)
        self.contents.setAccessibleName("User guide contents")
        for title in guide_sections(self.text):
            QListWidgetItem(title, self.contents)
        self.contents.currentTextChanged.connect(self.go_to)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setObjectName("helpSplitter")
        split.addWidget(self.contents)
        split.addWidget(self.browser)
        split.setStretchFactor(1, 1)
        split.setSizes([220, 680])
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)
        self.setTabOrder(self.contents, self.browser)
        self.resize(960, 720)

    def go_to(self, heading: str) -> bool:
        """Scroll to the section titled ``heading``; False if there is none."""
        if not heading:
            return False
        doc = self.browser.document()
        cursor = doc.find(heading)
        if cursor.isNull():
            return False
        self.browser.setTextCursor(cursor)
        self.browser.ensureCursorVisible()
        sb = self.browser.verticalScrollBar()
        sb.setValue(min(sb.maximum(), int(self.browser.cursorRect().top()) + sb.value()))
        return True
