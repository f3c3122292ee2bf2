"""Generic rendering of one validation check's evidence (reportlab; no Qt, no SQL).

Draws whatever a :class:`~console.domain.models.CheckResult` holds, following the
evidence convention of issue 6 (``/tmp/coord/COMMON.md``, "Shared contract"):

* the check's identity: id, family, status word with its glyph (✓ pass, ⚠ warn,
  ✗ fail / error, – skipped), whether it blocks, its description and the source of its
  method or threshold (``description`` / ``source`` / ``params`` when the result has
  them -- older results without these fields still render);
* ``params``: the parameters the check ran with (thresholds ...);
* scalar measured values at the top level of ``values`` (nested dicts / lists that are
  not tables or charts are printed as compact JSON, wrapped);
* ``values["tables"]``: ``[{"title", "columns", "rows"}]`` -- full tables, header
  repeated on each page, every row printed;
* ``values["charts"]``: ``[{"kind": line|bar|scatter, "title", "x_label", "y_label",
  "series": [{"name", "points"}], "reference_line"}]`` -- vector charts
  (:func:`console.reports.charts.evidence_chart`);
* ``values["notes"]``: plain-language remarks;
* ``reason``: why the check failed, errored or was skipped.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from console.reports.charts import evidence_chart
from console.reports.document import CONTENT_W, GLYPHS, BuilderBase, esc, num, param

__all__ = ["RESERVED_KEYS", "check_evidence", "scalar_values", "evidence_tables", "status_glyph"]

#: Keys of ``values`` that carry structured evidence rather than measured values.
RESERVED_KEYS = ("tables", "charts", "notes")
#: Rows printed per evidence table (the convention promises at most ~200).
MAX_ROWS = 500


def status_glyph(status: str) -> str:
    """The glyph printed before a check status word."""
    return GLYPHS.get(str(status).lower(), "")


def scalar_values(values: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``values`` without the reserved keys, in stored order."""
    return [(k, v) for k, v in (values or {}).items() if k not in RESERVED_KEYS]


def evidence_tables(values: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The well-formed entries of ``values["tables"]``."""
    out = []
    for t in (values or {}).get("tables") or []:
        if isinstance(t, Mapping) and isinstance(t.get("columns"), list) and isinstance(t.get("rows"), list):
            out.append(t)
    return out


def _cell(v: Any) -> str:
    if isinstance(v, str):
        return v
    return num(v)


def table_flowables(b: BuilderBase, t: Mapping[str, Any]) -> list[Flowable]:
    """One evidence table: its title and all rows (header repeated across pages)."""
    cols = [str(c) for c in t.get("columns") or []] or ["value"]
    rows_in = t.get("rows") or []
    n = len(cols)
    widths = [CONTENT_W / n] * n
    rows = []
    numeric = set(range(n))
    for r in rows_in[:MAX_ROWS]:
        r = list(r) if isinstance(r, (list, tuple)) else [r]
        r = (r + [None] * n)[:n]
        for i, v in enumerate(r):
            if isinstance(v, str) or isinstance(v, bool):
                numeric.discard(i)
        rows.append([_cell(v) for v in r])
    out: list[Flowable] = []
    title = str(t.get("title") or "Table")
    out.append(Paragraph(f"<b>{esc(title)}</b>", b.s.body))
    if not rows:
        out.append(b.empty("The table has no rows."))
        return out
    out.append(b.table(cols, rows, widths, right=tuple(sorted(numeric))))
    if len(rows_in) > MAX_ROWS:
        out.append(Paragraph(esc(f"{len(rows_in) - MAX_ROWS} more rows are in the JSON attachment."), b.s.note))
    return out


def check_evidence(b: BuilderBase, c: Any, key: str, *, number: str = "") -> list[Flowable]:
    """The evidence block of one check result ``c`` (a CheckResult), under an h3
    heading with destination ``key``."""
    s = b.s
    status = c.status.value if hasattr(c.status, "value") else str(c.status)
    glyph = status_glyph(status)
    out: list[Flowable] = [b.h3(f"{number + ' ' if number else ''}{glyph} {c.title}", key)]
    word, tone = b.status_value(status, "", glyph)
    rows: list[tuple[str, Any]] = [
        ("Check", b.ident(c.id, CONTENT_W - 100, s.kv_mono)),
        ("Family", c.family),
        ("Status", word),
        ("Blocking", "yes — a FAIL or ERROR fails the run" if c.blocking else "no (informative at this tier)"),
    ]
    desc = getattr(c, "description", "") or ""
    src = getattr(c, "source", "") or ""
    if desc:
        rows.append(("What it checks", desc))
    if src:
        rows.append(("Method / threshold source", src))
    params = getattr(c, "params", None) or {}
    if params:
        rows.append(("Parameters", b.pm("<br/>".join(f"{esc(k)} = <b>{esc(param(v))}</b>"
                                                     for k, v in params.items()), s.kv)))
    if c.reason:
        rows.append(("Reason", c.reason))
    out.append(b.kv_table(rows, label_width=100, tones=[(2, tone)]))
    values = c.values or {}
    scal = scalar_values(values)
    if scal:
        half = (len(scal) + 1) // 2
        w = CONTENT_W / 2
        vrows = []
        for i in range(half):
            left = scal[i]
            right = scal[half + i] if half + i < len(scal) else None
            row: list[Any] = [b.ident(left[0], w * 0.45, s.label, bold=True), b.p(_cell(left[1]))]
            if right is not None:
                row += [b.ident(right[0], w * 0.45, s.label, bold=True), b.p(_cell(right[1]))]
            else:
                row += ["", ""]
            vrows.append(row)
        out.append(Spacer(1, 4))
        out.append(b.table(["Measured value", "", "Measured value", ""], vrows,
                           [w * 0.45, w * 0.55, w * 0.45, w * 0.55]))
    for t in evidence_tables(values):
        out.append(Spacer(1, 5))
        out.extend(table_flowables(b, t))
    for ch in values.get("charts") or []:
        if not isinstance(ch, Mapping):
            continue
        out.append(Spacer(1, 5))
        out.append(KeepTogether([evidence_chart(ch, width=CONTENT_W * 0.86, height=190)]))
    notes = [n for n in values.get("notes") or [] if isinstance(n, str) and n.strip()]
    for n in notes:
        out.append(Paragraph("• " + esc(n), s.note))
    if not (scal or evidence_tables(values) or values.get("charts") or notes):
        out.append(Paragraph("No measured values were recorded for this check.", s.note))
    out.append(Spacer(1, 6))
    return out


def families_present(checks: Sequence[Any]) -> list[str]:
    """The families of ``checks`` in first-seen order."""
    seen: list[str] = []
    for c in checks:
        if c.family not in seen:
            seen.append(c.family)
    return seen


def fairness_tables(checks: Sequence[Any]) -> list[tuple[Any, Mapping[str, Any]]]:
    """``(check, table)`` for every evidence table of the fairness-family checks."""
    return [(c, t) for c in checks if c.family == "fairness" for t in evidence_tables(c.values)]

