"""Renew…, Change… and Discontinue… a current medication order (opened from the Medications
tab); the services are app.clinical.orders.medication_changes.

Renew and Change are checked as a new order is: each carries the KnowledgeBanner (the red
line while the safety pack is missing, damaged or outdated); an alert that interrupts is
listed as the new-order form lists it (severity, message, source with the pack's name and
version) and shows the override reason field, and a check that could not run the
acknowledgement, as the new-order form does, and Save then goes on with them. Change
shows the order's directions now and the fields of the new ones, with the new sig in plain
words as it is typed. Discontinue asks why.
"""

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from app.clinical.chart.chart_items import ChartItem
from app.clinical.orders.dose_limits import DoseLimit
from app.clinical.orders.sig import FREQUENCIES, ROUTES, UNITS, Sig
from app.clinical.safety.prescribing import AcknowledgementNeeded, SafetyAlerts
from app.errors import HearthError
from app.ui.chart.entry_dialogs import EntryDialog, ReasonDialog
from app.ui.chart.knowledge_banner import KnowledgeBanner
from app.ui.chart.prescribing.dialog import alert_lines
from app.ui.chart.prescribing.sig_fields import SigFields, from_sig, to_sig
from app.ui.chart.style import ToneLabel
from app.ui.common.background import Background
from app.ui.operations import Op, entries, medication_changes
from app.ui.operations.entries import Services
from fhir_common.messages import sentence


class _CheckedOrderDialog(EntryDialog):
    """A renewal or change: the pack's banner on top, and the override reason and the
    acknowledgement shown once the check asks for them."""

    def __init__(self, services: Services, background: Background, title: str,
                 heading: str, action: str, parent: QWidget | None):
        super().__init__(background, title, heading, action, parent)
        self._services, self._action = services, action
        self.banner = KnowledgeBanner(services.medications.safety.knowledge.status)
        self.box.insertWidget(0, self.banner)

    def add_safety_fields(self) -> None:
        """After the form's own fields: hidden until the check asks for them."""
        self.override = self.field("&Override reason", QLineEdit(), "Reason to override")
        self.override.setPlaceholderText("Why go on despite the alert (kept with the order)")
        self.acknowledge = self.field("", QCheckBox("Go on without a safety check"),
                                      "Go on without a safety check")
        for shown_later in (self.override, self.acknowledge):
            self.form.setRowVisible(shown_later, False)

    def overriding(self) -> tuple[str | None, bool]:
        """The override reason (None until asked for) and the acknowledgement."""
        return (self.override.text() if self.form.isRowVisible(self.override) else None,
                self.acknowledge.isChecked())

    def refuse(self, why: str) -> None:
        super().refuse(why)
        exc = self._last_refusal
        if isinstance(exc, SafetyAlerts):  # laid out as the new prescription shows them
            self.say(f"{alert_lines(exc.alerts)}\nNot saved yet: give your reason to go on "
                     "despite the alert (Override reason, above), or cancel.", alert=True)
            self.form.setRowVisible(self.override, True)
            self.save.setText(f"{self._action} despite the alert")
            self.override.setFocus()
        elif isinstance(exc, AcknowledgementNeeded):
            self.form.setRowVisible(self.acknowledge, True)
            self.save.setText(f"{self._action} without a check")
            self.acknowledge.setFocus()
        self.adjustSize()  # room for the sentence and the row it showed


class RenewDialog(_CheckedOrderDialog):
    """The same drug and directions again from today; the old order is completed."""

    def __init__(self, services: Services, background: Background, item: ChartItem,
                 parent: QWidget | None = None):
        super().__init__(services, background, "Renew medication", f"Renew {item.title}",
                         "Renew", parent)
        self._item = item
        self.directions = self.field("Directions", ToneLabel(item.dose or "None written",
                                                             None), "Directions kept")
        said = ToneLabel("Quantity and refills as on the order now. It is checked against the "
                         "current medications and allergies, as a new order is.", "muted")
        said.setWordWrap(True)
        self.field("", said, "What renewing does")
        self.add_safety_fields()

    def operation(self) -> Op:
        override, acknowledged = self.overriding()
        return medication_changes.renew(self, self._background, self._services,
                                        self._item.id, override, acknowledged)


class ChangeDialog(_CheckedOrderDialog):
    """New directions for the same drug: the old order is stopped, "Changed to ...". The
    fields start from the order's own when it stores them in parts."""

    def __init__(self, services: Services, background: Background, item: ChartItem,
                 parent: QWidget | None = None):
        super().__init__(services, background, "Change medication", f"Change {item.title}",
                         "Change", parent)
        self._item, self._limit, self._ready = item, None, False
        self.now = self.field("Now", ToneLabel(item.dose or "None written", None),
                              "Directions now")
        self.dose = self.field("&Dose", QLineEdit(), "Dose")
        self.dose.setPlaceholderText("e.g. 1 or 500")
        self.unit = self.field("&Unit", _choices(UNITS), "Unit")
        self.route = self.field("&Route", _choices(ROUTES), "Route")
        self.frequency = self.field("&Frequency", _choices(FREQUENCIES, editable=True),
                                    "Frequency")
        self.days = self.field("Dura&tion (days)", QLineEdit(), "Duration in days, optional")
        self.quantity = self.field("&Quantity", QLineEdit(), "Quantity, optional")
        self.refills = self.field("Re&fills", QLineEdit(), "Refills, optional")
        self.sig = self.field("New directions", ToneLabel("", "muted"), "New directions")
        self.sig.setWordWrap(True)
        self.add_safety_fields()
        for box in (self.dose, self.days, self.quantity, self.refills):
            box.textChanged.connect(self._show_sig)
        for choice in (self.unit, self.route, self.frequency):
            choice.currentTextChanged.connect(self._show_sig)
        self.save.setEnabled(False)
        self.say("Loading the order…")
        medication_changes.load_order(self, background, services, item.id).success(
            self._loaded).failure(self._refused).run()
        self.dose.setFocus()

    def fields(self) -> SigFields:
        return SigFields(self.dose.text(), self.unit.currentText(), self.route.currentText(),
                         self.frequency.currentText(), self.days.text(),
                         self.quantity.text(), self.refills.text())

    def new_sig(self) -> Sig:
        return to_sig(self.fields(), self._limit)

    def operation(self) -> Op | None:
        try:
            sig = self.new_sig()
        except HearthError as exc:
            self.refuse(sentence(exc))
            return None
        override, acknowledged = self.overriding()
        return medication_changes.change(self, self._background, self._services,
                                         self._item.id, sig, override, acknowledged)

    def _loaded(self, loaded: tuple[dict, DoseLimit | None]) -> None:
        order, self._limit = loaded
        dosage = (order.get("dosageInstruction") or [{}])[0]
        if dosage.get("doseAndRate"):  # stored in parts: start from them
            shown = from_sig(Sig(dosage.get("text", ""), dosage,
                                 order.get("dispenseRequest") or {}))
            self.dose.setText(shown.dose)
            for box, value in ((self.unit, shown.unit), (self.route, shown.route),
                               (self.frequency, shown.frequency)):
                box.setCurrentText(value)
            self.days.setText(shown.days)
            self.quantity.setText(shown.quantity)
            self.refills.setText(shown.refills)
        self._ready = True
        self.say("")
        self._busy(False)
        self._show_sig()

    def _show_sig(self, *_changed) -> None:
        """The new directions in plain words as typed, or what is wrong with them."""
        if not self.dose.text().strip():
            self.sig.set_tone("muted")
            self.sig.setText("Type the new dose to see the directions.")
            return
        try:
            sig = self.new_sig()
        except HearthError as exc:
            self.sig.set_tone("alert")
            self.sig.setText(exc.message)
            return
        self.sig.set_tone("alert" if sig.warnings else None)
        self.sig.setText(" ".join((sig.words, *sig.warnings)))

    def _busy(self, busy: bool) -> None:
        super()._busy(busy)
        self.save.setEnabled(not busy and self._ready)


def discontinue_dialog(services: Services, background: Background, item: ChartItem,
                       parent: QWidget | None = None) -> ReasonDialog:
    """Discontinue: stop the order, with the reason (refused without one)."""
    return ReasonDialog(
        background, "Discontinue medication", item, "Discontinue",
        lambda dialog, reason, _when: entries.stop_medication(
            dialog, background, services, item.id, reason), None, parent)


def _choices(options: dict, editable: bool = False) -> QComboBox:
    box = QComboBox()
    box.addItems(list(options))
    box.setEditable(editable)
    return box

