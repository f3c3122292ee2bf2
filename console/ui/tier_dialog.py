"""The risk-tier questionnaire dialog (issue 5, "Risk tiering"; Model menu → "Assess risk
tier…").

The six questions of :data:`console.domain.tiering.QUESTIONS` with their choices; the
tier is computed live with :func:`console.domain.tiering.assess` (plain Python, no
database) as the user answers.  An optional override (tier + mandatory reason) replaces
the computed tier.  Saving is a signature: the signed-in user re-enters their password
and :func:`console.services.governance.assess_tier` re-authenticates, stores the signed
record and sets the model's tier — in a worker, like the read of the latest assessment.
"""

from __future__ import annotations

import html
from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from console.domain import tiering
from console.domain.governance import TIER_POLICIES, Role
from console.ui import fmt, theme
from console.ui.widgets import busy_bar, error_label

__all__ = ["TierDialog", "load_assessments", "sign_assessment", "TIER_ASSESSOR_ROLES", "assessor_problem"]

#: Who may assess (mirrors console.services.governance.TIER_ASSESSORS; the service decides).
TIER_ASSESSOR_ROLES = (Role.MODEL_RISK_MANAGER, Role.BUSINESS_OWNER, Role.ADMIN)

#: Readable choice labels (the stored values are the keys of tiering.QUESTIONS).
CHOICE_TEXT = {
    "internal": "internal staff only", "customers": "customers", "public": "the public",
    "low": "low", "moderate": "moderate", "high": "high (financial or on people)",
    "no": "no", "yes": "yes",
    "adhoc": "ad hoc (one-off)", "months": "months", "years": "years",
    "rules": "rules", "linear": "linear model", "tree_ensemble": "tree ensemble", "neural_network": "neural network",
    "other": "other",
    "advisory": "advisory (a person decides)", "human_in_loop": "human in the loop", "fully_automated": "fully automated",
}


def load_assessments(ws: Any, model_id: int, progress=None, cancel=None) -> list:
    """The model's tier assessments, newest first."""
    from console.services import governance

    return governance.tier_assessments(ws, model_id)


def sign_assessment(ws: Any, model_id: int, answers: dict, login: str, password: str,
                    override_tier: Optional[int], reason: str, progress=None, cancel=None):
    from console.services import governance

    return governance.assess_tier(ws, model_id, answers, login=login, password=password,
                                  override_tier=override_tier, reason=reason)


def assessor_problem(user: Any, model_id: Optional[int]) -> Optional[str]:
    """Why ``user`` cannot sign a tier assessment, or None."""
    if user is None:
        return "Sign in to assess the risk tier"
    if not any(user.has_role(r, model_id) for r in TIER_ASSESSOR_ROLES):
        return (f"Only a Model Risk Manager, Business Owner or Admin assesses risk tiers; "
                f"{user.display_name} is none of these")
    return None


def _error_html(text: str) -> str:
    return f"<span style='color:{theme.TOKENS.bad}'>{theme.status_glyph('fail')}</span> {html.escape(text)}"


class TierDialog(QDialog):
    """Questionnaire, live tier, override, latest assessment and signature.

    Signals: ``assessed(object)`` (the stored ``TierAssessment``), ``loaded(list)`` (the
    assessments read when the dialog opens), ``failed(str)`` (a refused or failed save).
    """

    assessed = Signal(object)
    loaded = Signal(list)
    failed = Signal(str)

    def __init__(self, ws: Any, runner: Any, user: Any, summary: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ws, self.runner, self.user, self.summary = ws, runner, user, summary
        self.latest: Any = None
        self._job: Any = None
        self.setWindowTitle(f"Assess risk tier — {summary.name}")
        self.setAccessibleName("Assess risk tier")
        self.setMinimumWidth(880)

        # -- questions
        qbox = QFrame(self)
        qbox.setProperty("role", "card")
        grid = QGridLayout(qbox)
        grid.setContentsMargins(12, 10, 12, 10)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        head = QLabel(f"Questionnaire (rule set v{tiering.RULE_VERSION})", qbox)
        head.setProperty("role", "section")
        grid.addWidget(head, 0, 0, 1, 3)
        self.combos: dict[str, QComboBox] = {}
        for i, (q, (axis, text, choices)) in enumerate(tiering.QUESTIONS.items(), start=1):
            lab = QLabel(f"{text}", qbox)
            combo = QComboBox(qbox)
            combo.setAccessibleName(text)
            combo.setPlaceholderText("— choose —")
            for key, pts in choices.items():
                combo.addItem(f"{CHOICE_TEXT.get(key, key)}  ({pts} pt{'s' if pts != 1 else ''})", key)
            combo.setCurrentIndex(-1)
            combo.setMinimumContentsLength(24)
            combo.currentIndexChanged.connect(lambda _i: self.recompute())
            lab.setBuddy(combo)
            ax = QLabel(axis, qbox)
            ax.setProperty("role", "muted")
            grid.addWidget(lab, i, 0)
            grid.addWidget(combo, i, 1)
            grid.addWidget(ax, i, 2)
            self.combos[q] = combo
        grid.setColumnStretch(0, 1)

        # -- result
        self.result_label = QLabel(self)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.setWordWrap(True)
        self.result_label.setAccessibleName("Computed tier")
        self.result_label.setProperty("role", "section")
        self.explain_label = QLabel(self)
        self.explain_label.setWordWrap(True)
        self.explain_label.setProperty("role", "muted")
        self.explain_label.setAccessibleName("Explanation of the computed tier")

        # -- override
        self.override_check = QCheckBox("&Override the computed tier with", self)
        self.override_check.setAccessibleName("Override the computed tier")
        self.override_combo = QComboBox(self)
        self.override_combo.setAccessibleName("Override tier")
        for t, pol in TIER_POLICIES.items():
            self.override_combo.addItem(f"Tier {t}", t)
            self.override_combo.setItemData(self.override_combo.count() - 1, pol.meaning, Qt.ItemDataRole.ToolTipRole)
        self.override_meaning = QLabel(self)
        self.override_meaning.setProperty("role", "muted")
        self.override_combo.setEnabled(False)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setAccessibleName("Reason for the override")
        self.reason_edit.setPlaceholderText("Reason (required for an override; signed and kept in the audit trail)")
        self.reason_edit.setEnabled(False)
        self.override_check.toggled.connect(self._on_override_toggled)
        self.override_combo.currentIndexChanged.connect(lambda _i: self.recompute())
        ov = QGridLayout()
        ov.addWidget(self.override_check, 0, 0)
        ov.addWidget(self.override_combo, 0, 1)
        ov.addWidget(self.override_meaning, 0, 2)
        ov.addWidget(self.reason_edit, 1, 0, 1, 3)
        ov.setColumnStretch(2, 1)

        # -- latest assessment
        self.latest_label = QLabel("Reading the latest assessment…", self)
        self.latest_label.setWordWrap(True)
        self.latest_label.setTextFormat(Qt.TextFormat.RichText)
        self.latest_label.setAccessibleName("Latest assessment")
        self.latest_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # -- signature
        sig = QFrame(self)
        sig.setProperty("role", "card")
        sl = QGridLayout(sig)
        sl.setContentsMargins(12, 10, 12, 10)
        st = QLabel("Electronic signature", sig)
        st.setProperty("role", "section")
        who = (f"{html.escape(user.display_name)} ({html.escape(user.login)})" if user is not None else "not signed in")
        self.signer_label = QLabel(f"Signing as <b>{who}</b>; meaning: <i>assessed</i>. Your printed name, the UTC "
                                   "time and the SHA-256 of the record are stored with it.", sig)
        self.signer_label.setTextFormat(Qt.TextFormat.RichText)
        self.signer_label.setWordWrap(True)
        self.password_edit = QLineEdit(sig)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("Password")
        self.password_edit.setPlaceholderText("Re-enter your password to sign")
        plab = QLabel("&Password:", sig)
        plab.setBuddy(self.password_edit)
        sl.addWidget(st, 0, 0, 1, 2)
        sl.addWidget(self.signer_label, 1, 0, 1, 2)
        sl.addWidget(plab, 2, 0)
        sl.addWidget(self.password_edit, 2, 1)
        sl.setColumnStretch(1, 1)

        self.error = error_label(self)
        self.busy = busy_bar(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.sign_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_button.setText("&Sign and save")
        self.buttons.accepted.connect(self.sign)
        self.buttons.rejected.connect(self.reject)
        problem = assessor_problem(user, summary.id)
        self.sign_button.setEnabled(problem is None)
        self.sign_button.setToolTip(problem or "Re-authenticate, store the signed assessment and set the model's tier")
        self.password_edit.setEnabled(problem is None)
        self.problem_label = QLabel(_error_html(problem) if problem else "", self)
        self.problem_label.setWordWrap(True)
        self.problem_label.setVisible(problem is not None)

        lay = QVBoxLayout(self)
        lay.setSpacing(8)
        cur = QLabel(f"Current risk tier: <b>{summary.risk_tier}</b> — "
                     f"{html.escape(TIER_POLICIES[summary.risk_tier].meaning)}"
                     if summary.risk_tier in TIER_POLICIES else f"Current risk tier: {summary.risk_tier}", self)
        cur.setTextFormat(Qt.TextFormat.RichText)
        cur.setWordWrap(True)
        lay.addWidget(cur)
        lay.addWidget(self.latest_label)
        lay.addWidget(qbox)
        lay.addWidget(self.result_label)
        lay.addWidget(self.explain_label)
        lay.addLayout(ov)
        lay.addWidget(sig)
        lay.addWidget(self.problem_label)
        lay.addWidget(self.error)
        lay.addWidget(self.busy)
        lay.addWidget(self.buttons)
        self.recompute()
        self._load()

    # ------------------------------------------------------------------ answers
    def answers(self) -> dict[str, str]:
        """The chosen answers (unanswered questions left out)."""
        return {q: c.currentData() for q, c in self.combos.items() if c.currentIndex() >= 0}

    def set_answers(self, answers: dict) -> None:
        for q, value in answers.items():
            c = self.combos.get(q)
            if c is not None:
                c.setCurrentIndex(c.findData(str(value)))

    def computed(self) -> Optional[tiering.TierResult]:
        a = self.answers()
        if len(a) < len(tiering.QUESTIONS):
            return None
        return tiering.assess(a)

    def recompute(self) -> None:
        """Show the tier for the current answers (live)."""
        r = self.computed()
        if r is None:
            left = len(tiering.QUESTIONS) - len(self.answers())
            self.result_label.setText(f"Computed tier: — (answer {left} more question{'s' if left != 1 else ''})")
            self.explain_label.setText("")
            return
        final = self.override_combo.currentData() if self.override_check.isChecked() else r.tier
        self.override_meaning.setText(TIER_POLICIES[final].meaning if self.override_check.isChecked() else "")
        text = f"Computed tier: <b>{r.tier}</b> ({html.escape(TIER_POLICIES[r.tier].meaning)})"
        if final != r.tier:
            text += f" · overridden to <b>tier {final}</b> (needs a reason)"
        if final != self.summary.risk_tier:
            text += f" · the model is tier {self.summary.risk_tier} now and becomes tier {final}"
        self.result_label.setText(text)
        self.explain_label.setText(r.explanation)

    def _on_override_toggled(self, on: bool) -> None:
        self.override_combo.setEnabled(on)
        self.reason_edit.setEnabled(on)
        r = self.computed()
        if on and r is not None:
            # start from a different tier: an override equal to the computed one changes nothing
            self.override_combo.setCurrentIndex(self.override_combo.findData(1 if r.tier != 1 else 2))
        self.recompute()

    # ------------------------------------------------------------------ latest assessment
    def _load(self) -> None:
        self._job = self.runner.submit(
            load_assessments, self.ws, self.summary.id, title="Reading the tier assessments",
            on_result=self._on_loaded,
            on_error=lambda m, _d: self.latest_label.setText(_error_html(f"The assessments could not be read: {m}")),
        )

    def _on_loaded(self, items: list) -> None:
        self.latest = items[0] if items else None
        a = self.latest
        if a is None:
            self.latest_label.setText("No tier assessment recorded yet: the current tier was set when the model "
                                      "was registered.")
        else:
            over = (f" (computed {a.computed_tier}, overridden: {html.escape(a.override_reason or '')})"
                    if a.final_tier != a.computed_tier else "")
            self.latest_label.setText(
                f"Latest assessment: <b>tier {a.final_tier}</b>{over} · signed by {html.escape(a.printed_name)} "
                f"({html.escape(a.assessed_by)}) {html.escape(fmt.datetime_utc(a.assessed_at))} · rule set "
                f"v{a.rule_version} · SHA-256 {html.escape(fmt.short_sha(a.signature_sha256 or '', 12))}. "
                "Its answers are filled in below.")
            self.latest_label.setToolTip(f"Signature SHA-256: {a.signature_sha256}")
            if not self.answers():
                self.set_answers(a.answers)
        self.loaded.emit(items)

    # ------------------------------------------------------------------ signing
    def check(self) -> Optional[str]:
        """What keeps the dialog from signing, or None (the service checks again)."""
        problem = assessor_problem(self.user, self.summary.id)
        if problem:
            return problem
        r = self.computed()
        if r is None:
            missing = [tiering.QUESTIONS[q][1] for q in tiering.QUESTIONS if q not in self.answers()]
            return f"Answer every question first; not answered: {missing[0]}"
        if self.override_check.isChecked():
            t = self.override_combo.currentData()
            if t != r.tier and not " ".join(self.reason_edit.text().split()):
                return f"Overriding the computed tier {r.tier} with {t} needs a reason."
        if not self.password_edit.text():
            return "Re-enter your password to sign."
        return None

    def sign(self) -> None:
        problem = self.check()
        if problem:
            self.show_error(problem)
            return
        override = self.override_combo.currentData() if self.override_check.isChecked() else None
        password = self.password_edit.text()
        self.password_edit.clear()  # never kept in the dialog
        self.error.hide()
        self._set_busy(True)
        self._job = self.runner.submit(
            sign_assessment, self.ws, self.summary.id, self.answers(), self.user.login, password, override,
            self.reason_edit.text(), title=f"Signing the tier assessment of {self.summary.name}", serial=True,
            on_result=self._on_signed, on_error=lambda m, _d: self.show_error(f"Not saved: {m}"),
            on_finished=lambda: self._set_busy(False),
        )

    def _on_signed(self, assessment: Any) -> None:
        self.assessed.emit(assessment)
        self.accept()

    def show_error(self, message: str) -> None:
        self._set_busy(False)  # before ``failed``: the user may try again at once
        self.error.setText(_error_html(message))
        self.error.show()
        self.failed.emit(message)

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.sign_button.setEnabled(not busy and assessor_problem(self.user, self.summary.id) is None)
