"""The validation suite: a catalogue of checks, validation plans per risk tier, and
:func:`run_suite`, a plain long-running job (progress callback, cancel token; no Qt, no
SQL; ``shared/DESIGN.md`` *Layers*).

Families (exact words): data, performance, baseline, fairness, importance,
reproducibility, robustness, staleness, privacy, loading.  Statuses: pass / warn / fail /
error / skipped; ``skipped`` and ``error`` always carry a reason.

Evidence convention inside :attr:`CheckResult.values` (drawn generically by the PDF and
the GUI; every value JSON-safe - builtin types only, no NaN/inf):

* scalar measured values at top level (``"roc_auc": 0.91``); thresholds and other
  parameters in :attr:`CheckResult.params`;
* ``"tables"``: ``[{"title", "columns": [str], "rows": [[cell]]}]`` (cells str, int,
  float, bool or null; at most 200 rows);
* ``"charts"``: ``[{"kind": "line"|"bar"|"scatter", "title", "x_label", "y_label",
  "series": [{"name", "points": [[x, y]]}], "reference_line": [[x0, y0], [x1, y1]] | null}]``
  (at most 200 points per series);
* ``"notes"``: plain-language remarks (subsampling, small groups, low confidence).

Parameters of a check: :attr:`CheckSpec.defaults`, overridden by
:attr:`CheckSpec.tier_params` for the run's tier (tier 1 is stricter), overridden by
:attr:`ValidationPlan.params`.  A plan's blocking map says which checks block approval
(DESIGN.md tier table: tier 1 all families, tier 2 data/performance/fairness/loading,
tier 3 data/loading).
"""

from __future__ import annotations

import json
import math
import time
import traceback
import warnings
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

import pandas as pd
from threadpoolctl import threadpool_limits

from console.domain.governance import TIER_POLICIES
from console.domain.models import CheckResult, CheckStatus, ModelVersion, TaskType
from console.errors import Cancelled, InputError
from console.jobs import CancelToken, ProgressFn, checkpoint, report
from console.validation._shared import Ctx, Outcome, json_safe

__all__ = [
    "FAMILIES",
    "CheckSpec",
    "CATALOGUE",
    "spec",
    "ValidationPlan",
    "default_plan",
    "ArtifactInfo",
    "SuiteInput",
    "run_suite",
    "suite_passed",
]

#: The ten check families, in report order.
FAMILIES: tuple[str, ...] = (
    "data", "performance", "baseline", "fairness", "importance", "reproducibility",
    "robustness", "staleness", "privacy", "loading",
)


@dataclass(frozen=True)
class CheckSpec:
    """One check of the catalogue.

    ``defaults``: parameter name -> default value (JSON-safe); ``tier_params``: tier
    (1..3) -> parameter overrides for that tier (tier 1 stricter).  ``source`` names where
    the method or threshold comes from (paper, regulation section, library).
    """

    id: str
    family: str
    title: str
    description: str
    source: str
    defaults: dict[str, Any] = field(default_factory=dict)
    tier_params: dict[int, dict[str, Any]] = field(default_factory=dict)

    def params_for(self, tier: int) -> dict[str, Any]:
        """Defaults with the tier's overrides applied."""
        return {**self.defaults, **self.tier_params.get(int(tier), {})}

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "family": self.family, "title": self.title,
            "description": self.description, "source": self.source,
            "defaults": dict(self.defaults),
            "tier_params": {str(k): dict(v) for k, v in self.tier_params.items()},
        }


_HL = "Hosmer, Lemeshow & Sturdivant, Applied Logistic Regression, 3rd ed. (2013), §5.2.4"

CATALOGUE: tuple[CheckSpec, ...] = (
    CheckSpec(
        "data.schema", "data", "Data matches the training schema",
        "The validation data must contain every feature the model was trained with, with "
        "the same kind of values (numbers, categories, dates), and a usable label column.",
        "Breck et al., 'The ML Test Score' (IEEE Big Data 2017), Data 1: feature "
        "expectations captured in a schema; TensorFlow Data Validation schema practice.",
        {},
    ),
    CheckSpec(
        "data.missing", "data", "Missing values are within limits",
        "Share of missing values per feature in the validation data, compared with the "
        "training data. A feature far more often missing than in training, or mostly "
        "missing, makes the model's predictions unreliable.",
        "Breck et al. 2017 (ML Test Score, Monitor 2: data invariants hold); limits are "
        "Tollgate defaults.",
        {"max_missing_share": 0.5, "max_increase": 0.05},
        {1: {"max_missing_share": 0.3, "max_increase": 0.02}},
    ),
    CheckSpec(
        "data.duplicates", "data", "Few duplicate rows and no training rows in the holdout",
        "Exact duplicate rows inflate or distort the measured performance; validation rows "
        "that also appear in the training data leak the answers and make performance look "
        "better than it is.",
        "Kapoor & Narayanan, 'Leakage and the reproducibility crisis in ML-based science' "
        "(Patterns, 2023), leakage type L1.2 (duplicates across train and test); limits are "
        "Tollgate defaults.",
        {"max_duplicate_share": 0.05, "max_train_overlap_share": 0.05},
        {1: {"max_duplicate_share": 0.02, "max_train_overlap_share": 0.02}},
    ),
    CheckSpec(
        "data.out_of_range", "data", "Values stay within the training range",
        "Numeric values outside the minimum/maximum seen in training and beyond mean ± k "
        "standard deviations, and categories never seen in training. The model has never "
        "learned from such values.",
        "Mean ± k·std and observed min/max of the training data (playbook data-validation "
        "practice); Chebyshev's inequality bounds the share beyond k·std by 1/k² for any "
        "distribution; limits are Tollgate defaults.",
        {"k_std": 4.0, "warn_share": 0.01, "fail_share": 0.05},
        {1: {"warn_share": 0.005, "fail_share": 0.02}},
    ),
    CheckSpec(
        "data.label_distribution", "data", "Label distribution is comparable to training",
        "Share of each class (or the distribution of the numeric target) in the validation "
        "data against the training data, measured with the population stability index; "
        "classes with very few examples are flagged.",
        "Population stability index and its 0.1 / 0.25 thresholds: Siddiqi, Credit Risk "
        "Scorecards (Wiley, 2006), as in Tollgate's drift conventions (DESIGN.md).",
        {"psi_warn": 0.1, "psi_fail": 0.25, "min_class_rows": 30},
    ),
    CheckSpec(
        "performance.metrics", "performance", "Performance meets the minimum",
        "The task's metrics on the labelled validation data (classification: accuracy, "
        "balanced accuracy, ROC AUC, log loss, F1, Brier; regression: RMSE, MAE, R²); the "
        "primary metric (ROC AUC or R²) must reach an absolute minimum.",
        f"ROC AUC ≥ 0.7 is 'acceptable discrimination': {_HL}; its standard error by Hanley "
        "& McNeil (Radiology 143:29-36, 1982). R² minimum: Tollgate default (no standard); "
        "metrics from scikit-learn sklearn.metrics.",
        {"min_roc_auc": 0.70, "min_r2": 0.50, "min_rows": 100},
        {1: {"min_roc_auc": 0.75, "min_r2": 0.60}},
    ),
    CheckSpec(
        "performance.calibration", "performance", "Predicted probabilities are calibrated",
        "Whether predicted probabilities match observed frequencies: Brier score, its skill "
        "against always predicting the base rate, expected calibration error and the "
        "reliability diagram (classification only).",
        "Brier (Monthly Weather Review 78:1-3, 1950); reliability diagram via "
        "sklearn.calibration.calibration_curve; expected calibration error: Guo et al., "
        "'On Calibration of Modern Neural Networks' (ICML 2017); limits are Tollgate defaults.",
        {"n_bins": 10, "max_ece_warn": 0.05, "max_ece_fail": 0.10},
        {1: {"max_ece_warn": 0.03, "max_ece_fail": 0.07}},
    ),
    CheckSpec(
        "performance.champion", "performance", "No sudden drop against the champion",
        "The candidate and the current champion are scored on the same data; the candidate "
        "fails when its primary metric is lower than the champion's by more than the "
        "allowed drop.",
        "SR 11-7 (Federal Reserve, 2011) §V outcomes analysis / benchmarking; drop limit is "
        "a Tollgate default.",
        {"max_drop": 0.02},
        {1: {"max_drop": 0.01}},
    ),
    CheckSpec(
        "performance.history", "performance", "No slow degradation across versions",
        "Every earlier version with an artifact is scored on the same data; the candidate "
        "fails when it is worse than the best earlier version by more than the allowed "
        "cumulative drop, and warns when the metric fell with each of the last versions.",
        "SR 11-7 §V ongoing monitoring and benchmarking; limits are Tollgate defaults.",
        {"max_cumulative_drop": 0.03, "declining_versions": 3},
        {1: {"max_cumulative_drop": 0.02}},
    ),
    CheckSpec(
        "baseline.simple_model", "baseline", "Beats a simple model",
        "A simple model (logistic or linear regression, and a dummy that predicts the "
        "majority class or the mean) is fitted on the same training data; the candidate "
        "must beat it by a margin, otherwise its extra complexity is not worth its cost.",
        "Kuhn & Johnson, Applied Predictive Modeling (2013) §4.8 (start with simple, "
        "interpretable models); Google, 'Rules of Machine Learning' #4 and Sculley et al., "
        "'Hidden Technical Debt in ML Systems' (NIPS 2015); sklearn.dummy and "
        "sklearn.linear_model. Margin: Tollgate default.",
        {"margin": 0.005, "max_train_rows": 10000},
        {1: {"margin": 0.01}},
    ),
    CheckSpec(
        "fairness.group_metrics", "fairness", "Groups are treated comparably",
        "For each protected attribute: per-group size, selection rate, accuracy, true and "
        "false positive rates; demographic-parity difference and ratio (four-fifths rule) "
        "and equalized-odds difference. Numeric attributes such as age are banded; groups "
        "smaller than a minimum size are flagged as too small to judge.",
        "fairlearn MetricFrame, demographic_parity_difference/ratio, "
        "equalized_odds_difference (Bird et al., fairlearn, 2020); four-fifths rule: EEOC "
        "Uniform Guidelines on Employee Selection Procedures, 29 CFR 1607.4(D); equalized "
        "odds: Hardt, Price & Srebro (NIPS 2016); the 0.1 difference limit is a Tollgate default.",
        {"min_ratio": 0.8, "max_eo_difference": 0.1, "min_group_size": 30,
         "age_bands": [25, 40, 60], "positive_label": None},
        {1: {"min_group_size": 50, "max_eo_difference": 0.05}},
    ),
    CheckSpec(
        "importance.permutation", "importance", "Features matter and protected attributes are not used",
        "Permutation importance on the validation data: how much the primary metric drops "
        "when one feature's values are shuffled. Features with no measurable importance are "
        "listed for removal; protected attributes used as features, and features that are "
        "close proxies of them (strong association), are flagged.",
        "Breiman, 'Random Forests' (Machine Learning 45, 2001) and "
        "sklearn.inspection.permutation_importance; association by Cramér's V "
        "(scipy.stats.contingency.association); proxy limit is a Tollgate default.",
        {"n_repeats": 3, "max_rows": 5000, "max_row_evaluations": 60000, "proxy_threshold": 0.5,
         "protected_use": "fail", "random_state": 0},
        {1: {"n_repeats": 5, "max_row_evaluations": 100000, "proxy_threshold": 0.4}},
    ),
    CheckSpec(
        "reproducibility.refit", "reproducibility", "Refitting reproduces the model",
        "The version's estimator is cloned with the same parameters (including its random "
        "seed), refitted on the recorded training data, and its predictions compared with "
        "the registered model's on the validation data.",
        "sklearn.base.clone; SR 11-7 §IV (model development documentation allowing "
        "replication); Pineau et al., ML Reproducibility Checklist (JMLR 2021). Tolerance: "
        "Tollgate default.",
        {"tolerance": 1e-6, "min_label_agreement": 0.99, "max_rows": 5000},
    ),
    CheckSpec(
        "robustness.stress", "robustness", "Predicts safely on unusual inputs",
        "Predictions on randomly generated valid rows (from training statistics) and on "
        "rows with noise added to numeric features must not raise and must be finite; the "
        "share of changed predictions under noise, the latency per row and the peak memory "
        "are measured.",
        "Breck et al. 2017 (ML Test Score, Infra 1/Model 7: model quality and serving "
        "checks); Python tracemalloc for memory; limits are Tollgate defaults.",
        {"n_random": 1000, "n_perturbed": 1000, "noise_scale": 0.05, "max_flip_share": 0.1,
         "max_latency_ms_per_row": 5.0, "max_peak_memory_mb": 512, "random_state": 0},
        {1: {"max_flip_share": 0.05}},
    ),
    CheckSpec(
        "staleness.age", "staleness", "Model and training data are not stale",
        "Age of the model version and of its training data against the tier's "
        "revalidation interval (12, 24 or 36 months).",
        "DESIGN.md risk-tier table; SR 11-7 §VI (periodic review, at least annually); PRA "
        "SS1/23 principle 4 (ongoing model performance monitoring).",
        {"warn_fraction": 0.8},
    ),
    CheckSpec(
        "privacy.personal_data", "privacy", "No personal data in the features",
        "Feature names and sample values are scanned for personal data (e-mail addresses, "
        "phone numbers, national-id-like numbers such as US SSN or IBAN, person names) and "
        "special-category data; findings go to the data-protection review (DPIA).",
        "GDPR Art. 4(1) (personal data), Art. 9 (special categories), Art. 35 (data "
        "protection impact assessment); IBAN check digits ISO 13616 (mod 97).",
        {"max_sample_rows": 1000, "min_match_share": 0.05},
    ),
    CheckSpec(
        "loading.safe_format", "loading", "The model file loads safely",
        "The artifact must be a skops file, loaded with an allow-list of trusted types. A "
        "pickle/joblib file can run arbitrary code when loaded; it is accepted only when "
        "a named user trusted that exact file (SHA-256).",
        "Python docs, pickle module security warning; skops persistence "
        "(skops.io.get_untrusted_types).",
        {},
    ),
)

_BY_ID: dict[str, CheckSpec] = {s.id: s for s in CATALOGUE}


def spec(check_id: str) -> CheckSpec:
    """The :class:`CheckSpec` of ``check_id``.

    Raises:
        InputError: unknown check id (the message lists the known ones).
    """
    try:
        return _BY_ID[check_id]
    except KeyError:
        raise InputError(f"Unknown validation check {check_id!r}; known checks: {', '.join(_BY_ID)}.") from None


def _check_tier(tier: Any) -> int:
    if isinstance(tier, bool) or not isinstance(tier, int) or tier not in TIER_POLICIES:
        raise InputError(f"Risk tier must be 1, 2 or 3, got {tier!r}.")
    return tier


@dataclass
class ValidationPlan:
    """Which checks block approval, and parameter overrides, for one risk tier.

    ``blocking``: check id -> bool; ids not listed follow :func:`default_plan` of the
    tier.  ``params``: check id -> {parameter: value}, applied over the spec's tier
    defaults.
    """

    tier: int
    blocking: dict[str, bool] = field(default_factory=dict)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)

    def is_blocking(self, check_id: str) -> bool:
        if check_id in self.blocking:
            return bool(self.blocking[check_id])
        return TIER_POLICIES[self.tier].is_blocking(spec(check_id).family)

    def params_for(self, check_id: str) -> dict[str, Any]:
        """The effective parameters of ``check_id``: spec defaults < tier < plan."""
        sp = spec(check_id)
        return {**sp.params_for(self.tier), **(self.params.get(check_id) or {})}

    def to_json(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "blocking": {k: bool(v) for k, v in self.blocking.items()},
            "params": {k: dict(v) for k, v in self.params.items()},
        }

    @classmethod
    def from_json(cls, obj: Any) -> "ValidationPlan":
        """Inverse of :meth:`to_json`.

        Raises:
            InputError: not an object, tier not 1..3, ``blocking`` values not booleans,
                ``params`` not objects of objects, unknown check ids or parameter names.
        """
        if isinstance(obj, str):
            try:
                obj = json.loads(obj)
            except ValueError as exc:
                raise InputError(f"Validation plan is not valid JSON: {exc}.") from None
        if not isinstance(obj, Mapping):
            raise InputError("Validation plan must be a JSON object with 'tier', 'blocking' and 'params'.")
        tier = _check_tier(obj.get("tier"))
        blocking = obj.get("blocking") or {}
        params = obj.get("params") or {}
        if not isinstance(blocking, Mapping) or not all(isinstance(v, bool) for v in blocking.values()):
            raise InputError("Validation plan 'blocking' must map check ids to true/false.")
        if not isinstance(params, Mapping) or not all(isinstance(v, Mapping) for v in params.values()):
            raise InputError("Validation plan 'params' must map check ids to objects of parameters.")
        plan = cls(tier=tier, blocking={str(k): bool(v) for k, v in blocking.items()},
                   params={str(k): dict(v) for k, v in params.items()})
        plan.validate()
        return plan

    def validate(self) -> None:
        """Raise :class:`InputError` for an unknown check id or parameter name."""
        _check_tier(self.tier)
        for cid in list(self.blocking) + list(self.params):
            spec(cid)
        for cid, p in self.params.items():
            defaults = spec(cid).defaults
            unknown = sorted(set(p) - set(defaults))
            if unknown:
                raise InputError(
                    f"Unknown parameter(s) {', '.join(map(repr, unknown))} for check {cid}; "
                    f"known: {', '.join(defaults) or 'none'}."
                )
            for name, value in p.items():
                d = defaults[name]
                if isinstance(d, (int, float)) and not isinstance(d, bool):
                    ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
                          and math.isfinite(float(value)) and float(value) >= 0)
                    if not ok:
                        raise InputError(
                            f"Parameter {name!r} of check {cid} must be a finite number >= 0, got {value!r}."
                        )
                elif isinstance(d, list) and not (
                    isinstance(value, list) and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in value)
                ):
                    raise InputError(f"Parameter {name!r} of check {cid} must be a list of numbers, got {value!r}.")


def default_plan(tier: int) -> ValidationPlan:
    """The tier's default plan (DESIGN.md tier table): every check listed with its
    blocking flag (tier 1: all families; tier 2: data, performance, fairness, loading;
    tier 3: data, loading) and its effective parameters (spec defaults with the tier's
    overrides), so an editor shows every value."""
    tier = _check_tier(tier)
    pol = TIER_POLICIES[tier]
    return ValidationPlan(
        tier=tier,
        blocking={s.id: pol.is_blocking(s.family) for s in CATALOGUE},
        params={s.id: s.params_for(tier) for s in CATALOGUE if s.defaults},
    )


@dataclass(frozen=True)
class ArtifactInfo:
    """The stored model file: SHA-256 (hex), ``format`` ``"skops"`` or ``"pickle"``
    (pickle/joblib), who trusted a pickle file and when (UTC), size in bytes."""

    sha256: str
    format: str
    size_bytes: int = 0
    trusted_by: Optional[str] = None
    trusted_at: Optional[datetime] = None


@dataclass
class SuiteInput:
    """Everything one suite run looks at.

    ``data``: labelled evaluation DataFrame (features + ``target``; extra columns such as
    protected attributes allowed).  ``training_data``: features + target as recorded at
    registration (``None``: checks needing it are skipped with the reason).
    ``champion``: ``(estimator, ModelVersion)`` of the current champion or ``None``;
    ``history``: earlier ``(estimator, ModelVersion)`` pairs with artifacts, oldest first.
    ``protected_attributes``: columns of ``data`` (need not be model features).
    ``now``: UTC time of the run (default: now); ``training_data_at``: when the training
    data was extracted (default ``version.created_at``); ``revalidation_months``: default
    the tier's interval (12 / 24 / 36).
    """

    estimator: Any
    version: ModelVersion
    task: TaskType
    data: pd.DataFrame
    target: str
    tier: int
    training_data: Optional[pd.DataFrame] = None
    champion: Optional[tuple[Any, ModelVersion]] = None
    history: Sequence[tuple[Any, ModelVersion]] = ()
    protected_attributes: Sequence[str] = ()
    artifact: Optional[ArtifactInfo] = None
    now: Optional[datetime] = None
    training_data_at: Optional[datetime] = None
    revalidation_months: Optional[int] = None


def _registry() -> dict[str, Callable[[Ctx, dict[str, Any]], Outcome]]:
    from console.validation import checks_data as d
    from console.validation import checks_model as m
    from console.validation import checks_performance as p
    from console.validation import checks_policy as g

    return {
        "data.schema": d.check_schema,
        "data.missing": d.check_missing,
        "data.duplicates": d.check_duplicates,
        "data.out_of_range": d.check_out_of_range,
        "data.label_distribution": d.check_label_distribution,
        "performance.metrics": p.check_metrics,
        "performance.calibration": p.check_calibration,
        "performance.champion": p.check_champion,
        "performance.history": p.check_history,
        "baseline.simple_model": m.check_baseline,
        "fairness.group_metrics": g.check_fairness,
        "importance.permutation": m.check_importance,
        "reproducibility.refit": m.check_refit,
        "robustness.stress": m.check_stress,
        "staleness.age": g.check_staleness,
        "privacy.personal_data": g.check_privacy,
        "loading.safe_format": g.check_loading,
    }


def _validate_input(inp: SuiteInput) -> SuiteInput:
    if not isinstance(inp.data, pd.DataFrame):
        raise InputError(f"Validation data must be a pandas DataFrame, got {type(inp.data).__name__}.")
    try:
        task = TaskType(inp.task)
    except ValueError:
        raise InputError(f"Unknown task {inp.task!r}; use classification or regression.") from None
    if task is TaskType.UNKNOWN:
        raise InputError("The model's task is 'unknown'; set it to classification or regression before validating.")
    _check_tier(inp.tier)
    if inp.training_data is not None and not isinstance(inp.training_data, pd.DataFrame):
        raise InputError(f"Training data must be a pandas DataFrame, got {type(inp.training_data).__name__}.")
    now = inp.now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return replace(inp, task=task, now=now, protected_attributes=tuple(inp.protected_attributes or ()),
                   history=tuple(inp.history or ()))


def _finish(sp: CheckSpec, out: Outcome, blocking: bool, params: dict[str, Any]) -> CheckResult:
    reason = out.reason
    if out.status in (CheckStatus.SKIPPED, CheckStatus.ERROR) and not reason:
        reason = "no reason given"  # never expected; keeps the contract
    return CheckResult(
        id=sp.id, family=sp.family, title=sp.title, status=out.status, blocking=blocking,
        values=json_safe(out.values), reason=reason, description=sp.description,
        source=sp.source, params=json_safe(params),
    )


def run_suite(
    inp: SuiteInput,
    plan: Optional[ValidationPlan] = None,
    *,
    progress: Optional[ProgressFn] = None,
    cancel: Optional[CancelToken] = None,
    only: Optional[Iterable[str]] = None,
) -> list[CheckResult]:
    """Run every check of :data:`CATALOGUE` (or those in ``only``), in order, on ``inp``.

    Args:
        inp: the model version, data and context (:class:`SuiteInput`).
        plan: blocking flags and parameter overrides; default ``default_plan(inp.tier)``.
        progress: ``progress(fraction, message)`` before and after each check.
        cancel: polled between checks and inside long loops (permutations, refits).
        only: check ids to run (catalogue order is kept); ``None`` = all.

    Returns:
        One :class:`CheckResult` per catalogue check, in catalogue order, with the spec's
        description and source, the effective params, JSON-safe values (evidence
        convention) and ``blocking`` from the plan.  A check that crashes gets status
        ``error`` with the exception in its reason; the other checks still run.

    Raises:
        InputError: ``data`` not a DataFrame, unknown/unknown-valued task, tier not 1..3,
            unknown check id or parameter in ``plan`` or ``only``, a parameter of the
            wrong type.
        Cancelled: ``cancel`` was set; nothing is returned.
    """
    inp = _validate_input(inp)
    plan = plan or default_plan(inp.tier)
    plan.validate()
    checks = _registry()
    selected = list(CATALOGUE)
    if only is not None:
        wanted = {spec(c).id for c in only}
        selected = [s for s in CATALOGUE if s.id in wanted]
    checkpoint(cancel)
    # One BLAS/OpenMP thread: the checks make many small predictions, where OpenMP's
    # thread start-up and, on a shared or busy machine, oversubscription cost far more
    # than they save (HistGradientBoosting on Adult: 17 s vs 1.8 s to fit on a loaded
    # 2-core machine).  threadpoolctl restores the previous limits afterwards.
    # Library warnings (convergence, feature names...) would reach the CLI's stderr; the
    # checks report what matters in their reasons and notes instead.
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _run(inp, plan, checks, selected, progress, cancel)


def _run(inp: SuiteInput, plan: ValidationPlan, checks: Mapping[str, Callable[[Ctx, dict[str, Any]], Outcome]],
         selected: list[CheckSpec], progress: Optional[ProgressFn], cancel: Optional[CancelToken]) -> list[CheckResult]:
    report(progress, 0.0, "Preparing validation data")
    try:
        ctx = Ctx(inp, cancel)
    except Cancelled:
        raise
    except Exception as exc:
        raise InputError(f"Cannot prepare the validation data of version {inp.version.version}: "
                         f"{type(exc).__name__}: {exc}; check the data's columns and target {inp.target!r}.") from exc
    results: list[CheckResult] = []
    n = len(selected)
    for i, sp in enumerate(selected):
        checkpoint(cancel)
        report(progress, i / n, f"{sp.title}…")
        params = plan.params_for(sp.id)
        started = time.perf_counter()
        try:
            out = checks[sp.id](ctx, params)
        except Cancelled:
            raise
        except Exception as exc:  # one check's crash must not abort the run
            tb = traceback.extract_tb(exc.__traceback__)
            where = f" (at {tb[-1].name}:{tb[-1].lineno})" if tb else ""
            out = Outcome(CheckStatus.ERROR, {}, f"the check could not run: {type(exc).__name__}: {exc}{where}")
        elapsed = time.perf_counter() - started  # in the progress message only: values stay deterministic
        res = _finish(sp, out, plan.is_blocking(sp.id), params)
        results.append(res)
        report(progress, (i + 1) / n, f"{sp.title}: {res.status.value} ({elapsed:.1f} s)")
    return results


def suite_passed(results: Iterable[CheckResult]) -> bool:
    """``False`` when any blocking check has status ``fail`` or ``error``, else ``True``
    (``validate`` exit rule, DESIGN.md *CLI contract*); ``warn`` and ``skipped`` pass."""
    return not any(r.blocking and r.status in (CheckStatus.FAIL, CheckStatus.ERROR) for r in results)
