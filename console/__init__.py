"""Tollgate: a desktop governance and monitoring console for machine-learning models.

The import package is ``console``; the distribution is ``tollgate-console`` and the
command-line entry point is ``tollgate``.  Only :mod:`console.ui` imports Qt.
"""

__version__ = "0.1.0"
