"""Add a fee: a code, its code system, what it is, whose price it is and the amount.

The fields are checked by the same rules as a CSV row (app.clinical.billing.fees.fee_of_row),
so a fee added here could have been imported, and what is wrong is said in the dialog in a
sentence, which stays open. A price the schedule already has for that code and payer is not
replaced from here: the admin is told to edit its amount in the table, so nothing is
overwritten by a fee meant to be new.
"""

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.clinical.billing.fees import DEFAULT_PAYER, Fee, fee_of_row
from app.ui.admin.fee_rows import ANY_PAYER, payer_text
from app.ui.common import theme


class AddFeeDialog(QDialog):
    def __init__(self, fees: list[Fee], save: Callable[[Fee], None], parent: QWidget):
        super().__init__(parent)
        self.setWindowTitle("Add a fee")
        self.setAccessibleName("Add a fee")
        self._fees, self._save = fees, save
        self.code = QLineEdit()
        self.code.setAccessibleName("Code")
        self.code.setPlaceholderText("e.g. 99213 or G0438")
        self.system = QComboBox()
        self.system.setAccessibleName("Code system")
        for words, value in (("CPT (the clinic's licensed codes)", "cpt"),
                             ("HCPCS Level II", "hcpcs")):
            self.system.addItem(words, value)
        self.description = QLineEdit()
        self.description.setAccessibleName("Description")
        self.payer = QComboBox()
        self.payer.setEditable(True)
        self.payer.setAccessibleName("Payer")
        self.payer.addItems([ANY_PAYER, *sorted({f.payer for f in fees} - {DEFAULT_PAYER})])
        self.amount = QLineEdit()
        self.amount.setAccessibleName("Amount")
        self.amount.setPlaceholderText("e.g. 75.50")
        self.currency = QLineEdit("USD")
        self.currency.setAccessibleName("Currency")
        self.problem = QLabel()
        self.problem.setAccessibleName("What is wrong")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {theme.alert_color()};")
        self.problem.hide()
        form = QFormLayout()
        for label, field in (("&Code", self.code), ("Code &system", self.system),
                             ("&Description", self.description), ("&Payer", self.payer),
                             ("&Amount", self.amount), ("C&urrency", self.currency)):
            form.addRow(label, field)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.problem)
        box.addWidget(buttons)

    def submit(self) -> None:
        """Check the fields as a CSV row; save the fee, or say what is wrong and stay open."""
        payer = self.payer.currentText().strip()
        payer = DEFAULT_PAYER if payer.casefold() in ("", ANY_PAYER) else payer
        try:
            fee = fee_of_row([self.code.text(), self.system.currentData(),
                              self.description.text(), payer, self.amount.text(),
                              self.currency.text().upper()])
        except ValueError as exc:
            self.say(f"{str(exc)[0].upper()}{str(exc)[1:]}.")
            return
        same = next((f for f in self._fees if (f.code, f.system) == (fee.code, fee.system)
                     and f.payer.casefold() == fee.payer.casefold()), None)
        if same is not None:
            self.say(f"{fee.code} already has a fee for {payer_text(same.payer)} "
                     f"({same.amount} {same.currency}); edit its amount in the table instead.")
            return
        self._save(fee)
        self.accept()

    def say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
