"""Record status…: the payer's answer to one submitted claim as billing read it from the
payer's letter or portal: paid (how much) or denied (the payer's reason).

It is saved as a ClaimResponse by Claims.record, the same as `hearth claims status`; what
the service refuses (no amount, no reason, a claim not yet submitted) is said in the
dialog in the service's sentence, the dialog stays open with what was typed, and nothing
is stored. An amount that is not a number is refused here before anything is asked.
"""

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.billing.claim_status import Standing
from app.clinical.billing.claims import ClaimRow
from app.ui.claims.words import said
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.operations import claims as claim_ops


class RecordStatusDialog(QDialog):
    recorded = Signal(object)  # the claim's Standing once the answer is stored

    def __init__(self, ws: Workstation, background: Background, row: ClaimRow,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._ws, self._background, self.row = ws, background, row
        self.setWindowTitle(f"Record the payer's answer: {row.patient}")
        self.paid = QRadioButton("&Paid")
        self.denied = QRadioButton("&Denied")
        self.paid.setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.paid)
        kinds.addButton(self.denied)
        self.amount = QLineEdit()
        self.amount.setAccessibleName("Amount paid")
        self.amount.setPlaceholderText("e.g. 70.00")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Why the payer denied it")
        self.reason.setPlaceholderText("the payer's reason, e.g. CO-50 not medically necessary")
        self.message = QLabel()
        self.message.setAccessibleName("Record status message")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.paid.toggled.connect(self._kind_chosen)
        kind = QHBoxLayout()
        kind.addWidget(self.paid)
        kind.addWidget(self.denied)
        kind.addStretch(1)
        form = QFormLayout()
        form.addRow("Claim", QLabel(f"{row.claim_id}, visit of {row.visit_date or 'no date'}, "
                                    f"{row.payer or 'self-pay'}"))
        form.addRow("The payer", kind)
        form.addRow("Amount &paid", self.amount)
        form.addRow("&Reason", self.reason)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.message)
        box.addWidget(self.buttons)
        self._kind_chosen()

    def save(self) -> None:
        status = "paid" if self.paid.isChecked() else "denied"
        amount, typed = None, self.amount.text().strip().replace(",", "")
        if status == "paid" and typed:  # blank: the service asks how much was paid
            try:
                amount = Decimal(typed)
            except InvalidOperation:
                self._say(f"'{self.amount.text()}' is not an amount: write what was paid, "
                          "such as 70.00. Nothing was recorded.")
                return
            if not amount.is_finite():
                self._say("Write what was paid as a number, such as 70.00. Nothing was "
                          "recorded.")
                return
        self.buttons.setEnabled(False)
        claim_ops.record(self, self._background, self._ws, self.row.claim_id, status, amount,
                         self.reason.text() if status == "denied" else None).success(
            self._saved).failure(self._refused).run()

    def _saved(self, now: Standing) -> None:
        self.recorded.emit(now)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self.buttons.setEnabled(True)
        self._say(f"Not recorded: {said(exc)}")

    def _kind_chosen(self) -> None:
        paid = self.paid.isChecked()
        self.amount.setEnabled(paid)
        self.reason.setEnabled(not paid)
        (self.amount if paid else self.reason).setFocus()

    def _say(self, text: str) -> None:
        self.message.setStyleSheet(f"color: {theme.alert_color()};")
        self.message.setText(text)
