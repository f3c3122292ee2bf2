"""``tollgate findings …``: findings that block approvals until remediated.

* ``findings list [NAME] [--state open|closed|all] [--json]``
* ``findings open NAME --severity high|medium|low --title TEXT [--detail TEXT]
  [--version N] --user LOGIN [--password-stdin]``
* ``findings close ID --reason TEXT --user LOGIN [--password-stdin]`` (a Model Risk
  Manager or an Admin).

Exit 0 done, 1 refused (role; audited), 2 bad input.
"""

from __future__ import annotations

import argparse

from console.cli.common import format_table, login_name, open_workspace, print_json, read_passwords


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("findings", help="findings on models (an open high-severity one blocks approvals)")
    fsub = p.add_subparsers(dest="findings_command", metavar="SUBCOMMAND", required=True)
    ls = fsub.add_parser("list", help="list findings")
    ls.add_argument("name", nargs="?", metavar="NAME", help="only this model's findings")
    ls.add_argument("--state", default="open", choices=("open", "closed", "all"))
    ls.add_argument("--json", action="store_true", help="print one JSON array")
    ls.set_defaults(func=run_list)
    op = fsub.add_parser("open", help="open a manual finding")
    op.add_argument("name", metavar="NAME")
    op.add_argument("--severity", required=True, choices=("high", "medium", "low"))
    op.add_argument("--title", required=True)
    op.add_argument("--detail", default="")
    op.add_argument("--version", type=int, default=None, help="the version concerned (default: the model)")
    for q in (op,):
        q.add_argument("--user", type=login_name, required=True, metavar="LOGIN")
        q.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
        q.add_argument("--json", action="store_true")
    op.set_defaults(func=run_open)
    cl = fsub.add_parser("close", help="close a finding with what was remediated (MRM or Admin)")
    cl.add_argument("id", type=int, metavar="ID")
    cl.add_argument("--reason", required=True)
    cl.add_argument("--user", type=login_name, required=True, metavar="LOGIN")
    cl.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    cl.add_argument("--json", action="store_true")
    cl.set_defaults(func=run_close)


def _user(ws, args):
    from console.services import governance

    (pw,) = read_passwords(args, [f"password of {args.user}"])
    return governance.authenticate(ws, args.user, pw)


def run_list(args: argparse.Namespace) -> int:
    from console.services import findings

    with open_workspace(args) as ws:
        items = findings.list_findings(ws, model=args.name, state=None if args.state == "all" else args.state)
    if args.json:
        print_json([f.to_json() for f in items])
    elif not items:
        print("No findings.")
    else:
        print(format_table(["id", "model", "version", "severity", "state", "source", "opened", "title"],
                           [[f"#{f.id}", f.model_name, f"v{f.version}" if f.version else "-", f.severity, f.state,
                             f.source, f"{f.opened_at:%Y-%m-%d}", f.title] for f in items]))
    return 0


def run_open(args: argparse.Namespace) -> int:
    from console.services import findings

    with open_workspace(args) as ws:
        f = findings.open_finding(ws, args.name, title=args.title, severity=args.severity, by=_user(ws, args),
                                  detail=args.detail, version=args.version)
    print_json(f.to_json()) if args.json else print(f"Opened finding #{f.id} ({f.severity}) on {f.model_name}.")
    return 0


def run_close(args: argparse.Namespace) -> int:
    from console.services import findings

    with open_workspace(args) as ws:
        f = findings.close_finding(ws, args.id, by=_user(ws, args), reason=args.reason)
    print_json(f.to_json()) if args.json else print(f"Closed finding #{f.id}.")
    return 0
