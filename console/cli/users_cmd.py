"""``tollgate users list [--json]`` and ``tollgate users add LOGIN --name NAME [--role ROLE ...]
--user ADMIN [--password-stdin]``.

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
