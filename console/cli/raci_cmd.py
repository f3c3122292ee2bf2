"""``tollgate raci show NAME [--json]``: a model's effective RACI matrix with people;
``raci export [NAME]`` prints a template as JSON; ``raci set FILE.json [--scope
default|tier:N|model:NAME] --reason TEXT --user ADMIN`` saves a new version.

The template is the model's override, else its risk tier's, else the workspace
default, resolved for the model's tier (:mod:`console.services.governance`).  JSON:
``{"model", "risk_tier", "template": {"scope", "version"}, "tasks": [{"task", "roles":
[{"role", "letters", "people": [{"login", "display_name"}]}]}]}``.  Exit 0, or 2 for an
unknown model.
"""

from __future__ import annotations

import argparse

from console.cli.common import login_name, open_workspace, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("raci", help="RACI matrices")
    rsub = p.add_subparsers(dest="raci_command", metavar="SUBCOMMAND", required=True)
    show = rsub.add_parser("show", help="a model's effective RACI matrix with the people in each role")
    show.add_argument("name", metavar="NAME", help="registered model name")
    show.add_argument("--source", default=None, help="registry name, when NAME exists in several")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(func=run_show)
    ex = rsub.add_parser("export", help="print a RACI template as JSON (to edit and `raci set`)")
    ex.add_argument("name", nargs="?", metavar="NAME", help="the template governing this model (default: the "
                    "workspace default)")
    ex.set_defaults(func=run_export)
    st = rsub.add_parser("set", help="save a new version of a RACI template from a JSON file (Admin only)",
                         description="Rules checked on save: every task present, exactly one Accountable and at "
                         "least one Responsible per task and tier. Old versions are kept; the edit is audited.")
    st.add_argument("file", metavar="FILE.json", help="{task: {role: letters or {\"1\"|\"2\"|\"3\": letters}}}")
    st.add_argument("--scope", default="default", help="default, tier:N or model:NAME (default: default)")
    st.add_argument("--reason", required=True)
    st.add_argument("--user", type=login_name, required=True, metavar="ADMIN")
    st.add_argument("--password-stdin", action="store_true", help="read the Admin's password from stdin")
    st.set_defaults(func=run_set)


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


def run_set(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from console.cli.common import read_passwords
    from console.errors import InputError
    from console.services import governance

    path = Path(args.file)
    try:
        matrix = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path} is not UTF-8 JSON: {exc}") from None
    with open_workspace(args) as ws:
        scope = args.scope
        if scope.startswith("model:") and not scope[6:].isdigit():
            scope = f"model:{ws.find_model(scope[6:]).id}"
        (pw,) = read_passwords(args, [f"password of {args.user}"])
        by = ws.authenticate(args.user, pw)
        t = governance.save_raci(ws, scope, matrix, args.reason, by=by)
    print(f"Saved RACI template {t.scope} version {t.version}.")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from console.services import governance

    with open_workspace(args) as ws:
        if args.name:
            template, _ = governance.effective_raci(ws, ws.find_model(args.name).id)
        else:
            template = governance.current_raci(ws, "default")
    print_json(template.matrix)
    return 0
