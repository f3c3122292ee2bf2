"""``tollgate models …``: the inventory and one model (DESIGN.md JSON shapes), and:

* ``models register NAME FILE --data TRAIN --target COL [--holdout FILE]
  [--tier N --task T --owner TEXT] [--trust-sha256 HEX] [--user LOGIN]``: a model file
  (skops; a pickle/joblib file only once trusted) as a new version;
* ``models trust FILE [--sha256 HEX] --user LOGIN``: trust a pickle/joblib file's exact
  bytes (audited with its SHA-256; a changed file is refused again);
* ``models protect NAME --attributes sex,race,age --user LOGIN``: the protected
  attributes the fairness checks judge the model on (audited).

Exit 0 done, 1 refused (role; audited), 2 bad input.
"""

from __future__ import annotations

import argparse

from console.cli.common import (
    add_table_options,
    format_table,
    login_name,
    open_workspace,
    print_json,
    read_passwords,
    table_options,
)
from console.domain.models import ModelDetail


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="list the model inventory or show one model")
    msub = p.add_subparsers(dest="models_command", metavar="SUBCOMMAND", required=True)
    pl = msub.add_parser("list", help="the inventory: every registered model")
    pl.add_argument("--json", action="store_true", help="print a JSON array")
    pl.set_defaults(func=run_list)
    ps = msub.add_parser("show", help="one model with its versions")
    ps.add_argument("name", metavar="NAME", help="the model's exact name")
    ps.add_argument("--source", default=None, help="registry name when NAME exists in several")
    ps.add_argument("--json", action="store_true", help="print a JSON object")
    ps.set_defaults(func=run_show)
    pr = msub.add_parser("register", help="register a model file as a new version (skops; pickle only if trusted)")
    pr.add_argument("name", metavar="NAME", help="the model (created when new: give --tier and --task)")
    pr.add_argument("file", metavar="FILE", help="the fitted model: .skops, or a trusted pickle/joblib file")
    pr.add_argument("--data", required=True, metavar="TRAIN", help="training data with the target (CSV/TSV/Parquet)")
    pr.add_argument("--target", required=True, metavar="COL", help="the label column of the training data")
    pr.add_argument("--holdout", default=None, metavar="FILE", help="labelled holdout set recorded for validation")
    pr.add_argument("--training-data-at", default=None, metavar="ISO_TIME",
                    help="when the training data was extracted (UTC, e.g. 2026-06-30); default: now")
    pr.add_argument("--tier", type=int, choices=(1, 2, 3), default=None, help="risk tier of a new model")
    pr.add_argument("--task", choices=("classification", "regression"), default=None, help="task of a new model")
    pr.add_argument("--owner", default="", help="owner of a new model")
    pr.add_argument("--description", default="", help="what this version is")
    pr.add_argument("--trust-sha256", default=None, metavar="HEX",
                    help="trust this pickle/joblib file now: its SHA-256 must be HEX (needs --user and a password)")
    pr.add_argument("--reason", default="", help="why the file is trusted (with --trust-sha256)")
    pr.add_argument("--source", default=None, help="registry name when NAME exists in several")
    pr.add_argument("--user", type=login_name, default=None, metavar="LOGIN", help="acting user (audit trail)")
    pr.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    pr.add_argument("--json", action="store_true", help="print the new version as JSON")
    add_table_options(pr)
    pr.set_defaults(func=run_register)
    pt = msub.add_parser("trust", help="trust a pickle/joblib model file (its exact SHA-256; audited)")
    pt.add_argument("file", metavar="FILE")
    pt.add_argument("--sha256", default=None, metavar="HEX", help="refuse unless the file has this SHA-256")
    pt.add_argument("--reason", default="", help="why it is trusted (e.g. who built it, how it was checked)")
    pt.add_argument("--user", type=login_name, required=True, metavar="LOGIN")
    pt.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    pt.add_argument("--json", action="store_true")
    pt.set_defaults(func=run_trust)
    pp = msub.add_parser("protect", help="declare a model's protected attributes (fairness checks; audited)")
    pp.add_argument("name", metavar="NAME")
    pp.add_argument("--attributes", required=True, metavar="COL[,COL]",
                    help="column names, e.g. sex,race,age (an empty string clears them)")
    pp.add_argument("--reason", default="")
    pp.add_argument("--source", default=None, help="registry name when NAME exists in several")
    pp.add_argument("--user", type=login_name, required=True, metavar="LOGIN")
    pp.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    pp.add_argument("--json", action="store_true")
    pp.set_defaults(func=run_protect)


def run_list(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        models = ws.list_models()
    if args.json:
        print_json([m.to_json() for m in models])
        return 0
    rows = [
        [
            m.name,
            m.owner,
            str(m.risk_tier),
            m.status.value,
            m.champion_version or "-",
            str(m.versions),
            m.last_validation or "-",
            m.drift_status.value if m.drift_status else "-",
            m.source,
        ]
        for m in models
    ]
    print(format_table(["NAME", "OWNER", "TIER", "STATUS", "CHAMPION", "VERSIONS", "VALIDATION", "DRIFT", "SOURCE"], rows))
    print(f"{len(models)} models")
    return 0


def detail_json(d: ModelDetail) -> dict:
    """The ``models show --json`` object: the list fields plus ``version_details``."""
    out = d.summary.to_json()
    out.update(
        {
            "description": d.model.description,
            "business_unit": d.model.business_unit,
            "use_case": d.model.use_case,
            "intended_use": d.model.intended_use,
            "restrictions": d.model.restrictions,
            "protected_attributes": list(d.model.protected_attributes),
            "version_details": [
                {
                    "version": str(v.version),
                    "created_at": v.created_at,
                    "created_by": v.created_by,
                    "metrics": v.metrics,
                    "artifact_sha256": v.artifact_sha256,
                    "data_sha256": v.data_sha256,
                    "training_sha256": v.training_sha256,
                    "training_data_at": v.training_data_at,
                    "source_format": v.source_format or ("skops" if v.artifact_sha256 else None),
                    "source_sha256": v.source_sha256,
                    "aliases": list(v.aliases),
                    # Registry mirror (pulled versions; null for local ones).
                    "external_version": v.external_version,
                    "run_id": v.run_id,
                    "source_uri": v.source_uri,
                    "changed_on_server_at": v.changed_on_server_at,
                    "deleted_on_server_at": v.deleted_on_server_at,
                    "description": v.description,
                    "tags": dict(v.tags),
                    # params, metrics, dataset inputs and run info of the registry's run
                    "lineage": v.lineage,
                }
                for v in d.versions
            ],
            "task": d.model.task.value,
            "tags": dict(d.model.tags),
            "registry_aliases": [
                {"name": a.name, "source": a.source, "version": a.external_version, "broken": a.broken,
                 "conflict": a.conflict}
                for a in d.registry_aliases
            ],
        }
    )
    return out


def run_show(args: argparse.Namespace) -> int:
    with open_workspace(args) as ws:
        d = ws.get_model(args.name, args.source)
    if args.json:
        print_json(detail_json(d))
        return 0
    s = d.summary
    print(f"{d.model.name}  (source: {s.source})")
    print(f"  owner {s.owner or '-'} · risk tier {s.risk_tier} · status {s.status.value} · champion {s.champion_version or '-'}")
    print(f"  last validation: {s.last_validation or '-'} · drift status: {s.drift_status.value if s.drift_status else '-'}")
    if s.source_status:
        synced = s.synced_at.strftime("%Y-%m-%d %H:%M UTC") if s.synced_at else "never"
        flags = " · CHANGED ON SERVER" if s.changed_on_server_at else ""
        flags += " · DELETED ON SERVER" if s.deleted_on_server_at else ""
        state = s.source_status
        if state == "offline" and d.registry is not None:
            why = {"unreachable": "server unreachable", "auth": "credentials refused",
                   "error": "the server answered with an error"}.get(d.registry.last_sync_status or "", "failed")
            state = f"not refreshed (last sync: {why}; this is the copy pulled before)"
        print(f"  task {d.model.task.value} · registry {d.model.source}: {state} · last synced {synced}{flags}")
    if d.model.description:
        print(f"  {d.model.description}")
    if d.model.tags:
        print("  tags: " + ", ".join(f"{k}={v}" for k, v in sorted(d.model.tags.items())))
    rows = [
        [
            str(v.version),
            ",".join(v.aliases) or "-",
            v.estimator_class,
            v.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            v.created_by,
            " ".join(f"{k}={val:.4f}" for k, val in sorted(v.metrics.items()) if isinstance(val, (int, float))),
            (v.artifact_sha256 or "not imported")[:12]
            + (" (deleted on server)" if v.deleted_on_server_at else "")
            + (" (changed on server)" if v.changed_on_server_at and not v.deleted_on_server_at else ""),
        ]
        for v in d.versions
    ]
    print(format_table(["VERSION", "ALIASES", "ESTIMATOR", "CREATED", "BY", "METRICS", "ARTIFACT"], rows))
    for v in d.versions:
        if v.pulled:
            print(_lineage_line(v))
    for a in d.registry_aliases:
        target = f"version {a.external_version}"
        state = " BROKEN: that version was deleted on the server" if a.broken else ""
        print(f"  registry alias '{a.name}' ({a.source}) -> {target}{state}")
        if a.conflict:
            print(f"    differs from Tollgate: {a.conflict}")
    return 0


def _lineage_line(v) -> str:
    """One line of a pulled version's registry lineage: run, params, datasets, tags."""
    lin = v.lineage or {}
    parts = [f"  v{v.version} = registry version {v.external_version}"]
    if v.run_id:
        parts.append(f"run {v.run_id}")
    params = lin.get("params") or {}
    if params:
        parts.append("params " + ", ".join(f"{k}={params[k]}" for k in sorted(params)))
    datasets = lin.get("datasets") or []
    if datasets:
        parts.append("datasets " + ", ".join(
            f"{d.get('name') or '?'} ({d.get('context') or 'input'}, digest {d.get('digest') or '?'})" for d in datasets))
    if v.tags:
        parts.append("tags " + ", ".join(f"{k}={val}" for k, val in sorted(v.tags.items())))
    return " · ".join(parts)


def _authenticate(ws, args, what: str):
    from console.services import governance

    (pw,) = read_passwords(args, [f"password of {args.user} ({what})"])
    return governance.authenticate(ws, args.user, pw)


def _utc_time(text: str):
    from datetime import datetime, timezone

    from console.errors import InputError

    try:
        t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--training-data-at {text!r}: write an ISO date or time, e.g. 2026-06-30 or "
                         "2026-06-30T12:00:00+00:00") from None
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


def run_register(args: argparse.Namespace) -> int:
    from pathlib import Path

    from console.domain.models import TaskType
    from console.errors import InputError, NotFoundError
    from console.monitoring.io import read_table
    from console.services import validation
    from console.services.workspace import default_actor

    if args.trust_sha256 is not None and args.user is None:
        raise InputError("--trust-sha256 records who trusts the file: give --user LOGIN (and the password)")
    at = _utc_time(args.training_data_at) if args.training_data_at else None
    train = read_table(Path(args.data), **table_options(args))
    holdout = read_table(Path(args.holdout), **table_options(args)) if args.holdout else None
    if args.target not in train.columns:
        from console.errors import few_names

        raise InputError(f"target column {args.target!r} is not in {args.data} (columns: {few_names(train.columns, 12)})")
    with open_workspace(args) as ws:
        trust_by = _authenticate(ws, args, f"trusting {Path(args.file).name}") if args.trust_sha256 else None
        actor = args.user or default_actor()
        # The file is loaded (and a pickle checked for trust) before anything is written.
        estimator, fmt, sha = validation.load_model_file(ws, args.file, actor=actor, trust_by=trust_by,
                                                         trust_sha256=args.trust_sha256, trust_reason=args.reason)
        try:
            model = ws.find_model(args.name, args.source)
        except NotFoundError:
            if args.tier is None or args.task is None:
                raise InputError(f"no model named {args.name!r} yet: give --tier N and --task "
                                 "classification|regression to create it") from None
            model = ws.register_model(name=args.name, owner=args.owner, risk_tier=args.tier,
                                      task=TaskType(args.task), actor=actor)
        v = ws.register_version(model.id, estimator=estimator, training_data=train, target_column=args.target,
                                holdout=holdout, description=args.description, actor=actor, training_data_at=at,
                                source_format=fmt, source_sha256=sha if fmt else None)
    doc = {"model": model.name, "version": str(v.version), "artifact_sha256": v.artifact_sha256,
           "source_format": v.source_format or "skops", "source_sha256": v.source_sha256,
           "data_sha256": v.data_sha256, "training_sha256": v.training_sha256,
           "holdout_sha256": v.holdout_sha256, "training_data_at": v.training_data_at}
    if args.json:
        print_json(doc)
    else:
        how = f"from trusted pickle {v.source_sha256[:12]}…, stored as skops" if v.source_format == "pickle" else "skops"
        print(f"{model.name} v{v.version} registered ({how}; artifact {v.artifact_sha256[:12]}…)")
    return 0


def run_trust(args: argparse.Namespace) -> int:
    from pathlib import Path

    from console.errors import InputError
    from console.services import validation

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read model file {path}: {exc.strerror or exc}") from None
    with open_workspace(args) as ws:
        by = _authenticate(ws, args, f"trusting {path.name}")
        t = validation.trust_artifact(ws, data, path.name, by=by, reason=args.reason, expected_sha256=args.sha256)
    if args.json:
        print_json(t.to_json())
    else:
        print(f"{t.file_name} (SHA-256 {t.sha256}) trusted by {t.trusted_by} at {t.trusted_at:%Y-%m-%d %H:%M} UTC; "
              "recorded in the audit trail. A changed file is refused again.")
    return 0


def run_protect(args: argparse.Namespace) -> int:
    from console.services import validation

    attrs = [a.strip() for a in args.attributes.split(",") if a.strip()]
    with open_workspace(args) as ws:
        by = _authenticate(ws, args, f"declaring protected attributes of {args.name}")
        names = validation.set_protected_attributes(ws, args.name, attrs, by=by, reason=args.reason,
                                                    source=args.source)
    if args.json:
        print_json({"model": args.name, "protected_attributes": list(names)})
    else:
        print(f"{args.name}: protected attributes " + (", ".join(names) if names else "none")
              + "; recorded in the audit trail.")
    return 0
