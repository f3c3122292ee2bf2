"""``tollgate users list [--json]``, ``tollgate users add LOGIN --name NAME [--role ROLE ...]
--user ADMIN [--password-stdin]``, ``users assign|revoke LOGIN ROLE [--model NAME] --user
ADMIN``, ``users passwd LOGIN --user LOGIN`` and ``users deactivate LOGIN --reason TEXT
--user ADMIN``.

``users add``: the acting Admin (``--user``) signs in with their password, then the new
user's password is read — from a TTY (asked twice), or with ``--password-stdin`` as two
lines on stdin (the Admin's, then the new user's).  On a workspace without users no
``--user`` is needed: the new user is the first one and becomes Admin (one stdin line).
Exit 0 done, 1 refused (the acting user is not an Admin; the refusal is audited), 2 bad
input (wrong password, taken login, unknown role, no TTY and no ``--password-stdin``).
"""

from __future__ import annotations

import argparse

from console.cli.common import format_table, login_name, open_workspace, print_json, read_passwords
from console.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help="workspace users and their roles")
    usub = p.add_subparsers(dest="users_command", metavar="SUBCOMMAND", required=True)
    ls = usub.add_parser("list", help="list users with their roles")
    ls.add_argument("--json", action="store_true", help="print one JSON array")
    ls.set_defaults(func=run_list)
    add = usub.add_parser(
        "add", help="add a user (Admin only; the first user of a workspace becomes Admin)",
        description="Add a workspace user. The acting Admin (--user) authenticates with a password from the "
        "terminal, or with --password-stdin: two lines on stdin, the Admin's password then the new user's.",
    )
    add.add_argument("login", metavar="LOGIN", help="login name of the new user")
    add.add_argument("--name", required=True, help="display (printed) name")
    add.add_argument("--role", action="append", default=[], metavar="ROLE",
                     help="global role, repeatable, e.g. 'Data Scientist' or data_scientist")
    add.add_argument("--user", type=login_name, default=None, metavar="ADMIN", help="acting Admin's login")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the passwords from stdin (Admin's, then the new user's; one per line)")
    add.add_argument("--json", action="store_true", help="print the new user as one JSON object")
    add.set_defaults(func=run_add)

    def admin_options(q: argparse.ArgumentParser, *, who: str = "ADMIN") -> None:
        q.add_argument("--user", type=login_name, required=True, metavar=who, help="acting user's login")
        q.add_argument("--password-stdin", action="store_true", help="read the password(s) from stdin, one per line")

    for verb, text in (("assign", "give a user a role, globally or for one model (Admin only)"),
                       ("revoke", "take a role away (Admin only; never the last Admin)")):
        q = usub.add_parser(verb, help=text)
        q.add_argument("login", metavar="LOGIN")
        q.add_argument("role", metavar="ROLE", help="e.g. 'Model Risk Manager' or model_risk_manager")
        q.add_argument("--model", default=None, metavar="NAME", help="only for this model (default: global)")
        admin_options(q)
        q.set_defaults(func=run_assign if verb == "assign" else run_revoke)
    pw = usub.add_parser("passwd", help="set a password: your own, or (Admin) someone else's",
                         description="With --password-stdin: the acting user's password, then the new one.")
    pw.add_argument("login", metavar="LOGIN", help="whose password")
    admin_options(pw, who="LOGIN")
    pw.set_defaults(func=run_passwd)
    de = usub.add_parser("deactivate", help="deactivate a user (Admin only): no sign-in, no signatures")
    de.add_argument("login", metavar="LOGIN")
    de.add_argument("--reason", required=True)
    admin_options(de)
    de.set_defaults(func=run_deactivate)


def _roles_text(user) -> str:
    return ", ".join(a.role.value + (f" ({a.model_name})" if a.model_name else "") for a in user.roles) or "-"


def run_list(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        users = ws.list_users()
    if args.json:
        print_json([u.to_json() for u in users])
    elif not users:
        print("No users yet; add the first (it becomes Admin): tollgate users add LOGIN --name NAME")
    else:
        print(format_table(["login", "name", "active", "roles"],
                           [[u.login, u.display_name, "yes" if u.is_active else "no", _roles_text(u)] for u in users]))
    return 0


def run_add(args: argparse.Namespace) -> int:
    from console.domain.governance import parse_role

    try:
        roles = [parse_role(r) for r in args.role]
    except ValueError as exc:
        raise InputError(str(exc)) from None
    with open_workspace(args) as ws:
        first = not ws.list_users()
        if first:
            (new_pw,) = read_passwords(args, [f"password for the new user {args.login}"], confirm_last=True)
            by = None
        else:
            if not args.user:
                raise InputError("adding a user needs the acting Admin: pass --user ADMIN_LOGIN")
            admin_pw, new_pw = read_passwords(
                args, [f"password of {args.user}", f"password for the new user {args.login}"], confirm_last=True)
            by = ws.authenticate(args.user, admin_pw)
        user = ws.create_user(args.login, args.name, new_pw, roles=roles, by=by)
    if args.json:
        print_json(user.to_json())
    else:
        print(f"Added user {user.login} ({user.display_name}); roles: {_roles_text(user)}")
    return 0


def _acting(ws, args, *extra_prompts: str):
    pws = read_passwords(args, [f"password of {args.user}", *extra_prompts], confirm_last=bool(extra_prompts))
    return ws.authenticate(args.user, pws[0]), pws[1:]


def run_assign(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        by, _ = _acting(ws, args)
        changed = ws.assign_role(args.login, args.role, model=args.model, by=by)
    where = f" for {args.model}" if args.model else ""
    print(f"{args.login} now has the role {args.role}{where}." if changed else f"{args.login} already had it{where}.")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        by, _ = _acting(ws, args)
        changed = ws.revoke_role(args.login, args.role, model=args.model, by=by)
    print(f"Revoked {args.role} from {args.login}." if changed else f"{args.login} did not have that role.")
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        by, (new,) = _acting(ws, args, f"new password for {args.login}")
        ws.set_password(args.login, new, by=by)
    print(f"Password of {args.login} changed.")
    return 0


def run_deactivate(args: argparse.Namespace) -> int:
    from console.services import governance

    with open_workspace(args) as ws:
        by, _ = _acting(ws, args)
        governance.deactivate_user(ws, args.login, by=by, reason=args.reason)
    print(f"Deactivated {args.login}: they can no longer sign in or sign.")
    return 0
