"""``tollgate monitor``: prediction logs over time (issue 4; :mod:`console.services.monitoring`).

* ``monitor ingest NAME@VERSION FILE [--timestamp COL] [--prediction COL] [--score COL]
  [--label COL] [--request-id COL] [--timestamp-format FMT] [--timezone TZ]
  [--ignore-extra-columns] [reading options] [--json]``
* ``monitor labels NAME@VERSION FILE --request-id COL --label COL [reading options] [--json]``
* ``monitor run NAME@VERSION [--window 1D|1W|1M|1H|Nrows] [--json] [--fail-on-drift]``
* ``monitor thresholds NAME [--warning PSI --drift PSI] [--exclude COL,COL] [--reason TEXT] [--json]``

Exit codes (DESIGN.md CLI contract): 0 on success -- also when drift is found;
``monitor run --fail-on-drift`` exits 1 when the latest window's status is drift; 2 with
one stderr line on bad input (nothing is written then).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Optional

from console.cli.common import (
    add_table_options,
    format_table,
    login_name,
    open_workspace,
    print_json,
    stderr_progress,
    table_options,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "monitor",
        help="prediction logs over time: ingest logs and labels, compute drift and performance per window",
        description="Monitor a model version over time from its prediction logs: per-window feature drift "
        "against the version's reference profile, prediction drift, and performance where labels exist.",
    )
    msub = p.add_subparsers(dest="monitor_command", metavar="SUBCOMMAND")
    msub.required = True

    ing = msub.add_parser("ingest", help="ingest a CSV/TSV/Parquet file of prediction logs of NAME@VERSION",
                          description="Ingest prediction logs: a timestamp, every feature of the version, the "
                          "prediction, and optionally the score, label and request id. Nothing is stored unless "
                          "the whole file is valid.")
    ing.add_argument("ref", metavar="NAME[@VERSION]")
    ing.add_argument("file", metavar="FILE")
    ing.add_argument("--timestamp", default="timestamp", metavar="COL", help="timestamp column (default: timestamp)")
    ing.add_argument("--prediction", default="prediction", metavar="COL",
                     help="predicted class or value (default: prediction)")
    ing.add_argument("--score", default=None, metavar="COL", help="probability of the positive class (for ROC AUC)")
    ing.add_argument("--label", default=None, metavar="COL",
                     help="true outcome, if known (default: a column named like the version's target)")
    ing.add_argument("--request-id", default=None, metavar="COL", help="unique request id (to join late labels)")
    ing.add_argument("--timestamp-format", default=None, metavar="FMT",
                     help="strptime format of the timestamps, e.g. '%%d/%%m/%%Y %%H:%%M' (default: ISO 8601)")
    ing.add_argument("--timezone", default="UTC", metavar="TZ",
                     help="time zone of timestamps without a UTC offset (default: UTC), e.g. Europe/Berlin")
    ing.add_argument("--ignore-extra-columns", action="store_true", help="drop columns that have no role")
    _common(ing)
    add_table_options(ing)
    ing.set_defaults(func=run_ingest)

    lab = msub.add_parser("labels", help="ingest late-arriving labels, joined by request id",
                          description="Ingest labels that arrived after the predictions; each row's request id "
                          "is matched with a logged prediction of NAME@VERSION.")
    lab.add_argument("ref", metavar="NAME[@VERSION]")
    lab.add_argument("file", metavar="FILE")
    lab.add_argument("--request-id", required=True, metavar="COL", help="request id column")
    lab.add_argument("--label", required=True, metavar="COL", help="label column")
    _common(lab)
    add_table_options(lab)
    lab.set_defaults(func=run_labels)

    run = msub.add_parser("run", help="compute drift and performance per time window",
                          description="Compute per-window feature drift, prediction drift and performance of "
                          "NAME@VERSION's prediction logs and store the run. Windows are in UTC: 1D (day), 1W "
                          "(ISO week), 1M (month), 1H (hour) or Nrows (every N rows in time order). Exit 0 "
                          "whether or not drift is found (1 with --fail-on-drift when the latest window drifted).")
    run.add_argument("ref", metavar="NAME[@VERSION]")
    run.add_argument("--window", default="1M", metavar="RULE", help="1D | 1W | 1M | 1H | Nrows (default: 1M)")
    run.add_argument("--fail-on-drift", action="store_true", help="exit 1 when the latest window's status is drift")
    _common(run)
    run.set_defaults(func=run_run)

    th = msub.add_parser("thresholds", help="show or set a model's PSI alert thresholds",
                         description="Show a model's PSI alert thresholds (default 0.1 warning, 0.25 drift; "
                         "Siddiqi 2006), or set them with --warning and --drift (audited).")
    th.add_argument("ref", metavar="NAME")
    th.add_argument("--warning", type=float, default=None, metavar="PSI")
    th.add_argument("--drift", type=float, default=None, metavar="PSI")
    th.add_argument("--exclude", default=None, metavar="COL,COL",
                    help="feature columns left out of drift monitoring (comma-separated; '' clears)")
    th.add_argument("--reason", default="", help="why the thresholds change (audit trail)")
    _common(th)
    th.set_defaults(func=run_thresholds)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", default=None, help="registry name when NAME exists in several")
    p.add_argument("--user", type=login_name, default=None, metavar="LOGIN",
                   help="acting user recorded in the audit trail")
    p.add_argument("--json", action="store_true", help="print one JSON document")


def _resolve(ws: Any, args: argparse.Namespace):
    return ws.resolve(args.ref, args.source)


def run_ingest(args: argparse.Namespace) -> int:
    from console.services import monitoring

    with open_workspace(args) as ws:
        model, version = _resolve(ws, args)
        res = monitoring.ingest_predictions(
            ws, model.id, version.version, args.file, timestamp_col=args.timestamp, prediction_col=args.prediction,
            label_col=args.label, request_id_col=args.request_id, score_col=args.score,
            timestamp_format=args.timestamp_format, timezone=args.timezone,
            ignore_extra=args.ignore_extra_columns, read_options=table_options(args), actor=args.user,
            progress=None if args.json else stderr_progress())
    if args.json:
        print_json(res.to_json())
        return 0
    if res.duplicate:
        print(f"{args.file}: these {res.rows:,} rows were already ingested for {res.model} v{res.version} "
              f"(batch #{res.batch_id}); nothing was added.")
        return 0
    print(f"Ingested {res.rows:,} predictions of {res.model} v{res.version} from {res.file_name} "
          f"({res.ts_min:%Y-%m-%d %H:%M} – {res.ts_max:%Y-%m-%d %H:%M} UTC; {res.labelled:,} labelled) "
          f"as batch #{res.batch_id}.")
    for note in res.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def run_labels(args: argparse.Namespace) -> int:
    from console.services import monitoring

    with open_workspace(args) as ws:
        model, version = _resolve(ws, args)
        res = monitoring.ingest_labels(ws, model.id, version.version, args.file, request_id_col=args.request_id,
                                       label_col=args.label, read_options=table_options(args), actor=args.user,
                                       progress=None if args.json else stderr_progress())
    if args.json:
        print_json(res.to_json())
    elif res.duplicate:
        print(f"{args.file}: these labels were already ingested (batch #{res.batch_id}); nothing was added.")
    else:
        print(f"Ingested {res.rows:,} labels of {res.model} v{res.version} from {res.file_name}: {res.matched:,} "
              f"match a logged prediction, {res.unmatched:,} do not (yet). Run 'tollgate monitor run' to update "
              "the performance.")
    return 0


def _f(v: Optional[float], digits: int = 3) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def run_run(args: argparse.Namespace) -> int:
    from console.services import monitoring

    with open_workspace(args) as ws:
        model, version = _resolve(ws, args)
        res = monitoring.run_monitoring(ws, model.id, version.version, window=args.window, actor=args.user,
                                        progress=None if args.json else stderr_progress())
    if args.json:
        print_json(res.to_json())
    else:
        rows = []
        for w in res.windows:
            perf = w.performance or {}
            keys = ("accuracy", "roc_auc") if res.task != "regression" else ("rmse", "r2")
            pred = (w.prediction_drift or {}).get("columns") or [{}]
            rows.append([w.label, f"{w.rows:,}", w.status or "-", f"{w.drift['n_drifted']}/{w.drift['n_tested']}",
                         _f(pred[0].get("psi")), f"{w.n_labelled:,}",
                         " ".join(f"{k}={_f(perf.get(k))}" for k in keys) if perf else "-"])
        print(f"{res.model} v{res.version}: {len(res.windows)} windows ({res.window_rule}, UTC), reference profile "
              f"{res.profile_fingerprint[:12]}…, PSI thresholds {res.thresholds.psi_warning:g}/"
              f"{res.thresholds.psi_drift:g}")
        print(format_table(["WINDOW", "ROWS", "STATUS", "DRIFTED", "PRED PSI", "LABELLED", "PERFORMANCE"], rows))
        print(f"Latest window: {res.latest_status or 'not computed'}. Stored as drift run #{res.run_id}.")
        if res.findings_opened:
            print(f"Opened finding(s) #{', #'.join(map(str, res.findings_opened))} (drift).")
    return 1 if (args.fail_on_drift and res.latest_status == "drift") else 0


def run_thresholds(args: argparse.Namespace) -> int:
    from console.services import monitoring

    with open_workspace(args) as ws:
        model = ws.find_model(args.ref, args.source)
        if args.warning is None and args.drift is None and args.exclude is None:
            th = monitoring.get_thresholds(ws, model.id)
        else:
            excl = None if args.exclude is None else [c for c in args.exclude.split(",") if c.strip()]
            th = monitoring.set_thresholds(ws, model.id, psi_warning=args.warning, psi_drift=args.drift,
                                           exclude_columns=excl, actor=args.user, reason=args.reason)
    if args.json:
        print_json({"model": model.name, "psi_warning": th.psi_warning, "psi_drift": th.psi_drift,
                    "excluded_columns": list(th.excluded), "default": th.is_default, "updated_by": th.updated_by,
                    "updated_at": th.updated_at})
    else:
        print(f"{model.name}: PSI warning >= {th.psi_warning:g}, drift >= {th.psi_drift:g}"
              + (f"; not monitored: {', '.join(th.excluded)}" if th.excluded else "")
              + (" (defaults)" if th.is_default else f" (set by {th.updated_by})"))
    return 0
