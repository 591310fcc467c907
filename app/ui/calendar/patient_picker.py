"""Finding the patient for a booking, a walk-in or the waiting list: type a name, MRN or
birth date, pick from the list (the first is chosen). Shared so every calendar dialog
finds patients the same way; a patient just registered is put in the list as chosen."""

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem

from app.bootstrap import Workstation
from app.clinical.patients.search import PatientHit
from app.ui.common.background import Background
from app.ui.operations import patients as patient_ops

HITS = 8  # patients listed for what is typed


class PatientPicker(QObject):
    """The search field and its list; `said` carries "no patient matches" to the dialog."""

    said = Signal(str)

    def __init__(self, ws: Workstation, background: Background, parent: QObject):
        super().__init__(parent)
        self._ws, self._background = ws, background
        self.search = QLineEdit(placeholderText="Name, MRN or birth date")
        self.search.setAccessibleName("Find the patient")
        self.hits = QListWidget()
        self.hits.setAccessibleName("Patients found")
        self.hits.setMaximumHeight(130)
        self.hits.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.hits.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.search.textChanged.connect(self._find)
        self.search.returnPressed.connect(lambda: self.hits.setFocus())

    def patient_id(self) -> str | None:
        item = self.hits.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def patient_name(self) -> str:
        item = self.hits.currentItem()
        return item.data(Qt.ItemDataRole.UserRole + 1) if item else ""

    def put(self, patient_id: str, name: str, line: str) -> None:
        """Show one patient, chosen (one just registered or opened from the candidates)."""
        self.search.blockSignals(True)
        self.search.setText(name)
        self.search.blockSignals(False)
        self.hits.clear()
        self._add(patient_id, name, line)
        self.hits.setCurrentRow(0)

    def _find(self, text: str) -> None:
        if len(text.strip()) < 2:
            self.hits.clear()
            return
        patient_ops.search(self, self._background, self._ws, text, HITS).success(
            self._found).run()

    def _found(self, hits: list[PatientHit]) -> None:
        self.hits.clear()
        for hit in hits:
            self._add(hit.patient_id, hit.name, f"{hit.name}   born {hit.birth_date or 'unknown'}"
                      f"   MRN {hit.mrn or '–'}")
        if hits:
            self.hits.setCurrentRow(0)
        else:
            self.said.emit(f"No patient matches {self.search.text().strip()!r}.")

    def _add(self, patient_id: str, name: str, line: str) -> None:
        item = QListWidgetItem(line)
        item.setData(Qt.ItemDataRole.UserRole, patient_id)
        item.setData(Qt.ItemDataRole.UserRole + 1, name)
        self.hits.addItem(item)
