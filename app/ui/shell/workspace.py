"""Everything a signed-in user works in: the tabs her role's permissions use, and one tab
per open chart (or, for the front desk and billing, who read no chart, per patient's
details: app.ui.demographics).

Each fixed tab is built only for a session with the permission its first read needs
(app.security.roles), so no one meets a tab of "Not permitted" and signing in writes no
refused read to the audit trail: Today,
Patients and Calendar for those who read patients; Inbox for those who write notes;
Reports for those who run clinic reports; Admin for those with an Admin section
(app.ui.admin); To code and Claims for billing; Sync for those who sync. So the admin signs
in to Reports, Admin and Sync, the auditor to Admin alone.

The workspace holds patient data, so it exists only while the session is unlocked: locking
destroys it (not just hides it) and unlocking builds a new one, reopening the same charts
from the store.

What each commit changed (the UI's own saves and sync's) reaches the screens through one
signal, `changed`, carrying `Changes` on the UI thread (app.ui.common.changes); each view reads
again only what it shows of it. The workspace stops hearing when it goes (`leave`).
"""

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget

from app.bootstrap import Workstation
from app.security.roles import Permission
from app.ui.admin.view import AdminView, sections_for
from app.ui.calendar.view import CalendarView
from app.ui.chart.billing.to_code import VisitsToCodeView
from app.ui.chart.view import ChartView
from app.ui.claims.view import ClaimsView
from app.ui.common.background import Background
from app.ui.common.changes import ChangesRelay
from app.ui.demographics.view import DemographicsView
from app.ui.inbox.view import InboxView, inbox_title
from app.ui.patients.view import PatientsView
from app.ui.reports.view import ReportsView
from app.ui.sync.view import SyncView
from app.ui.today.view import TodayView

READS_PATIENTS = Permission.READ_DEMOGRAPHICS  # what Today, Patients and Calendar first read


class Workspace(QTabWidget):
    sync_now = Signal()
    changed = Signal(object)  # Changes, on the UI thread: what a commit changed

    def __init__(self, ws: Workstation, background: Background):
        super().__init__()
        self._relay = ChangesRelay(ws.changes, self)
        self._relay.heard.connect(self.changed.emit)
        self.setAccessibleName("Workspace")
        self.setDocumentMode(True)
        self.setTabsClosable(True)
        self._ws, self._background = ws, background
        may = ws.session.may
        self.today = TodayView(ws, background, self.changed) if may(READS_PATIENTS) else None
        self.patients: PatientsView | None = None
        if may(READS_PATIENTS):
            self.patients = PatientsView(ws, background, self.changed)
        self.calendar: CalendarView | None = None
        if may(READS_PATIENTS):  # who books, clinicians, billing
            self.calendar = CalendarView(ws, background, self.changed)
        self.inbox: InboxView | None = None
        if may(Permission.WRITE_NOTES):
            self.inbox = InboxView(ws, background, self.changed)
        self.reports: ReportsView | None = None
        if may(Permission.RUN_REPORTS):  # physicians, billing, admins
            self.reports = ReportsView(ws, background)
        self.admin: AdminView | None = None
        if sections_for(ws.session):  # admins and auditors (app.ui.admin.view)
            self.admin = AdminView(ws, background, self.changed)
        self.to_code: VisitsToCodeView | None = None
        self.claims: ClaimsView | None = None  # billing's claims, after To code
        if may(Permission.MANAGE_CLAIMS):  # billing: it has no chart to code from
            self.to_code = VisitsToCodeView(ws, background, self.changed)
            self.claims = ClaimsView(ws, background, self.changed)
        self.sync = SyncView(ws, background) if may(Permission.SYNC) else None
        fixed = ((self.today, "Today"), (self.patients, "Patients"), (self.inbox, "Inbox"),
                 (self.calendar, "Calendar"), (self.reports, "Reports"), (self.admin, "Admin"),
                 (self.to_code, "To code"), (self.claims, "Claims"), (self.sync, "Sync"))
        for view, title in fixed:
            if view is None:
                continue
            self.addTab(view, title)
            self.tabBar().setTabButton(self.indexOf(view), self.tabBar().ButtonPosition.RightSide,
                                       None)
        self.fixed_tabs = self.count()  # chart tabs come after these and may be closed
        if self.inbox is not None:
            self.inbox.open_note.connect(self.open_note)
            self.inbox.open_result.connect(self.open_record)
            self.inbox.open_chart.connect(self.open_chart)
            self.inbox.counted.connect(
                lambda count: self.setTabText(self.indexOf(self.inbox), inbox_title(count)))
        for finder in (self.today, self.patients):
            if finder is not None:
                finder.open_chart.connect(self.open_chart)
                finder.open_demographics.connect(self.open_demographics)
        if self.sync is not None:
            self.sync.sync_now.connect(self.sync_now.emit)
        self.tabCloseRequested.connect(self._close_tab)

    def open_chart(self, patient_id: str) -> ChartView:
        for index in range(self.fixed_tabs, self.count()):
            if isinstance(self.widget(index), ChartView) and \
                    self.widget(index).patient_id == patient_id:
                self.setCurrentIndex(index)
                return self.widget(index)
        chart = ChartView(self._ws, self._background, patient_id, self.changed)
        index = self.addTab(chart, "Opening chart…")
        close = self.tabBar().tabButton(index, self.tabBar().ButtonPosition.RightSide)
        if close is not None:
            close.setAccessibleName("Close this chart (Ctrl+W)")
        chart.titled.connect(lambda title, c=chart: self.setTabText(self.indexOf(c), title))
        self.setCurrentIndex(index)
        return chart

    def open_demographics(self, patient_id: str) -> DemographicsView:
        """The patient's details tab (one per patient), for roles that read no chart."""
        for index in range(self.fixed_tabs, self.count()):
            if isinstance(self.widget(index), DemographicsView) and \
                    self.widget(index).patient_id == patient_id:
                self.setCurrentIndex(index)
                return self.widget(index)
        details = DemographicsView(self._ws, self._background, patient_id, self.changed)
        index = self.addTab(details, "Opening details…")
        close = self.tabBar().tabButton(index, self.tabBar().ButtonPosition.RightSide)
        if close is not None:
            close.setAccessibleName("Close these details (Ctrl+W)")
        details.titled.connect(lambda title, d=details: self.setTabText(self.indexOf(d), title))
        self.setCurrentIndex(index)
        return details

    def open_note(self, patient_id: str, note_id: str) -> ChartView:
        """The patient's chart on its Notes tab, with the note selected once it is read."""
        chart = self.open_chart(patient_id)
        chart.select_record("notes", note_id)
        return chart

    def open_record(self, patient_id: str, section: str, record_id: str) -> ChartView:
        """The patient's chart on `section` with the record selected (a result from the
        Inbox, on Reports or Labs)."""
        chart = self.open_chart(patient_id)
        chart.select_record(section, record_id)
        return chart

    def open_charts(self) -> list[str]:
        return [self.widget(i).patient_id for i in range(self.fixed_tabs, self.count())
                if isinstance(self.widget(i), ChartView)]

    def patient_tabs(self) -> tuple[tuple[str, str], ...]:
        """("chart" or "details", patient id) of each patient's tab, in tab order: what
        unlocking as the same user opens again."""
        kinds = {ChartView: "chart", DemographicsView: "details"}
        return tuple((kinds[type(self.widget(i))], self.widget(i).patient_id)
                     for i in range(self.fixed_tabs, self.count())
                     if type(self.widget(i)) in kinds)

    def reopen(self, tabs: tuple[tuple[str, str], ...]) -> None:
        for kind, patient_id in tabs:
            (self.open_chart if kind == "chart" else self.open_demographics)(patient_id)

    def close_current_chart(self) -> None:
        if self.currentIndex() >= self.fixed_tabs:
            self._close_tab(self.currentIndex())

    def next_tab(self) -> None:
        self.setCurrentIndex((self.currentIndex() + 1) % self.count())

    def focus_search(self) -> None:
        if self.patients is not None:  # Ctrl+F: nothing for a role that finds no patient
            self.setCurrentWidget(self.patients)
            self.patients.focus_search()

    def leave(self) -> None:
        """Stop hearing changes: the workspace is about to go (lock, sign-out)."""
        self._relay.close()

    def before_leaving(self, done: Callable[[], None]) -> bool:
        """Whether the workspace may go at once (the window closing); if not, each chart
        where this user left unsigned orders asks in turn, and `done()` runs once every one
        agreed to leave (never, if one was told Cancel)."""
        charts = [self.widget(i) for i in range(self.fixed_tabs, self.count())
                  if isinstance(self.widget(i), ChartView)]
        return self._ask_each(charts, done)

    def _ask_each(self, charts: list[ChartView], done: Callable[[], None]) -> bool:
        for number, chart in enumerate(charts):
            rest = charts[number + 1:]
            if not chart.before_closing(
                    lambda leave, rest=rest: leave and self._ask_each(rest, done) and done()):
                self.setCurrentWidget(chart)
                return False
        return True

    def _close_tab(self, index: int) -> None:
        """Close a patient's tab; a chart where this user left unsigned orders asks first."""
        if index >= self.fixed_tabs:
            widget = self.widget(index)
            if isinstance(widget, ChartView) and not widget.before_closing(
                    lambda leave, w=widget: leave and self._remove(w)):
                return
            self._remove(widget)

    def _remove(self, widget) -> None:
        index = self.indexOf(widget)
        if index >= self.fixed_tabs:
            self.removeTab(index)
            widget.deleteLater()
