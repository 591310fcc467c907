"""New prescription: a drug picked from the offline catalogue as you type, its sig built
from the fields and read back in plain words as they change, the indication picked from the
patient's active problems, and the safety check's alerts shown with their source.

The save is one operation (operations.entries.prescribe). The check runs in the unit of
work that saves the order, so its alerts come back as the refusal: the dialog lists them
(severity, message, source with the pack's name and version) and asks for the reason to
prescribe despite them; a pack that is missing, damaged or outdated asks for an
acknowledgement. Changing the drug or the dose takes back a reason given for the old one.
A drug typed that the catalogue does not know may still be prescribed, saying in the alert
tone that no safety check can run. A nurse's order is pended for a physician to sign.
"""

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QWidget,
)

from app.clinical.drugs.catalogue import Drug, DrugCatalogue, unknown_drug_warning
from app.clinical.orders.dose_limits import limit_for
from app.clinical.orders.order_sets import MedicationProposal
from app.clinical.orders.sig import FREQUENCIES, ROUTES, UNITS, Sig
from app.clinical.safety.check import Alert
from app.clinical.safety.prescribing import AcknowledgementNeeded, SafetyAlerts
from app.errors import HearthError
from app.security.roles import Permission
from app.ui.chart.entry_dialogs import EntryDialog
from app.ui.chart.knowledge_banner import KnowledgeBanner
from app.ui.chart.prescribing.sig_fields import SigFields, from_sig, to_sig
from app.ui.chart.style import ToneLabel
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, row_at, row_table
from app.ui.common.typed_search import DownToResults, TypedSearch
from app.ui.operations import Op, entries
from app.ui.operations.entries import Prescription, Services
from fhir_common.messages import sentence

SHOWN_DRUGS = 15
DRUG_HINT = "Type a drug name or an RxNorm code; pick from the list (Down arrow)."
NO_INDICATION = "Not stated"
DRUG_COLUMNS = (Column("Drug", lambda d: d.name), Column("RxNorm", lambda d: d.rxcui),
                Column("Kind", lambda d: d.kind))
FREQUENCY_CHOICES = [key for key in FREQUENCIES if key != "as needed"] + ["as needed"]


def alert_lines(alerts: tuple[Alert, ...]) -> str:
    """Each alert as a prescriber reads it: severity, message, and where the rule is from."""
    return "\n".join(f"{a.severity.capitalize()} {a.kind} alert: {a.message}\n"
                     f"    Source: {a.source.rstrip('.')} ({a.pack} version {a.pack_version})."
                     for a in alerts)


class PrescribeDialog(EntryDialog):
    """`proposal` (an order set's medication line) fills the form for review."""

    searched = Signal()  # a search's results are shown
    ready = Signal()  # the catalogue is read: the live sig and the proposal are shown

    def __init__(self, services: Services, background: Background, patient: str,
                 proposal: MedicationProposal | None = None, parent: QWidget | None = None):
        super().__init__(background, "New prescription", f"New prescription for {patient}",
                         "Prescribe", parent)
        self._services, self._proposal = services, proposal
        self._catalogue: DrugCatalogue | None = None
        self.banner = KnowledgeBanner(services.medications.safety.knowledge.status)
        self.box.insertWidget(0, self.banner)
        if not services.session.may(Permission.SIGN_ORDERS):
            self.box.insertWidget(2, ToneLabel(
                "You may pend this order: it is saved unsigned, for a physician to sign.",
                "muted", "Pended for a physician to sign"))
        self.query = self.field("&Drug", QLineEdit(), "Find a drug")
        self.query.setPlaceholderText("Name or RxNorm code, e.g. amoxicillin 500")
        self.model = RowsModel(DRUG_COLUMNS)
        self.results = row_table(self.model, "Matching drugs in the catalogue", 0)
        self._down = DownToResults(self.query, self.results, self.model.rowCount)  # to matches
        self.results.setFixedHeight(self.fontMetrics().height() * 8)
        self.form.addRow(self.results)
        self.chosen = ToneLabel(DRUG_HINT, "muted", "Chosen drug")
        self.form.addRow("Chosen", self.chosen)
        self.dose = QLineEdit()
        self.dose.setPlaceholderText("e.g. 1 or 500")
        self.unit = _combo(list(UNITS), "Dose unit")
        dose_row = QHBoxLayout()
        dose_row.addWidget(self.dose, 1)
        dose_row.addWidget(self.unit)
        self.dose.setAccessibleName("Dose")
        holder = QWidget()
        holder.setLayout(dose_row)
        dose_row.setContentsMargins(0, 0, 0, 0)
        self.field("D&ose", holder, "Dose and its unit").setFocusProxy(self.dose)
        self.route = self.field("&Route", _combo(list(ROUTES), "Route"), "Route")
        self.frequency = self.field("&Frequency", _combo(FREQUENCY_CHOICES, "Frequency",
                                                         editable=True), "How often")
        self.days = self.field("D&uration (days)", QLineEdit(), "Duration in days, optional")
        self.quantity = self.field("&Quantity to dispense", QLineEdit(),
                                   "Quantity to dispense, optional")
        self.refills = self.field("Re&fills", QLineEdit(), "Refills, optional")
        for optional in (self.days, self.quantity, self.refills):
            optional.setPlaceholderText("Optional")
        self.instructions = self.field("&Instructions for the patient", QLineEdit(),
                                       "Instructions for the patient, optional")
        self.instructions.setPlaceholderText("Optional, e.g. Take with food")
        self.indication = self.field("I&ndication", _combo([NO_INDICATION], "Indication",
                                                           editable=True),
                                     "Indication: an active problem, or words")
        self.sig = ToneLabel("", "muted", "The sig in plain words")
        self.form.addRow("Sig", self.sig)
        self.alerts = ToneLabel("", "alert", "Safety alerts")
        self.form.addRow(self.alerts)
        self.override = self.field("&Reason to override", QLineEdit(), "Reason to override")
        self.override.setPlaceholderText("Why this drug despite the alert (kept with the order)")
        self.acknowledge = self.field("", QCheckBox(
            "I know no full safety check can run; prescribe anyway"),
            "Prescribe without a full safety check")
        for shown_later in (self.alerts, self.override, self.acknowledge):
            self.form.setRowVisible(shown_later, False)
        for button in (self.save, self.cancel):  # Enter in a field never prescribes
            button.setAutoDefault(False)
            button.setDefault(False)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self._prescribe_key)
        self.save.setToolTip("Prescribe (Ctrl+Enter)")
        self.searching = TypedSearch(
            self.query, lambda typed: entries.search_drugs(
                self, background, self._catalogue, typed, SHOWN_DRUGS),
            self._show, self._search_failed,
            searchable=lambda typed: bool(typed) and self._catalogue is not None)
        self.query.textEdited.connect(self._typed)
        self.results.selectionModel().currentRowChanged.connect(lambda *_: self._choose())
        for line in (self.dose, self.days, self.quantity, self.refills):
            line.textChanged.connect(self._changed)
        for box in (self.unit, self.route, self.frequency):
            box.currentTextChanged.connect(self._changed)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 90)
        self.save.setEnabled(False)  # until the catalogue is read
        self.query.setFocus()
        entries.load_drugs(self, background, services).success(self._ready).failure(
            self._search_failed).run()
        entries.indications(self, background, services).success(self._indications).run()

    # the drug

    def drug(self) -> Drug | None:
        """The drug picked from the catalogue; None when the words typed are free text."""
        return row_at(self.results) if self.results.currentIndex().isValid() else None

    def _ready(self, catalogue: DrugCatalogue) -> None:
        self._catalogue = catalogue
        if self._proposal is not None:
            self._fill(self._proposal)
        self._busy(False)
        if self.searching.typed():
            self.searching.search()
        self._changed()
        self.ready.emit()

    def _fill(self, proposal: MedicationProposal) -> None:
        """An order set's line, shown for the prescriber to review before prescribing."""
        fields = from_sig(proposal.sig)
        known = self._catalogue is not None and self._catalogue.drug(proposal.rxcui)
        self.query.setText(proposal.rxcui if known else proposal.name)  # a code: found exactly
        self.dose.setText(fields.dose)
        for box, value in ((self.unit, fields.unit), (self.route, fields.route),
                           (self.frequency, fields.frequency)):
            box.setCurrentText(value)
        self.days.setText(fields.days)
        self.quantity.setText(fields.quantity)
        self.refills.setText(fields.refills)

    def _typed(self, _text: str) -> None:
        """The pick shown is for the words before: Prescribe waits for the new list."""
        self.save.setEnabled(False)  # the search itself waits for a pause (TypedSearch)

    def _show(self, typed: str, found: list[Drug]) -> None:
        """The answer for `typed`, the words still in the field (TypedSearch checks)."""
        self.model.set_rows(found)
        if found:
            self.results.selectRow(0)
        self._choose()
        self.searched.emit()

    def _choose(self) -> None:
        drug, typed = self.drug(), self.query.text().strip()
        if drug is not None:
            self.chosen.set_tone(None)
            self.chosen.setText(f"{drug.name}  (RxNorm {drug.rxcui})")
        elif typed and self._catalogue is not None:
            self.chosen.set_tone("alert")
            self.chosen.setText(unknown_drug_warning(typed, self._catalogue)
                                + " It will be saved as text.")
        else:
            self.chosen.set_tone("muted")
            self.chosen.setText(DRUG_HINT)
        self.save.setEnabled(not self._saving and self._catalogue is not None)
        self._changed()

    def _search_failed(self, exc: Exception) -> None:
        self.chosen.set_tone("alert")
        self.chosen.setText(f"The drug catalogue could not be read. {sentence(exc)}")

    # the sig, the indication and the save

    def fields(self) -> SigFields:
        return SigFields(self.dose.text(), self.unit.currentText(), self.route.currentText(),
                         self.frequency.currentText(), self.days.text(),
                         self.quantity.text(), self.refills.text())

    def _sig(self) -> Sig:
        drug = self.drug()
        return to_sig(self.fields(), limit_for(drug.ingredients) if drug else None)

    def _changed(self, *_args) -> None:
        """The sig read back in plain words as the fields change (or what is wrong); a
        reason given to override the alerts of another drug or dose is taken back."""
        try:
            sig = self._sig()
        except HearthError as exc:
            self.sig.set_tone("alert" if self.dose.text().strip() else "muted")
            self.sig.setText(exc.message)
        else:
            self.sig.set_tone("alert" if sig.warnings else None)
            self.sig.setText(" ".join((sig.words, *sig.warnings)))
        if self.form.isRowVisible(self.override):
            self.override.clear()
            for asked in (self.alerts, self.override):
                self.form.setRowVisible(asked, False)
            self.save.setText("Prescribe")

    def _indications(self, problems: list[tuple[str, str]]) -> None:
        for condition_id, name in problems:
            self.indication.addItem(name, condition_id)

    def operation(self) -> Op | None:
        try:
            sig = self._sig()
        except HearthError as exc:
            self.say(exc.message, alert=True)
            return None
        drug = self.drug()
        said = self.indication.currentText().strip()
        index = self.indication.findText(said)  # a problem picked, or its name typed
        condition_id = self.indication.itemData(index) if index >= 0 else None
        reason = None if index >= 0 or not said else said
        return entries.prescribe(self, self._background, self._services, Prescription(
            drug.name if drug else self.query.text(), sig, drug.rxcui if drug else None,
            self.instructions.text(), condition_id, reason,
            self.override.text() if self.form.isRowVisible(self.override) else None,
            self.acknowledge.isChecked()))

    def _prescribe_key(self) -> None:
        if self.save.isEnabled():
            self.save.click()

    def refuse(self, why: str) -> None:
        """Say why; alerts that stop the order are listed with their source, and ask for
        the prescriber's reason to go on; a check that could not run, for their word."""
        super().refuse(why)
        exc = self._last_refusal
        if isinstance(exc, SafetyAlerts):
            found = ("an alert that stops" if len(exc.alerts) == 1
                     else f"{len(exc.alerts)} alerts that stop")
            self.say(f"Not prescribed yet: the safety check found {found} the order. Choose "
                     "another drug, or give your reason to prescribe it.", alert=True)
            self.alerts.setText(alert_lines(exc.alerts))
            for asked in (self.alerts, self.override):
                self.form.setRowVisible(asked, True)
            self.save.setText("Prescribe despite the alert")
            self.override.setFocus()
            self.adjustSize()  # the alerts are read whole, not squeezed
        elif isinstance(exc, AcknowledgementNeeded):
            self.form.setRowVisible(self.acknowledge, True)
            self.save.setText("Prescribe without a full check")
            self.acknowledge.setFocus()

    def _busy(self, busy: bool) -> None:
        super()._busy(busy)
        self.save.setEnabled(not busy and self._catalogue is not None)


def _combo(choices: list[str], name: str, editable: bool = False) -> QComboBox:
    box = QComboBox()
    box.addItems(choices)
    box.setEditable(editable)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)  # typed words stay words
    box.setAccessibleName(name)
    return box
