"""Review and sign the basket: every pended order of the patient (lab, imaging, medication),
each medication with the safety alerts saved when it was pended, then "Sign all" as ONE unit
of work (Orders.sign of exactly the orders listed: an order pended meanwhile is not signed
unseen, and if one cannot be signed none is). A nurse sees the same list, told it waits for
a physician, with nothing to sign.

Signing is the prescriber's decision, so it sees current alerts: the review reads each
medication draft's check as it would run now, and an alert nobody was shown yet is listed
as NEW with its source. One that stops the signing asks, in place, for the signer's reason
(kept with the order), as the prescribing dialog does; a missing or unsound pack (the red
banner) asks for an acknowledgement. The service checks again as it signs, so an alert that
arrives between review and signing is refused and shown the same way.
"""

from PySide6.QtWidgets import QCheckBox, QLineEdit, QListWidget, QListWidgetItem

from app.bootstrap import Workstation
from app.clinical.orders.service_requests import PendedOrder
from app.clinical.safety.check import Alert
from app.clinical.safety.prescribing import AcknowledgementNeeded, SafetyAlerts
from app.security.roles import Permission
from app.ui.chart.entry_dialogs import EntryDialog
from app.ui.chart.knowledge_banner import KnowledgeBanner
from app.ui.chart.prescribing.dialog import alert_lines
from app.ui.chart.style import ToneLabel
from app.ui.common.background import Background
from app.ui.operations import Op, orders


def line_text(line: PendedOrder) -> str:
    """One order as the signer reads it: what, who pended it, each alert shown when it was
    pended, and each alert found now that nobody has seen (NEW, with its source)."""
    kind = "Medication" if line.order["resourceType"] == "MedicationRequest" else "Test"
    priority = line.order.get("priority")
    said = f"{kind}: {line.what}" + (f" ({priority})" if priority else "")
    if line.pended_by:
        said += f" — pended by {line.pended_by}"
    return "\n".join([said] + [f"    ⚠ {alert}" for alert in line.alerts]
                     + [f"    ⚠ NEW since pended: {_alert_text(a)}" for a in line.new_alerts])


def _alert_text(alert: Alert) -> str:
    return (f"{alert.severity.capitalize()} {alert.kind} alert: {alert.message} Source: "
            f"{alert.source.rstrip('.')} ({alert.pack} version {alert.pack_version}).")


class SignOrdersDialog(EntryDialog):
    def __init__(self, ws: Workstation, background: Background, patient: str,
                 basket: list[PendedOrder], parent=None):
        may_sign = ws.session.may(Permission.SIGN_ORDERS)
        count = f"{len(basket)} unsigned order{'s' if len(basket) != 1 else ''}"
        super().__init__(background, "Review and sign orders", f"{count} for {patient}",
                         "&Sign all", parent)
        self._ws, self._ids = ws, [line.order["id"] for line in basket]
        medicines = any(line.order["resourceType"] == "MedicationRequest" for line in basket)
        status = ws.safety.knowledge.status
        self.banner = KnowledgeBanner(status)  # hidden while the packs are sound
        if not medicines:
            self.banner.hide()  # no drug to check: the pack does not concern these orders
        self.box.insertWidget(0, self.banner)
        self.orders = QListWidget()
        self.orders.setAccessibleName("Unsigned orders")
        self.orders.setWordWrap(True)
        for line in basket:
            item = QListWidgetItem(line_text(line))
            item.setToolTip(item.text())
            self.orders.addItem(item)
        self.box.insertWidget(2, self.orders, 1)
        self.alerts = ToneLabel("", "alert", "Safety alerts that stop the signing")
        self.alerts.setWordWrap(True)
        self.form.addRow(self.alerts)
        self.override = self.field("&Reason to override", QLineEdit(), "Reason to override")
        self.override.setPlaceholderText("Why sign despite the alert (kept with the order)")
        self.acknowledge = self.field("", QCheckBox(
            "I know no full safety check can run; sign anyway"),
            "Sign without a full safety check")
        for shown_later in (self.alerts, self.override, self.acknowledge):
            self.form.setRowVisible(shown_later, False)
        self.cancel.setText("Close" if not may_sign else "Cancel")
        stopping = tuple(a for line in basket for a in line.new_alerts if a.interrupts)
        self._listed = set(stopping)  # the alerts the list of orders shows as NEW
        if not may_sign:
            self.save.hide()
            self.say("These orders wait for a physician to sign them.")
            return
        if medicines and status.needs_acknowledgement:
            self.form.setRowVisible(self.acknowledge, True)
        if stopping:  # listed above, marked NEW: only the reason is asked for
            self._ask_reason(stopping, "since the orders were pended", listed=True)
        elif any(line.alerts or line.new_alerts for line in basket):
            self.say("Read the alerts (⚠) before signing: those not marked NEW were shown "
                     "when the medication was pended.", alert=True)

    def operation(self) -> Op:
        reason = self.override.text() if self.form.isRowVisible(self.override) else None
        return orders.sign(self, self._background, self._ws, self._ids, reason,
                           self.acknowledge.isChecked())

    def refuse(self, why: str) -> None:
        """Say why; new alerts that stop the signing are listed with their source and ask
        for the signer's reason, a check that could not run for their word."""
        super().refuse(why)
        exc = self._last_refusal
        if isinstance(exc, SafetyAlerts):
            listed = self._listed.issuperset(exc.alerts)
            self._ask_reason(exc.alerts, "since the orders were pended" if listed
                             else "at signing", listed)
        elif isinstance(exc, AcknowledgementNeeded):
            self.form.setRowVisible(self.acknowledge, True)
            self.acknowledge.setFocus()

    def _ask_reason(self, stopping: tuple[Alert, ...], when: str, listed: bool = False
                    ) -> None:
        """Ask for the reason in place; the alerts are spelled out here unless the list of
        orders already shows them (NEW): one found at signing is not in that list."""
        found = ("an alert that stops" if len(stopping) == 1
                 else f"{len(stopping)} alerts that stop")
        marked = " (⚠ NEW above)" if listed else ""
        self.say(f"Not signed yet: the safety check finds {found} the signing{marked}, new "
                 f"{when}. Give your reason to sign, or close and cancel the order on the "
                 "Orders tab.", alert=True)
        self.alerts.setText(alert_lines(stopping))
        self.form.setRowVisible(self.alerts, not listed)
        self.form.setRowVisible(self.override, True)
        self.save.setText("&Sign despite the alert" if len(stopping) == 1
                          else "&Sign despite the alerts")
        self.override.setFocus()
