"""``tollgate report``: the model audit / validation PDF, or the inventory PDF, headless.

* ``tollgate report NAME[@VERSION] [--kind audit|validation] -o FILE.pdf`` (default
  ``audit``; the validation report is about VERSION, default the champion, else the
  latest version);
* ``tollgate report --inventory [--tier N] [--status S] [--owner NAME] -o FILE.pdf``.

Prints the written path, the page count and the audit chain head printed in the
report on stdout (``--json``: one object ``{"path", "kind", "pages", "head_hash",
"warnings"}``); warnings (characters no bundled font has, shown as a placeholder) go
to stderr.  Exit 0 on success, 2 with one line on bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from console.cli.common import login_name, open_workspace, print_json, stderr_progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="export a model's audit or validation report, or the inventory report, as PDF")
    p.add_argument("ref", metavar="NAME[@VERSION]", nargs="?", default=None,
                   help="the model (omit with --inventory)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf")
    p.add_argument("--kind", choices=("audit", "validation"), default=None,
                   help="model report kind (default: audit)")
    p.add_argument("--inventory", action="store_true", help="the inventory report of the whole workspace")
    p.add_argument("--tier", type=int, action="append", choices=(1, 2, 3), default=None, metavar="N",
                   help="inventory: only risk tier N (repeatable)")
    p.add_argument("--status", action="append", default=None, metavar="S",
                   help="inventory: only lifecycle status S (repeatable)")
    p.add_argument("--owner", action="append", default=None, metavar="NAME",
                   help="inventory: only models owned by NAME (repeatable)")
    p.add_argument("--source", default=None, help="registry name when NAME exists in several")
    p.add_argument("--user", type=login_name, default=None, metavar="LOGIN", help="acting user recorded in the audit trail")
    p.add_argument("--json", action="store_true", help="print one JSON object describing the written report")
    p.set_defaults(func=run)


def _check_output(out: Path) -> None:
    from console.errors import InputError

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


def run(args: argparse.Namespace) -> int:
    from console.errors import InputError
    from console.services.reports import export_report

    out: Path = args.output
    _check_output(out)
    filters = {k: v for k, v in (("tier", args.tier), ("status", args.status), ("owner", args.owner)) if v}
    if args.inventory:
        if args.ref is not None:
            raise InputError("--inventory covers the whole workspace; drop NAME or drop --inventory")
        if args.kind is not None:
            raise InputError("--kind applies to model reports; the inventory report has no kind")
        kind, ref = "inventory", None
    else:
        if args.ref is None:
            raise InputError("name a model (NAME[@VERSION]) or pass --inventory")
        if filters:
            raise InputError("--tier, --status and --owner filter the inventory report; add --inventory")
        kind, ref = args.kind or "audit", args.ref
    with open_workspace(args) as ws:
        path = export_report(ws, kind, ref, None, out, actor=args.user, filters=filters or None, source=args.source,
                             progress=stderr_progress())
    for w in path.warnings:
        sys.stderr.write(f"warning: {w}\n")
    if args.json:
        print_json({"path": str(path), "kind": path.kind, "pages": path.pages, "head_hash": path.head_hash,
                    "warnings": list(path.warnings)})
    else:
        what = {"audit": "Audit report", "validation": "Validation report", "inventory": "Inventory report"}[kind]
        subject = f" for {ref}" if ref else ""
        print(f"{what}{subject}: {path} ({path.pages} pages; audit chain head {path.head_hash})")
    return 0
