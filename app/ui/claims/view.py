"""Billing's Claims tab: every claim (patient, visit date, payer or self-pay, total, where it
stands: ready, draft and why not, submitted, sent, paid, denied and the payer's reason),
filtered by status (at first Hearth's claims: those another system made are under
"Imported"), and what billing does with them: Submit, Record status…, Import
response…, Export 837P…, and Enter on a claim for its lines, codes and charges.

The list is one audited read (app.clinical.billing.claims.Claims.rows), read when the tab
is built and again when a Claim or ClaimResponse changes, from this screen or from sync, so
a claim just submitted or answered shows its new status without a refresh. Every action
goes through the services `hearth claims` uses; what they refuse is said in their sentence
on the line above the table, and nothing is changed then.
"""

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.billing.claim_status import Standing
from app.clinical.billing.claims import ClaimRow
from app.clinical.billing.x12_837 import Batch
from app.ui.claims.details_dialog import ClaimDetailsDialog
from app.ui.claims.export_dialog import ExportDialog
from app.ui.claims.record_dialog import RecordStatusDialog
from app.ui.claims.words import COLUMNS, FILTERS, said, shown_by, shown_status, standing_words
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.table_models import ROW_ROLE, RowsModel, row_table
from app.ui.operations import claims as claim_ops

HEARD = {"Claim", "ClaimResponse"}
KEEP_ROW = (QItemSelectionModel.SelectionFlag.Select
            | QItemSelectionModel.SelectionFlag.Rows)


class ClaimsView(QWidget):
    def __init__(self, ws: Workstation, background: Background, changed: SignalInstance):
        super().__init__()
        self.setAccessibleName("Claims")
        self._ws, self._background = ws, background
        self._all: list[ClaimRow] = []
        self.details: ClaimDetailsDialog | None = None
        self.recording: RecordStatusDialog | None = None
        self.exporting: ExportDialog | None = None
        self.open_dialog: QFileDialog | None = None
        self.status = QLabel("Reading the claims…")
        self.status.setAccessibleName("Claims status")
        self.show_only = QComboBox()
        self.show_only.setAccessibleName("Show claims")
        for words, status in FILTERS:
            self.show_only.addItem(words, status)
        self.model = RowsModel(COLUMNS, flagged=lambda row: row.status == "denied")
        self.table = row_table(self.model, "Claims", 5)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.activated.connect(lambda _index: self.open_details())
        self.message = QLabel()
        self.message.setAccessibleName("Claims message")
        self.message.setWordWrap(True)
        self.submit_button = self._button("&Submit", "Submit the selected claims", self.submit)
        self.record_button = self._button("&Record status…", "Record the payer's answer",
                                          self.record_status)
        self.import_button = self._button("&Import response…", "Import a ClaimResponse file",
                                          self.ask_response_file)
        self.export_button = self._button("&Export 837P…", "Export claims as an 837P file",
                                          self.export_837)
        self.details_button = self._button("&Details…", "Show the selected claim",
                                           self.open_details)
        self._lay_out()
        self.show_only.currentIndexChanged.connect(lambda _i: self._show_filtered())
        changed.connect(self._heard)
        self.read()

    def _button(self, text: str, name: str, clicked) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: clicked())
        return button

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.show_only)
        top.addWidget(self.status, 1)
        actions = QHBoxLayout()
        for button in (self.submit_button, self.record_button, self.details_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.import_button)
        actions.addWidget(self.export_button)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addLayout(actions)
        box.addWidget(self.message)
        box.addWidget(self.table, 1)

    def read(self) -> None:
        claim_ops.rows(self, self._background, self._ws).success(self._show).failure(
            lambda exc: self._say(f"The claims could not be read. {said(exc)}",
                                  alert=True)).run()

    def selected(self) -> list[ClaimRow]:
        """The claims chosen in the table, in the order shown."""
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        return [index.data(ROW_ROLE) for index in rows]

    def current(self) -> ClaimRow | None:
        index = self.table.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def submit(self) -> None:
        chosen = self.selected()
        if not chosen:
            self._say("Choose the claims to submit first.", alert=True)
            return
        self._say(f"Submitting {len(chosen)} claim(s)…")
        claim_ops.submit(self, self._background, self._ws,
                         [row.claim_id for row in chosen]).success(self._submitted).failure(
            lambda exc: self._say(said(exc), alert=True)).run()

    def record_status(self) -> RecordStatusDialog | None:
        row = self.current()
        if row is None:
            self._say("Choose the claim whose answer you are recording first.", alert=True)
            return None
        self.recording = RecordStatusDialog(self._ws, self._background, row, self)
        self.recording.recorded.connect(
            lambda now, r=row: self._say(f"{r.patient}, claim {r.claim_id}: "
                                         f"{standing_words(now)}."))
        self.recording.open()
        return self.recording

    def ask_response_file(self) -> QFileDialog:
        dialog = QFileDialog(self, "Import the payer's ClaimResponse", str(Path.home()),
                             "FHIR JSON (*.json);;All files (*)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.import_response(Path(path)))
        self.open_dialog = dialog
        dialog.open()
        return dialog

    def import_response(self, path: Path) -> None:
        self._say(f"Reading {path.name}…")
        claim_ops.import_response(self, self._background, self._ws, path).success(
            lambda now: self._imported(path, now)).failure(
            lambda exc: self._say(f"Nothing imported from {path.name}: {said(exc)}",
                                  alert=True)).run()

    def export_837(self) -> ExportDialog:
        self.exporting = ExportDialog(self._ws, self._background, self)
        self.exporting.exported.connect(self._exported)
        self.exporting.open()
        return self.exporting

    def open_details(self) -> ClaimDetailsDialog | None:
        row = self.current()
        if row is None:
            return None
        if self.details is not None and self.details.isVisible():
            self.details.close()
        self.details = ClaimDetailsDialog(self._ws, self._background, row, self)
        self.details.show()
        return self.details

    def _show(self, rows: list[ClaimRow]) -> None:
        self._all = rows
        self._show_filtered()

    def _show_filtered(self) -> None:
        wanted = self.show_only.currentData()
        rows = [r for r in self._all if shown_by(r, wanted)]
        chosen = {r.claim_id for r in self.selected()} if self.model.rowCount() else set()
        self.model.set_rows(rows)
        shown, picks = self.table.model(), self.table.selectionModel()
        kept = [shown.index(n, 0) for n in range(shown.rowCount())
                if shown.index(n, 0).data(ROW_ROLE).claim_id in chosen]
        for index in kept:  # what was chosen stays chosen after a new read
            picks.select(index, KEEP_ROW)
        if kept:
            picks.setCurrentIndex(kept[0], QItemSelectionModel.SelectionFlag.NoUpdate)
        elif rows:
            self.table.selectRow(0)
        ready = sum(1 for r in self._all if shown_status(r) == "ready")
        self.status.setText(
            "No claims yet: a coded visit becomes one (To code tab)." if not self._all else
            f"{len(rows)} of {len(self._all)} claim(s) shown; {ready} ready to submit. "
            "Enter opens the selected claim.")
        for button in (self.submit_button, self.record_button, self.details_button):
            button.setEnabled(bool(rows))

    def _submitted(self, done: claim_ops.Submitted) -> None:
        said = [f"Submitted {', '.join(done.sent)}."] if done.sent else []
        self._say(" ".join(said + done.refused), alert=bool(done.refused))

    def _imported(self, path: Path, now: Standing) -> None:
        self._say(f"Stored the payer's answer from {path.name}: the claim is "
                  f"{standing_words(now)}.")

    def _exported(self, batch: Batch, output: Path) -> None:
        self._say(" ".join([f"Wrote {len(batch.claims)} claim(s) to {output} (interchange "
                            f"{batch.control_number:09d}).", *batch.notes]))

    def _heard(self, changes) -> None:
        if changes.kinds & HEARD:
            self.read()

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.setStyleSheet(f"color: {theme.alert_color()};" if alert else "")
        self.message.setText(text)
