"""``tollgate drift``: compare a current data file with a reference data file.

``tollgate drift --reference FILE --current FILE [--target COL] [--json] [--fail-on-drift]``
plus the reading options (``--sep``, ``--encoding``, ``--decimal``, ``--thousands``,
``--skip-rows``, ``--no-header``).  Both files are read with one schema (the
reference's, :func:`console.monitoring.io.read_pair`) and compared with
:func:`console.monitoring.drift.compute_drift` (DESIGN.md, "Drift conventions").

Exit codes (DESIGN.md, CLI contract): 0 whether or not drift is found; 1 with
``--fail-on-drift`` when the dataset drifted (at least half of the tested columns);
2 with one stderr line for bad input (missing/unreadable file, unknown ``--target``).
``--json`` prints exactly one JSON document (no NaN/Infinity); data-quality remarks go
into each column's ``reason``.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any, Optional

from console.cli.common import add_table_options, print_json, table_options
from console.errors import InputError, few_names

__all__ = ["register", "run", "format_text"]


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> argparse.ArgumentParser:
    """Add the ``drift`` subcommand to ``subparsers``; sets ``func=run``."""
    p = subparsers.add_parser(
        "drift",
        help="compare a current data file with a reference file (PSI, KS, chi-square, ...)",
        description=(
            "Compare the columns of a current data file with a reference file: PSI and status "
            "(stable < 0.1 <= warning < 0.25 <= drift) for every column, KS and Wasserstein "
            "for numeric columns, chi-square and Jensen-Shannon for categorical ones. "
            "Exit 0 whether or not drift is found (1 with --fail-on-drift when at least half "
            "of the tested columns drifted), 2 on bad input."
        ),
    )
    p.add_argument("--reference", required=True, metavar="FILE", help="reference data (CSV, TSV or Parquet)")
    p.add_argument("--current", required=True, metavar="FILE", help="current data (CSV, TSV or Parquet)")
    p.add_argument("--target", metavar="COL", default=None, help="target column: tested, reported apart, not counted")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--fail-on-drift", action="store_true", help="exit 1 when the dataset drifted")
    add_table_options(p)
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run ``tollgate drift``; returns the exit code (0, or 1 with --fail-on-drift)."""
    from console.monitoring.drift import compute_drift
    from console.monitoring.io import read_pair

    ref, cur, notes = read_pair(args.reference, args.current, **table_options(args))
    target: Optional[str] = args.target
    if target is not None and target not in ref.columns and target not in cur.columns:
        raise InputError(
            f"--target '{target}': no such column in {args.reference}; "
            f"available: {few_names([str(c) for c in ref.columns])}"
        )
    common = set(map(str, ref.columns)) & set(map(str, cur.columns))
    if not common:
        raise InputError(
            f"{args.reference} and {args.current} have no column in common "
            f"(reference: {few_names([str(c) for c in ref.columns])}; current: {few_names([str(c) for c in cur.columns])}); "
            "check --sep and --encoding, or that both files have a header row"
        )
    result = compute_drift(ref, cur, target=target)
    for note in notes:
        result.add_note(note.column, note.message)
    if args.json:
        print_json(result.to_json())
    else:
        sys.stdout.write(format_text(result, reference=args.reference, current=args.current))
    return 1 if (args.fail_on_drift and result.dataset_drift) else 0


# --------------------------------------------------------------------------- text output


def _num(v: Optional[float], digits: int = 4) -> str:
    if v is None or not math.isfinite(v):
        return "-"
    return f"{v:.{digits}f}"


def _stat(v: Optional[float]) -> str:
    if v is None or not math.isfinite(v):
        return "-"
    if abs(v) < 1000:
        return f"{v:.4f}"
    return f"{v:.1f}" if abs(v) < 1e7 else f"{v:.4g}"


def _p(v: Optional[float]) -> str:
    if v is None or not math.isfinite(v):
        return "-"
    if v == 0:
        return "<1e-300"
    return f"{v:.4f}" if v >= 0.001 else f"{v:.1e}"


def _name(s: str, width: int = 32) -> str:
    return s if len(s) <= width else s[: width - 1] + "…"


def _row(c: Any) -> list[str]:
    name = _name(c.name) + (" (target)" if c.is_target else "")
    status = c.status.value if c.status is not None else "-"
    if c.drifted and status != "drift":
        status += "*"
    if not c.tested:
        return [name, c.kind, "-", "not tested", "", "-", "-", "-", c.full_reason or ""]
    note_parts: list[str] = []
    if c.kind == "numeric":
        test, stat, p, extra = "KS D", _stat(c.ks_statistic), _p(c.ks_pvalue), _num(c.wasserstein_normed)
        extra = f"W/sd {extra}"
    else:
        test, stat, p, extra = "chi2", _stat(c.chi2_statistic), _p(c.chi2_pvalue), f"JS {_num(c.js_distance)}"
        if c.new_categories:
            items = list(c.new_categories.items())
            shown = ", ".join(f"{k} {v:.1%}" for k, v in items[:3])
            note_parts.append(f"new: {shown}" + (", ..." if len(items) > 3 else ""))
        if c.missing_categories:
            ms = c.missing_categories
            note_parts.append("missing: " + ", ".join(ms[:3]) + (", ..." if len(ms) > 3 else ""))
    note_parts += list(c.notes)
    return [name, c.kind, _num(c.psi), status, test, stat, p, extra, "; ".join(note_parts)]


def format_text(result: Any, *, reference: str = "reference", current: str = "current") -> str:
    """A readable, aligned table of a :class:`~console.monitoring.drift.DriftResult`.

    One row per column (target last): column, kind, PSI, status, test (KS D or chi2),
    statistic, p-value, normed Wasserstein (W/sd) or JS distance, note; then a summary
    line.  Returns the text (ending with a newline).
    """
    header = ["column", "kind", "PSI", "status", "test", "stat", "p-value", "W/sd | JS", "note"]
    rows = [_row(c) for c in result.columns]
    if result.target is not None:
        rows.append(_row(result.target))
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header) - 1)]
    right = {2, 5, 6}

    def fmt(r: list[str]) -> str:
        cells = [(r[i].rjust(widths[i]) if i in right else r[i].ljust(widths[i])) for i in range(len(widths))]
        return ("  ".join(cells) + ("  " + r[-1] if r[-1] else "")).rstrip()

    lines = [
        f"Drift of {current} ({result.n_rows_current:,} rows) against {reference} "
        f"({result.n_rows_reference:,} rows)",
        "",
        fmt(header),
        fmt(["-" * w for w in widths] + [""]),
    ]
    lines += [fmt(r) for r in rows]
    lines.append("")
    verdict = "DRIFT" if result.dataset_drift else "no drift"
    summary = (
        f"Summary: {result.n_drifted} of {result.n_tested} tested columns drifted (PSI >= 0.25) "
        f"-> dataset: {verdict} (drift when at least half of the tested columns drift)"
    )
    if result.target is not None:
        t = result.target
        if t.tested:
            summary += f"; target '{t.name}': {t.status.value if t.status else '-'} (PSI {_num(t.psi)})"
        else:
            summary += f"; target '{t.name}': not tested"
    lines.append(summary)
    return "\n".join(lines) + "\n"
