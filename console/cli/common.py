"""Helpers shared by the CLI subcommands: JSON output and input-file options."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from console.jsonutil import json_safe


def print_json(obj: Any) -> None:
    """Print exactly one JSON document on stdout (NaN/inf -> null)."""
    enc = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    ascii_only = enc not in ("utf8", "utf8sig", "utf16", "utf32")  # \u escapes survive any code page
    sys.stdout.write(json.dumps(json_safe(obj), ensure_ascii=ascii_only, allow_nan=False, indent=2))
    sys.stdout.write("\n")


def add_table_options(p: argparse.ArgumentParser) -> None:
    """Options for reading CSV/TSV/Parquet files (DESIGN.md, Reading tabular files)."""
    g = p.add_argument_group("reading text files")
    g.add_argument("--sep", default=None, help="column separator (default: sniffed among , ; tab |)")
    g.add_argument("--encoding", default="utf-8", help="text encoding (default: UTF-8, BOM allowed)")
    g.add_argument("--decimal", default=".", help="decimal mark, e.g. ',' for European numbers")
    g.add_argument("--thousands", default=None, help="thousands separator, e.g. '.'")
    g.add_argument("--skip-rows", type=int, default=0, metavar="N", help="skip N preamble lines")
    g.add_argument("--no-header", action="store_true", help="the first row is data; columns are named by position")


def table_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments for :func:`console.monitoring.io.read_table` from ``args``."""
    return {
        "sep": args.sep,
        "encoding": args.encoding,
        "decimal": args.decimal,
        "thousands": args.thousands,
        "skip_rows": args.skip_rows,
        "header": not args.no_header,
    }


def open_workspace(args: argparse.Namespace):
    """Open the workspace named by the global ``--workspace`` option (default: the
    user's default workspace)."""
    from console.services.workspace import Workspace

    return Workspace.open(getattr(args, "workspace", None))


def stderr_progress():
    """A progress callback printing one line per step on stderr, or ``None`` when
    stderr is not a terminal (pipelines get quiet output)."""
    if not sys.stderr.isatty():
        return None
    last = {"msg": None}

    def progress(fraction: float, message: str) -> None:
        if message != last["msg"]:
            last["msg"] = message
            sys.stderr.write(f"\r\033[K[{fraction * 100:3.0f}%] {message}")
            if fraction >= 1.0:
                sys.stderr.write("\n")
            sys.stderr.flush()

    return progress


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """Plain aligned text table (no colours: pipe-friendly)."""
    widths = [len(h) for h in headers]
    for r in rows:
        for i, cell in enumerate(r):
            widths[i] = max(widths[i], len(cell))
    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()
    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


def login_name(value: str) -> str:
    """argparse type for ``--user LOGIN``: 1–100 printable characters, no line breaks."""
    text = value.strip()
    if not text:
        raise argparse.ArgumentTypeError("--user needs a login name")
    if len(text) > 100 or any(not ch.isprintable() for ch in text):
        raise argparse.ArgumentTypeError("--user must be 1-100 printable characters without line breaks")
    return text


def read_passwords(args: argparse.Namespace, prompts: list[str], *, confirm_last: bool = False) -> list[str]:
    """Read one password per prompt (DESIGN.md CLI contract): with ``--password-stdin``
    one line of stdin each, in the order of ``prompts``; otherwise from a TTY prompt
    (``getpass``; ``confirm_last`` asks the last one twice).  Without a TTY and without
    the flag, raises :class:`console.errors.InputError` saying what to pass."""
    import getpass

    from console.errors import InputError

    if getattr(args, "password_stdin", False):
        lines = sys.stdin.read().splitlines()
        if len(lines) < len(prompts):
            raise InputError(f"--password-stdin expects {len(prompts)} line(s) on stdin: "
                             + "; ".join(prompts) + f" (got {len(lines)})")
        return lines[: len(prompts)]
    if not sys.stdin.isatty():
        raise InputError("a password is needed and stdin is not a terminal: pass --password-stdin and write "
                         + " then ".join(prompts) + ", one per line, to stdin")
    out = [getpass.getpass(f"{p}: ") for p in prompts]
    if confirm_last and out and getpass.getpass(f"{prompts[-1]} (again): ") != out[-1]:
        raise InputError("the two passwords differ; nothing was changed")
    return out
