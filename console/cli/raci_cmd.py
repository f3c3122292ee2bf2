"""``tollgate raci show NAME [--json]``: a model's effective RACI matrix with people.

The template is the model's override, else its risk tier's, else the workspace
default, resolved for the model's tier (:mod:`console.services.governance`).  JSON:
``{"model", "risk_tier", "template": {"scope", "version"}, "tasks": [{"task", "roles":
[{"role", "letters", "people": [{"login", "display_name"}]}]}]}``.  Exit 0, or 2 for an
unknown model.
"""

from __future__ import annotations

import argparse

from console.cli.common import open_workspace, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("raci", help="RACI matrices")
    rsub = p.add_subparsers(dest="raci_command", metavar="SUBCOMMAND", required=True)
    show = rsub.add_parser("show", help="a model's effective RACI matrix with the people in each role")
    show.add_argument("name", metavar="NAME", help="registered model name")
    show.add_argument("--source", default=None, help="registry name, when NAME exists in several")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(func=run_show)


def run_show(args: argparse.Namespace) -> int:
    from console.services import governance

    with open_workspace(args) as ws:
        model = ws.find_model(args.name, args.source)
        template, tier = governance.effective_raci(ws, model.id)
        entries = ws.raci_for_model(model.id)
    tasks: dict[str, list] = {}
    for e in entries:
        tasks.setdefault(e.task.value, []).append(e)
    if args.json:
        print_json({
            "model": model.name, "risk_tier": tier,
            "template": {"scope": template.scope, "version": template.version},
            "tasks": [{"task": t, "roles": [{k: v for k, v in e.to_json().items() if k != "task"} for e in es]}
                      for t, es in tasks.items()],
        })
        return 0
    print(f"RACI for {model.name} (tier {tier}; template {template.scope} v{template.version})")
    print("R responsible (submits) · A accountable (signs) · C consulted (reviews) · I informed · S signs too")
    for t, es in tasks.items():
        print(f"\n{t}")
        for e in es:
            who = ", ".join(f"{u.display_name} ({u.login})" for u in e.users) or "(nobody has this role)"
            print(f"  {e.letters:<5} {e.role.value}: {who}")
    return 0
