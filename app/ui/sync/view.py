"""Where sync stands and what waits for a person: status, "Sync now", and the conflicts.

The status comes from the sync worker through the window (`show_status`, after every
cycle); the conflicts come from the store, reloaded on the database thread after each cycle
and after each resolution, since a cycle is what finds new ones. Only the conflicts this
user may resolve are listed (Conflicts.list filters by role), so the count from the last
cycle can be higher than the rows shown. Without a sync server in the IT policy it says so,
how many records (by type) are on this computer only, and what IT sets to turn sync on.
A double booking is two records, not two versions of one: it opens its own dialog
(double_booking_dialog), which offers overbook, move or cancel instead of a version to keep.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.bootstrap import Workstation
from app.clinical.sync.conflict_diff import KIND, reason_text
from app.clinical.sync.conflicts import DOUBLE_BOOKING, Conflict
from app.clinical.sync.local_only import NO_SERVER, LocalOnly, how_to_turn_on
from app.display_time import when_text
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.table_models import Column, RowsModel, row_at, row_table
from app.ui.operations import sync as sync_ops
from app.ui.operations.sync import ConflictRow
from app.ui.sync.conflict_dialog import ConflictDialog
from app.ui.sync.double_booking_dialog import DoubleBookingDialog
from fhir_common.messages import sentence
from sync.worker import SyncStatus

CONNECTION = {True: "Online", False: "Offline", None: "Not synced yet"}
KEPT = {"local": "Kept this workstation's version", "remote": "Kept the server's version",
        "merged": "Kept the merged version"}


CONFLICT_COLUMNS = (
    Column("Patient", lambda row: row.patient or "Not known here"),
    Column("Record", lambda row: row.conflict.reference),
    Column("What happened", lambda row: KIND.get(row.conflict.kind, row.conflict.kind)),
    Column("Details", lambda row: reason_text(row.conflict)),
    Column("Detected", lambda row: when_text(row.conflict.detected_at)),
)


class SyncView(QWidget):
    sync_now = Signal()

    def __init__(self, ws: Workstation, background: Background):
        super().__init__()
        self._ws, self._background = ws, background
        self._names: dict[str, str | None] = {}
        self.dialog: ConflictDialog | DoubleBookingDialog | None = None
        server = ws.policy.sync.server
        heading = QLabel("Sync")
        heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.server = _label("Sync server", server or "")
        self.connection = _label("Connection", "Not synced yet" if server else f"{NO_SERVER}.")
        self.pending = _label("Changes waiting to be sent", "Not known until the first sync")
        self.open_conflicts = _label("Open conflicts at the last sync", "")
        self.last_success = _label("Last successful sync", "Never")
        self.last_error = _label("Last problem", "")
        self.last_error.setStyleSheet(f"color: {theme.alert_color()};")
        self.last_error.setWordWrap(True)
        self.server_limits = _label("What this server cannot show", "")
        self.server_limits.setWordWrap(True)
        self.local_only = _label("On this computer only", "Counting…")
        self.local_only.setWordWrap(True)
        self.turn_on = _label("To turn sync on", how_to_turn_on())
        self.turn_on.setWordWrap(True)
        self.form = QFormLayout()
        for label in (self.server, self.connection, self.pending, self.open_conflicts,
                      self.last_success, self.last_error, self.server_limits, self.local_only,
                      self.turn_on):
            self.form.addRow(label.accessibleName(), label)
        for label in (self.local_only, self.turn_on):
            self.form.setRowVisible(label, not server)
        for label in (self.server, self.pending, self.last_success):
            self.form.setRowVisible(label, bool(server))  # without a server: one line says so
        for label in (self.open_conflicts, self.last_error, self.server_limits):
            self.form.setRowVisible(label, False)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setAccessibleName("Sync now")
        self.sync_button.setEnabled(bool(server))
        if not server:
            self.sync_button.setToolTip("IT sets the sync server in the workstation policy.")
        self.activity = _label("Sync activity", "")
        self.sync_button.clicked.connect(self._sync_clicked)
        conflicts_heading = QLabel("Conflicts waiting for a decision")
        conflicts_heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.conflicts_summary = _label("Conflicts summary", "Loading conflicts…")
        self.conflicts_summary.setWordWrap(True)
        self.conflicts_model = RowsModel(CONFLICT_COLUMNS, parent=self)
        self.table = row_table(self.conflicts_model, "Sync conflicts", stretch_column=3)
        self.resolve_button = QPushButton("Resolve…")
        self.resolve_button.setAccessibleName("Resolve conflict")
        self.resolve_button.setEnabled(False)
        self.message = _label("Conflict message", "")
        self.message.setWordWrap(True)
        self.resolve_button.clicked.connect(self._open_current)
        self.table.doubleClicked.connect(lambda _: self._open_current())
        box = QVBoxLayout(self)
        box.addWidget(heading)
        box.addLayout(self.form)
        box.addLayout(_row(self.sync_button, self.activity))
        box.addSpacing(12)
        box.addWidget(conflicts_heading)
        box.addWidget(self.conflicts_summary)
        box.addWidget(self.table, stretch=1)
        box.addLayout(_row(self.resolve_button, self.message))
        self.refresh()

    def show_status(self, status: SyncStatus) -> None:
        paused = " (paused: fix the problem below, then press Sync now)" if status.paused else ""
        self.connection.setText(CONNECTION[status.online] + paused)
        self.pending.setText(str(status.pending))
        self.open_conflicts.setText(str(status.conflicts))
        for label in (self.pending, self.open_conflicts, self.last_success):
            self.form.setRowVisible(label, True)
        self.last_success.setText(when_text(status.last_success, missing="Never"))
        self.last_error.setText(status.last_error or "")
        self.form.setRowVisible(self.last_error, bool(status.last_error))
        self.server_limits.setText("\n".join(status.notices))
        self.form.setRowVisible(self.server_limits, bool(status.notices))
        self.sync_button.setEnabled(True)
        self.sync_button.setToolTip("")
        self.activity.clear()
        self.refresh()

    def show_pending(self, count: int) -> None:
        """The records waiting to be sent, counted again after a save between cycles."""
        self.pending.setText(str(count))

    def show_local_only(self, local: LocalOnly) -> None:
        """Without a sync server: what waits here, by record type (the window counts it)."""
        if not local.total:
            self.local_only.setText("No record waits to be sent; what is saved here from now on "
                                    "stays on this computer until IT sets a sync server.")
            return
        self.local_only.setText(f"{local.records()} waiting to be sent: {local.kinds()}.")

    def refresh(self) -> None:
        sync_ops.conflicts(self, self._background, self._ws, self._names).success(
            self._show_conflicts).failure(self._failed).run()

    def _show_conflicts(self, rows: list[ConflictRow]) -> None:
        self.conflicts_model.set_rows(rows)
        self.resolve_button.setEnabled(bool(rows))
        if rows:
            self.table.selectRow(0)
            self.conflicts_summary.setText(
                "Each record below was changed here and on the server (or refused by it). "
                "It is not synced until someone chooses which version to keep." + (
                    " A double booking is two appointments: keep both, move or cancel one."
                    if any(row.conflict.kind == DOUBLE_BOOKING for row in rows) else ""))
        else:
            self.conflicts_summary.setText("No conflicts are waiting for you.")

    def _sync_clicked(self) -> None:
        self.activity.setText("Syncing…")
        self.sync_now.emit()

    def _open_current(self) -> None:
        row = row_at(self.table)
        if row is None:
            return
        self._say("")
        if row.conflict.kind == DOUBLE_BOOKING:
            self._open_double_booking(row.conflict)
            return
        sync_ops.conflict(self, self._background, self._ws, row.conflict.id).success(
            lambda conflict: self._open_dialog(conflict, row.patient)).failure(
            self._failed).run()

    def _open_dialog(self, conflict: Conflict, patient: str | None) -> None:
        self.dialog = ConflictDialog(self._ws, self._background, conflict, patient, self)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.resolved.connect(self._resolved)
        self.dialog.finished.connect(lambda _: setattr(self, "dialog", None))
        self.dialog.open()

    def _open_double_booking(self, conflict: Conflict) -> None:
        self.dialog = DoubleBookingDialog(self._ws, self._background, conflict, self)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.resolved.connect(lambda done, dialog=self.dialog: self._decided(
            dialog.summary, done))
        self.dialog.finished.connect(lambda _: setattr(self, "dialog", None))
        self.dialog.open()

    def _decided(self, which: str, done: str) -> None:
        """`which`: the provider and time booked twice, as the dialog showed them."""
        self._say(f"Double booking of {which}: {done}. It is sent at the next sync.")
        self.refresh()

    def _resolved(self, conflict: Conflict) -> None:
        sent = "" if conflict.resolution == "remote" else " It is sent at the next sync."
        self._say(f"{KEPT[conflict.resolution]} of {conflict.reference}.{sent}")
        self.refresh()

    def _failed(self, exc: Exception) -> None:
        self._say(sentence(exc), alert=True)

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.setText(text)
        color = theme.alert_color() if alert else theme.muted_color()
        self.message.setStyleSheet(f"color: {color};")


def _label(accessible_name: str, text: str) -> QLabel:
    label = QLabel(text)
    label.setAccessibleName(accessible_name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch()
    return row
