"""The diagnoses of a visit's claim: those proposed from the visit, ranked and checkable,
plus any ICD-10-CM code found by name or code as you type (as the problem dialog finds one).

The checked diagnoses, top to bottom, are the claim's: the first is the primary, and each
shows its number, because a service line points at diagnoses by number. Alt+Up and Alt+Down
(or the buttons) move the current one; Space checks it. What the visit itself names is
checked when the visit is first coded; the patient's other active problems are offered
unchecked, since a claim lists what was addressed, not everything the patient has.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from app.clinical.billing.coding import CodedVisit
from app.clinical.charting import icd10
from app.ui.chart.style import ToneLabel
from app.ui.common.background import Background
from app.ui.common.typed_search import DownToResults, TypedSearch, list_found
from app.ui.operations import entries
from fhir_common.messages import sentence

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
SHOWN_CODES = 20
CHECKED_FIRST = ("visit diagnosis", "charted in this visit")


def _entry(code: str, description: str, why: str) -> dict:
    return {"code": code, "description": description, "why": why}


class DiagnosisPicker(QGroupBox):
    """The claim's diagnoses, in order, and the search that adds one."""

    searched = Signal()  # a search's results are shown
    changed = Signal()  # the checked diagnoses or their order changed

    def __init__(self, background: Background):
        super().__init__("Diagnoses (ICD-10-CM): checked ones are billed, the first is primary")
        self.setAccessibleName("Diagnoses")
        self.chosen = QListWidget()
        self.chosen.setAccessibleName("Diagnoses on the claim, in order")
        self.chosen.itemChanged.connect(lambda _item: self._renumber())
        self.up = QPushButton("Move &up")
        self.up.setAccessibleName("Move the diagnosis up")
        self.up.clicked.connect(lambda: self.move(-1))
        self.down = QPushButton("Move do&wn")
        self.down.setAccessibleName("Move the diagnosis down")
        self.down.clicked.connect(lambda: self.move(1))
        for keys, step in (("Alt+Up", -1), ("Alt+Down", 1)):
            QShortcut(QKeySequence(keys), self.chosen, lambda step=step: self.move(step))
        self.query = QLineEdit()
        self.query.setAccessibleName("Find a diagnosis")
        self.query.setPlaceholderText("Add a diagnosis: name or ICD-10-CM code, e.g. E11.9")
        caption = QLabel("&Find diagnosis")
        caption.setBuddy(self.query)
        self.status = ToneLabel("Type a diagnosis name or an ICD-10-CM code to add one.",
                                "muted", "Diagnosis search status")
        self.found = QListWidget()
        self.found.setAccessibleName("Matching ICD-10-CM codes")
        self.found.itemActivated.connect(lambda _item: self.add_found())
        self._down = DownToResults(self.query, self.found, self.found.count)
        self.add = QPushButton("&Add diagnosis")
        self.add.setAccessibleName("Add the diagnosis found")
        self.add.clicked.connect(self.add_found)
        self.query.returnPressed.connect(self.add_found)
        for button in (self.up, self.down, self.add):
            button.setAutoDefault(False)
        self.searching = TypedSearch(
            self.query, lambda typed: entries.search_codes(self, background, typed, SHOWN_CODES),
            self._show, self._failed)
        order = QVBoxLayout()
        order.addWidget(self.up)
        order.addWidget(self.down)
        order.addStretch()
        listed = QHBoxLayout()
        listed.addWidget(self.chosen, 1)
        listed.addLayout(order)
        finding = QHBoxLayout()
        finding.addWidget(caption)
        finding.addWidget(self.query, 1)
        finding.addWidget(self.add)
        box = QVBoxLayout(self)
        box.addLayout(listed)
        box.addLayout(finding)
        box.addWidget(self.status)
        box.addWidget(self.found)
        entries.load_code_set(self, background).run()  # the first search need not wait

    def show_coded(self, coded: CodedVisit) -> None:
        """The claim's diagnoses (checked, in order), then the proposals not already there."""
        self.chosen.clear()
        claimed = [(dx["diagnosisCodeableConcept"]["coding"][0]["code"],
                    dx["diagnosisCodeableConcept"]["coding"][0].get("display", ""))
                   for dx in (coded.claim or {}).get("diagnosis", [])]
        for code, description in claimed:
            self._append(_entry(code, description, "on the claim"), True)
        for proposal in coded.proposals:
            if proposal.code not in {code for code, _ in claimed}:
                self._append(_entry(proposal.code, proposal.description, proposal.why),
                             coded.claim is None and proposal.why in CHECKED_FIRST)
        self.chosen.setCurrentRow(0)
        self._renumber()

    def codes(self) -> tuple[str, ...]:
        """The checked codes, the primary first."""
        return tuple(entry["code"] for entry in self._entries(checked_only=True))

    def move(self, step: int) -> None:
        row = self.chosen.currentRow()
        if row < 0 or not 0 <= row + step < self.chosen.count():
            return
        item = self.chosen.takeItem(row)
        self.chosen.insertItem(row + step, item)
        self.chosen.setCurrentRow(row + step)
        self._renumber()

    def add_found(self) -> None:
        """The result chosen, added checked at the end (or checked where it already is)."""
        item = self.found.currentItem()
        if item is None or not self.searching.shown_is_current():
            return  # the list is for words typed before: Enter waits for the new one
        found: icd10.Icd10Code = item.data(CODE_ROLE)
        for row in range(self.chosen.count()):
            if self.chosen.item(row).data(CODE_ROLE)["code"] == found.code:
                self.chosen.item(row).setCheckState(Qt.CheckState.Checked)
                self.chosen.setCurrentRow(row)
                break
        else:
            self._append(_entry(found.code, found.description, "added"), True)
            self.chosen.setCurrentRow(self.chosen.count() - 1)
            self._renumber()
        self.query.clear()  # ready for the next diagnosis
        self.searching.show("", [])
        self.query.setFocus()

    def _append(self, entry: dict, checked: bool) -> None:
        item = QListWidgetItem()
        item.setData(CODE_ROLE, entry)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.chosen.addItem(item)

    def _entries(self, checked_only: bool) -> list[dict]:
        items = [self.chosen.item(row) for row in range(self.chosen.count())]
        return [item.data(CODE_ROLE) for item in items
                if not checked_only or item.checkState() == Qt.CheckState.Checked]

    def _renumber(self) -> None:
        """Each checked diagnosis shows its number (what lines point at); the first is
        marked primary; an unchecked one says it is not billed."""
        self.chosen.blockSignals(True)
        number = 0
        for row in range(self.chosen.count()):
            item = self.chosen.item(row)
            entry = item.data(CODE_ROLE)
            if item.checkState() == Qt.CheckState.Checked:
                number += 1
                lead = f"{number}." + (" primary," if number == 1 else "")
            else:
                lead = "not billed:"
            item.setText(f"{lead} {entry['code']}  {entry['description']}  ({entry['why']})")
        self.chosen.blockSignals(False)
        self.changed.emit()

    def _show(self, typed: str, found: list[icd10.Icd10Code]) -> None:
        """The answer for `typed`, the words still in the field (TypedSearch checks)."""
        list_found(self.found, found, CODE_ROLE, lambda code: f"{code.code}  {code.description}")
        self.status.set_tone("muted")
        self.status.setText(
            f"{len(found)} billable code(s), best first; Enter adds the chosen one." if found
            else "No billable ICD-10-CM code matches that." if typed
            else "Type a diagnosis name or an ICD-10-CM code to add one.")
        self.searched.emit()

    def _failed(self, exc: Exception) -> None:
        self.status.set_tone("alert")
        self.status.setText(f"The code set could not be searched. {sentence(exc)}")
