"""The procedure and service lines of a visit's claim, and the search that adds one.

A line is found by code or words in the shipped HCPCS Level II list and the clinic's CPT
file; a code neither knows is added as typed and billed with the description the clinic
types for it (Hearth ships no CPT descriptions: the AMA licenses them). Each line's
modifiers, units and diagnosis numbers are typed in its row ("25, GT"; "1"; "1, 2"); the
row keeps the words as typed, and what cannot be read as numbers is refused with a
sentence naming the line before anything is saved.
"""

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.bootstrap import Workstation
from app.clinical.billing.codes import CodingRefused, ServiceCode
from app.clinical.billing.coding import Line
from app.ui.chart.style import ToneLabel
from app.ui.common.background import Background
from app.ui.common.typed_search import DownToResults, TypedSearch, list_found
from app.ui.operations import billing
from fhir_common.messages import sentence

SERVICE_ROLE = Qt.ItemDataRole.UserRole + 1
SHOWN_SERVICES = 20
HEADERS = ("Code", "Description", "Modifiers", "Units", "Diagnoses")
CODE, DESCRIPTION, MODIFIERS, UNITS, POINTERS = range(len(HEADERS))
SEARCH_HINT = ("Type a HCPCS or CPT code, or words of its description; Enter adds the chosen "
               "one.")
NUMBERS = re.compile(r"[0-9]+")
SEPARATORS = re.compile(r"[\s,;]+")


class ServiceLines(QGroupBox):
    """The claim's lines, in order, and the search that adds one."""

    searched = Signal()  # a search's results are shown

    def __init__(self, ws: Workstation, background: Background):
        super().__init__("Procedures and services (HCPCS Level II, the clinic's CPT codes)")
        self.setAccessibleName("Procedures and services")
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setAccessibleName("Service lines on the claim")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        for column in (CODE, MODIFIERS, UNITS, POINTERS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.query = QLineEdit()
        self.query.setAccessibleName("Find a service")
        self.query.setPlaceholderText("Add a line: code or words, e.g. G0439 or wellness")
        self.query.returnPressed.connect(self.add_found)
        caption = QLabel("Find &service")
        caption.setBuddy(self.query)
        self.status = ToneLabel(SEARCH_HINT, "muted", "Service search status")
        self.found = QListWidget()
        self.found.setAccessibleName("Matching services")
        self.found.setMaximumHeight(self.fontMetrics().height() * 6)
        self.found.itemActivated.connect(lambda _item: self.add_found())
        self._down = DownToResults(self.query, self.found, self.found.count)
        self.add = QPushButton("Add &line")
        self.add.setAccessibleName("Add the service found as a line")
        self.add.clicked.connect(self.add_found)
        self.typed = QPushButton("Add code as &typed")
        self.typed.setAccessibleName("Add the code typed, with the clinic's own description")
        self.typed.setToolTip("For a code no list here knows: type its description in the "
                              "line's Description cell")
        self.typed.clicked.connect(self.add_typed)
        self.remove = QPushButton("&Remove line")
        self.remove.setAccessibleName("Remove the selected line")
        self.remove.clicked.connect(self.remove_current)
        for button in (self.add, self.typed, self.remove):
            button.setAutoDefault(False)
        self.searching = TypedSearch(
            self.query,
            lambda typed: billing.find_services(self, background, ws, typed, SHOWN_SERVICES),
            self._show, self._failed, searchable=lambda _typed: True)
        finding = QHBoxLayout()
        finding.addWidget(caption)
        finding.addWidget(self.query, 1)
        finding.addWidget(self.add)
        finding.addWidget(self.typed)
        finding.addWidget(self.remove)
        box = QVBoxLayout(self)
        box.addWidget(self.table, 1)
        box.addWidget(ToneLabel("Modifiers: two characters each, such as 25 or GT; Diagnoses: "
                                "the numbers of the diagnoses above the line is for, such as "
                                "1 or 1, 2.", "muted", "How to fill a line"))
        box.addLayout(finding)
        box.addWidget(self.status)
        box.addWidget(self.found)

    def show_claim(self, claim: dict | None) -> None:
        """The claim's lines as stored (none when the visit is not coded yet)."""
        self.table.setRowCount(0)
        for item in (claim or {}).get("item", []):
            coding = item["productOrService"]["coding"][0]
            self._append(coding["code"], coding.get("display", ""),
                         ", ".join(m["coding"][0]["code"] for m in item.get("modifier", [])),
                         str(item.get("quantity", {}).get("value", 1)),
                         ", ".join(str(p) for p in item.get("diagnosisSequence", [])),
                         describable=False)

    def lines(self) -> tuple[Line, ...]:
        """The lines as typed; words that are not numbers refused with a sentence."""
        return tuple(self._line(row) for row in range(self.table.rowCount()))

    def add_found(self) -> None:
        item = self.found.currentItem()
        if item is None or not self.searching.shown_is_current():
            return  # the list is for words typed before: Enter waits for the new one
        service: ServiceCode = item.data(SERVICE_ROLE)
        self._append(service.code, service.description, "", "1", "1", describable=False)
        self._cleared()
        self.query.setFocus()

    def add_typed(self) -> None:
        """The code in the search field as a line of its own; its description is the
        clinic's to type, in the row."""
        code = self.query.text().strip().upper()
        if not code:
            self.status.set_tone("alert")
            self.status.setText("Type the code first, then add it as typed.")
            return
        self._append(code, "", "", "1", "1", describable=True)
        self._cleared()
        self.table.setCurrentCell(self.table.rowCount() - 1, DESCRIPTION)
        self.table.editItem(self.table.currentItem())

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def _append(self, code: str, description: str, modifiers: str, units: str,
                pointers: str, describable: bool) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, text in enumerate((code, description, modifiers, units, pointers)):
            cell = QTableWidgetItem(text)
            fixed = column == CODE or (column == DESCRIPTION and not describable)
            if fixed:
                cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, column, cell)
        self.table.setCurrentCell(row, MODIFIERS)

    def _line(self, row: int) -> Line:
        def cell(column: int) -> str:
            return self.table.item(row, column).text().strip()

        code, named = cell(CODE), f"line {row + 1} ({cell(CODE)})"
        units = cell(UNITS)
        if not units.isdigit():
            raise CodingRefused(f"Units on {named} must be a whole number of 1 or more, not "
                                f"'{units}'.")
        pointers = [p for p in SEPARATORS.split(cell(POINTERS)) if p]
        if any(not NUMBERS.fullmatch(p) for p in pointers):
            raise CodingRefused(f"Diagnoses on {named} must be diagnosis numbers, such as 1 "
                                f"or 1, 2, not '{cell(POINTERS)}'.")
        modifiers = tuple(m for m in SEPARATORS.split(cell(MODIFIERS)) if m)
        return Line(code, modifiers, int(units), tuple(int(p) for p in pointers),
                    cell(DESCRIPTION) or None)

    def _cleared(self) -> None:
        """The search emptied once its find is a line, ready for the next one."""
        self.query.clear()
        self.searching.show("", [])

    def _show(self, typed: str, found: list[ServiceCode]) -> None:
        """The answer for `typed`, the words still in the field (TypedSearch checks)."""
        list_found(self.found, found, SERVICE_ROLE,
                   lambda service: f"{service.code}  {service.description}  ({service.source})")
        self.status.set_tone("muted")
        self.status.setText(
            f"{len(found)} service(s); Enter adds the chosen one." if found
            else ("Nothing in the HCPCS list or the clinic's CPT file matches that; to bill a "
                  "code of your own, add it as typed.") if typed else SEARCH_HINT)
        self.searched.emit()

    def _failed(self, exc: Exception) -> None:
        self.status.set_tone("alert")
        self.status.setText(f"The service codes could not be searched. {sentence(exc)}")
