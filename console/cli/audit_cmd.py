"""``tollgate audit verify [--json] [--expect-head HASH]``: recompute the audit hash chain.

Exit codes (DESIGN.md CLI contract): 0 intact, 1 broken (the first bad sequence number
and the reason are printed), 2 bad input (a malformed ``--expect-head``, an unreachable
workspace).  ``--json`` prints ``{"intact", "events", "head_hash", "first_bad_seq",
"reason"}``.  The rules are in :mod:`console.services.audit`.
"""

from __future__ import annotations

import argparse

from console.cli.common import login_name, open_workspace, print_json, read_passwords, stderr_progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="check the tamper-evident audit trail")
    asub = p.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)
    v = asub.add_parser(
        "verify",
        help="recompute the audit hash chain; exit 0 intact, 1 broken",
        description="Recompute the SHA-256 hash chain over every audit event of the workspace. Exit 0 when "
        "intact, 1 naming the first bad sequence number when an event was altered, removed or reordered. "
        "Removal of the newest events is caught only against a head hash saved earlier (--expect-head; "
        "every report prints the head).",
    )
    v.add_argument("--json", action="store_true", help="print one JSON object")
    v.add_argument("--expect-head", metavar="HASH", default=None,
                   help="a head hash saved earlier (64 hex digits); fail if it is not in the chain")
    v.set_defaults(func=run_verify)
    e = asub.add_parser(
        "erase-person", help="erase a person's name from the audit trail (GDPR Art. 17; Admin only)",
        description="The events keep a pseudonymous ref, so the hash chain still verifies; the console and "
        "reports show [erased]. The erasure is itself an audit event.")
    e.add_argument("person", metavar="NAME|REF", help="exact display name or psn_… ref")
    e.add_argument("--reason", required=True, help="e.g. the data-subject request number")
    e.add_argument("--user", type=login_name, required=True, metavar="ADMIN", help="acting Admin's login")
    e.add_argument("--password-stdin", action="store_true", help="read the Admin's password from stdin")
    e.set_defaults(func=run_erase)


def run_verify(args: argparse.Namespace) -> int:
    from console.services.audit import normalise_head

    expect = normalise_head(args.expect_head)  # bad input: exit 2 before opening anything
    with open_workspace(args) as ws:
        result = ws.verify_audit_chain(expect, progress=None if args.json else stderr_progress())
    if args.json:
        print_json(result.to_json())
    elif result.intact:
        span = f"events {result.first_seq}–{result.last_seq}" if result.events else "no events yet"
        checked = " (contains the expected head)" if expect else ""
        print(f"Audit chain intact: {result.events:,} events ({span}){checked}")
        print(f"Head hash: {result.head_hash}")
    else:
        print(f"Audit chain BROKEN at event {result.first_bad_seq}: {result.reason}")
        print(f"Events: {result.events:,}; newest stored hash: {result.head_hash}")
    return 0 if result.intact else 1


def run_erase(args: argparse.Namespace) -> int:
    from console.services import audit, governance

    with open_workspace(args) as ws:
        (pw,) = read_passwords(args, [f"password of {args.user}"])
        by = ws.authenticate(args.user, pw)
        governance.require_admin(ws, by, "erase people from the audit trail")
        ref = audit.erase_person(ws, args.person, by.login, args.reason)
    print(f"Erased: events keep the ref {ref}; the chain still verifies.")
    return 0
