"""The Tollgate desktop console (PySide6 + pyqtgraph).

This package is the only place in Tollgate that imports Qt.  It adapts the detached
domain objects handed out by :class:`console.services.workspace.Workspace` into Qt item
models and views, and runs every service call that may touch the database or do heavy
work in a worker thread (:mod:`console.ui.workers`).
"""
