"""Who a new patient may already be: the candidates of the duplicate check, each with why.

Shown in the registration form when the check holds a save back. The desk either opens one
of them (the person was registered already) or says this is someone else and registers a
new record; nothing is saved until one of the two is chosen.
"""

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.clinical.patients.duplicates import Candidate
from app.ui.common import theme
from app.ui.common.table_models import Column, RowsModel, row_at, row_table

COLUMNS = (Column("Name", lambda c: c.name), Column("Birth date", lambda c: c.birth_date or ""),
           Column("MRN", lambda c: c.mrn or ""), Column("Why", lambda c: c.why))
ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def heading(count: int) -> str:
    who = "1 patient looks" if count == 1 else f"{count} patients look"
    return (f"This may be someone registered already: {who} alike.\n"
            "Open the right one; register a new person only if none of them is.")


class CandidatesPanel(QWidget):
    """The candidates table with "Open this patient" and "Register as new person"."""

    open_patient = Signal(object)  # the Candidate chosen
    register_new = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setAccessibleName("Possible duplicates")
        self.heading.setStyleSheet(f"color: {theme.alert_color()}; font-weight: bold;")
        self.model = RowsModel(COLUMNS, parent=self)
        self.table = row_table(self.model, "Patients this may be", stretch_column=3)
        self.table.setMinimumHeight(self.fontMetrics().height() * 7)
        self.open = QPushButton("&Open this patient")
        self.open.setAccessibleName("Open this patient")
        self.new = QPushButton("Register as &new person")
        self.new.setAccessibleName("Register as new person")
        buttons = QHBoxLayout()
        buttons.addWidget(self.open)
        buttons.addWidget(self.new)
        buttons.addStretch()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.heading)
        box.addWidget(self.table)
        box.addLayout(buttons)
        self.open.clicked.connect(self._open)
        self.new.clicked.connect(self.register_new)
        self.table.installEventFilter(self)

    def show_candidates(self, found: list[Candidate]) -> None:
        self.heading.setText(heading(len(found)))
        self.model.set_rows(found)
        self.table.selectRow(0)
        self.show()
        self.table.setFocus()

    def _open(self) -> None:
        chosen = row_at(self.table)
        if chosen is not None:
            self.open_patient.emit(chosen)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Enter on a candidate opens it: the safe choice, never a second record."""
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and event.key() in ENTER):
            self._open()
            return True
        return False
