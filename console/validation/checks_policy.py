"""Policy checks of the validation suite: group fairness (``fairness``), staleness
(``staleness``), personal data (``privacy``) and safe loading (``loading``).
No Qt, no SQL."""

from __future__ import annotations

import re
import warnings
from datetime import timezone
from typing import Any, Optional

import numpy as np
import pandas as pd

from console.domain.governance import TIER_POLICIES, add_months
from console.domain.models import CheckStatus, TaskType
from console.validation._shared import (
    Ctx, Outcome, bar_chart, is_numeric, label, listing, subsample_index, table,
)

S = CheckStatus


# --------------------------------------------------------------------------- fairness


def _band_labels(edges: list[float], integer: bool) -> list[str]:
    fmt = (lambda v: f"{int(v)}") if integer else (lambda v: f"{v:.4g}")
    labels = [f"< {fmt(edges[0])}"]
    for lo, hi in zip(edges, edges[1:]):
        labels.append(f"{fmt(lo)}–{fmt(hi - 1) if integer else fmt(hi)}" if integer else f"{fmt(lo)} to < {fmt(hi)}")
    labels.append(f"≥ {fmt(edges[-1])}")
    return labels


def group_of(s: pd.Series, name: str, age_bands: list[float]) -> tuple[pd.Series, Optional[str]]:
    """Group labels of a protected attribute: categories as strings; a numeric column with
    more than 10 distinct values is banded (columns whose name contains "age" at
    ``age_bands``, e.g. [25, 40, 60] -> "< 25", "25–39", "40–59", "≥ 60"; others at their
    quartiles).  Missing values form the group "(missing)".  Returns the labels and a
    description of the banding (``None`` when not banded)."""
    if is_numeric(s) and s.nunique(dropna=True) > 10:
        v = s.astype("float64")
        if "age" in str(name).lower() and age_bands:
            edges = sorted(float(e) for e in age_bands)
            how = f"banded at {', '.join(f'{e:g}' for e in edges)} years"
        else:
            edges = sorted(set(np.nanquantile(v, [0.25, 0.5, 0.75]).tolist()))
            how = "banded at its quartiles " + ", ".join(f"{e:.4g}" for e in edges)
        integer = bool(np.all(np.mod(v.dropna(), 1) == 0)) and all(float(e).is_integer() for e in edges)
        labels = _band_labels(edges, integer)
        codes = np.searchsorted(np.asarray(edges), v.to_numpy(), side="right")
        out = pd.Series([labels[c] for c in codes], index=s.index, dtype=object)
        out[v.isna()] = "(missing)"
        return out, how
    out = s.astype(object).where(s.notna(), "(missing)").astype(str)
    return out, None


def _accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred))) if len(y_true) else float("nan")


def _tpr(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    pos = np.asarray(y_true) == 1
    return float(np.mean(np.asarray(y_pred)[pos] == 1)) if pos.any() else float("nan")


def _fpr(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    neg = np.asarray(y_true) == 0
    return float(np.mean(np.asarray(y_pred)[neg] == 1)) if neg.any() else float("nan")


def _group_stats(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[int, float, float, float, float]:
    """(n, selection rate, accuracy, TPR, FPR) of one group; NaN where undefined.  Same
    definitions as fairlearn's ``count``, ``selection_rate``, ``true_positive_rate`` and
    ``false_positive_rate`` with positive label 1."""
    yt, yp = np.asarray(y_true), np.asarray(y_pred)
    n = len(yt)
    if n == 0:
        return 0, float("nan"), float("nan"), float("nan"), float("nan")
    return n, float(np.mean(yp == 1)), _accuracy(yt, yp), _tpr(yt, yp), _fpr(yt, yp)


def _between_groups(by: pd.DataFrame) -> tuple[Optional[float], Optional[float], Optional[float]]:
    """Demographic-parity difference (max - min selection rate), ratio (min / max) and
    equalized-odds difference (the larger of the TPR and FPR between-group differences)
    over the rows of ``by`` (a MetricFrame ``by_group``) - fairlearn's definitions of
    ``demographic_parity_difference/ratio`` and ``equalized_odds_difference`` with
    ``method="between_groups"`` and ``agg="worst_case"``, computed from the one
    MetricFrame instead of building three more."""
    sr = by["selection_rate"].astype(float).dropna()
    dpd = float(sr.max() - sr.min()) if len(sr) else None
    dpr = float(sr.min() / sr.max()) if len(sr) and sr.max() > 0 else None
    diffs = []
    for col in ("tpr", "fpr"):
        v = by[col].astype(float).dropna()
        if len(v) >= 2:
            diffs.append(float(v.max() - v.min()))
    return dpd, dpr, (max(diffs) if diffs else None)


def check_fairness(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``fairness.group_metrics`` (binary classification): for each protected attribute,
    :class:`fairlearn.metrics.MetricFrame` per group (n, selection rate of the positive
    label, accuracy, true/false positive rate) and, over groups of at least
    ``min_group_size`` rows, the demographic-parity difference and ratio and the
    equalized-odds difference (fairlearn's definitions, see :func:`_between_groups`).  Fail: ratio below ``min_ratio`` (the
    four-fifths rule, 29 CFR 1607.4(D)).  Warn: equalized-odds difference above
    ``max_eo_difference``; a declared attribute missing from the data.  Smaller groups
    are listed as "too small to judge" and not judged."""
    from fairlearn.metrics import MetricFrame, count
    from sklearn.metrics import mean_absolute_error

    prot = list(ctx.inp.protected_attributes)
    if not prot:
        return Outcome(S.SKIPPED, {}, "no protected attributes are declared for this model")
    absent = [a for a in prot if a not in ctx.data.columns]
    present = [a for a in prot if a in ctx.data.columns]
    values: dict[str, Any] = {"notes": [], "absent_attributes": absent, "tables": [], "charts": []}
    if not present:
        return Outcome(S.SKIPPED, values, f"protected attribute(s) {listing(absent)} not in the validation data")
    preds = ctx.preds(ctx.estimator, ctx.version)
    if preds.error:
        return Outcome(S.ERROR, values, preds.error)
    if absent:
        values["notes"].append(f"Declared protected attribute(s) not in the data, not assessed: {listing(absent)}.")
    min_n = int(p["min_group_size"])
    if ctx.task is TaskType.REGRESSION:
        y = ctx.y.to_numpy(dtype="float64")
        for a in present:
            g, how = group_of(ctx.eval[a], a, p["age_bands"])
            mf = MetricFrame(metrics={"n": count, "mae": mean_absolute_error}, y_true=y, y_pred=preds.pred,
                             sensitive_features=g.to_numpy())
            rows = [[str(k), int(r["n"]), float(r["mae"]), "yes" if r["n"] >= min_n else "too small to judge"]
                    for k, r in mf.by_group.iterrows()]
            values["tables"].append(table(f"Errors by {a}" + (f" ({how})" if how else ""), ["group", "n", "MAE", "judged"], rows))
        return Outcome(S.SKIPPED, values, "demographic parity and equalized odds are defined for binary decisions; "
                                          "this is a regression model (per-group errors are shown)")
    if len(ctx.classes) != 2:
        return Outcome(S.SKIPPED, values, f"group fairness metrics need a binary classifier; the model has "
                                          f"{len(ctx.classes)} classes")
    pos = p.get("positive_label")
    if pos is None:
        pos_code = 1
    else:
        match = [i for i, c in enumerate(ctx.classes) if str(c) == str(pos)]
        if not match:
            return Outcome(S.ERROR, values, f"positive_label {pos!r} is not a class of the model "
                                            f"({listing(list(ctx.classes))})")
        pos_code = match[0]
    values["positive_label"] = label(ctx.classes[pos_code])
    y_true = (ctx.y_code == pos_code).astype(int)
    y_pred = (np.asarray(preds.pred_code) == pos_code).astype(int)
    summary, statuses, reasons = [], [], []
    for a in present:
        ctx.check()
        g, how = group_of(ctx.eval[a], a, p["age_bands"])
        gv = g.to_numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # one metric returning all five statistics: fairlearn 0.15 converts the
            # columns element by element once per metric (np.stack), so five separate
            # metrics cost five times as much on 10,000 rows
            mf = MetricFrame(metrics={"stats": _group_stats}, y_true=y_true, y_pred=y_pred,
                             sensitive_features=gv)
        stats = mf.by_group["stats"]
        by = pd.DataFrame([list(v) for v in stats], index=stats.index.astype(str),
                          columns=["n", "selection_rate", "accuracy", "tpr", "fpr"])
        small = [str(k) for k, r in by.iterrows() if r["n"] < min_n]
        rows = [[str(k), int(r["n"]), float(r["selection_rate"]), float(r["accuracy"]),
                 None if pd.isna(r["tpr"]) else float(r["tpr"]), None if pd.isna(r["fpr"]) else float(r["fpr"]),
                 "too small to judge" if str(k) in small else "yes"]
                for k, r in by.sort_values("n", ascending=False).iterrows()]
        title = f"Groups by {a}" + (f" ({how})" if how else "")
        values["tables"].append(table(title, ["group", "n", "selection rate", "accuracy", "true positive rate",
                                              "false positive rate", "judged"], rows))
        values["charts"].append(bar_chart(f"Selection rate of {values['positive_label']} by {a}", str(a), "selection rate",
                                          {"selection rate": [[r[0], r[2]] for r in rows]}))
        if small:
            values["notes"].append(f"{a}: group(s) {', '.join(small)} have fewer than {min_n} rows; too small to judge.")
        n_judged = len(by) - len(small)
        if n_judged < 2:
            summary.append([str(a), n_judged, None, None, None, "not judged"])
            values["notes"].append(f"{a}: fewer than two groups large enough to compare; not judged.")
            continue
        dpd, dpr, eod = _between_groups(by[~by.index.astype(str).isin(small)])
        st = S.PASS
        if dpr is not None and dpr < p["min_ratio"]:
            st = S.FAIL
            reasons.append(f"{a}: selection-rate ratio {dpr:.2f} below the four-fifths rule ({p['min_ratio']:g})")
        if eod is not None and eod > p["max_eo_difference"]:
            st = S.FAIL if st is S.FAIL else S.WARN
            reasons.append(f"{a}: equalized-odds difference {eod:.3f} above {p['max_eo_difference']:g}")
        statuses.append(st)
        summary.append([str(a), n_judged, dpd, dpr, eod, st.value])
        values[f"{a}.demographic_parity_difference"] = dpd
        values[f"{a}.demographic_parity_ratio"] = dpr
        values[f"{a}.equalized_odds_difference"] = eod
    values["tables"].insert(0, table("Fairness summary (judged groups only)",
                                     ["attribute", "groups judged", "demographic parity difference",
                                      "demographic parity ratio", "equalized odds difference", "status"], summary))
    status = S.PASS
    if S.FAIL in statuses:
        status = S.FAIL
    elif S.WARN in statuses or absent:
        status = S.WARN
    if absent:
        reasons.append(f"protected attribute(s) {listing(absent)} not in the data, not assessed")
    if not statuses and not reasons:
        return Outcome(S.SKIPPED, values, "no protected attribute had two groups large enough to judge")
    return Outcome(status, values, "; ".join(reasons) or
                   f"selection-rate ratios ≥ {p['min_ratio']:g} and equalized-odds differences ≤ "
                   f"{p['max_eo_difference']:g} for {listing(present)}")


# --------------------------------------------------------------------------- staleness


def check_staleness(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``staleness.age``: days since the version was created and since its training data
    was extracted, against the revalidation interval (tier default 12 / 24 / 36 months,
    calendar months).  Fail: either is past the interval; warn: past ``warn_fraction`` of it."""
    inp = ctx.inp
    months = int(inp.revalidation_months or TIER_POLICIES[int(inp.tier)].revalidation_months)
    now = inp.now

    def aware(t):
        return t if t is None or t.tzinfo else t.replace(tzinfo=timezone.utc)

    created = aware(ctx.version.created_at)
    data_at = aware(inp.training_data_at) or created
    if created is None:
        return Outcome(S.SKIPPED, {}, "the version records no creation time")
    rows, statuses, reasons = [], [], []
    values: dict[str, Any] = {"revalidation_months": months, "now": now.isoformat()}
    for what, t in (("model", created), ("training data", data_at)):
        due = add_months(t, months)
        age = (now - t).total_seconds() / 86400
        span = (due - t).total_seconds() / 86400
        frac = age / span if span > 0 else 1.0
        st = S.FAIL if now > due else S.WARN if frac >= p["warn_fraction"] else S.PASS
        key = "model" if what == "model" else "data"
        values.update({f"{key}_age_days": round(age, 1), f"{key}_date": t.isoformat(), f"{key}_due": due.isoformat(),
                       f"{key}_age_fraction": round(frac, 4)})
        rows.append([what, t.date().isoformat(), round(age, 1), due.date().isoformat(), st.value])
        statuses.append(st)
        if st is S.FAIL:
            reasons.append(f"the {what} is {age:.0f} days old, past its {months}-month revalidation date {due.date()}")
        elif st is S.WARN:
            reasons.append(f"the {what} is {frac:.0%} of the way to its revalidation date {due.date()}")
    values["tables"] = [table("Age against the revalidation interval", ["what", "date", "age (days)", "due", "status"], rows)]
    status = S.FAIL if S.FAIL in statuses else S.WARN if S.WARN in statuses else S.PASS
    return Outcome(status, values, "; ".join(reasons) or f"model and training data within the {months}-month interval")


# --------------------------------------------------------------------------- privacy

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"^\s*(\+\d{1,3}[\s.-]?)?(\(\d{2,4}\)[\s.-]?)?\d{2,4}([\s.-]\d{2,4}){1,4}\s*$")
_SSN = re.compile(r"^(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}$")
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
_CARD = re.compile(r"^\d{13,19}$")
_PERSON = re.compile(r"^[A-Z][a-z'’-]+(?: [A-Z]\.?)?(?: [A-Z][a-z'’-]+)+$")

#: Column-name tokens -> kind of personal data (GDPR Art. 4(1): identifiers).
_NAME_IDENTIFIERS = {
    "email": "e-mail address", "mail": "e-mail address", "phone": "phone number", "mobile": "phone number",
    "telephone": "phone number", "tel": "phone number", "ssn": "national id", "passport": "national id",
    "nin": "national id", "iban": "bank account", "account": "bank account", "card": "card number",
    "name": "person name", "firstname": "person name", "lastname": "person name", "surname": "person name",
    "fullname": "person name", "address": "address", "street": "address", "zip": "address",
    "postcode": "address", "dob": "date of birth", "birth": "date of birth", "birthdate": "date of birth",
    "ip": "online identifier", "taxid": "national id", "nationalid": "national id",
}
#: Column-name tokens of special-category data (GDPR Art. 9(1)).
_SPECIAL = {"race": "racial or ethnic origin", "ethnic": "racial or ethnic origin", "ethnicity": "racial or ethnic origin",
            "religion": "religious belief", "religious": "religious belief", "health": "health",
            "disability": "health", "sexual": "sex life or sexual orientation", "orientation": "sexual orientation",
            "union": "trade-union membership", "genetic": "genetic data", "biometric": "biometric data",
            "political": "political opinion"}
#: Other sensitive attributes often protected by anti-discrimination law.
_SENSITIVE = {"sex": "sex", "gender": "gender", "age": "age", "marital": "marital status",
              "nationality": "nationality", "native": "national origin", "pregnancy": "pregnancy"}


def _tokens(name: Any) -> set[str]:
    s = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(name))
    toks = [t for t in re.split(r"[^A-Za-z0-9]+", s.lower()) if t]
    joined = {"".join(toks[i:i + 2]) for i in range(len(toks) - 1)}
    return set(toks) | joined


def _iban_ok(s: str) -> bool:
    r = s[4:] + s[:4]
    digits = "".join(str(int(ch, 36)) for ch in r)
    return int(digits) % 97 == 1


def _luhn_ok(s: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _scan_values(s: pd.Series) -> list[tuple[str, float]]:
    """(kind, share of sampled non-missing values) for each personal-data pattern found."""
    v = s.dropna().astype(str)
    v = v[v.str.strip() != ""]
    if len(v) == 0:
        return []
    found = []
    n = len(v)
    tests = {
        "e-mail address": v.str.contains(_EMAIL),
        "US social security number": v.str.match(_SSN),
        "phone number": v.str.match(_PHONE) & (v.str.count(r"\d") >= 8),
    }
    compact = v.str.replace(" ", "", regex=False).str.upper()
    iban = compact.str.match(_IBAN)
    if iban.any():
        iban[iban] = compact[iban].map(_iban_ok)
    tests["IBAN"] = iban
    card = compact.str.match(_CARD)
    if card.any():
        card[card] = compact[card].map(_luhn_ok)
    tests["payment card number"] = card
    if v.nunique() / n >= 0.5:  # person names are nearly unique; categories are not
        tests["person name"] = v.str.match(_PERSON)
    for kind, mask in tests.items():
        share = float(mask.mean())
        if share > 0:
            found.append((kind, share))
    return found


def check_privacy(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``privacy.personal_data``: every column of the validation data (and the model's
    feature names) is scanned.  Names: tokens naming identifiers (e-mail, phone, name,
    address, SSN/passport/IBAN...), GDPR Art. 9 special categories (race, religion,
    health...) and other sensitive attributes (sex, age, marital status, nationality) and
    the declared protected attributes.  Values (text columns, at most ``max_sample_rows``
    sampled rows): e-mail, phone, US SSN, IBAN (ISO 13616 mod-97 check), payment card
    (Luhn) and person-name patterns found in at least ``min_match_share`` of the values.
    Fail: personal identifiers among the model's features.  Warn: identifiers in other
    columns, or special-category / sensitive attributes used as features (for the DPIA,
    GDPR Art. 35).  Values are never copied into the evidence."""
    feats = set(ctx.features)
    prot = set(ctx.inp.protected_attributes)
    cols = list(dict.fromkeys(list(ctx.data.columns) + [c for c in ctx.features if c not in ctx.data.columns]))
    sample = ctx.data.iloc[subsample_index(len(ctx.data), int(p["max_sample_rows"]), 0)]
    rows, ident_feat, ident_other, sensitive_feat = [], [], [], []
    for c in cols:
        if c == ctx.target:
            continue
        toks = _tokens(c)
        findings = []
        kinds_ident = sorted({_NAME_IDENTIFIERS[t] for t in toks if t in _NAME_IDENTIFIERS})
        col = sample[c] if c in sample.columns and not isinstance(sample[c], pd.DataFrame) else None
        nn = col.dropna() if col is not None else None
        distinct = (nn.nunique() / len(nn)) if nn is not None and len(nn) else None
        for k in kinds_ident:
            if distinct is None or distinct >= 0.5:
                findings.append(("identifier", f"column name suggests {k}", None))
            else:  # e.g. German credit "telephone" = has a phone yes/no
                findings.append(("possible personal data (not identifying)",
                                 f"column name suggests {k}, but only {nn.nunique()} distinct value(s)", None))
        for t in toks:
            if t in _SPECIAL:
                findings.append(("special category (Art. 9)", f"column name suggests {_SPECIAL[t]}", None))
            elif t in _SENSITIVE:
                findings.append(("sensitive attribute", f"column name suggests {_SENSITIVE[t]}", None))
        if c in prot and not any(f[0] != "identifier" for f in findings):
            findings.append(("sensitive attribute", "declared protected attribute", None))
        if c in sample.columns and not is_numeric(sample[c]) and not isinstance(sample[c], pd.DataFrame):
            for kind, share in _scan_values(sample[c]):
                if share >= p["min_match_share"]:
                    findings.append(("identifier", f"values look like {kind}", share))
        ctx.check()
        is_feat = c in feats
        for cat, what, share in findings:
            rows.append([str(c), is_feat, cat, what, None if share is None else round(share, 4)])
        cats = {f[0] for f in findings}
        if "identifier" in cats:
            (ident_feat if is_feat else ident_other).append(c)
        elif cats - {"possible personal data (not identifying)"} and is_feat:
            sensitive_feat.append(c)
    values: dict[str, Any] = {
        "n_columns_scanned": len(cols) - (1 if ctx.target in cols else 0),
        "n_rows_sampled": len(sample),
        "identifier_features": [str(c) for c in ident_feat],
        "identifier_columns_not_features": [str(c) for c in ident_other],
        "sensitive_features": [str(c) for c in sensitive_feat],
        "tables": [table("Possible personal data", ["column", "model feature", "category", "finding", "share of sampled values"], rows)],
        "notes": ["Values are scanned but never copied into this report."],
    }
    reasons = []
    if ident_feat:
        reasons.append(f"personal identifier(s) used as model features: {listing(ident_feat)}; refer to the "
                       "data-protection review (GDPR Art. 35 DPIA) and remove them")
    if ident_other:
        reasons.append(f"personal data in data columns that are not features: {listing(ident_other)}; drop them from "
                       "stored data sets")
    if sensitive_feat:
        reasons.append(f"special-category or sensitive attribute(s) used as features: {listing(sensitive_feat)}; "
                       "the data-protection review must justify them")
    status = S.FAIL if ident_feat else S.WARN if (ident_other or sensitive_feat) else S.PASS
    return Outcome(status, values, "; ".join(reasons) or "no personal data found in feature names or sampled values")


# --------------------------------------------------------------------------- loading


def check_loading(ctx: Ctx, p: dict[str, Any]) -> Outcome:
    """``loading.safe_format``: skops artifact -> pass (loaded with the allow-list of
    :data:`console.validation.loading.TRUSTED_TYPES`); pickle/joblib trusted by a named
    user for this SHA-256 -> warn naming who and when; untrusted pickle or any other
    format -> fail."""
    art = ctx.inp.artifact
    if art is None:
        return Outcome(S.SKIPPED, {}, "no artifact information was given for this version (e.g. a registry mirror)")
    values: dict[str, Any] = {"sha256": art.sha256, "format": art.format, "size_bytes": int(art.size_bytes or 0),
                              "trusted_by": art.trusted_by,
                              "trusted_at": art.trusted_at.isoformat() if art.trusted_at else None}
    fmt = (art.format or "").lower()
    if fmt == "skops":
        return Outcome(S.PASS, values, "skops file, loaded with Tollgate's allow-list of trusted types")
    if fmt in ("pickle", "joblib"):
        if art.trusted_by:
            when = f" at {art.trusted_at.isoformat()}" if art.trusted_at else ""
            return Outcome(S.WARN, values, f"pickle file trusted explicitly by {art.trusted_by}{when} for SHA-256 "
                                           f"{art.sha256}; re-save it with skops to remove the risk")
        return Outcome(S.FAIL, values, f"pickle file (SHA-256 {art.sha256}) that nobody trusted; loading it can run "
                                       "arbitrary code - re-save the model with skops or have it trusted")
    return Outcome(S.FAIL, values, f"unknown artifact format {art.format!r}; only skops (or a trusted pickle) is accepted")
