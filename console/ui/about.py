"""Help → About Tollgate: version, runtime, privacy statement and the licences of
everything Tollgate ships (issue 7, "Packaging").

:class:`AboutDialog` shows

- the Tollgate version (:data:`console.__version__`), the Python, Qt and PySide6
  versions, whether it runs from the standalone bundle (PyInstaller) or a Python
  installation, and the open workspace;
- the air-gap statement: no telemetry, no network connection unless the user connects
  a model registry (MLflow) or opens a shared PostgreSQL workspace;
- tabs with the licences: Tollgate's own (Apache-2.0), the bundled demo data
  (``resources/demo/README.md``: UCI datasets under CC BY 4.0 with their citations),
  the bundled fonts (``resources/fonts/LICENSE-*.txt``: DejaVu, Droid Sans Fallback)
  and the main third-party libraries with their licences.

Texts are read from the shipped resources (:func:`console.paths.resource_path`), so the
dialog shows exactly what is bundled; a missing file is named instead of failing.
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from typing import Optional

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from console import __version__
from console.paths import resource_path

__all__ = ["AboutDialog", "PRIVACY_TEXT", "THIRD_PARTY", "runtime_info"]

#: The air-gap promise shown in the dialog (and checked by tests/test_packaging.py's
#: no-network test).
PRIVACY_TEXT = (
    "No telemetry. Tollgate makes no network connection unless you connect a registry "
    "(MLflow) or open a shared PostgreSQL workspace; everything else stays on this computer."
)

#: (distribution, import name, licence) of the main libraries in the bundle/installation
#: (licences as declared by each project).
THIRD_PARTY: tuple[tuple[str, str, str], ...] = (
    ("PySide6 (Qt for Python) and Qt 6", "PySide6", "LGPL-3.0 (shared libraries, replaceable)"),
    ("pyqtgraph", "pyqtgraph", "MIT"),
    ("NumPy", "numpy", "BSD-3-Clause"),
    ("pandas", "pandas", "BSD-3-Clause"),
    ("PyArrow", "pyarrow", "Apache-2.0"),
    ("SciPy", "scipy", "BSD-3-Clause"),
    ("scikit-learn", "sklearn", "BSD-3-Clause"),
    ("fairlearn", "fairlearn", "MIT"),
    ("skops", "skops", "MIT"),
    ("SQLAlchemy", "sqlalchemy", "MIT"),
    ("Alembic", "alembic", "MIT"),
    ("psycopg", "psycopg", "LGPL-3.0 (libpq: PostgreSQL Licence)"),
    ("ReportLab", "reportlab", "BSD-3-Clause"),
    ("pypdf", "pypdf", "BSD-3-Clause"),
    ("Pillow", "PIL", "MIT-CMU"),
    ("openpyxl", "openpyxl", "MIT"),
    ("keyring", "keyring", "MIT"),
    ("requests", "requests", "Apache-2.0"),
    ("platformdirs", "platformdirs", "MIT"),
    ("threadpoolctl", "threadpoolctl", "BSD-3-Clause"),
)

_DISTRIBUTIONS = {"PySide6": "pyside6-essentials", "sklearn": "scikit-learn", "PIL": "pillow", "skops": "skops"}


def _library_version(module: str) -> str:
    """Version of an imported (or importable) library, "" when unknown."""
    mod = sys.modules.get(module)
    version = getattr(mod, "__version__", None) if mod is not None else None
    if isinstance(version, str):
        return version
    try:
        return metadata.version(_DISTRIBUTIONS.get(module, module))
    except Exception:  # no metadata (e.g. in the bundle) or not installed
        return ""


def runtime_info() -> dict[str, str]:
    """Versions and where Tollgate runs from, as shown in the dialog (all strings)."""
    frozen = bool(getattr(sys, "frozen", False))
    return {
        "Tollgate": __version__,
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "Qt": qVersion(),
        "PySide6": PYSIDE_VERSION,
        "Platform": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Installation": "standalone bundle" if frozen else f"Python package ({sys.prefix})",
    }


def _read(*parts: str) -> str:
    path = resource_path(*parts)
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return f"(not found: {path})"


def _text_page(name: str, text: str, markdown: bool = False) -> QTextBrowser:
    view = QTextBrowser()
    view.setObjectName(name)
    view.setAccessibleName(name)
    view.setOpenExternalLinks(False)  # no link opens a browser from an air-gapped console
    view.setOpenLinks(False)
    if markdown:
        view.setMarkdown(text)
    else:
        view.setPlainText(text)
    return view


class AboutDialog(QDialog):
    """The About box (modeless-friendly: callers use ``open()``).

    ``workspace`` is the label of the open workspace (or None).  The licence texts are
    in :attr:`tabs`; :meth:`licence_texts` returns them by tab title (for tests and
    "copy" use).
    """

    def __init__(self, parent: Optional[QWidget] = None, workspace: Optional[str] = None) -> None:
        super().__init__(parent)
        self.setObjectName("AboutDialog")
        self.setWindowTitle("About Tollgate")
        self.setAccessibleName("About Tollgate")
        self.resize(720, 560)
        layout = QVBoxLayout(self)

        head = QHBoxLayout()
        icon = QLabel()
        icon.setAccessibleName("Tollgate icon")
        app_icon = QGuiApplication.windowIcon()
        if app_icon.isNull():
            from console.ui import theme

            app_icon = theme.app_icon()
        if not app_icon.isNull():
            icon.setPixmap(app_icon.pixmap(64, 64))
        head.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        titles = QVBoxLayout()
        self.title = QLabel(f"Tollgate {__version__}")
        self.title.setProperty("role", "title")
        self.title.setAccessibleName("Tollgate version")
        self.tagline = QLabel("Governance and monitoring console for machine-learning models")
        self.tagline.setProperty("role", "subtitle")
        self.tagline.setAccessibleName("Description")
        titles.addWidget(self.title)
        titles.addWidget(self.tagline)
        head.addLayout(titles, 1)
        layout.addLayout(head)

        self.info = runtime_info()
        if workspace:
            self.info["Workspace"] = workspace
        form = QFormLayout()
        self.info_labels: dict[str, QLabel] = {}
        for key, value in self.info.items():
            if key == "Tollgate":  # already in the title
                continue
            label = QLabel(value)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(f"{key} version" if key in ("Tollgate", "Python", "Qt", "PySide6") else key)
            label.setWordWrap(True)
            form.addRow(f"{key}:", label)
            self.info_labels[key] = label
        layout.addLayout(form)

        self.privacy = QLabel(PRIVACY_TEXT)
        self.privacy.setWordWrap(True)
        self.privacy.setAccessibleName("Privacy and network")
        layout.addWidget(self.privacy)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Licences")
        self.tabs.addTab(_text_page("Tollgate licence", (
            f"Tollgate {__version__}\n\nLicensed under the Apache License, Version 2.0 (SPDX: Apache-2.0).\n"
            "You may obtain a copy of the License at http://www.apache.org/licenses/LICENSE-2.0\n\n"
            "Unless required by applicable law or agreed to in writing, software distributed under the "
            "License is distributed on an \"AS IS\" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, "
            "either express or implied.")), "Tollgate")
        self.tabs.addTab(_text_page("Demo data licences", _read("demo", "README.md"), markdown=True), "Demo data")
        fonts = (_read("fonts", "LICENSE-DejaVu.txt") + "\n\n" + "=" * 72 + "\n\n"
                 + _read("fonts", "LICENSE-DroidSansFallback.txt"))
        self.tabs.addTab(_text_page("Font licences", fonts), "Fonts")
        self.tabs.addTab(self._third_party_table(), "Libraries")
        layout.addWidget(self.tabs, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setAccessibleName("Dialog buttons")
        self.copy_button = QPushButton("Copy version information")
        self.copy_button.setAccessibleName("Copy version information")
        self.copy_button.setToolTip("Copy the versions above to the clipboard (for a support request)")
        self.copy_button.clicked.connect(self.copy_info)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        close.setDefault(True)
        close.setFocus()

    def _third_party_table(self) -> QTableWidget:
        table = QTableWidget(len(THIRD_PARTY), 3)
        table.setObjectName("Third-party libraries")
        table.setAccessibleName("Third-party libraries")
        table.setHorizontalHeaderLabels(["Library", "Version", "Licence"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        for row, (name, module, licence) in enumerate(THIRD_PARTY):
            for col, text in enumerate((name, _library_version(module), licence)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, col, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        return table

    def licence_texts(self) -> dict[str, str]:
        """Tab title → its plain text (tables as tab-separated rows)."""
        out: dict[str, str] = {}
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            if isinstance(page, QTextBrowser):
                out[self.tabs.tabText(i)] = page.toPlainText()
            elif isinstance(page, QTableWidget):
                out[self.tabs.tabText(i)] = "\n".join(
                    "\t".join(page.item(r, c).text() for c in range(page.columnCount()))
                    for r in range(page.rowCount()))
        return out

    def version_text(self) -> str:
        """The runtime information as ``key: value`` lines."""
        return "\n".join(f"{k}: {v}" for k, v in self.info.items())

    def copy_info(self) -> None:
        """Put :meth:`version_text` on the clipboard."""
        QGuiApplication.clipboard().setText(self.version_text())
