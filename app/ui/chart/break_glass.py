"""The dialog shown when a restricted chart is opened by someone outside the patient's care
team: why the chart is shut, a reason from the clinic's list (words of one's own, needed for
"Other"), the password again, and what happens next (the access lasts the policy's window
and an auditor reviews it). Nothing of the chart is shown until the glass is broken; the
refusal's sentence stays on screen with what was typed, so a wrong password costs nothing
but a retry."""

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget

from app.bootstrap import Workstation
from app.clinical.access.break_glass import OTHER
from app.clinical.access.gate import ChartRestricted
from app.security.roles import Permission
from app.ui.chart.entry_dialogs import EntryDialog
from app.ui.common.background import Background
from app.ui.operations import Op, access

CHOOSE = "Choose a reason…"


class BreakGlassDialog(EntryDialog):
    working = "Checking your password…"

    def __init__(self, ws: Workstation, background: Background, patient_id: str,
                 why_shut: str, parent: QWidget | None = None):
        minutes = ws.policy.access.emergency_minutes
        lasts = f"{minutes // 60} hours" if minutes % 60 == 0 else f"{minutes} minutes"
        super().__init__(background, "Break the glass", why_shut, "Break the glass", parent)
        self._ws, self._patient_id = ws, patient_id
        self.heading.setAccessibleName("Why the chart is shut")
        self.reason = QComboBox()
        self.reason.addItems([CHOOSE, *ws.policy.access.reasons])
        self.field("&Reason", self.reason, "Reason for emergency access")
        self.words = QPlainTextEdit()
        self.words.setPlaceholderText("In your own words (needed for Other)")
        self.words.setFixedHeight(self.fontMetrics().lineSpacing() * 4)
        self.field("&Details", self.words, "Reason in your own words")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.field("Your &password", self.password, "Your password, again")
        self.say(f"The chart opens to you for {lasts}. Every emergency access is recorded "
                 "and reviewed by the clinic's auditor.")
        self.reason.currentTextChanged.connect(self._reason_chosen)

    def _reason_chosen(self, reason: str) -> None:
        self.words.setPlaceholderText("Say why you need this chart (required for Other)"
                                      if reason == OTHER else
                                      "In your own words (needed for Other)")

    def operation(self) -> Op | None:
        reason = self.reason.currentText()
        return access.break_glass(
            self, self._background, self._ws, self._patient_id,
            "" if reason == CHOOSE else reason, self.words.toPlainText(), self.password.text())


def offer(parent: QWidget, ws: Workstation, background: Background, patient_id: str,
          refused: Exception, opened) -> BreakGlassDialog | None:
    """The dialog, opened over `parent`, when `refused` shut a restricted chart to a role
    that may break the glass (front desk and billing never may); `opened(grant)` follows
    the glass broken. None when it is not offered."""
    if not may_break(ws, refused):
        return None
    dialog = BreakGlassDialog(ws, background, patient_id, refused.message, parent)
    dialog.saved.connect(opened)
    dialog.open()
    return dialog


def may_break(ws: Workstation, refused: Exception) -> bool:
    """Whether `refused` shut a restricted chart to someone who may break the glass."""
    return isinstance(refused, ChartRestricted) and ws.session.may(Permission.READ_CHART)
