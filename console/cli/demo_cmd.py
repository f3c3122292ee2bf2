"""``tollgate demo``: build (idempotently) the demo workspace from the shipped data."""

from __future__ import annotations

import argparse
import sys

from console.cli.common import open_workspace, print_json, stderr_progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="build the demo workspace (real models on UCI Bank Marketing and Adult data)",
        description="Train, register, validate and monitor the demo models in the workspace. "
        "Idempotent: running it again adds nothing that is already there.",
    )
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from console.services.demo import build_demo

    with open_workspace(args) as ws:
        summary = build_demo(ws, progress=None if args.json else stderr_progress())
        summary["workspace"] = ws.label
    if args.json:
        print_json(summary)
    else:
        print(
            f"Demo workspace ready: {ws.label}\n"
            f"  {summary['models']} models; added {summary['versions_added']} versions, "
            f"{summary['validations_added']} validation runs, {summary['drift_runs_added']} drift runs "
            f"in {summary['seconds']:.1f} s"
        )
        print("  Open it with:  tollgate" + (f" --workspace {args.workspace}" if args.workspace else ""), file=sys.stdout)
    return 0
