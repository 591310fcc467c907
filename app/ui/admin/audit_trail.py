"""The Admin tab's Audit trail: who did what to which patient's record, and when, for the
admin and the auditor (REVIEW_AUDIT; the auditor's Admin tab has only this section).

Filters: user, patient, action and a time range, applied with Show (or Enter in any field).
The patient is typed by name or MRN by those who may see names (the auditor,
NAME_PATIENTS_IN_AUDIT) and shown by name; others type and see the patient id. Rows come a
page of 500 at a time from the store (a keyset read, never the whole trail), newest first;
Older and Newer move through them, and the line under the table says "1,000,000 entries;
showing 1-500" (or "more than 1,000,000" where a filter's count stops).

Verify chain checks the whole hash chain as `hearth audit verify` does and says "The audit
trail is intact: N entries" or each break and where. Export CSV… and Export PDF… write the
rows the filter matches (all pages), and the export is itself an audit row. Nothing here
changes the trail: the table is read-only and every service behind it only reads.
"""

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.audit_trail.viewer import PAGE_SIZE, Page, Shown, TrailQuery
from app.security.audit_review import ACTIONS, Verification
from app.security.roles import Permission
from app.ui.admin.audit_rows import DETAIL, AuditRows
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.folders import documents_folder
from app.ui.common.table_models import ROW_ROLE, read_only_table
from app.ui.operations import audit_trail
from fhir_common.messages import sentence

ANY_ACTION = "any action"
FITTED_ROWS = 100  # columns fit the first rows only
WIDEST = 170  # pixels a column before Detail may take; the whole text is in its tooltip


class AuditTrailSection(QWidget):
    def __init__(self, ws: Workstation, background: Background, _changed=None):
        super().__init__()
        self.setAccessibleName("Audit trail")
        self._ws, self._background = ws, background
        self.names = ws.session.may(Permission.NAME_PATIENTS_IN_AUDIT)
        self.page: Page | None = None
        self._starts: list[Shown | None] = [None]  # where each page shown so far began
        self._query = TrailQuery()
        self.dialog: QWidget | None = None
        heading = QLabel("Audit trail")
        heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        about = QLabel("Every access to patient data on this workstation, newest first. "
                       + ("Patients are shown by name; type a name or MRN to find one."
                          if self.names else "Patients are shown by their record id."))
        about.setWordWrap(True)
        about.setStyleSheet(f"color: {theme.muted_color()};")
        self.user, self.patient = QLineEdit(), QLineEdit()
        self.since, self.until = QLineEdit(), QLineEdit()
        self.action = QComboBox()
        self.action.addItems([ANY_ACTION, *ACTIONS])
        for field, name, hint in (
                (self.user, "User", "user name, e.g. drlee"),
                (self.patient, "Patient", "name or MRN" if self.names else "patient id"),
                (self.since, "From", "2026-03-01 or 2026-03-01 14:30"),
                (self.until, "To", "2026-03-31 (to the end of that day)")):
            field.setAccessibleName(f"{name} filter")
            field.setPlaceholderText(hint)
            field.setClearButtonEnabled(True)
            field.returnPressed.connect(self.show_first)
        self.action.setAccessibleName("Action filter")
        self.model = AuditRows()
        self.table = read_only_table(self.model, "Audit entries")
        self.model.setParent(self.table)
        self.table.horizontalHeader().setResizeContentsPrecision(FITTED_ROWS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.counted = QLabel("Reading the audit trail…")
        self.counted.setAccessibleName("Entries shown")
        self.chosen = QLabel()  # the chosen row's whole detail, which the column cuts short
        self.chosen.setAccessibleName("Chosen entry")
        self.chosen.setWordWrap(True)
        self.status = QLabel()
        self.status.setAccessibleName("Audit trail status")
        self.status.setWordWrap(True)
        self.buttons = {words: QPushButton(words) for words in (
            "&Show", "&Verify chain", "Export &CSV…", "Export &PDF…", "&Newer", "&Older")}
        for button in self.buttons.values():
            button.setAutoDefault(False)
        self._lay_out(heading, about)
        self.setFocusProxy(self.user)
        self.buttons["&Show"].clicked.connect(self.show_first)
        self.buttons["&Verify chain"].clicked.connect(self.verify)
        self.buttons["Export &CSV…"].clicked.connect(lambda: self.ask_export("csv"))
        self.buttons["Export &PDF…"].clicked.connect(lambda: self.ask_export("pdf"))
        self.buttons["&Newer"].clicked.connect(self.newer)
        self.buttons["&Older"].clicked.connect(self.older)
        self.table.selectionModel().currentRowChanged.connect(self._choose)
        self.show_first()

    def _choose(self, current, _previous) -> None:
        row: Shown | None = current.data(ROW_ROLE) if current.isValid() else None
        self.chosen.setText("" if row is None else
                            f"{row.entry.user} ({row.entry.role}), {row.entry.action} "
                            f"{row.entry.entity or ''}: {row.entry.detail or 'no detail'}")

    def _lay_out(self, heading: QLabel, about: QLabel) -> None:
        filters = QFormLayout()
        who, when = QHBoxLayout(), QHBoxLayout()
        who.addWidget(self.user, 1)
        who.addWidget(QLabel("Patient"))
        who.addWidget(self.patient, 2)
        who.addWidget(QLabel("Action"))
        who.addWidget(self.action)
        when.addWidget(self.since, 1)
        when.addWidget(QLabel("To"))
        when.addWidget(self.until, 1)
        for words in ("&Show", "&Verify chain", "Export &CSV…", "Export &PDF…"):
            when.addWidget(self.buttons[words])
        filters.addRow("User", who)
        filters.addRow("From", when)
        paging = QHBoxLayout()
        paging.addWidget(self.counted, 1)
        paging.addWidget(self.buttons["&Newer"])
        paging.addWidget(self.buttons["&Older"])
        box = QVBoxLayout(self)
        box.addWidget(heading)
        box.addWidget(about)
        box.addLayout(filters)
        box.addWidget(self.table, 1)
        box.addWidget(self.chosen)
        box.addLayout(paging)
        box.addWidget(self.status)

    def query(self) -> TrailQuery:
        action = self.action.currentText()
        return TrailQuery(self.user.text(), self.patient.text(),
                          "" if action == ANY_ACTION else action, self.since.text(),
                          self.until.text())

    def show_first(self) -> None:
        """Read the newest page of what the filters now say."""
        self._query, self._starts = self.query(), [None]
        self._read(None, 1, None)

    def older(self) -> None:
        if self.page and self.page.rows and self._has_older():
            self._starts.append(self.page.rows[-1])
            self._read(self.page.rows[-1], self.page.first + len(self.page.rows),
                       (self.page.total, self.page.more_than))

    def newer(self) -> None:
        if self.page and len(self._starts) > 1:
            self._starts.pop()
            self._read(self._starts[-1], max(1, self.page.first - PAGE_SIZE),
                       (self.page.total, self.page.more_than))

    def _has_older(self) -> bool:
        shown = self.page.first + len(self.page.rows) - 1
        return self.page.more_than or shown < self.page.total

    def _read(self, after: Shown | None, first: int, known: tuple[int, bool] | None) -> None:
        self.counted.setText("Reading the audit trail…")
        audit_trail.page(self, self._background, self._ws, self._query, after, first,
                         known).success(self._shown).failure(self._refused).run()

    def _shown(self, page: Page) -> None:
        self.page = page
        self.model.set_rows(page.rows)
        self.table.resizeColumnsToContents()
        for column in range(DETAIL):  # a long record id never pushes Detail out of sight
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), WIDEST))
        self.counted.setText(page.summary())
        self.buttons["&Newer"].setEnabled(len(self._starts) > 1)
        self.buttons["&Older"].setEnabled(bool(page.rows) and self._has_older())
        if page.rows:
            self.table.selectRow(0)

    def _refused(self, exc: Exception) -> None:
        self.model.set_rows([])
        self.page = None
        self.counted.setText("No entries shown.")
        self.say(sentence(exc), alert=True)

    def verify(self) -> None:
        self.say("Checking the audit chain…")
        audit_trail.verify(self, self._background, self._ws).success(self._verified).failure(
            lambda exc: self.say(sentence(exc), alert=True)).run()

    def _verified(self, result: Verification) -> None:
        if result.intact:
            self.say(f"The audit trail is intact: {result.rows:,} entries.")
        else:
            self.say(f"The audit trail is broken ({result.rows:,} entries): "
                     + "; ".join(result.problems) + ".", alert=True)

    def ask_export(self, kind: str) -> QFileDialog:
        dialog = QFileDialog(self, f"Export the audit trail ({kind.upper()})",
                             str(Path(_folder()) / f"audit-trail.{kind}"),
                             f"{kind.upper()} (*.{kind})")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(kind)
        dialog.fileSelected.connect(lambda path: self.export(Path(path)))
        self.dialog = dialog
        dialog.open()
        return dialog

    def export(self, path: Path) -> None:
        """Write what the filters now say (every page) to `path`."""
        self.say(f"Exporting to {path}…")
        audit_trail.export(self, self._background, self._ws, self.query(), path).success(
            lambda count: self.say(f"Wrote {count:,} {'entry' if count == 1 else 'entries'} "
                                   f"to {path}.")).failure(
            lambda exc: self.say(sentence(exc), alert=True)).run()

    def say(self, text: str, alert: bool = False) -> None:
        self.status.setStyleSheet(f"color: {theme.alert_color()};" if alert else "")
        self.status.setText(text)


def _folder() -> str:
    return str(documents_folder())
