"""``tollgate --workspace URL workspace login|logout``: a server workspace's password in
the OS keyring.

``login`` reads the password from a TTY prompt (never echoed) or, with
``--secret-stdin``, from the first line of stdin; it connects to the server first and
stores only a password that works (under
:func:`console.store.db.database_secret_key`).  Without a TTY and without
``--secret-stdin`` it asks nothing and exits 2 saying what to pass; without a usable OS
keyring it exits 2 with the reason (:class:`console.store.secrets.SecretStore`).
``logout`` forgets the stored password.  Neither prints the password.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from console.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("workspace", help="store or forget a server workspace's password (OS keyring)")
    wsub = p.add_subparsers(dest="workspace_command", metavar="SUBCOMMAND", required=True)
    pl = wsub.add_parser(
        "login",
        help="check a PostgreSQL workspace's password and store it in the OS keyring",
        description="Connects with the password, then stores it in the OS keyring for the workspace "
        "given with --workspace (a URL without password).",
    )
    pl.add_argument("--secret-stdin", action="store_true", help="read the password from stdin (first line)")
    pl.set_defaults(func=run_login)
    po = wsub.add_parser("logout", help="forget the stored password of the workspace given with --workspace")
    po.set_defaults(func=run_logout)


def _server_location(args: argparse.Namespace):
    from console.store.db import parse_location

    loc = parse_location(getattr(args, "workspace", None))
    if loc.sqlite_path is not None:
        raise InputError(
            f"workspace {loc.label} is an SQLite file, which has no password; give a server workspace with "
            "--workspace postgresql+psycopg://USER@HOST[:PORT]/DATABASE"
        )
    return loc


def run_login(args: argparse.Namespace) -> int:
    from console.store.db import remember_database_password
    from console.store.secrets import SecretStore, SecretStoreError

    loc = _server_location(args)
    if loc.password_in_url:
        raise InputError(
            "the workspace URL already contains a password; give the URL without it "
            "(postgresql+psycopg://USER@HOST[:PORT]/DATABASE) and type the password when asked"
        )
    status = SecretStore().status()
    if not status.usable:
        raise SecretStoreError(
            f"cannot store the password: no usable OS keyring ({status.backend.rsplit('.', 1)[-1]}); on this "
            "machine give the password to PostgreSQL's own client library instead: the PGPASSWORD environment "
            "variable or a ~/.pgpass line (HOST:PORT:DATABASE:USER:PASSWORD, file mode 0600)"
        )
    if args.secret_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
    elif sys.stdin.isatty():
        try:
            password = getpass.getpass(f"Password for {loc.label}: ")
        except EOFError:
            password = ""
    else:
        raise InputError(
            "no password given: stdin is not a terminal; pass --secret-stdin and write the password on stdin"
        )
    if not password:
        raise InputError("the password is empty; nothing was stored")
    where = remember_database_password(loc, password)  # errors: one line, never the password
    print(f"Password for {loc.label} checked and stored in the OS keyring ({status.backend}).")
    return 0 if where == "keyring" else 2


def run_logout(args: argparse.Namespace) -> int:
    from console.store.db import forget_database_password

    loc = _server_location(args)
    if forget_database_password(loc):
        print(f"Forgot the stored password for {loc.label}.")
    else:
        print(f"No password was stored for {loc.label}.")
    return 0
