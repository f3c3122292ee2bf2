"""``tollgate validation plan …``: the validation plan of each risk tier.

* ``validation plan show [--tier N] [--history] [--json]``: which checks block and their
  parameters (every tier, or one; ``--history``: every stored version of that tier).
* ``validation plan set --tier N [--blocking ID[,ID]] [--non-blocking ID[,ID]]
  [--param ID.KEY=VALUE ...] [--reason TEXT] --user LOGIN [--password-stdin] [--json]``:
  store the next version of the tier's plan (a Model Risk Manager or an Admin; audited
  old -> new).

Exit 0 done, 1 refused (role; audited), 2 bad input (unknown check id or parameter...).
"""

from __future__ import annotations

import argparse

from console.cli.common import format_table, login_name, open_workspace, print_json, read_passwords


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validation", help="validation plans per risk tier")
    vsub = p.add_subparsers(dest="validation_command", metavar="SUBCOMMAND", required=True)
    plan = vsub.add_parser("plan", help="show or edit the validation plan of a risk tier")
    psub = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    sh = psub.add_parser("show", help="which checks block, with their parameters")
    sh.add_argument("--tier", type=int, choices=(1, 2, 3), default=None, help="one tier (default: all three)")
    sh.add_argument("--history", action="store_true", help="every stored version of the tier's plan")
    sh.add_argument("--json", action="store_true", help="print one JSON document")
    sh.set_defaults(func=run_show)
    st = psub.add_parser("set", help="edit a tier's plan (Model Risk Manager or Admin)")
    st.add_argument("--tier", type=int, choices=(1, 2, 3), required=True)
    st.add_argument("--blocking", action="append", default=[], metavar="ID[,ID]",
                    help="checks whose failure blocks approval")
    st.add_argument("--non-blocking", action="append", default=[], metavar="ID[,ID]",
                    help="checks reported but not blocking")
    st.add_argument("--param", action="append", default=[], metavar="ID.KEY=VALUE",
                    help="a check parameter, e.g. performance.metrics.min_roc_auc=0.75 (repeat)")
    st.add_argument("--reason", default="", help="why the plan changes (kept in the audit trail)")
    st.add_argument("--user", type=login_name, required=True, metavar="LOGIN")
    st.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=run_set)


def _ids(values: list[str]) -> list[str]:
    return [x.strip() for v in values for x in v.split(",") if x.strip()]


def _plan_json(pv) -> dict:
    from console.validation.suite import CATALOGUE

    doc = pv.to_json()
    doc["checks"] = [{"id": c.id, "family": c.family, "title": c.title, "blocking": pv.plan.is_blocking(c.id),
                      "params": pv.plan.params_for(c.id)} for c in CATALOGUE]
    return doc


def _print_plan(pv) -> None:
    from console.validation.suite import CATALOGUE

    who = "built-in default" if pv.is_default else (
        f"version {pv.version}, {pv.updated_by}, {pv.updated_at:%Y-%m-%d %H:%M} UTC"
        + (f" ({pv.reason})" if pv.reason else ""))
    print(f"Risk tier {pv.tier} validation plan ({who})")
    rows = [[c.id, c.family, "yes" if pv.plan.is_blocking(c.id) else "no",
             " ".join(f"{k}={v}" for k, v in pv.plan.params_for(c.id).items())] for c in CATALOGUE]
    print(format_table(["CHECK", "FAMILY", "BLOCKING", "PARAMETERS"], rows))


def run_show(args: argparse.Namespace) -> int:
    from console.errors import InputError
    from console.services import validation

    if args.history and args.tier is None:
        raise InputError("--history needs --tier N")
    with open_workspace(args) as ws:
        if args.history:
            items = validation.plan_history(ws, args.tier)
        else:
            items = [validation.current_plan(ws, t) for t in ((args.tier,) if args.tier else (1, 2, 3))]
    if args.json:
        docs = [_plan_json(pv) for pv in items]
        print_json(docs[0] if args.tier and not args.history else docs)
        return 0
    for i, pv in enumerate(items):
        if i:
            print()
        _print_plan(pv)
    return 0


def run_set(args: argparse.Namespace) -> int:
    from console.errors import InputError
    from console.services import governance, validation

    blocking, non_blocking = _ids(args.blocking), _ids(args.non_blocking)
    params: dict[str, dict] = {}
    for item in args.param:
        cid, key, value = validation.parse_param(item)
        params.setdefault(cid, {})[key] = value
    if not (blocking or non_blocking or params):
        raise InputError("nothing to change: give --blocking, --non-blocking or --param")
    with open_workspace(args) as ws:
        before = validation.current_plan(ws, args.tier)
        (pw,) = read_passwords(args, [f"password of {args.user} (editing the tier {args.tier} validation plan)"])
        by = governance.authenticate(ws, args.user, pw)
        pv = validation.set_plan(ws, args.tier, by=by, blocking=blocking, non_blocking=non_blocking, params=params,
                                 reason=args.reason)
    if args.json:
        print_json(_plan_json(pv))
    elif pv.version == before.version:
        print(f"Risk tier {args.tier} validation plan unchanged (version {pv.version}): it already says that.")
    else:
        print(f"Risk tier {args.tier} validation plan is now version {pv.version} (was {before.version}); "
              "recorded in the audit trail.")
    return 0
