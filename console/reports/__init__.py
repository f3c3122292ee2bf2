"""PDF reports (reportlab): plain domain objects in, a PDF file out.  No Qt, no SQL.

Public API:

* :func:`console.reports.audit.build_audit_pdf` – the model audit report
  (``build_audit_pdf(detail, path, *, workspace_label, generated_at=None, progress=None,
  cancel=None, audit_head_hash=None) -> pathlib.Path``).
* :mod:`console.reports.charts` – vector charts (PSI over time, reference vs current
  distribution) as reportlab Drawings.
* :func:`console.reports.fonts.register_fonts` – the embedded DejaVu fonts.
"""

from console.reports.audit import build_audit_pdf
from console.reports.fonts import register_fonts

__all__ = ["build_audit_pdf", "register_fonts"]
