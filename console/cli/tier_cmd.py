"""``tollgate tier …``: the risk-tier questionnaire (:mod:`console.domain.tiering`).

* ``tier questions``: the questions and their choices.
* ``tier assess NAME --answer QUESTION=CHOICE ... [--override-tier N --reason TEXT]
  --user LOGIN [--password-stdin] [--json]``: a Model Risk Manager, Business Owner or
  Admin answers every question; the computed tier (or the signed override) becomes the
  model's tier.
* ``tier show NAME [--json]``: the model's assessments, newest first.
"""

from __future__ import annotations

import argparse

from console.cli.common import login_name, open_workspace, print_json, read_passwords
from console.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tier", help="risk-tier questionnaire")
    tsub = p.add_subparsers(dest="tier_command", metavar="SUBCOMMAND", required=True)
    q = tsub.add_parser("questions", help="the questions and their choices")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=run_questions)
    a = tsub.add_parser("assess", help="answer the questionnaire for a model (signed)")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--answer", action="append", default=[], metavar="QUESTION=CHOICE", help="repeat for each question")
    a.add_argument("--override-tier", type=int, default=None, choices=(1, 2, 3))
    a.add_argument("--reason", default="", help="why (required with --override-tier)")
    a.add_argument("--user", type=login_name, required=True, metavar="LOGIN")
    a.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=run_assess)
    sh = tsub.add_parser("show", help="a model's tier assessments")
    sh.add_argument("name", metavar="NAME")
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(func=run_show)


def run_questions(args: argparse.Namespace) -> int:
    from console.domain.tiering import QUESTIONS, RULE_VERSION

    if args.json:
        print_json({"rule_version": RULE_VERSION, "questions": [
            {"id": k, "axis": axis, "text": text, "choices": choices} for k, (axis, text, choices) in QUESTIONS.items()]})
        return 0
    print(f"Risk-tier questionnaire, rule set v{RULE_VERSION}")
    for k, (axis, text, choices) in QUESTIONS.items():
        print(f"  {k:<20} {text} [{axis}]: {', '.join(f'{c} ({p})' for c, p in choices.items())}")
    return 0


def run_assess(args: argparse.Namespace) -> int:
    from console.services import governance

    answers = {}
    for item in args.answer:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"--answer {item!r}: write QUESTION=CHOICE (see `tollgate tier questions`)")
        answers[key.strip()] = value.strip()
    with open_workspace(args) as ws:
        (pw,) = read_passwords(args, [f"password of {args.user} (signing the tier assessment)"])
        a = governance.assess_tier(ws, args.name, answers, login=args.user, password=pw,
                                   override_tier=args.override_tier, reason=args.reason)
    if args.json:
        print_json(a.to_json())
    else:
        extra = f" (computed {a.computed_tier}, overridden: {a.override_reason})" if a.final_tier != a.computed_tier else ""
        print(f"{args.name}: risk tier {a.final_tier}{extra}; rule set v{a.rule_version}; signed by {a.printed_name}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from console.services import governance

    with open_workspace(args) as ws:
        items = governance.tier_assessments(ws, args.name)
    if args.json:
        print_json([a.to_json() for a in items])
    elif not items:
        print(f"{args.name} has no tier assessment yet (see `tollgate tier assess --help`).")
    else:
        for a in items:
            print(f"{a.assessed_at:%Y-%m-%d %H:%M} UTC  tier {a.final_tier} (computed {a.computed_tier}, "
                  f"rules v{a.rule_version}) by {a.printed_name}: "
                  + ", ".join(f"{k}={v}" for k, v in a.answers.items()))
    return 0
