"""Order a set (resources/orders/order-sets.json): the clinic's lists of tests pended together
(Orders.pend_many through order_sets.expand, all or none), for a physician to sign.

A set's medication lines are not saved here: once the tests are pended, the Orders tab opens
each line, filled in, in the prescribing form (app.ui.chart.prescribing), which runs the
safety checks like any new prescription. The safety pack's red banner is shown here too,
before the set is chosen, while those checks cannot run.
"""

from PySide6.QtWidgets import QComboBox

from app.bootstrap import Workstation
from app.clinical.orders.order_sets import OrderSet, order_sets
from app.clinical.orders.service_requests import PRIORITIES
from app.ui.chart.entry_dialogs import EntryDialog
from app.ui.chart.knowledge_banner import KnowledgeBanner
from app.ui.chart.style import ToneLabel
from app.ui.common.background import Background
from app.ui.operations import Op, orders


def set_contents(order_set: OrderSet, catalogue) -> str:
    """What the set orders, in words, before anything is pended."""
    names = [catalogue.items[c].name if c in catalogue.items else f"{c} (not in the catalogue)"
             for c in order_set.tests]
    medications = [m.get("name", "?") for m in order_set.medications]
    said = f"Tests: {', '.join(names) or 'none'}."
    if medications:
        said += f" Medications to prescribe: {', '.join(medications)}."
    return f"{said} Reason given: {order_set.reason}."


class OrderSetDialog(EntryDialog):
    def __init__(self, ws: Workstation, background: Background, patient_id: str,
                 patient: str, parent=None):
        super().__init__(background, "Order set", f"Order a set of tests for {patient}",
                         "&Pend the set's tests", parent)
        self._ws, self._patient_id = ws, patient_id
        self.banner = KnowledgeBanner(ws.safety.knowledge.status)  # red while checks cannot run
        self.box.insertWidget(0, self.banner)
        self.sets = self.field("&Set", QComboBox(), "Order set")
        for order_set in order_sets().values():
            self.sets.addItem(order_set.name, order_set)
        self.contents = ToneLabel("", None, "What the set orders")
        self.form.addRow(self.contents)
        self.priority = self.field("P&riority", QComboBox(), "Priority")
        for priority in PRIORITIES:
            self.priority.addItem(priority.capitalize(), priority)
        self.sets.currentIndexChanged.connect(self._chosen)
        self._chosen()

    def _chosen(self) -> None:
        order_set = self.sets.currentData()
        self.contents.setText(set_contents(order_set, self._ws.orders.catalogue)
                              if order_set else "The clinic has no order sets.")

    def operation(self) -> Op | None:
        order_set = self.sets.currentData()
        if order_set is None:
            self.refuse("There is no order set to order: the clinic's file lists none.")
            return None
        return orders.pend_set(self, self._background, self._ws, self._patient_id,
                               order_set.id, self.priority.currentData())
