"""Merge duplicate records: two records of one person shown side by side, one kept.

Opened on a patient (from Patients or the details tab), the desk finds the other record by
the same search as Patients; opened from the possible duplicates, both are given. Each
record is read as the details tab reads it (name, birth date, sex, MRN, phone, address,
upcoming appointments); a switch on each says which is kept, and one sentence says what
the merge does. Merge runs PatientMerge.merge as one op; its answer says what moved and
offers "Undo merge" until the undo is refused (once the server has the merge, the service
says why). Every refusal, a patient merged into itself or into a record already merged
away, is shown in the service's own sentence and nothing is changed.
"""

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.patients.demographics import PatientDemographics
from app.clinical.patients.merge import MergeResult, UndoResult
from app.clinical.patients.search import PatientHit
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.merge.record_panel import RecordPanel
from app.ui.operations import merge as merge_ops
from app.ui.operations import patients as patient_ops
from fhir_common.messages import sentence

TITLE = "Merge duplicate records"
HITS = 8
CHOOSE = "Find the other record of this person: type a name, MRN or birth date."
WORDS = {"Condition": "problem", "DocumentReference": "note", "AllergyIntolerance": "allergy",
         "MedicationRequest": "medication", "MedicationStatement": "medication",
         "Encounter": "visit", "Coverage": "insurance", "DiagnosticReport": "report"}
UNCOUNTED = {"insurance"}  # no plural
CARRIED_SHOWN = 4  # what the kept record took over, listed in full in the audit row


def moved_text(moved: dict[str, int]) -> str:
    """"2 appointments, 1 note": the records the merge re-pointed, in a clerk's words."""
    said: dict[str, int] = {}
    for kind, count in moved.items():
        word = WORDS.get(kind) or re.sub(r"(?<!^)(?=[A-Z])", " ", kind).lower()
        said[word] = said.get(word, 0) + count
    return ", ".join(f"{count} {_plural(word, count)}" for word, count in said.items()) \
        or "no other records"


def _plural(word: str, count: int) -> str:
    if count == 1 or word in UNCOUNTED:
        return word
    return word[:-1] + "ies" if re.search(r"[^aeiou]y$", word) else word + "s"


def carried_text(carried: tuple[str, ...]) -> str:
    if not carried:
        return ""
    more = len(carried) - CARRIED_SHOWN
    return (" Added to the kept record: " + "; ".join(carried[:CARRIED_SHOWN])
            + (f"; and {more} more (all named in the audit log)." if more > 0 else "."))


class MergeDialog(QDialog):
    merged = Signal(object)  # the MergeResult
    undone = Signal(object)  # the UndoResult

    def __init__(self, ws: Workstation, background: Background, first_id: str,
                 second_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._ws, self._background = ws, background
        self.ids: list[str | None] = [first_id, second_id]
        self.reads: list[PatientDemographics | None] = [None, None]
        self.result: MergeResult | None = None
        self._kept_chosen = False  # the default keep is set once, when both are read
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)
        heading = QLabel(TITLE)
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        heading.setFont(font)
        self.search = QLineEdit(placeholderText="Name, MRN or birth date of the other record")
        self.search.setAccessibleName("Find the other record")
        self.hits = QListWidget()
        self.hits.setAccessibleName("Records found")
        self.hits.setMaximumHeight(110)
        self.chooser = QWidget()
        choose = QVBoxLayout(self.chooser)
        choose.setContentsMargins(0, 0, 0, 0)
        choose.addWidget(self.search)
        choose.addWidget(self.hits)
        self.chooser.setVisible(second_id is None)
        self.panels = (RecordPanel("First record"), RecordPanel("Second record"))
        self.switch = QButtonGroup(self)
        for number, panel in enumerate(self.panels):
            self.switch.addButton(panel.keep, number)
        self.panels[0].keep.setChecked(True)
        side_by_side = QHBoxLayout()
        for panel in self.panels:
            side_by_side.addWidget(panel, 1)
        self.explain = QLabel()
        self.explain.setAccessibleName("What the merge does")
        self.explain.setWordWrap(True)
        self.message = QLabel(CHOOSE if second_id is None else "Reading both records…")
        self.message.setAccessibleName("Merge message")
        self.message.setWordWrap(True)
        self.merge_button = QPushButton("Merge")
        self.merge_button.setAccessibleName("Merge the two records")
        self.merge_button.setEnabled(False)
        self.merge_button.setAutoDefault(False)
        self.undo_button = QPushButton("Undo merge")
        self.undo_button.setAccessibleName("Undo merge")
        self.undo_button.setAutoDefault(False)
        self.undo_button.hide()
        self.close_button = QPushButton("Close")
        self.close_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.merge_button)
        box = QVBoxLayout(self)
        box.addWidget(heading)
        box.addWidget(self.chooser)
        box.addLayout(side_by_side, 1)
        box.addWidget(self.explain)
        box.addWidget(self.message)
        box.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 100)
        self.search.textChanged.connect(self._find)
        self.hits.currentItemChanged.connect(self._chosen)
        self.switch.idToggled.connect(lambda _id, on: on and self._explain())
        self.merge_button.clicked.connect(self.submit)
        self.undo_button.clicked.connect(self.undo)
        self.close_button.clicked.connect(self.reject)
        self._read()
        self.search.setFocus()

    @property
    def keep_index(self) -> int:
        return self.switch.checkedId()

    def keep_second(self) -> None:
        """Make the second record the one kept (as its switch does)."""
        self.panels[1].keep.setChecked(True)

    # -- choosing the other record ---------------------------------------------------------

    def _find(self, text: str) -> None:
        if not text.strip():
            self.hits.clear()
            return
        patient_ops.search(self, self._background, self._ws, text.strip(), HITS).success(
            self._found).failure(lambda exc: self._say(sentence(exc), alert=True)).run()

    def _found(self, found: list[PatientHit]) -> None:
        self.hits.blockSignals(True)
        self.hits.clear()
        for hit in found:
            item = QListWidgetItem(" · ".join(filter(None, (
                hit.name, f"born {hit.birth_date}" if hit.birth_date else "",
                f"MRN {hit.mrn}" if hit.mrn else "", hit.phone or ""))))
            item.setData(Qt.ItemDataRole.UserRole, hit.patient_id)
            self.hits.addItem(item)
        self.hits.blockSignals(False)
        if not found:
            self._say(f"No patients match '{self.search.text().strip()}'.")

    def _chosen(self, item: QListWidgetItem | None) -> None:
        if item is None or self.result is not None:
            return
        self.ids[1] = item.data(Qt.ItemDataRole.UserRole)
        self._read()

    # -- reading both ----------------------------------------------------------------------

    def _read(self) -> None:
        if self.ids[1] is None:
            self.panels[0].show_record(None)
            self.panels[1].show_record(None)
            self._read_one()
            return
        self.merge_button.setEnabled(False)
        merge_ops.sides(self, self._background, self._ws, (self.ids[0], self.ids[1])).success(
            self._show).failure(lambda exc: self._say(sentence(exc), alert=True)).run()

    def _read_one(self) -> None:
        """Only the record the dialog was opened on, until the other is chosen."""
        merge_ops.sides(self, self._background, self._ws, (self.ids[0],)).success(
            lambda reads: self._show((reads[0], None))).failure(
            lambda exc: self._say(sentence(exc), alert=True)).run()

    def _show(self, reads: tuple[PatientDemographics | None, ...]) -> None:
        self.reads = list(reads)
        called = {pid: f"the {panel.title().lower()}"
                  for pid, panel in zip(self.ids, self.panels, strict=True) if pid}
        for panel, read in zip(self.panels, self.reads, strict=True):
            panel.show_record(read, called)
        if self.result is None:
            if None not in self.reads and not self._kept_chosen:
                self._kept_chosen = True
                self._default_keep()
            self._explain()
            self.merge_button.setEnabled(self.reads[1] is not None)
            if self.reads[1] is not None:
                self._say("Check that both are the same person, choose the record to keep, "
                          "then Merge.")

    def _explain(self) -> None:
        if None in self.reads:
            self.explain.setText("")
            return
        other = self.panels[1 - self.keep_index].title().lower()
        self.explain.setText(
            f"Merge moves everything of the {other} (appointments, notes, results, insurance) "
            f"to the record kept, adds to it what only the {other} has (its MRN, phone, "
            f"address), and makes the {other} inactive. It can be undone until the next sync.")

    def _default_keep(self) -> None:
        """Keep the first record, unless only the second has an MRN: the desk most often
        opens the record registered last, and keeping the registered one keeps its number."""
        if self.reads[0] and self.reads[1] and not self.reads[0].mrn and self.reads[1].mrn:
            self.keep_second()

    # -- merging and undoing ---------------------------------------------------------------

    def submit(self) -> None:
        keep, other = self.ids[self.keep_index], self.ids[1 - self.keep_index]
        if keep is None or other is None:
            self._say(CHOOSE, alert=True)
            return
        self._busy(True)
        self._say("Merging…")
        merge_ops.merge(self, self._background, self._ws, keep, other).success(
            self._merged).failure(self._refused).run()

    def _merged(self, result: MergeResult) -> None:
        self.result = result
        self._say(f"Merged {result.other_name} into {result.keep_name}: moved "
                  f"{moved_text(result.moved)}.{carried_text(result.carried)} Undo merge is "
                  "possible until the next sync.")
        self.undo_button.show()
        self.undo_button.setEnabled(True)
        self.close_button.setEnabled(True)
        self.merged.emit(result)
        self._read()

    def undo(self) -> None:
        if self.result is None:
            return
        self.undo_button.setEnabled(False)
        self._say("Undoing the merge…")
        merge_ops.undo(self, self._background, self._ws, self.result.merge_id).success(
            self._undone).failure(self._undo_refused).run()

    def _undone(self, undone: UndoResult) -> None:
        self.result = None
        self.undo_button.hide()
        self._busy(False)
        self._say(f"Merge undone: the two records are apart again ({undone.restored} records "
                  "restored).")
        self.undone.emit(undone)
        self._read()

    def _undo_refused(self, exc: Exception) -> None:
        """Undo is refused once the server has the merge: it will not become possible again."""
        self.undo_button.hide()
        self._say(sentence(exc), alert=True)

    def _refused(self, exc: Exception) -> None:
        self._busy(False)
        self._say(sentence(exc), alert=True)

    def _busy(self, busy: bool) -> None:
        self.merge_button.setEnabled(not busy)
        self.close_button.setEnabled(not busy)
        self.chooser.setEnabled(not busy)
        for panel in self.panels:
            panel.keep.setEnabled(not busy)

    def reject(self) -> None:
        if self.close_button.isEnabled():
            super().reject()

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.setText(text)
        color = theme.alert_color() if alert else theme.muted_color()
        self.message.setStyleSheet(f"color: {color};")
