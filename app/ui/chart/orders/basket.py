"""The basket bar: "N unsigned orders for <patient>" and the button that opens their review,
above the chart's sections so it is seen from every tab; hidden while the basket is empty.

Apart from the Orders tab, so that a chart shows its basket (and closing it can ask about
the user's unsigned orders, app.ui.chart.orders.leaving) without building that tab: the
basket is read when the chart opens, in one audited read, and again whenever a commit
touches this patient's orders or their alerts (this workstation's saves or sync).
"""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton

from app.bootstrap import Workstation
from app.clinical.orders.service_requests import PendedOrder
from app.clinical.records import Changes
from app.security.roles import Permission
from app.ui.chart.orders.basket_dialog import SignOrdersDialog
from app.ui.chart.style import ToneLabel
from app.ui.common.background import Background
from app.ui.operations import orders
from fhir_common.messages import sentence

ORDER_KINDS = frozenset({"ServiceRequest", "MedicationRequest", "DetectedIssue"})


def unsigned_words(count: int) -> str:
    return f"{count} unsigned order{'s' if count != 1 else ''}"


class Basket(QFrame):
    signed = Signal(list)  # the orders signed in a review opened here

    def __init__(self, ws: Workstation, background: Background, patient_id: str,
                 patient: str):
        super().__init__()
        self.setAccessibleName("Unsigned orders")
        self._ws, self._background, self._patient_id = ws, background, patient_id
        self.patient = patient
        self.lines: list[PendedOrder] = []
        self.count = ToneLabel("", "alert", "Unsigned orders count")
        self.review_button = QPushButton("Review and sign…")
        self.review_button.setAccessibleName("Review and sign the unsigned orders")
        self.review_button.clicked.connect(self.review)
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.count, 1)
        box.addWidget(self.review_button)
        self.hide()
        self.read()

    def read(self) -> None:
        """The pended orders, in one audited read; a newer read wins."""
        orders.basket(self, self._background, self._ws, self._patient_id).success(
            self._show).failure(self._fail).run()

    def take(self, changes: Changes) -> None:
        """Read again when a commit touched this patient's orders or their alerts."""
        if self._patient_id in changes.patients and changes.kinds & ORDER_KINDS:
            self.read()

    def mine(self) -> list[PendedOrder]:
        """The unsigned orders this user pended: what leaving the chart asks about."""
        return [line for line in self.lines if line.pended_by_user == self._ws.session.user]

    def may_sign(self) -> bool:
        return self._ws.session.may(Permission.SIGN_ORDERS)

    def review(self) -> SignOrdersDialog:
        dialog = SignOrdersDialog(self._ws, self._background, self.patient, self.lines, self)
        dialog.saved.connect(self.signed.emit)
        dialog.open()
        return dialog

    def _show(self, lines: list[PendedOrder]) -> None:
        self.lines = lines
        self.count.setText(f"{unsigned_words(len(lines))} for {self.patient}: "
                           + ("review and sign them." if self.may_sign() else
                              "they wait for a physician to sign them."))
        self.review_button.show()
        self.setVisible(bool(lines))

    def _fail(self, exc: Exception) -> None:
        """Said on the bar, which shows on every tab: the basket is not known to be empty."""
        self.count.setText(f"The unsigned orders could not be read: {sentence(exc)}")
        self.review_button.hide()
        self.show()
