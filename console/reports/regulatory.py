"""The regulatory mapping appendix: where each requirement is evidenced, and the gaps.

For every requirement of

* **SR 11-7** -- Board of Governors of the Federal Reserve System, *Supervisory Guidance
  on Model Risk Management*, SR Letter 11-7 (4 April 2011; OCC Bulletin 2011-12):
  section III (model development, implementation and use), V (model validation:
  evaluation of conceptual soundness, ongoing monitoring, outcomes analysis), VI
  (governance, policies and controls; model inventory);
* **PRA SS1/23** -- Prudential Regulation Authority, *Model risk management principles
  for banks* (May 2023), principles 1 to 5;
* **EU AI Act Annex IV** -- Regulation (EU) 2024/1689, Annex IV "Technical documentation
  referred to in Article 11(1)", items 1 to 9;
* **21 CFR Part 11** -- US FDA, Electronic Records; Electronic Signatures: §11.10(e)
  audit trails, §11.50 signature manifestations, §11.70 signature/record linking,
  §11.200 electronic signature components and controls;

the appendix lists the report sections (with their pages) that evidence it, a status
(EVIDENCED / PARTIAL / GAP) and the gaps computed from this model's facts (a missing
owner, no validation run, signatures without printed names ...), never a fixed text.
The same rows go into the JSON evidence attachment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping, Optional, Sequence

__all__ = ["Requirement", "MODEL_REQUIREMENTS", "INVENTORY_REQUIREMENTS", "evaluate", "FRAMEWORKS"]

FRAMEWORKS = {
    "SR 11-7": "Federal Reserve SR 11-7 / OCC 2011-12, Supervisory Guidance on Model Risk Management (2011)",
    "PRA SS1/23": "Prudential Regulation Authority SS1/23, Model risk management principles for banks (2023)",
    "EU AI Act Annex IV": "Regulation (EU) 2024/1689 (AI Act), Annex IV: technical documentation (Art. 11(1))",
    "21 CFR Part 11": "US FDA 21 CFR Part 11, Electronic Records; Electronic Signatures",
}

Gap = tuple[str, bool]  # (text, fundamental: nothing evidences the requirement)


@dataclass(frozen=True)
class Requirement:
    """One requirement: framework, reference, short title, the report section keys that
    evidence it, and ``gaps(facts) -> [(text, fundamental)]``."""

    framework: str
    ref: str
    title: str
    sections: tuple[str, ...]
    gaps: Callable[[Mapping[str, Any]], list[Gap]]


def _g(*items: tuple[bool, str, bool]) -> list[Gap]:
    return [(text, fundamental) for cond, text, fundamental in items if cond]


# ----------------------------------------------------------------------------- model facts -> gaps
# ``facts`` keys (see console.reports.audit.model_facts): description, intended_use,
# restrictions, owner, tier, tier_assessed, versions, artifact_missing (list of version
# numbers), training_data_missing, holdout_missing, hyperparameters, validation_runs,
# validated_version, validation_passed, families (list), failing_blocking (list of ids),
# checks_without_description (int), checks_without_source (int), independent_validation
# (bool | None), drift_runs, drift_status, revalidation_due (iso | None),
# revalidation_overdue (bool), findings_open, findings_open_high, findings_open_unowned,
# raci_roles_without_people (list), approvals, signatures, signatures_unverified (list),
# signatures_without_name (int), audit_events, chain_intact, chain_reason.


def _dev(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (not f["versions"], "no model version is registered", True),
        (not f["description"], "no model description (purpose) recorded", False),
        (not f["intended_use"], "intended use not recorded", False),
        (not f["restrictions"], "restrictions on use not recorded", False),
        (bool(f["training_data_missing"]),
         f"no training data fingerprint for version(s) {_vs(f['training_data_missing'])}", False),
        (bool(f["artifact_missing"]),
         f"no model artifact held for version(s) {_vs(f['artifact_missing'])} (pulled from a registry)", False),
        (f["versions"] and not f["hyperparameters"], "no hyperparameters recorded for the governed version", False),
    )


def _vs(items: Sequence[Any]) -> str:
    items = list(items)
    return ", ".join(str(i) for i in items[:8]) + (f" (+{len(items) - 8})" if len(items) > 8 else "")


def _soundness(f: Mapping[str, Any]) -> list[Gap]:
    fam = set(f["families"])
    return _g(
        (not f["validation_runs"], "no validation run recorded", True),
        (f["validation_runs"] and not ({"baseline", "importance"} & fam),
         "no baseline-comparison or feature-importance evidence in the latest run", False),
        (f["validation_runs"] and "data" not in fam, "no data-quality check in the latest run", False),
        (f["checks_without_description"] > 0,
         f"{f['checks_without_description']} check(s) carry no description of the method", False),
        (f["checks_without_source"] > 0,
         f"{f['checks_without_source']} check(s) carry no source of method or threshold", False),
        (f["independent_validation"] is False,
         "the latest validation was run by the author of the version (no independent validation)", False),
    )


def _monitoring(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (not f["drift_runs"], "no drift monitoring run recorded", True),
        (f["drift_status"] == "drift", "the latest drift window is in DRIFT", False),
        (f["revalidation_overdue"], f"revalidation was due {f['revalidation_due']} (tier interval exceeded)", False),
    )


def _outcomes(f: Mapping[str, Any]) -> list[Gap]:
    fam = set(f["families"])
    return _g(
        (not f["validation_runs"], "no validation run recorded", True),
        (f["validation_runs"] and "performance" not in fam, "no performance check in the latest run", True),
        (bool(f["failing_blocking"]), f"blocking check(s) failing: {_vs(f['failing_blocking'])}", False),
    )


def _governance(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (bool(f["raci_roles_without_people"]),
         f"RACI roles with nobody assigned: {_vs(f['raci_roles_without_people'])}", False),
        (not f["approvals"], "no approval request recorded for this model", False),
        (f["findings_open_high"] > 0, f"{f['findings_open_high']} open high-severity finding(s)", False),
        (f["findings_open_unowned"] > 0,
         f"{f['findings_open_unowned']} open finding(s) without an owner", False),
    )


def _inventory_rec(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (not f["owner"], "no model owner recorded", True),
        (not f["tier_assessed"], f"risk tier {f['tier']} set without a tier questionnaire", False),
        (not f["description"], "no model description (purpose) recorded", False),
    )


def _classification(f: Mapping[str, Any]) -> list[Gap]:
    return _g((not f["tier_assessed"], f"risk tier {f['tier']} set without a signed tier questionnaire", False))


def _independent(f: Mapping[str, Any]) -> list[Gap]:
    return _soundness(f)[:1] + _g(
        (f["independent_validation"] is False, "validated by the version's author (no independence)", False),
        (f["validation_passed"] is False, "the latest validation run failed", False),
        (f["revalidation_overdue"], f"periodic revalidation overdue since {f['revalidation_due']}", False),
    )


def _mitigants(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (not f["restrictions"], "restrictions on use (a mitigant) not recorded", False),
        (f["findings_open_unowned"] > 0, f"{f['findings_open_unowned']} open finding(s) without an owner", False),
        (f["findings_open_high"] > 0, f"{f['findings_open_high']} open high-severity finding(s)", False),
        (not f["drift_runs"], "no drift monitoring run recorded", False),
    )


def _annex_general(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (not f["description"], "intended purpose (description) not recorded", True),
        (not f["intended_use"], "intended use not recorded", False),
        (not f["versions"], "no version recorded", False),
    )


def _annex_development(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (not f["versions"], "no version recorded", True),
        (bool(f["training_data_missing"]), f"training data not fingerprinted for version(s) "
                                           f"{_vs(f['training_data_missing'])}", False),
        (bool(f["holdout_missing"]), f"no holdout (test) set recorded for version(s) {_vs(f['holdout_missing'])}",
         False),
        (f["versions"] and not f["hyperparameters"], "design choices (hyperparameters) not recorded", False),
    )


def _annex_monitoring(f: Mapping[str, Any]) -> list[Gap]:
    fam = set(f["families"])
    return _g(
        (not f["restrictions"], "limitations / restrictions on use not recorded", False),
        (not f["validation_runs"], "no validation run: accuracy and limitations not documented", True),
        (f["validation_runs"] and "fairness" not in fam,
         "no fairness check: accuracy for specific groups of persons not documented", False),
    )


def _annex_metrics(f: Mapping[str, Any]) -> list[Gap]:
    fam = set(f["families"])
    return _g(
        (not f["validation_runs"], "no validation run", True),
        (f["validation_runs"] and "performance" not in fam, "no performance metrics in the latest run", True),
    )


def _annex_risk(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (not f["tier_assessed"], "risk classification not documented by a tier questionnaire", False),
        (f["findings_open_high"] > 0, f"{f['findings_open_high']} open high-severity finding(s)", False),
        (bool(f["raci_roles_without_people"]), "RACI roles without people", False),
    )


def _annex_changes(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (not f["audit_events"], "no audit event recorded for this model", True),
        (f["versions"] <= 1, "a single version: no lifecycle change to document yet", False),
    )


def _annex_standards(f: Mapping[str, Any]) -> list[Gap]:
    return [("no harmonised standards or common specifications are recorded for this model in Tollgate", True)]


def _annex_declaration(f: Mapping[str, Any]) -> list[Gap]:
    return [("no EU declaration of conformity is held in Tollgate for this model", True)]


def _annex_pmm(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (not f["drift_runs"], "no post-market monitoring (drift) run recorded", True),
        (f["revalidation_overdue"], "revalidation overdue", False),
    )


def _p11_audit(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (not f["audit_events"], "no audit event recorded for this model", True),
        (f["chain_intact"] is False, f"audit chain BROKEN: {f['chain_reason']}", True),
        (f["chain_intact"] is None, "the audit chain was not verified for this report", False),
    )


def _p11_manifest(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (not f["signatures"], "no electronic signature recorded for this model", True),
        (f["signatures_without_name"] > 0, f"{f['signatures_without_name']} signature(s) without a printed name",
         False),
    )


def _p11_linking(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (not f["signatures"], "no electronic signature recorded for this model", True),
        (bool(f["signatures_unverified"]),
         f"signatures that do not verify on request(s) {_vs(f['signatures_unverified'])}", True),
    )


def _p11_components(f: Mapping[str, Any]) -> list[Gap]:
    return _g((not f["signatures"], "no electronic signature recorded for this model", True))


MODEL_REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("SR 11-7", "III", "Model development, implementation and use",
                ("sec-card", "sec-versions", "sec-lineage", "sec-hyper"), _dev),
    Requirement("SR 11-7", "V.1", "Validation: evaluation of conceptual soundness",
                ("sec-validation", "sec-evidence"), _soundness),
    Requirement("SR 11-7", "V.2", "Validation: ongoing monitoring", ("sec-drift",), _monitoring),
    Requirement("SR 11-7", "V.3", "Validation: outcomes analysis (performance vs realised outcomes)",
                ("sec-validation", "sec-evidence"), _outcomes),
    Requirement("SR 11-7", "VI", "Governance, policies and controls (roles, approvals, findings)",
                ("sec-raci", "sec-approvals", "sec-findings"), _governance),
    Requirement("SR 11-7", "VI (inventory)", "Model inventory record", ("sec-card", "sec-versions"), _inventory_rec),
    Requirement("PRA SS1/23", "Principle 1", "Model identification and model risk classification",
                ("sec-card", "sec-tier"), _classification),
    Requirement("PRA SS1/23", "Principle 2", "Governance", ("sec-raci", "sec-approvals"), _governance),
    Requirement("PRA SS1/23", "Principle 3", "Model development, implementation and use",
                ("sec-versions", "sec-lineage", "sec-hyper"), _dev),
    Requirement("PRA SS1/23", "Principle 4", "Independent model validation",
                ("sec-validation", "sec-evidence"), _independent),
    Requirement("PRA SS1/23", "Principle 5", "Model risk mitigants",
                ("sec-findings", "sec-drift", "sec-card"), _mitigants),
    Requirement("EU AI Act Annex IV", "1", "General description of the AI system (purpose, provider, versions)",
                ("sec-card", "sec-versions"), _annex_general),
    Requirement("EU AI Act Annex IV", "2", "Elements and development process (methods, design, data)",
                ("sec-versions", "sec-lineage", "sec-hyper"), _annex_development),
    Requirement("EU AI Act Annex IV", "3", "Monitoring, functioning and control (capabilities, limitations, "
                "accuracy for groups)", ("sec-card", "sec-fairness", "sec-evidence"), _annex_monitoring),
    Requirement("EU AI Act Annex IV", "4", "Appropriateness of the performance metrics",
                ("sec-validation", "sec-evidence"), _annex_metrics),
    Requirement("EU AI Act Annex IV", "5", "Risk management system (Article 9)",
                ("sec-tier", "sec-findings", "sec-raci"), _annex_risk),
    Requirement("EU AI Act Annex IV", "6", "Relevant changes made through the lifecycle",
                ("sec-versions", "sec-audit"), _annex_changes),
    Requirement("EU AI Act Annex IV", "7", "Harmonised standards / other solutions applied", (), _annex_standards),
    Requirement("EU AI Act Annex IV", "8", "Copy of the EU declaration of conformity", (), _annex_declaration),
    Requirement("EU AI Act Annex IV", "9", "Post-market monitoring plan (Article 72)", ("sec-drift",), _annex_pmm),
    Requirement("21 CFR Part 11", "§11.10(e)", "Secure, computer-generated, time-stamped audit trails",
                ("sec-audit", "sec-audit-chain"), _p11_audit),
    Requirement("21 CFR Part 11", "§11.50", "Signature manifestations (printed name, date/time, meaning)",
                ("sec-approvals",), _p11_manifest),
    Requirement("21 CFR Part 11", "§11.70", "Signature/record linking", ("sec-approvals",), _p11_linking),
    Requirement("21 CFR Part 11", "§11.200", "Electronic signature components and controls (ID + password)",
                ("sec-approvals",), _p11_components),
)


# ----------------------------------------------------------------------------- inventory facts -> gaps
# ``facts``: models, without_owner (names), never_validated, validation_failed,
# revalidation_overdue, in_drift, tier_not_assessed, open_high_findings (models),
# unowned_findings, chain_intact, chain_reason, audit_events.


def _inv_inventory(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (f["models"] == 0, "the inventory (as filtered) holds no model", True),
        (bool(f["without_owner"]), f"models without an owner: {_vs(f['without_owner'])}", False),
    )


def _inv_classification(f: Mapping[str, Any]) -> list[Gap]:
    return _g((bool(f["tier_not_assessed"]),
               f"{len(f['tier_not_assessed'])} model(s) tiered without a questionnaire: "
               f"{_vs(f['tier_not_assessed'])}", False))


def _inv_validation(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (bool(f["never_validated"]), f"{len(f['never_validated'])} model(s) never validated: "
                                     f"{_vs(f['never_validated'])}", False),
        (bool(f["validation_failed"]), f"latest validation failed: {_vs(f['validation_failed'])}", False),
        (bool(f["revalidation_overdue"]), f"revalidation overdue: {_vs(f['revalidation_overdue'])}", False),
    )


def _inv_monitoring(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (bool(f["never_monitored"]), f"{len(f['never_monitored'])} model(s) without a drift run: "
                                     f"{_vs(f['never_monitored'])}", False),
        (bool(f["in_drift"]), f"models in DRIFT: {_vs(f['in_drift'])}", False),
    )


def _inv_governance(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (bool(f["open_high_findings"]), f"models with open high-severity findings: {_vs(f['open_high_findings'])}",
         False),
        (f["unowned_findings"] > 0, f"{f['unowned_findings']} open finding(s) without an owner", False),
    )


def _inv_audit(f: Mapping[str, Any]) -> list[Gap]:
    return _g(
        (f["chain_intact"] is False, f"audit chain BROKEN: {f['chain_reason']}", True),
        (not f["audit_events"], "the workspace has no audit event", True),
    )


INVENTORY_REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("SR 11-7", "VI (inventory)", "Comprehensive model inventory",
                ("sec-inv-summary", "sec-inv-table"), _inv_inventory),
    Requirement("SR 11-7", "V", "Validation of every model, revalidated periodically", ("sec-inv-table",),
                _inv_validation),
    Requirement("SR 11-7", "V.2", "Ongoing monitoring", ("sec-inv-table",), _inv_monitoring),
    Requirement("SR 11-7", "VI", "Governance, policies and controls", ("sec-inv-findings", "sec-inv-approvals"),
                _inv_governance),
    Requirement("PRA SS1/23", "Principle 1", "Model identification and risk classification (inventory, tiering)",
                ("sec-inv-summary", "sec-inv-table"), _inv_classification),
    Requirement("PRA SS1/23", "Principle 4", "Independent validation and periodic revalidation",
                ("sec-inv-table",), _inv_validation),
    Requirement("PRA SS1/23", "Principle 5", "Model risk mitigants (findings, monitoring)",
                ("sec-inv-findings",), _inv_governance),
    Requirement("21 CFR Part 11", "§11.10(e)", "Audit trail", ("sec-inv-audit",), _inv_audit),
)


def evaluate(requirements: Sequence[Requirement], facts: Mapping[str, Any], pages: Mapping[str, int],
             titles: Mapping[str, str]) -> list[dict[str, Any]]:
    """One JSON-safe row per requirement: ``framework``, ``ref``, ``title``,
    ``evidenced_in`` (``[{"key", "section", "page"}]`` for the sections present in this
    report), ``status`` (evidenced | partial | gap) and ``gaps`` (list of str)."""
    rows = []
    for r in requirements:
        gaps = r.gaps(facts)
        where = [{"key": k, "section": titles.get(k, k), "page": pages.get(k)} for k in r.sections if k in titles]
        if any(fundamental for _, fundamental in gaps) or not where:
            status = "gap"
        elif gaps:
            status = "partial"
        else:
            status = "evidenced"
        rows.append({"framework": r.framework, "ref": r.ref, "title": r.title, "evidenced_in": where,
                     "status": status, "gaps": [text for text, _ in gaps]})
    return rows


def iso(dt: Optional[datetime]) -> Optional[str]:
    """``dt`` as ISO 8601 text (None stays None)."""
    return dt.isoformat() if dt is not None else None
