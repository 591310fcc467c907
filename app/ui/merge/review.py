"""Possible duplicates: the pairs sync flagged (a patient received from another workstation
who looks like one registered here), for the desk to review one by one.

The list is PossibleDuplicates.open, read by an op and read again when a patient changes (a
merge closes its pair; a pull may flag more). "Compare and merge…" opens the merge dialog
with the two records; "Not the same person" closes the pair with the reason typed, kept
with the review (not without one). Neither is done
for the desk: only a person can tell two people apart from one.
"""

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.patients.arrived_duplicates import PossibleDuplicate
from app.clinical.records import Changes
from app.display_time import when_text
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.changes import changes_of
from app.ui.common.table_models import Column, RowsModel, row_at, row_table
from app.ui.merge.dialog import MergeDialog
from app.ui.operations import merge as merge_ops
from fhir_common.messages import sentence

TITLE = "Possible duplicates"
NONE_LEFT = "No possible duplicates to review."
NO_REASON = ("Type why these are two people (e.g. twins, a parent and child): the reason is "
             "kept with the review.")
COLUMNS = (
    Column("Record", lambda p: f"{p.patient_name} · born {p.birth_dates[0] or '?'}"),
    Column("May be the same person as", lambda p: f"{p.other_name} · born "
                                                  f"{p.birth_dates[1] or '?'}"),
    Column("Why", lambda p: p.why),
    Column("Flagged", lambda p: when_text(p.flagged_at, with_date=True)),
)


class PossibleDuplicatesDialog(QDialog):
    reviewed = Signal()  # a pair was closed here (merged or judged two people)

    def __init__(self, ws: Workstation, background: Background,
                 changes: SignalInstance | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._ws, self._background = ws, background
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)
        intro = QLabel("Patients received by sync who look like patients registered here. "
                       "Compare each pair: merge them if they are one person, or say why "
                       "they are two.")
        intro.setWordWrap(True)
        self.model = RowsModel(COLUMNS, parent=self)
        self.table = row_table(self.model, "Possible duplicates", stretch_column=2)
        self.compare = QPushButton("Compare and merge…")
        self.compare.setAccessibleName("Compare and merge the pair")
        self.reason = QLineEdit(placeholderText="Why they are two people, e.g. twins")
        self.reason.setAccessibleName("Why they are two people")
        self.apart = QPushButton("Not the same person")
        self.apart.setAccessibleName("Not the same person")
        self.message = QLabel("Reading the possible duplicates…")
        self.message.setAccessibleName("Possible duplicates message")
        self.message.setWordWrap(True)
        close = QPushButton("Close")
        close.setAutoDefault(False)
        actions = QHBoxLayout()
        actions.addWidget(self.compare)
        actions.addSpacing(24)
        actions.addWidget(self.reason, 1)
        actions.addWidget(self.apart)
        actions.addSpacing(24)
        actions.addWidget(close)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addWidget(self.table, 1)
        box.addWidget(self.message)
        box.addLayout(actions)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 110)
        self.compare.clicked.connect(self.open_merge)
        self.apart.clicked.connect(self.dismiss)
        self.reason.returnPressed.connect(self.dismiss)
        close.clicked.connect(self.reject)
        changes_of(self, ws.changes, changes).connect(self.take)
        self._enable(False)
        self.load()

    def take(self, changes: Changes) -> None:
        if "Patient" in changes.kinds:
            self.load()

    def load(self, said: str = "") -> None:
        """Read the list; `said` (what was just done) is shown before how many are left."""
        merge_ops.possible_duplicates(self, self._background, self._ws).success(
            lambda pairs: self._show(pairs, said)).failure(
            lambda exc: self._say(sentence(exc), alert=True)).run()

    def _show(self, pairs: list[PossibleDuplicate], said: str) -> None:
        self.model.set_rows(pairs)
        self._enable(bool(pairs))
        if pairs:
            self.table.selectRow(0)
        left = (f"{len(pairs)} pair{'s' if len(pairs) != 1 else ''} to review." if pairs
                else NONE_LEFT)
        self._say(f"{said} {left}".strip())

    def _enable(self, some: bool) -> None:
        for widget in (self.compare, self.reason, self.apart):
            widget.setEnabled(some)

    def open_merge(self) -> MergeDialog | None:
        pair = row_at(self.table)
        if pair is None:
            return None
        dialog = MergeDialog(self._ws, self._background, pair.patient_id, pair.other_id, self)
        dialog.merged.connect(lambda _result: self.reviewed.emit())
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def dismiss(self) -> None:
        pair = row_at(self.table)
        if pair is None:
            return
        if not self.reason.text().strip():
            self._say(NO_REASON, alert=True)
            self.reason.setFocus()
            return
        self._enable(False)
        merge_ops.dismiss(self, self._background, self._ws, pair.review_id,
                          self.reason.text()).success(lambda _: self._dismissed(pair)).failure(
            self._refused).run()

    def _dismissed(self, pair: PossibleDuplicate) -> None:
        self.reason.clear()
        self.reviewed.emit()
        self.load(f"Kept apart: {pair.patient_name} and {pair.other_name} are two people.")

    def _refused(self, exc: Exception) -> None:
        self._enable(bool(self.model.rowCount()))
        self._say(sentence(exc), alert=True)

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.setText(text)
        color = theme.alert_color() if alert else theme.muted_color()
        self.message.setStyleSheet(f"color: {color};")
