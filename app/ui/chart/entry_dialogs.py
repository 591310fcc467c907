"""The dialogs that chart problems, allergies and medications (opened by chart.entries.tabs).

Add a problem (an ICD-10-CM search as you type) or "no known allergies" (an allergy has its
own dialog, chart.allergy_dialog; a new prescription is app.ui.chart.prescribing); edit one;
give the reason for resolving, stopping, inactivating or marking a record entered in error.
Every dialog saves on the database thread and stays open on a refusal, with what was typed
and the service's sentence, so nothing typed is lost.
EntryDialog is the base of every form over the chart that saves (VitalsEntry and SignDialog
too): a subclass builds the form and says which operation its Save runs.
"""

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.clinical.chart.chart_items import ChartItem
from app.clinical.charting import icd10
from app.ui.chart.style import ToneLabel, scaled_font
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, row_at, row_table
from app.ui.common.typed_search import DownToResults, TypedSearch
from app.ui.operations import Op, entries
from app.ui.operations.entries import Services
from fhir_common.messages import sentence

SHOWN_CODES = 30
TYPE_HINT = "Type a diagnosis name or an ICD-10-CM code."
DATE_HINT = "2019, 2019-03 or 2019-03-14"
NOT_STATED = "Not stated"
SEVERITIES = ((NOT_STATED, None), ("Mild", "mild"), ("Moderate", "moderate"),
              ("Severe", "severe"))
CRITICALITIES = ((NOT_STATED, None), ("Low risk", "low"), ("High risk", "high"),
                 ("Unable to assess", "unable-to-assess"))
CODE_COLUMNS = (Column("Code", lambda c: c.code), Column("Description", lambda c: (
    f"{c.description}   (includes: {c.matched})" if c.matched else c.description)))


class EntryDialog(QDialog):
    """A form over the chart whose Save runs an operation on the database thread."""

    saved = Signal(object)  # the record written
    refused = Signal(object)  # the exception, once the dialog has said why
    working = "Saving…"  # said while the operation runs

    def __init__(self, background: Background, title: str, heading: str, action: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._background, self._saving = background, False
        self._last_refusal: Exception | None = None  # what the last failed save raised
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.heading = QLabel(heading)
        self.heading.setAccessibleName("What this form records")
        self.heading.setFont(scaled_font(self, 1.3, bold=True))
        self.heading.setWordWrap(True)
        self.form = QFormLayout()
        self.message = ToneLabel("", None, f"{title}: message")
        self.message.hide()
        self.save = QPushButton(action)
        self.save.setAccessibleName(action)
        self.save.setDefault(True)
        self.cancel = QPushButton("Cancel")
        self.cancel.setAccessibleName("Cancel without saving")
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.save)
        self.box = QVBoxLayout(self)
        self.box.addWidget(self.heading)
        self.box.addLayout(self.form)
        self.box.addWidget(self.message)
        self.box.addStretch()
        self.box.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 70)
        self.save.clicked.connect(self._save)
        self.cancel.clicked.connect(self.reject)

    def field(self, label: str, widget: QWidget, name: str) -> QWidget:
        """A labelled row; the label is the field's buddy (Alt+letter) and says it aloud."""
        widget.setAccessibleName(name)
        caption = QLabel(label)
        caption.setBuddy(widget)
        self.form.addRow(caption, widget)
        return widget

    def operation(self) -> Op | None:
        """The save, read from the form now, bound to this dialog; None when the form has
        said what must change first."""
        raise NotImplementedError

    def _save(self) -> None:
        op = self.operation()
        if op is None:
            return
        self._busy(True)
        self.say(self.working)
        op.success(self._saved).failure(self._refused).run()

    def _saved(self, record: Any) -> None:
        self.saved.emit(record)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self._last_refusal = exc
        self.refuse(sentence(exc))
        self.refused.emit(exc)

    def refuse(self, why: str) -> None:
        """Stay open with what was typed, and say why."""
        self._busy(False)
        self.say(why, alert=True)

    def _busy(self, busy: bool) -> None:
        self._saving = busy
        self.save.setEnabled(not busy)
        self.cancel.setEnabled(not busy)

    def reject(self) -> None:
        """Not while saving (Esc included): the save would land unseen by the chart."""
        if not self._saving:
            super().reject()

    def say(self, text: str, alert: bool = False) -> None:
        self.message.set_tone("alert" if alert else "muted")
        self.message.setText(text)
        self.message.setVisible(bool(text))


class ProblemDialog(EntryDialog):
    """Find a billable ICD-10-CM code by name or code as you type, then add it."""

    searched = Signal()  # a search's results are shown

    def __init__(self, services: Services, background: Background, patient: str,
                 parent: QWidget | None = None):
        super().__init__(background, "Add problem", f"Add a problem for {patient}",
                         "Add problem", parent)
        self._services = services
        self.query = self.field("&Find diagnosis", QLineEdit(), "Find a diagnosis")
        self.query.setPlaceholderText("Name or ICD-10-CM code, e.g. hypertension or E11.9")
        self.found = ToneLabel(TYPE_HINT, "muted", "Search status")
        self.form.addRow("", self.found)
        self.model = RowsModel(CODE_COLUMNS)
        self.results = row_table(self.model, "Matching ICD-10-CM codes", 1)
        self._down = DownToResults(self.query, self.results, self.model.rowCount)
        self.results.setMinimumHeight(self.fontMetrics().height() * 18)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 100)
        self.form.addRow(self.results)
        self.chosen = ToneLabel("No diagnosis chosen yet.", "muted", "Chosen diagnosis")
        self.chosen.setFont(scaled_font(self, bold=True))
        self.form.addRow("Chosen", self.chosen)
        self.onset = self.field("&Onset", QLineEdit(), "Onset date, optional")
        self.onset.setPlaceholderText(f"Optional: a year, month or day, {DATE_HINT}")
        self.note = self.field("&Note", QPlainTextEdit(), "Note, optional")
        self.note.setPlaceholderText("Optional")
        self.note.setFixedHeight(self.fontMetrics().height() * 4)
        self.save.setEnabled(False)  # until a code is chosen
        self.searching = TypedSearch(
            self.query, lambda typed: entries.search_codes(self, background, typed, SHOWN_CODES),
            self._show, self._search_failed)
        self.query.textEdited.connect(self._typed)
        self.results.selectionModel().currentRowChanged.connect(lambda *_: self._choose())
        self.query.setFocus()
        entries.load_code_set(self, background).success(self._ready).failure(
            self._search_failed).run()

    def code(self) -> icd10.Icd10Code | None:
        return row_at(self.results) if self.results.currentIndex().isValid() else None

    def operation(self) -> Op:
        return entries.add_problem(self, self._background, self._services, self.code().code,
                                   self.onset.text(), self.note.toPlainText())

    def _typed(self, _text: str) -> None:
        """The choice shown is for the words before: Save waits for the new list, so Enter
        pressed mid-typing never adds a code the clinician did not see."""
        self.save.setEnabled(False)  # the search itself waits for a pause (TypedSearch)

    def _ready(self, _nothing) -> None:
        """The shipped index is read (a fraction of a second): search what was typed."""
        if self.searching.typed():
            self.searching.search()

    def _show(self, typed: str, codes: list[icd10.Icd10Code]) -> None:
        """The answer for `typed`, the words still in the field (TypedSearch checks)."""
        self.model.set_rows(codes)
        if codes:
            self.results.selectRow(0)  # the best match, shown as chosen; Enter adds it
            many = (f"The {len(codes)} best matches" if len(codes) == SHOWN_CODES
                    else "1 billable code" if len(codes) == 1
                    else f"{len(codes)} billable codes")
            self.found.setText(f"{many}, best first, and the first is chosen. Down arrow "
                               "to choose another.")
        else:
            self.found.setText("No billable ICD-10-CM code matches that." if typed
                               else TYPE_HINT)
        self._choose()
        self.searched.emit()

    def _choose(self) -> None:
        code = self.code()
        self.chosen.set_tone(None if code else "muted")
        self.chosen.setText(f"{code.code}  {code.description}" if code
                            else "No diagnosis chosen yet.")
        self.save.setEnabled(code is not None)

    def _search_failed(self, exc: Exception) -> None:
        self.found.set_tone("alert")
        self.found.setText(f"The code set could not be searched. {sentence(exc)}")

    def _busy(self, busy: bool) -> None:
        super()._busy(busy)
        self.save.setEnabled(not busy and self.code() is not None)


class NoKnownAllergiesDialog(EntryDialog):
    """A confirmation: "no known allergies" is a statement the clinician makes, not a
    default, so it is recorded only when asked for."""

    def __init__(self, services: Services, background: Background, patient: str,
                 parent: QWidget | None = None):
        super().__init__(background, "No known allergies",
                         f"Record that {patient} has no known allergies?",
                         "Record no known allergies", parent)
        self._services = services
        self.box.insertWidget(1, ToneLabel(
            "Record this only after asking the patient (or their carer) about allergies to "
            "medicines, foods and anything else. The banner will then show NKA until an "
            "allergy is recorded.", None, "What recording no known allergies means"))

    def operation(self) -> Op:
        return entries.record_no_known_allergies(self, self._background, self._services)


class Titled(Protocol):
    title: str


class ReasonDialog(EntryDialog):
    """Ending a record (resolve a problem, stop a medication, mark one entered in error)
    always says why. `end(dialog, reason, date)` is the operation that ends it."""

    def __init__(self, background: Background, title: str, item: Titled, action: str,
                 end: Callable[[QWidget, str, str | None], Op], date_label: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(background, title, f"{title}: {item.title}", action, parent)
        self._end = end
        self.reason = self.field("&Reason", QLineEdit(), "Reason")
        self.reason.setPlaceholderText("Why, in a few words (kept with the record)")
        self.date: QLineEdit | None = None
        if date_label:
            self.date = self.field(date_label, QLineEdit(), f"{date_label.replace('&', '')}, "
                                   "optional")
            self.date.setPlaceholderText(f"Today if empty; or a year, month or day: {DATE_HINT}")
        self.reason.setFocus()

    def operation(self) -> Op:
        return self._end(self, self.reason.text(), self.date.text() if self.date else None)


class ProblemEditDialog(EntryDialog):
    """Correct a problem's onset, or add a note to it (notes are added, never overwritten)."""

    def __init__(self, services: Services, background: Background, item: ChartItem,
                 parent: QWidget | None = None):
        super().__init__(background, "Edit problem", f"Edit problem: {item.title}",
                         "Save changes", parent)
        self._services, self._item = services, item
        self.onset = self.field("&Onset", QLineEdit(), "New onset date, optional")
        shown = f"now {item.date[:10]}" if item.date else "none recorded"
        self.onset.setPlaceholderText(f"Unchanged if empty ({shown}); or {DATE_HINT}")
        self.note = self.field("Add a &note", QPlainTextEdit(), "Note to add, optional")
        self.note.setPlaceholderText("Optional: added to the problem's notes")
        self.note.setFixedHeight(self.fontMetrics().height() * 4)
        self.onset.setFocus()

    def operation(self) -> Op:
        return entries.edit_problem(self, self._background, self._services, self._item.id,
                                    self.onset.text().strip() or None, self.note.toPlainText())


class RecordEditDialog(EntryDialog):
    """An edit form filled from the stored record, read on the database thread: Save waits
    for it, so nothing is saved over values the clinician did not see. `load(dialog)` is the
    operation that reads it."""

    loaded = Signal()  # the form shows the record's current values

    def __init__(self, background: Background, what: str, item: ChartItem,
                 load: Callable[[QWidget], Op[dict]], parent: QWidget | None = None):
        super().__init__(background, f"Edit {what}", f"Edit {what}: {item.title}",
                         "Save changes", parent)
        self._item, self._ready = item, False
        self.shown: dict | None = None
        self.save.setEnabled(False)
        self.say(f"Loading the {what}…")
        load(self).success(self._loaded).failure(self._refused).run()

    def add_note_field(self, what: str) -> QPlainTextEdit:
        note = self.field("Add a &note", QPlainTextEdit(), "Note to add, optional")
        note.setPlaceholderText(f"Optional: added to the {what}'s notes")
        note.setFixedHeight(self.fontMetrics().height() * 4)
        return note

    def fill(self, record: dict) -> None:
        raise NotImplementedError

    def _loaded(self, record: dict) -> None:
        self.shown = record  # the version the clinician edits: a save is checked against it
        self.fill(record)
        self._ready = True
        self.say("")
        self._busy(False)
        self.loaded.emit()

    def _busy(self, busy: bool) -> None:
        super()._busy(busy)
        self.save.setEnabled(not busy and self._ready)


class AllergyEditDialog(RecordEditDialog):
    """Correct an active allergy's reaction, severity or criticality, or add a note."""

    def __init__(self, services: Services, background: Background, item: ChartItem,
                 parent: QWidget | None = None):
        super().__init__(background, "allergy", item, lambda dialog: entries.current_allergy(
            dialog, background, services, item.id), parent)
        self._services = services
        self.reaction = self.field("&Reaction", QLineEdit(), "Reaction")
        self.reaction.setPlaceholderText("What happened, e.g. Hives")
        self.severity = self.field("Se&verity", _choices(SEVERITIES), "Severity of the reaction")
        self.criticality = self.field("Risk of a &future reaction", _choices(CRITICALITIES),
                                      "Criticality: risk of a future reaction")
        self.note = self.add_note_field("allergy")
        self.reaction.setFocus()

    def fill(self, record: dict) -> None:
        first = (record.get("reaction") or [{}])[0]
        manifestation = (first.get("manifestation") or [{}])[0]
        self.reaction.setText(manifestation.get("text") or next(
            (c["display"] for c in manifestation.get("coding", []) if c.get("display")), ""))
        _choose(self.severity, first.get("severity"))
        _choose(self.criticality, record.get("criticality"))

    def operation(self) -> Op:
        return entries.edit_allergy(
            self, self._background, self._services, self._item.id, self.reaction.text(),
            self.severity.currentData(), self.criticality.currentData(),
            self.note.toPlainText(), self.shown)


class MedicationEditDialog(RecordEditDialog):
    """Change a current medication's dose and directions, or add a note."""

    def __init__(self, services: Services, background: Background, item: ChartItem,
                 parent: QWidget | None = None):
        super().__init__(background, "medication", item,
                         lambda dialog: entries.current_medication(dialog, background,
                                                                   services, item.id), parent)
        self._services = services
        self.dose = self.field("&Dose and directions", QLineEdit(), "Dose and directions")
        self.dose.setPlaceholderText("e.g. 1 tablet by mouth twice daily with meals")
        self.note = self.add_note_field("medication")
        self.dose.setFocus()

    def fill(self, record: dict) -> None:
        self.dose.setText(next((d["text"] for d in record.get("dosageInstruction", [])
                                if d.get("text")), ""))

    def operation(self) -> Op:
        return entries.edit_medication(self, self._background, self._services, self._item.id,
                                       self.dose.text(), self.note.toPlainText(), self.shown)


def _choices(options: tuple[tuple[str, str | None], ...]) -> QComboBox:
    box = QComboBox()
    for label, value in options:
        box.addItem(label, value)
    return box


def _choose(box: QComboBox, value: str | None) -> None:
    """Show the choice whose value is `value` (Not stated if it is none of them)."""
    box.setCurrentIndex(max(0, box.findData(value)))
