"""``tollgate validate NAME[@VERSION] [--data FILE --target COL] [--json] [--rerun RUN_ID]``.

Runs the validation plan of the model's risk tier (``tollgate validation plan show``).
``--rerun RUN_ID`` repeats a stored run of NAME with the same inputs (version, data,
target, plan) and reports which fingerprints (model artifact, data, packages,
parameters) and check statuses changed.  JSON: the DESIGN.md object, each check with
``description``, ``source`` and ``params`` too, plus ``fingerprints`` (and ``rerun``).
Exit 0 when no blocking check failed or errored, 1 otherwise, 2 for bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from console.cli.common import (
    add_table_options,
    format_table,
    login_name,
    open_workspace,
    print_json,
    stderr_progress,
    table_options,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="run a model version's validation checks",
        description="Run the validation checks of NAME[@VERSION] (VERSION: number or alias; default: "
        "the champion, else the latest) on the holdout set recorded at registration, or on --data.",
    )
    p.add_argument("ref", metavar="NAME[@VERSION]")
    p.add_argument("--data", type=Path, default=None, metavar="FILE", help="labelled CSV/TSV/Parquet file")
    p.add_argument("--target", default=None, metavar="COL", help="label column of --data (default: the version's)")
    p.add_argument("--source", default=None, help="registry name when NAME exists in several")
    p.add_argument("--user", type=login_name, default=None, metavar="LOGIN", help="acting user recorded in the audit trail")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--rerun", type=int, default=None, metavar="RUN_ID",
                   help="re-run stored validation run RUN_ID of NAME with the same inputs and show what changed")
    add_table_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from console.errors import InputError

    if args.target is not None and args.data is None:
        raise InputError("--target goes with --data FILE (without --data the recorded holdout set is used)")
    if args.rerun is not None and args.data is not None:
        raise InputError("--rerun repeats a stored run with its own data; leave out --data/--target")
    rerun = None
    with open_workspace(args) as ws:
        model, version = ws.resolve(args.ref, args.source)
        if args.rerun is not None:
            rerun = _rerun(ws, model, args)
            vrun = rerun.run
        else:
            data = None
            label = None
            if args.data is not None:
                from console.monitoring.io import read_table

                data = read_table(args.data, **table_options(args))
                label = str(args.data)
            vrun = ws.run_validation(
                model.id,
                version.version,
                data=data,
                target=args.target,
                data_label=label,
                actor=args.user,
                progress=None if args.json else stderr_progress(),
            )
    if args.json:
        doc = {
            "model": model.name,
            "version": str(vrun.version),
            "run_id": vrun.id,
            "passed": vrun.passed,
            "data": vrun.data_label,
            "data_sha256": vrun.data_sha256,
            "n_rows": vrun.n_rows,
            "checks": [c.to_json() for c in vrun.checks],
            "fingerprints": vrun.fingerprints,
            "rerun_of": vrun.rerun_of,
        }
        if rerun is not None:
            doc["rerun"] = rerun.to_json()
        print_json(doc)
    else:
        rows = [
            [c.id, c.status.value.upper(), "yes" if c.blocking else "no", _summary(c.values), _short(c.reason or "")]
            for c in vrun.checks
        ]
        print(f"{model.name} v{vrun.version} on {vrun.data_label} ({vrun.n_rows:,} rows)")
        print(format_table(["CHECK", "STATUS", "BLOCKING", "VALUES", "REASON"], rows))
        print("PASSED" if vrun.passed else "FAILED: a blocking check failed or could not run")
        if rerun is not None:
            _print_rerun(rerun)
        print(f"Recorded as validation run #{vrun.id} in the workspace history ({ws.label}).")
    return 0 if vrun.passed else 1


def _rerun(ws, model, args):
    """Re-run ``args.rerun`` after checking it is a run of ``model``."""
    from console.errors import InputError

    detail_runs = {r.id for r in ws.get_model(model.id).validation_runs}
    if args.rerun not in detail_runs:
        raise InputError(f"{model.name} has no validation run #{args.rerun} "
                         f"(its runs: {', '.join(f'#{i}' for i in sorted(detail_runs)[-8:]) or 'none'})")
    return ws.rerun_validation(args.rerun, actor=args.user, progress=None if args.json else stderr_progress())


def _print_rerun(rep) -> None:
    print(f"Re-run of validation run #{rep.original.id}: "
          + ("reproduced (same inputs, same statuses)" if rep.reproduced else "differences found"))
    for c in rep.changes:
        print(f"  changed input {c.what}: {c.old} -> {c.new}")
    for cid, old, new in rep.status_changes:
        print(f"  check {cid}: {old} -> {new}")
    if rep.current_plan_differs:
        print("  note: the tier's validation plan has changed since; this re-run used the original plan")
    for n in rep.notes:
        print(f"  note: {n}")


def _summary(values: dict) -> str:
    """A few scalar values for the text table (evidence tables, charts and notes are in
    --json and the reports)."""
    parts = []
    for k, v in values.items():
        if k in ("tables", "charts", "notes"):
            continue
        if isinstance(v, float):
            parts.append(f"{k}={v:.4f}")
        elif isinstance(v, (int, str)) and len(str(v)) < 30:
            parts.append(f"{k}={v}")
        elif isinstance(v, list) and v and len(v) <= 4 and all(isinstance(x, (int, float, str)) for x in v):
            parts.append(f"{k}={_short(','.join(map(str, v)), 40)}")
    return _short(" ".join(parts[:5]), 100)


def _short(text: str, n: int = 120) -> str:
    """Keep the text table readable; --json carries the full reason."""
    return text if len(text) <= n else text[: n - 1] + "…"
