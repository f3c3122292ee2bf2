"""``tollgate registry add-mlflow|sync|list|remove``: remote model registries (MLflow).

Secrets: ``add-mlflow`` reads the password (``--username``) or token (``--token``) from
a TTY prompt, or from stdin with ``--secret-stdin``; it is stored in the OS keyring
only.  Nothing asks when stdin is not a terminal: exit 2 saying what to pass.

Without a usable OS keyring (headless Linux without a Secret Service) ``add-mlflow``
refuses (exit 2).  A *session-only* secret lives in one process's memory, and a CLI
process ends with its command, so ``--session-only`` means: add the registry without
storing the secret and sync it once now, in this process; later syncs take the secret
again on stdin (``tollgate registry sync NAME --secret-stdin``), which works without any
keyring (CI jobs, containers).

Exit codes: 0 success; ``sync``: 1 when any source was unreachable or failed (the
others still synced); 2 bad input (unknown registry, bad URL, no keyring, ...).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from console.cli.common import format_table, login_name, open_workspace, print_json, stderr_progress
from console.errors import InputError, TollgateError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("registry", help="remote model registries (MLflow): add, sync, list, remove")
    rsub = p.add_subparsers(dest="registry_command", metavar="SUBCOMMAND", required=True)

    pa = rsub.add_parser("add-mlflow", help="add an MLflow tracking server as a registry source")
    pa.add_argument("name", metavar="NAME", help="display name of the registry (shown as the models' source)")
    pa.add_argument("--url", required=True, metavar="URL", help="http(s)://HOST[:PORT][/PATH], without credentials")
    pa.add_argument("--username", default=None, metavar="U", help="user name for HTTP basic auth (asks for the password)")
    pa.add_argument("--token", action="store_true", help="authenticate with a bearer token (asks for it)")
    pa.add_argument("--secret-stdin", action="store_true", help="read the password or token from stdin (first line)")
    pa.add_argument("--session-only", action="store_true",
                    help="store no secret: add the registry and sync it once now (for machines without an OS keyring)")
    pa.add_argument("--user", type=login_name, default=None, metavar="LOGIN", help="acting user recorded in the audit trail")
    pa.add_argument("--json", action="store_true", help="print a JSON object")
    pa.set_defaults(func=run_add)

    ps = rsub.add_parser("sync", help="pull models, versions, aliases and lineage from the registries")
    ps.add_argument("name", nargs="?", default=None, metavar="NAME", help="only this registry (default: all)")
    ps.add_argument("--secret-stdin", action="store_true",
                    help="read NAME's password or token from stdin for this run only (no keyring needed)")
    ps.add_argument("--user", type=login_name, default=None, metavar="LOGIN", help="acting user recorded in the audit trail")
    ps.add_argument("--json", action="store_true", help="print a JSON array, one object per registry")
    ps.set_defaults(func=run_sync)

    pl = rsub.add_parser("list", help="the registry sources of the workspace")
    pl.add_argument("--json", action="store_true", help="print a JSON array")
    pl.set_defaults(func=run_list)

    pk = rsub.add_parser("set-secret", help="replace the stored password or token of a registry")
    pk.add_argument("name", metavar="NAME")
    pk.add_argument("--secret-stdin", action="store_true", help="read the password or token from stdin (first line)")
    pk.add_argument("--user", type=login_name, default=None, metavar="LOGIN", help="acting user recorded in the audit trail")
    pk.set_defaults(func=run_set_secret)

    pr = rsub.add_parser("remove", help="remove a registry (its pulled models stay as history)")
    pr.add_argument("name", metavar="NAME")
    pr.add_argument("--user", type=login_name, default=None, metavar="LOGIN", help="acting user recorded in the audit trail")
    pr.set_defaults(func=run_remove)


def _read_secret(args: argparse.Namespace, what: str, name: str) -> str:
    if args.secret_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin is not None and sys.stdin.isatty():
        try:
            secret = getpass.getpass(f"{what.capitalize()} for registry {name}: ")
        except EOFError:
            secret = ""
    else:
        raise InputError(
            f"registry {name} needs a {what}: stdin is not a terminal; pass --secret-stdin and write the {what} on stdin"
        )
    if not secret:
        raise InputError(f"the {what} is empty; nothing was stored")
    return secret


def run_add(args: argparse.Namespace) -> int:
    from console.store.secrets import SecretStore, SecretStoreError

    if args.token and args.username:
        raise InputError("give either --username (password authentication) or --token, not both")
    auth = "token" if args.token else "basic" if args.username else "none"
    if auth == "none" and args.secret_stdin:
        raise InputError("--secret-stdin needs --username (password) or --token")
    what = "token" if auth == "token" else "password"
    with open_workspace(args) as ws:
        if auth != "none" and not args.session_only:
            status = SecretStore().status()
            if not status.usable:  # say so before asking for a secret that cannot be kept
                raise SecretStoreError(
                    f"cannot store the {what} of registry {args.name}: {status.reason}. Nothing was added. "
                    f"Without a keyring, add it with --session-only (synced once now, nothing stored) and pass the "
                    f"{what} to each later `tollgate registry sync {args.name} --secret-stdin`"
                )
        same_url = [r.name for r in ws.list_registries() if r.url.rstrip("/") == args.url.strip().rstrip("/")]
        if same_url:
            print(f"tollgate: warning: registry {', '.join(same_url)} already pulls from {args.url.strip()}; its models "
                  "will appear twice (pick one with --source NAME)", file=sys.stderr)
        secret = _read_secret(args, what, args.name) if auth != "none" else None
        src = ws.add_registry(args.name, args.url, username=args.username, auth=auth, secret=secret,
                              session_only=args.session_only, actor=args.user)
        result = None
        if args.session_only:
            result = ws.sync_registries([src.name], actor=args.user, progress=stderr_progress())[0]
        else:
            try:  # added either way (a server may be down today); say so now, not at the first sync
                ws.test_registry(url=src.url, username=src.username, auth=src.auth, secret=secret)
            except TollgateError as exc:
                print(f"tollgate: warning: registry {src.name} was added, but a test call failed: {exc}",
                      file=sys.stderr)
    if args.json:
        doc = src.to_json()
        doc["secret"] = "none" if auth == "none" else ("session" if args.session_only else "keyring")
        if result is not None:
            doc["sync"] = result.to_json()
        print_json(doc)
    else:
        where = ("" if auth == "none" else
                 f"; the {what} was used for this run only" if args.session_only else
                 f"; the {what} is in the OS keyring")
        print(f"Added registry {src.name} ({src.url}){where}.")
        if result is not None:
            _print_results([result])
        else:
            print(f"Pull its models with: tollgate registry sync {src.name}")
    return 0 if result is None or result.ok else 1


def _print_results(results) -> None:
    rows = [[r.source, str(r.models), str(r.versions), str(r.new), str(r.changed), str(r.deleted),
             "ok" if r.ok else r.status] for r in results]
    print(format_table(["REGISTRY", "MODELS", "VERSIONS", "NEW", "CHANGED", "DELETED", "STATUS"], rows))
    if any(r.new or r.changed or r.deleted for r in results):
        print("(NEW, CHANGED and DELETED count models and versions together)")
    _print_problems(results)


def _print_problems(results) -> None:
    """One stderr line per failed source, and per source that skipped models."""
    from console.services.registry import MAX_MODEL_NAME

    for r in results:
        if not r.ok:
            print(f"tollgate: {r.source}: {r.error}", file=sys.stderr)
        skipped = (r.detail or {}).get("skipped_models")
        if skipped:
            print(f"tollgate: warning: {r.source}: {skipped} models not pulled: their names are longer than "
                  f"{MAX_MODEL_NAME} characters (shorten them on the server)", file=sys.stderr)


def run_sync(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        if args.secret_stdin:
            if not args.name:
                raise InputError("--secret-stdin needs the registry NAME whose secret it is")
            src = next((r for r in ws.list_registries() if r.name == args.name), None)
            if src is not None and src.auth != "none":
                secret = _read_secret(args, "token" if src.auth == "token" else "password", args.name)
                ws.set_registry_secret(args.name, secret, session_only=True, actor=args.user)
        if not args.name and not ws.list_registries():
            if args.json:
                print_json([])
            else:
                print("This workspace has no registry; add one with: tollgate registry add-mlflow NAME --url URL")
            return 0
        results = ws.sync_registries([args.name] if args.name else None, actor=args.user,
                                     progress=stderr_progress())
    if args.json:
        print_json([r.to_json() for r in results])
        _print_problems(results)
    else:
        _print_results(results)
    return 0 if all(r.ok for r in results) else 1


def run_list(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        sources = ws.list_registries()
    if args.json:
        print_json([s.to_json() for s in sources])
        return 0
    rows = []
    for s in sources:
        when = s.last_sync_at.strftime("%Y-%m-%d %H:%M UTC") if s.last_sync_at else "never"
        auth = s.auth if s.auth != "basic" else f"basic ({s.username})"
        rows.append([s.name, s.url, auth, when, s.last_sync_status or "-"])
    print(format_table(["NAME", "URL", "AUTH", "LAST SYNC", "STATUS"], rows))
    print(f"{len(sources)} registries")
    for s in sources:
        if s.last_sync_error:
            print(f"  {s.name}: {s.last_sync_error}")
    return 0


def run_set_secret(args: argparse.Namespace) -> int:
    """Check the new secret against the server first, then store it in the OS keyring."""
    from console.store.secrets import SecretStore, SecretStoreError

    with open_workspace(args) as ws:
        src = next((r for r in ws.list_registries() if r.name == args.name), None)
        if src is None:
            ws.test_registry(args.name)  # raises NotFoundError naming the registries there are
        if src.auth == "none":
            raise InputError(f"registry {args.name} uses no authentication; there is no secret to set")
        what = "password" if src.auth == "basic" else "token"
        status = SecretStore().status()
        if not status.usable:  # before asking for a secret that cannot be kept
            raise SecretStoreError(
                f"cannot store the {what} of registry {args.name}: {status.reason}. Pass it to each "
                f"`tollgate registry sync {args.name} --secret-stdin` instead"
            )
        secret = _read_secret(args, what, args.name)
        ms = ws.test_registry(url=src.url, username=src.username, auth=src.auth, secret=secret)
        ws.set_registry_secret(args.name, secret, actor=args.user)
    print(f"The {what} of registry {args.name} works ({ms:.0f} ms round trip) and is stored in the OS keyring.")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        kept = ws.remove_registry(args.name, actor=args.user)
    print(f"Removed registry {args.name} and forgot its secret; {kept} models pulled from it stay as history.")
    return 0
