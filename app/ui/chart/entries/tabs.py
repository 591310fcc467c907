"""Charting problems, allergies and medications from their chart tabs.

Each of these tabs keeps its paged list and gains a row of actions: add a problem (an ICD-10-CM
search as you type) or resolve the one selected; add an allergy, record "no known allergies" or
mark the selected allergy inactive; prescribe (app.ui.chart.prescribing), or renew, change or
discontinue the selected medication (prescribing.changes; Ctrl+R, Ctrl+Shift+C, Ctrl+D). Under
the Medications and Allergies lists, the selected record's safety alerts (alerts_pane).
Edit… corrects a problem's onset, an active allergy's reaction, severity and
criticality, or a current medication's dose, and adds a note to any of them; and any of these
records that was never the patient's is marked "Entered in error…" with the reason: it stays on
record, marked, and leaves the active lists; nothing is deleted. The dialogs are in
entry_dialogs; the chart hears of each save (its Changes) and reads again what it shows of it.
The actions are shown only to a role that may edit the chart (the services check it again).
"""

from collections.abc import Callable

from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.clinical.chart.banner import NOT_CHECKABLE
from app.clinical.chart.chart_items import ChartItem
from app.clinical.charting.allergies import Recorded
from app.clinical.charting.medications import EDITABLE, STOPPABLE, Started
from app.clinical.charting.problems import ONGOING
from app.security.roles import Permission
from app.ui.chart.allergy_dialog import AllergyDialog
from app.ui.chart.entries.alerts_pane import AlertsPane
from app.ui.chart.entry_dialogs import (
    AllergyEditDialog,
    EntryDialog,
    MedicationEditDialog,
    NoKnownAllergiesDialog,
    ProblemDialog,
    ProblemEditDialog,
    ReasonDialog,
)
from app.ui.chart.prescribing.changes import ChangeDialog, RenewDialog, discontinue_dialog
from app.ui.chart.prescribing.dialog import PrescribeDialog
from app.ui.chart.style import ToneLabel
from app.ui.chart.table import ITEM_ROLE, SectionTab
from app.ui.common.background import Background
from app.ui.operations import entries
from app.ui.operations.entries import Services

IN_ERROR = "entered-in-error"
ERROR_ACTION = "Entered in error…"


class EntriesTab(QWidget):
    """A chart section's list with its actions above it."""

    def __init__(self, section: str, records: SectionTab, services: Services,
                 background: Background, patient: str):
        super().__init__()
        self.section, self.records = section, records
        self._services, self._background, self._patient = services, background, patient
        self.dialog: EntryDialog | None = None
        self.buttons: dict[str, QPushButton] = {}
        self.saved = ToneLabel("", "muted", "Last change saved")
        self._top = QHBoxLayout()
        self._top.addWidget(self.saved, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(self._top)
        box.addWidget(records, 1)
        # what the selected medication or allergy was warned of (app.ui.chart.entries.alerts_pane)
        self.alerts = (AlertsPane(services, background) if section in ("medications",
                       "allergies") and services.record_alerts else None)
        if self.alerts is not None:
            box.addWidget(self.alerts)
        actions = {
            "problems": (("Add problem…", "Add a problem", self._add_problem),
                         ("Edit…", "Edit the selected problem's onset or add a note",
                          self._edit_problem),
                         ("Resolve…", "Resolve the selected problem", self._resolve)),
            "allergies": (("Add allergy…", "Add an allergy", self._add_allergy),
                          ("No known allergies…", "Record no known allergies",
                           self._no_known_allergies),
                          ("Edit…", "Edit the selected allergy's reaction or add a note",
                           self._edit_allergy),
                          ("Mark inactive…", "Mark the selected allergy inactive",
                           self._inactivate_allergy)),
            "medications": (("Prescribe…", "New prescription (safety-checked)", self._start),
                            ("Edit…", "Edit the selected medication's dose or add a note",
                             self._edit_medication),
                            ("Renew…", "Renew the selected medication (Ctrl+R)", self._renew),
                            ("Change…", "Change the selected medication's directions "
                             "(Ctrl+Shift+C)", self._change),
                            ("Discontinue…", "Discontinue the selected medication, saying "
                             "why (Ctrl+D)", self._stop)),
        }[section] + ((ERROR_ACTION, f"Mark the selected {_ONE[section]} entered in error",
                       self._enter_in_error),)
        editor = services.session.may(Permission.EDIT_CHART)
        for text, name, slot in actions:
            button = QPushButton(text)
            button.setAccessibleName(name)
            button.setToolTip(name)
            button.setVisible(editor)
            button.clicked.connect(slot)
            if text in SHORTCUTS:
                button.setShortcut(SHORTCUTS[text])
            self._top.addWidget(button)
            self.buttons[text] = button
        self._watch(records)

    def replace_records(self, records: SectionTab) -> None:
        """The list read again after a change; the actions stay."""
        old, self.records = self.records, records
        self.layout().replaceWidget(old, records)
        old.deleteLater()
        self._watch(records)

    def selected(self) -> ChartItem | None:
        index = self.records.table.currentIndex()
        return index.data(ITEM_ROLE) if index.isValid() else None

    def _watch(self, records: SectionTab) -> None:
        records.table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self._enable()

    def _enable(self) -> None:
        """Resolve, Stop and Mark inactive act on the selected record, and only on a current
        one; Edit and Entered in error on any selected record not already in error."""
        item, one = self.selected(), _ONE[self.section]
        ending = {"problems": ("Resolve…", ONGOING, "Resolve the selected problem",
                               "Select an active problem to resolve it"),
                  "allergies": ("Mark inactive…", ("active",),
                                "Mark the selected allergy inactive: no longer true",
                                "Select an active allergy to mark it inactive"),
                  "medications": ("Discontinue…", STOPPABLE,
                                  "Discontinue the selected medication, saying why",
                                  "Select an active medication to discontinue it")}
        text, current, can, cannot = ending[self.section]
        usable = item is not None and item.status in current
        self.buttons[text].setEnabled(usable)
        self.buttons[text].setToolTip(can if usable else cannot)
        not_in_error = item is not None and item.status != IN_ERROR
        why_not = (f"This {one} is already marked entered in error" if item is not None
                   else f"Select a {one} first")
        amending = [(ERROR_ACTION, f"Mark the selected {one} entered in error: never the "
                     "patient's (wrong chart, wrong entry); it stays on record, marked")]
        if self.section == "problems":
            amending.append(("Edit…", "Correct the selected problem's onset or add a note"))
        for text, can in amending:
            self.buttons[text].setEnabled(not_in_error)
            self.buttons[text].setToolTip(can if not_in_error else why_not)
        if self.section != "problems":  # only a current allergy or medication is edited
            can, cannot, editable = {
                "allergies": ("Correct the selected allergy's reaction, severity or risk, or "
                              "add a note", "Select an active allergy to edit it",
                              ("active",)),
                "medications": ("Change the selected medication's dose or add a note",
                                "Select an active or on-hold medication to edit it",
                                EDITABLE)}[self.section]
            usable = item is not None and item.status in editable
            self.buttons["Edit…"].setEnabled(usable)
            self.buttons["Edit…"].setToolTip(can if usable else cannot)
        if self.section == "medications":  # renewed or changed: a current order only
            for text, can in (("Renew…", "Renew the selected order: same drug and directions "
                               "from today"), ("Change…", "Change the selected order's "
                                               "directions: a new order replaces it")):
                self.buttons[text].setEnabled(usable)
                self.buttons[text].setToolTip(can if usable else
                                              "Select an active or on-hold medication first")
        if self.alerts is not None:
            self.alerts.show_record(item)

    def _add_problem(self) -> None:
        self._open(ProblemDialog(self._services, self._background, self._patient, self),
                   lambda c: f"Problem added: {c['code']['text']}.")

    def _add_allergy(self) -> None:
        self._open(AllergyDialog(self._services, self._background, self._patient, self),
                   allergy_added)

    def _no_known_allergies(self) -> None:
        self._open(NoKnownAllergiesDialog(self._services, self._background, self._patient,
                                          self), lambda _: "No known allergies recorded.")

    def _inactivate_allergy(self) -> None:
        item, s = self.selected(), self._services
        self._open(ReasonDialog(
            self._background, "Mark allergy inactive", item, "Mark inactive",
            lambda dialog, reason, _when: entries.inactivate_allergy(
                dialog, self._background, s, item.id, reason), None, self),
            lambda _: f"Allergy marked inactive: {item.title}.")

    def _edit_problem(self) -> None:
        item = self.selected()
        self._open(ProblemEditDialog(self._services, self._background, item, self),
                   lambda _: f"Problem edited: {item.title}.")

    def _edit_allergy(self) -> None:
        item = self.selected()
        self._open(AllergyEditDialog(self._services, self._background, item, self),
                   lambda a: f"Allergy edited: {item.title}{_reaction(a)}.")

    def _edit_medication(self) -> None:
        item = self.selected()
        self._open(MedicationEditDialog(self._services, self._background, item, self),
                   lambda m: f"Medication edited: {item.title}" + "".join(
                       f", {d['text']}" for d in m.get("dosageInstruction", [])[:1]
                       if d.get("text")) + ".")

    def _enter_in_error(self) -> None:
        item, s, one, section = self.selected(), self._services, _ONE[self.section], self.section
        self._open(ReasonDialog(
            self._background, f"Mark {one} entered in error", item, "Mark entered in error",
            lambda dialog, reason, _when: entries.enter_in_error(
                dialog, self._background, s, section, item.id, reason), None, self),
            lambda _: f"{one.capitalize()} marked entered in error: {item.title}.")

    def _renew(self) -> None:
        item = self.selected()
        self._open(RenewDialog(self._services, self._background, item, self),
                   lambda started: f"Medication renewed: {item.title}" + _pended(started))

    def _change(self) -> None:
        item = self.selected()
        self._open(ChangeDialog(self._services, self._background, item, self),
                   lambda started: f"Medication changed: {item.title}, "
                   f"{started.request['dosageInstruction'][0]['text'].rstrip('.')}"
                   + _pended(started))

    def _start(self) -> None:
        self._open(PrescribeDialog(self._services, self._background, self._patient,
                                   parent=self), prescribed)

    def _resolve(self) -> None:
        item, s = self.selected(), self._services
        self._open(ReasonDialog(
            self._background, "Resolve problem", item, "Resolve",
            lambda dialog, reason, when: entries.resolve_problem(
                dialog, self._background, s, item.id, reason, when), "Resolved &on", self),
            lambda _: f"Problem resolved: {item.title}.")

    def _stop(self) -> None:
        item, s = self.selected(), self._services
        self._open(discontinue_dialog(s, self._background, item, self),
                   lambda _: f"Medication discontinued: {item.title}.")

    def _open(self, dialog: EntryDialog, said: Callable[[dict], str]) -> None:
        self.dialog = dialog
        dialog.saved.connect(lambda record: self._saved(said(record)))
        dialog.open()

    def _saved(self, words: str) -> None:
        self.saved.set_tone("alert" if REVIEW in words else "muted")
        self.saved.setText(f"{words} It goes to the server at the next sync.")


def allergy_added(recorded: Recorded) -> str:
    """What the tab says of a new allergy: and, in the alert colour, each current drug it
    conflicts with (the allergy is saved all the same; the drugs are the prescriber's to
    review)."""
    code = recorded.allergy["code"]
    words = f"Allergy added: {code['text']}" + (
        "." if code.get("coding") else f" ({NOT_CHECKABLE}: recorded as free text).")
    if recorded.alerts:
        words += f" {REVIEW} " + " ".join(alert.message for alert in recorded.alerts)
    return " ".join([words, *recorded.unchecked])


def prescribed(started: Started) -> str:
    """What the tab says of a new order: prescribed or pended, and in the alert colour any
    alert it was saved with or a dose above the adult maximum."""
    request = started.request
    name = request["medicationCodeableConcept"]["text"]
    words = (f"Prescribed: {name}." if request["status"] == "active"
             else f"Pended for a physician to sign: {name}.")
    said = [a.message for a in started.alerts] + list(started.warnings)
    return f"{words} {REVIEW} {' '.join(said)}" if said else words


def _pended(started: Started) -> str:
    """ "." for an active order; a nurse's is pended for a physician to sign."""
    return (" (pended: a physician signs it in the order basket)."
            if started.request["status"] == "draft" else ".")


REVIEW = "Review the medication list:"
SHORTCUTS = {"Renew…": "Ctrl+R", "Change…": "Ctrl+Shift+C", "Discontinue…": "Ctrl+D"}
_ONE = {"problems": "problem", "allergies": "allergy", "medications": "medication"}


def _reaction(allergy: dict) -> str:
    """ " (Hives, severe)": the allergy's first reaction, as the saved line says it."""
    first = (allergy.get("reaction") or [{}])[0]
    words = [m.get("text") or next((c["display"] for c in m.get("coding", [])
                                    if c.get("display")), "")
             for m in first.get("manifestation", [])[:1]]
    words += [first["severity"]] if first.get("severity") else []
    return f" ({', '.join(w for w in words if w)})" if any(words) else ""
