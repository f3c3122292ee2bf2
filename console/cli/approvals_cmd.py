"""``tollgate approvals …``: approval requests, signatures, the queue and the inbox.

* ``approvals list [--mine --user LOGIN] [--state STATE|all] [--model NAME] [--json]``:
  open requests (the team view), or with ``--mine`` the requests waiting for LOGIN
  (no password needed to read).  JSON: an array of request objects.
* ``approvals show ID [--json]``: one request with its required signatures, the
  signatures given (printed name, UTC time, meaning, reason, hashes), the gates as they
  stand now, and whether the signatures verify.
* ``approvals request NAME[@VERSION] (--to STATUS | --alias ALIAS) --reason TEXT
  --user LOGIN [--password-stdin] [--json]``: submit (an ``authored`` signature);
  prints the request id, or with ``--json`` the request with its required signatures.
* ``approvals sign ID --meaning approved|rejected|reviewed --reason TEXT --user LOGIN
  [--password-stdin] [--expect-record SHA256] [--json]``: sign; re-authenticates.
* ``approvals withdraw ID --reason TEXT --user LOGIN [--password-stdin]``.
* ``approvals except NAME --gate drift --days N --reason TEXT --user LOGIN
  [--password-stdin]``: a Model Risk Manager's signed, expiring gate exception.
* ``approvals inbox --user LOGIN [--password-stdin] [--unread] [--mark-read] [--json]``.

Passwords come from a TTY prompt or, with ``--password-stdin``, the first line of
stdin (DESIGN.md CLI contract).  Exit 0 done; 1 refused (segregation of duties, a gate,
a missing review, a role not held: the message names the rule; the refusal is in the
audit trail); 2 bad input, wrong password, a closed request, or a concurrent signature.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone

from console.cli.common import format_table, login_name, open_workspace, print_json, read_passwords
from console.errors import InputError


def _signer_options(p: argparse.ArgumentParser, *, reason: bool = True) -> None:
    p.add_argument("--user", type=login_name, required=True, metavar="LOGIN", help="acting workspace user")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    if reason:
        p.add_argument("--reason", required=True, help="reason (part of the signed record)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("approvals", help="approval requests, signatures, queues (RACI, segregation of duties)")
    asub = p.add_subparsers(dest="approvals_command", metavar="SUBCOMMAND", required=True)

    ls = asub.add_parser("list", help="open requests (team view), or those waiting for you (--mine)")
    ls.add_argument("--mine", action="store_true", help="only the requests waiting for --user")
    ls.add_argument("--user", type=login_name, default=None, metavar="LOGIN", help="whose queue (with --mine)")
    ls.add_argument("--state", default="open", help="open (default), approved, rejected, withdrawn, expired or all")
    ls.add_argument("--model", default=None, metavar="NAME", help="only this model's requests")
    ls.add_argument("--json", action="store_true", help="print one JSON array")
    ls.set_defaults(func=run_list)

    show = asub.add_parser("show", help="one request: required signatures, signatures, gates")
    show.add_argument("id", type=int, metavar="ID")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(func=run_show)

    req = asub.add_parser("request", help="submit a lifecycle transition or alias move for approval")
    req.add_argument("ref", metavar="NAME[@VERSION]", help="model and version (number or alias; default champion)")
    target = req.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", metavar="STATUS", help="validation, approved, production or retired")
    target.add_argument("--alias", metavar="ALIAS", help="move this Tollgate alias (e.g. champion) to the version")
    req.add_argument("--source", default=None, help="registry name, when NAME exists in several")
    _signer_options(req)
    req.set_defaults(func=run_request)

    sign = asub.add_parser("sign", help="sign a request (re-authenticates): approved, rejected or reviewed")
    sign.add_argument("id", type=int, metavar="ID")
    sign.add_argument("--meaning", required=True, choices=("approved", "rejected", "reviewed"))
    sign.add_argument("--expect-record", default=None, metavar="SHA256",
                      help="the record hash you reviewed (from `approvals show`); refused if it changed since")
    _signer_options(sign)
    sign.set_defaults(func=run_sign)

    wd = asub.add_parser("withdraw", help="withdraw an open request (its submitter or an Admin)")
    wd.add_argument("id", type=int, metavar="ID")
    _signer_options(wd)
    wd.set_defaults(func=run_withdraw)

    ex = asub.add_parser("except", help="grant a signed, expiring exception to a gate (Model Risk Manager)")
    ex.add_argument("name", metavar="NAME", help="registered model name")
    ex.add_argument("--gate", default="drift", choices=("drift",))
    ex.add_argument("--days", type=int, required=True, help="how long the exception lasts (1-90 days)")
    _signer_options(ex)
    ex.set_defaults(func=run_except)

    ib = asub.add_parser("inbox", help="your notifications (requests you are informed of, decisions)")
    _signer_options(ib, reason=False)
    ib.add_argument("--unread", action="store_true", help="only unread notifications")
    ib.add_argument("--mark-read", action="store_true", help="mark them read after printing")
    ib.set_defaults(func=run_inbox)


def _when(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _rows(reqs) -> list[list[str]]:
    now = datetime.now(timezone.utc)
    out = []
    for r in reqs:
        signed = sum(1 for _ in r.filled())
        due = _when(r.due_at) + (" OVERDUE" if r.is_overdue(now) else "")
        out.append([f"#{r.id}", r.model_name, f"v{r.version}", str(r.risk_tier), r.asked, r.state.value,
                    f"{signed}/{len(r.slots)}", f"{r.age_days(now):.1f} d", due, r.submitted_by])
    return out


HEAD = ["id", "model", "version", "tier", "asked", "state", "signed", "age", "due", "submitted by"]


def run_list(args: argparse.Namespace) -> int:
    from console.services import approvals, governance

    state = None if args.state == "all" else args.state
    with open_workspace(args) as ws:
        if args.mine:
            if not args.user:
                raise InputError("--mine needs --user LOGIN (whose queue)")
            items = approvals.my_queue(ws, governance.get_user(ws, args.user))
            if args.json:
                print_json([{**i.request.to_json(), "your_action": i.action, "your_role": i.role.value,
                             "ready": i.ready, "waiting_for": i.waiting_for or None} for i in items])
                return 0
            if not items:
                print(f"Nothing is waiting for {args.user}.")
                return 0
            rows = _rows([i.request for i in items])
            for row, i in zip(rows, items, strict=True):
                row.append(f"{i.action} as {i.role.value}" + ("" if i.ready else f" (after {i.waiting_for})"))
            print(format_table(HEAD + ["your action"], rows))
            return 0
        try:
            reqs = approvals.list_requests(ws, state=state, model=args.model)
        except ValueError:
            raise InputError(f"--state {args.state!r}: use open, approved, rejected, withdrawn, expired or all") from None
    if args.json:
        print_json([r.to_json() for r in reqs])
    elif not reqs:
        print("No approval requests" + (f" in state {state}" if state else "") + ".")
    else:
        print(format_table(HEAD, _rows(reqs)))
    return 0


def _print_request(r, gates) -> None:
    print(f"Request #{r.id}: {r.model_name} v{r.version}, {r.asked} ({r.state.value})")
    print(f"  task: {r.task.value}; tier {r.risk_tier}; RACI {r.raci_scope} v{r.raci_version}")
    print(f"  submitted by {r.submitted_by_name} ({r.submitted_by}) {_when(r.submitted_at)}; due {_when(r.due_at)}; "
          f"expires {_when(r.expires_at)}")
    print(f"  reason: {r.reason}")
    filled = r.filled()
    print("  required signatures:")
    for slot in r.slots:
        sig = filled.get(slot.index)
        done = f"{sig.meaning.value} by {sig.printed_name} {_when(sig.signed_at)}" if sig else "pending"
        print(f"    [{slot.index}] {slot.kind:<8} {slot.role.value:<26} {done}   ({slot.why})")
    print("  signatures (21 CFR 11.50: printed name, UTC time, meaning):")
    for sig in r.signatures:
        print(f"    {sig.seq}. {sig.printed_name} ({sig.login}) — {sig.meaning.value} — {_when(sig.signed_at)} — "
              f"{sig.reason} — record {sig.record_sha256[:16]}…")
    print("  signatures verify: " + ("yes" if not r.integrity_problems else "NO: " + "; ".join(r.integrity_problems)))
    if gates:
        print("  gates now:")
        for g in gates:
            mark = "n/a" if g.ok is None else ("ok" if g.ok else "BLOCKED")
            print(f"    {g.gate:<10} {mark:<8} {g.detail}")
    if r.state.value == "open":
        print(f"  record to sign: {r.current_record_sha256}")
    else:
        print(f"  closed by {r.closed_by} {_when(r.closed_at)}: {r.close_reason}")


def run_show(args: argparse.Namespace) -> int:
    from console.services import approvals

    with open_workspace(args) as ws:
        r = approvals.get_request(ws, args.id)
        gates = approvals.evaluate_gates(ws, r) if r.state.value == "open" else []
    if args.json:
        print_json({**r.to_json(), "gates": [g.to_json() for g in gates]})
    else:
        _print_request(r, gates)
    return 0


def _password(args: argparse.Namespace, what: str) -> str:
    (pw,) = read_passwords(args, [f"password of {args.user} ({what})"])
    return pw


def run_request(args: argparse.Namespace) -> int:
    from console.services import approvals

    with open_workspace(args) as ws:
        model, version = ws.resolve(args.ref, args.source)
        pw = _password(args, "signing the request: authored")
        r = approvals.request_approval(ws, model.id, version.version, login=args.user, password=pw,
                                       reason=args.reason, to_status=args.to, alias=args.alias)
    if args.json:
        print_json(r.to_json())
    else:
        print(r.id)
    return 0


def run_sign(args: argparse.Namespace) -> int:
    from console.services import approvals

    with open_workspace(args) as ws:
        pw = _password(args, f"signing request #{args.id}: {args.meaning}")
        r = approvals.sign(ws, args.id, login=args.user, password=pw, meaning=args.meaning, reason=args.reason,
                           expected_record_sha256=args.expect_record)
    if args.json:
        print_json(r.to_json())
    else:
        left = len(r.open_slots())
        tail = {"approved": "approved and carried out", "rejected": "rejected"}.get(
            r.state.value, f"{left} signature(s) still required")
        print(f"Signed request #{r.id} ({args.meaning}) as {args.user}; request {tail}.")
    return 0


def run_withdraw(args: argparse.Namespace) -> int:
    from console.services import approvals, governance

    with open_workspace(args) as ws:
        by = governance.authenticate(ws, args.user, _password(args, f"withdrawing request #{args.id}"))
        r = approvals.withdraw(ws, args.id, by=by, reason=args.reason)
    if args.json:
        print_json(r.to_json())
    else:
        print(f"Withdrew request #{r.id}.")
    return 0


def run_except(args: argparse.Namespace) -> int:
    from console.services import approvals

    with open_workspace(args) as ws:
        pw = _password(args, f"signing a {args.gate} exception for {args.name}")
        exc = approvals.grant_gate_exception(ws, args.name, gate=args.gate, days=args.days, login=args.user,
                                             password=pw, reason=args.reason)
    if args.json:
        print_json({"id": exc.id, "gate": exc.gate, "granted_by": exc.granted_by, "printed_name": exc.printed_name,
                    "granted_at": exc.granted_at.isoformat(), "expires_at": exc.expires_at.isoformat(),
                    "reason": exc.reason, "signature_sha256": exc.signature_sha256})
    else:
        print(f"Gate {exc.gate} excepted for {args.name} until {_when(exc.expires_at)} (signed by {exc.printed_name}).")
    return 0


def run_inbox(args: argparse.Namespace) -> int:
    from console.services import approvals, governance

    with open_workspace(args) as ws:
        user = governance.authenticate(ws, args.user, _password(args, "reading your inbox"))
        items = approvals.inbox(ws, user, unread_only=args.unread)
        if args.mark_read and items:
            approvals.mark_read(ws, user, [n.id for n in items])
    if args.json:
        print_json([n.to_json() for n in items])
    elif not items:
        print("Inbox empty.")
    else:
        for n in items:
            print(f"{'  ' if n.read_at else '* '}{_when(n.created_at)}  {n.text}")
    return 0
