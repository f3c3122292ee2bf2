"""The headless ``tollgate`` command line (same services as the GUI).

Contract (DESIGN.md): ``tollgate [--workspace PATH|URL] [COMMAND]``; exit 0 on success,
2 with one clear stderr line on bad input or an unreachable resource (never a
traceback); ``--json`` prints exactly one JSON document.  Each subcommand lives in its
own module exposing ``register(subparsers)`` which sets ``func`` on its parser;
``func(args) -> int`` returns the exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from typing import NoReturn, Optional, Sequence

from console import __version__
from console.errors import PermissionDenied, TollgateError

_COMMAND_MODULES = ("gui", "demo", "models", "drift", "validate", "report", "workspace", "registry", "audit",
                    "users", "raci", "approvals", "findings", "tier", "monitor", "validation")


class _Parser(argparse.ArgumentParser):
    """argparse with the CLI contract's error form: one stderr line, exit 2."""

    def error(self, message: str) -> "NoReturn":  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="tollgate",
        description="Tollgate: governance and monitoring console for machine-learning models.",
    )
    p.add_argument("--version", action="version", version=f"tollgate {__version__}")
    p.add_argument(
        "--workspace",
        metavar="PATH|URL",
        default=None,
        help="workspace: a SQLite file (created if absent) or a SQLAlchemy URL; "
        "default: the workspace in the user data directory",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    import importlib

    for name in _COMMAND_MODULES:
        mod = importlib.import_module(f"console.cli.{name}_cmd")
        mod.register(sub)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``tollgate`` console script; returns the exit code."""
    from console.monitoring import prefer_fast_sort

    prefer_fast_sort()  # before anything imports numpy (see its docstring)
    for stream in (sys.stdout, sys.stderr):
        try:  # names in any script must not crash a console with a legacy code page
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    if not os.environ.get("TOLLGATE_DEBUG"):
        # Library warnings (numpy overflow on extreme values, scikit-learn notices) are not
        # for the user: results carry null plus a reason where a statistic is undefined.
        warnings.simplefilter("ignore")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args.command = "gui"
        from console.cli import gui_cmd

        args.func = gui_cmd.run
        args.screenshot = None
    try:
        if args.workspace:
            from console.store.db import url_password_warning

            warning = url_password_warning(args.workspace)
            if warning:
                print(warning, file=sys.stderr)
        code = int(args.func(args) or 0)
    except PermissionDenied as exc:  # a rule refused the action (audited): exit 1
        print(f"tollgate: {_one_line(str(exc))}", file=sys.stderr)
        code = 1
    except TollgateError as exc:
        print(f"tollgate: error: {_one_line(str(exc))}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print("tollgate: interrupted; nothing was saved.", file=sys.stderr)
        code = 130
    except BrokenPipeError:
        code = 0
    except Exception as exc:  # a bug: still one line, never a traceback for the user
        if os.environ.get("TOLLGATE_DEBUG"):
            raise
        print(
            f"tollgate: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
            "(set TOLLGATE_DEBUG=1 for details and report it)",
            file=sys.stderr,
        )
        code = 3
    sys.stdout.flush()
    return code


def _one_line(text: str) -> str:
    """Collapse a message to one line (the contract: one clear stderr line)."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
