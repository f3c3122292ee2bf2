"""``tollgate models list|show``: the inventory and one model (DESIGN.md JSON shapes)."""

from __future__ import annotations

import argparse

from console.cli.common import format_table, open_workspace, print_json
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
            "version_details": [
                {
                    "version": str(v.version),
                    "created_at": v.created_at,
                    "created_by": v.created_by,
                    "metrics": v.metrics,
                    "artifact_sha256": v.artifact_sha256,
                    "data_sha256": v.data_sha256,
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
