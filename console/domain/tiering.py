"""Risk tiering questionnaire (issue 5, "Risk tiering").

Materiality and complexity, the two axes of model risk in the Federal Reserve's
SR 11-7 ("Guidance on Model Risk Management", 2011, section V: the rigour of validation
should be commensurate with the model's materiality and complexity), mapped onto the
playbook's criticality levels (DESIGN.md tiers: 1 operational, decisions about people
or money; 2 scheduled, monitored; 3 ad-hoc / self-service).

Rule set version 1 (:data:`RULE_VERSION`).  Answers (:data:`QUESTIONS`):

====================  =====================================================  ==========
question              choices (points)                                       axis
====================  =====================================================  ==========
audience              internal 0 · customers 2 · public 2                    materiality
impact                low 0 · moderate 1 · high 3 (financial or on people)    materiality
decisions_on_people   no 0 · yes 2 (credit, hiring, pricing, eligibility)    materiality
lifetime              adhoc 0 · months 1 · years 2                           materiality
model_type            rules 0 · linear 0 · tree_ensemble 1 · neural_network 2 complexity
                      · other 2
automation            advisory 0 · human_in_loop 1 · fully_automated 2       complexity
====================  =====================================================  ==========

Tier 1 when materiality ≥ 6, or materiality ≥ 4 with complexity ≥ 3; tier 2 when
materiality ≥ 3 or complexity ≥ 3; tier 3 otherwise.  The answers, the rule version
and the computed tier are stored; a different final tier is a signed override with a
reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

RULE_VERSION = 1

#: question → {choice: points}; the first key of each is the axis ("materiality" / "complexity").
QUESTIONS: dict[str, tuple[str, str, dict[str, int]]] = {
    "audience": ("materiality", "Who is affected by the model's outputs?",
                 {"internal": 0, "customers": 2, "public": 2}),
    "impact": ("materiality", "Financial or human impact of a wrong output",
               {"low": 0, "moderate": 1, "high": 3}),
    "decisions_on_people": ("materiality", "Are decisions about people (credit, hiring, pricing, eligibility) made?",
                            {"no": 0, "yes": 2}),
    "lifetime": ("materiality", "How long will the model be used?", {"adhoc": 0, "months": 1, "years": 2}),
    "model_type": ("complexity", "Model type",
                   {"rules": 0, "linear": 0, "tree_ensemble": 1, "neural_network": 2, "other": 2}),
    "automation": ("complexity", "How automated are the decisions?",
                   {"advisory": 0, "human_in_loop": 1, "fully_automated": 2}),
}


@dataclass(frozen=True)
class TierResult:
    tier: int
    materiality: int
    complexity: int
    rule_version: int
    explanation: str


def assess(answers: Mapping[str, Any]) -> TierResult:
    """The tier for ``answers`` (every question of :data:`QUESTIONS`, values as listed;
    booleans accepted for ``decisions_on_people``).  Raises :class:`ValueError` naming
    the missing question or the bad choice and the valid ones."""
    points = {"materiality": 0, "complexity": 0}
    for q, (axis, _, choices) in QUESTIONS.items():
        if q not in answers:
            raise ValueError(f"tier questionnaire: question {q!r} is not answered (choices: {', '.join(choices)})")
        raw = answers[q]
        value = ("yes" if raw else "no") if isinstance(raw, bool) else str(raw).strip().lower()
        if value not in choices:
            raise ValueError(f"tier questionnaire: {q} = {raw!r} is not one of {', '.join(choices)}")
        points[axis] += choices[value]
    unknown = sorted(set(answers) - set(QUESTIONS))
    if unknown:
        raise ValueError(f"tier questionnaire: unknown question(s) {', '.join(unknown)}")
    m, c = points["materiality"], points["complexity"]
    if m >= 6 or (m >= 4 and c >= 3):
        tier, why = 1, "materiality ≥ 6, or ≥ 4 with complexity ≥ 3"
    elif m >= 3 or c >= 3:
        tier, why = 2, "materiality ≥ 3 or complexity ≥ 3"
    else:
        tier, why = 3, "materiality < 3 and complexity < 3"
    return TierResult(tier, m, c, RULE_VERSION,
                      f"materiality {m}/9, complexity {c}/4 → tier {tier} ({why}; rule set v{RULE_VERSION})")


def normalised(answers: Mapping[str, Any]) -> dict[str, str]:
    """The answers as stored (lower-case choice strings)."""
    assess(answers)
    return {q: (("yes" if answers[q] else "no") if isinstance(answers[q], bool) else str(answers[q]).strip().lower())
            for q in QUESTIONS}
