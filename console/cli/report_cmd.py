"""``tollgate report NAME[@VERSION] -o FILE.pdf``: the model audit PDF, headless."""

from __future__ import annotations

import argparse
from pathlib import Path

from console.cli.common import login_name, open_workspace, stderr_progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="export a model's audit report as PDF")
    p.add_argument("ref", metavar="NAME[@VERSION]", help="the model (the report covers all its versions)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf")
    p.add_argument("--source", default=None, help="registry name when NAME exists in several")
    p.add_argument("--user", type=login_name, default=None, metavar="LOGIN", help="acting user recorded in the audit trail")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from console.errors import InputError

    out: Path = args.output
    if out.suffix.lower() != ".pdf":
        raise InputError(f"output file {out} must end in .pdf")
    try:
        if out.is_dir():
            raise InputError(f"output {out} is a folder; give a file name such as {out / 'report.pdf'}")
        if out.parent.exists() and not out.parent.is_dir():
            raise InputError(f"{out.parent} is a file, not a folder; choose another -o path")
        if not out.parent.exists():
            raise InputError(f"folder {out.parent} does not exist; create it or choose another -o path")
    except OSError as exc:
        raise InputError(f"cannot use output path {out}: {exc.strerror or exc}; choose another -o path") from None
    with open_workspace(args) as ws:
        model, _ = ws.resolve(args.ref, args.source)
        path = ws.export_audit_report(model.id, out, actor=args.user, progress=stderr_progress())
    print(f"Audit report for {model.name}: {path}")
    return 0
