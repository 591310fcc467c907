"""Review and sign the basket: every pended order of the patient (lab, imaging, medication),
each medication with the safety alerts saved when it was pended, then "Sign all" as ONE unit
of work (Orders.sign of exactly the orders listed: an order pended meanwhile is not signed
unseen, and if one cannot be signed none is). A nurse sees the same list, told it waits for
a physician, with nothing to sign.
"""

from PySide6.QtWidgets import QListWidget, QListWidgetItem

from app.bootstrap import Workstation
from app.clinical.orders.service_requests import PendedOrder
from app.security.roles import Permission
from app.ui.chart.entry_dialogs import EntryDialog
from app.ui.common.background import Background
from app.ui.operations import Op, orders


def line_text(line: PendedOrder) -> str:
    """One order as the signer reads it: what, who pended it, and each alert shown."""
    kind = "Medication" if line.order["resourceType"] == "MedicationRequest" else "Test"
    priority = line.order.get("priority")
    said = f"{kind}: {line.what}" + (f" ({priority})" if priority else "")
    if line.pended_by:
        said += f" — pended by {line.pended_by}"
    return "\n".join([said] + [f"    ⚠ {alert}" for alert in line.alerts])


class SignOrdersDialog(EntryDialog):
    def __init__(self, ws: Workstation, background: Background, patient: str,
                 basket: list[PendedOrder], parent=None):
        may_sign = ws.session.may(Permission.SIGN_ORDERS)
        count = f"{len(basket)} unsigned order{'s' if len(basket) != 1 else ''}"
        super().__init__(background, "Review and sign orders", f"{count} for {patient}",
                         "&Sign all", parent)
        self._ws, self._ids = ws, [line.order["id"] for line in basket]
        self.orders = QListWidget()
        self.orders.setAccessibleName("Unsigned orders")
        self.orders.setWordWrap(True)
        for line in basket:
            item = QListWidgetItem(line_text(line))
            item.setToolTip(item.text())
            self.orders.addItem(item)
        self.box.insertWidget(1, self.orders, 1)
        self.cancel.setText("Close" if not may_sign else "Cancel")
        if not may_sign:
            self.save.hide()
            self.say("These orders wait for a physician to sign them.")
        elif any(line.alerts for line in basket):
            self.say("Read the alerts (⚠) before signing: they were shown when the medication "
                     "was pended.", alert=True)

    def operation(self) -> Op:
        return orders.sign(self, self._background, self._ws, self._ids)
