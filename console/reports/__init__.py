"""PDF reports (reportlab): plain domain objects in, a PDF file out.  No Qt, no SQL.

Public API:

* :func:`console.reports.audit.build_model_report` -- the model audit report
  (``kind="audit"``) and the model validation report (``kind="validation"``).
* :func:`console.reports.inventory.build_inventory_pdf` -- the inventory report.
* :mod:`console.reports.document` -- the shared framework: styles, tables that split
  across pages with the header repeated, table of contents, "Page N of M", atomic write,
  JSON evidence attachment, metadata, XMP and output intent (PDF/A-3B structures).
* :mod:`console.reports.evidence` -- one validation check's evidence, drawn generically.
* :mod:`console.reports.regulatory` -- the regulatory mapping appendix (SR 11-7, PRA
  SS1/23, EU AI Act Annex IV, 21 CFR Part 11) with computed gaps.
* :mod:`console.reports.charts` -- vector charts (PSI over time, distributions, the
  evidence charts) as reportlab Drawings.
* :func:`console.reports.fonts.register_fonts` -- the embedded DejaVu fonts and Droid
  Sans Fallback for CJK, chosen per character run.

The use case (gather facts, build the JSON evidence, audit the export) is
:func:`console.services.reports.export_report`.
"""

from console.reports.audit import build_model_report
from console.reports.fonts import register_fonts
from console.reports.inventory import build_inventory_pdf

__all__ = ["build_model_report", "build_inventory_pdf", "register_fonts"]
