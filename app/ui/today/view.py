"""The Today tab: the day's appointments, checking patients in, opening their charts.

The list is loaded on the database thread when the tab is built, when an appointment or a
patient changes (a check-in here, a booking synced: the workspace's Changes), and on
Refresh (F5); only the newest load's answer is shown. "Whole clinic"
is the default. "Mine" means the appointments booked with the signed-in clinician's
Practitioner, found as the calendar finds it (app.clinical.visits.providers), never by a
name: two clinicians of the same name each see their own.

Open chart (and Enter or a double-click on a row) is offered only to roles that may read
the chart; for front desk and billing, Enter and a double-click open the patient's details
(app.ui.demographics) instead, and a line says so. Check in is offered only to
roles that may book and check in, and only for a booked
appointment; Start visit only to roles that may edit the chart, and only for a patient who
has arrived: it starts the visit and opens the chart. The row then reads "In visit" (from the
Encounter in progress, Schedule.today) and "Seen" once the visit is finished; for a patient
already in visit the button reads "Join visit" (a second clinician joins the same visit).
The services decide again, so a row changed on another workstation since the list was loaded is
refused with the reason and the list reloads.

A day is shown PAGE_SIZE appointments at a time, by time, with Previous and Next and the
position ("1–200 of 10,000"); the summary counts the whole day. Refresh and check-in stay
on the page shown; Whole clinic and Mine go back to the first.
"""

from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.records import Changes
from app.clinical.visits.schedule import HERE, PAGE_SIZE, Appointment, DayPage
from app.security.roles import Permission
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.changes import changes_of
from app.ui.common.table_models import Column, RowsModel, row_at, row_table
from app.ui.operations import schedule as schedule_ops
from app.ui.operations import visits
from fhir_common.messages import sentence

ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# FHIR R4 appointmentstatus as the front desk says it.
STATUS_TEXT = {
    "proposed": "Proposed", "pending": "Pending", "booked": "Booked", "arrived": "Arrived",
    "checked-in": "Checked in", "fulfilled": "Seen", "cancelled": "Cancelled",
    "noshow": "Did not attend", "entered-in-error": "Entered in error", "waitlist": "Waitlist",
}
SHOWN_KINDS = frozenset({"Appointment", "Patient", "Encounter"})  # what the list shows
START_TIP = ("For a patient who has arrived: start the visit, which ties together what is "
             "charted in it, and open the chart")
NO_CHART_TIP = ("Enter opens the patient's details; charts open for clinical roles only. Here "
                "you book, check patients in and see who is waiting.")
JOIN_TIP = "The visit is in progress: join it (charting in the same visit) and open the chart"


def day_text(day: date) -> str:
    """'Tuesday 24 November 2026' (day without a leading zero, on every platform)."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def times(appointment: Appointment) -> str:
    start = f"{appointment.start:%H:%M}"
    return f"{start}–{appointment.end:%H:%M}" if appointment.end else start


COLUMNS = (
    Column("Time", times),
    Column("Patient", lambda a: a.patient_name),
    Column("Type", lambda a: a.type),
    Column("Practitioner", lambda a: a.practitioner),
    Column("Status", lambda a: "In visit" if a.in_visit else STATUS_TEXT.get(a.status,
                                                                              a.status)),
)


class TodayView(QWidget):
    open_chart = Signal(str)  # patient id
    open_demographics = Signal(str)  # patient id: the details, for roles that read no chart

    def __init__(self, ws: Workstation, background: Background,
                 changes: SignalInstance | None = None):
        """`changes`: the workspace's signal of Changes (a view on its own hears them
        itself)."""
        super().__init__()
        self._ws, self._background = ws, background
        self._news: tuple[str, bool] | None = None  # what to say once the list is read again
        self._schedule = ws.schedule
        self._encounters = ws.encounters
        self._first = 0  # position in the day of the first appointment shown
        self._day = date.today()
        self.date_label = QLabel(day_text(date.today()))
        self.date_label.setAccessibleName("Date")
        self.date_label.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.whole_clinic = QPushButton("Whole clinic")
        self.whole_clinic.setAccessibleName("Show the whole clinic's appointments")
        self.mine = QPushButton("Mine")
        self.mine.setAccessibleName("Show only my appointments")
        self.mine.setToolTip(f"Appointments booked with you ({ws.session.full_name}), as "
                             "your calendar shows them")
        self._scope = QButtonGroup(self)
        for button in (self.whole_clinic, self.mine):
            button.setCheckable(True)
            self._scope.addButton(button)
        self.whole_clinic.setChecked(True)
        self.refresh = QPushButton("Refresh")
        self.refresh.setAccessibleName("Refresh the appointments")
        self.refresh.setToolTip("Load the day's appointments again (F5)")
        self.model = RowsModel(COLUMNS, parent=self)
        self.table = row_table(self.model, "Today's appointments", stretch_column=1)
        self.table.horizontalHeader().setAccessibleName("Appointment columns")
        self.previous_page = QPushButton("Previous")
        self.previous_page.setAccessibleName(f"Show the previous {PAGE_SIZE} appointments")
        self.next_page = QPushButton("Next")
        self.next_page.setAccessibleName(f"Show the next {PAGE_SIZE} appointments")
        self.position = QLabel()
        self.position.setAccessibleName("Appointments shown")
        self.message = QLabel()
        self.message.setAccessibleName("Appointments message")
        self.message.setWordWrap(True)
        self.open_button = QPushButton("Open chart")
        self.open_button.setAccessibleName("Open the patient's chart")
        self._charts = ws.session.may(Permission.READ_CHART)
        self.open_button.setVisible(self._charts)
        self.no_chart = QLabel("Enter opens the patient's details; charts are for clinical "
                               "roles.")
        self.no_chart.setAccessibleName("Why no chart is offered")
        self.no_chart.setToolTip(NO_CHART_TIP)
        self.no_chart.setStyleSheet(f"color: {theme.muted_color()};")
        self.no_chart.setVisible(not self._charts)
        if not self._charts:  # a chart would only be refused: offer none, say why
            self.table.setToolTip(NO_CHART_TIP)
        self.check_in = QPushButton("Check in")
        self.check_in.setAccessibleName("Check in the selected patient")
        self.check_in.setVisible(ws.session.may(Permission.MANAGE_SCHEDULE))
        self.start_visit = QPushButton("Start visit")
        self.start_visit.setAccessibleName("Start the visit and open the chart")
        self.start_visit.setToolTip(START_TIP)
        self.start_visit.setVisible(ws.session.may(Permission.EDIT_CHART))
        self._layout()
        self._scope.buttonClicked.connect(lambda _: self._turn_to(0))
        self.previous_page.clicked.connect(lambda: self._turn_to(self._first - PAGE_SIZE))
        self.next_page.clicked.connect(lambda: self._turn_to(self._first + PAGE_SIZE))
        self.refresh.clicked.connect(lambda: self.load())
        QShortcut(QKeySequence.StandardKey.Refresh, self,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut).activated.connect(
            lambda: self.load())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self.table.doubleClicked.connect(lambda _: self._open_current())
        self.table.installEventFilter(self)
        self.open_button.clicked.connect(self._open_current)
        self.check_in.clicked.connect(self._check_in)
        self.start_visit.clicked.connect(self._start_visit)
        self._enable()
        changes_of(self, ws.changes, changes).connect(self.take)
        self.load()

    def take(self, changes: Changes) -> None:
        """Read the list again when an appointment or a patient changed."""
        if changes.kinds & SHOWN_KINDS:
            self.load()

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.date_label)
        top.addStretch()
        top.addWidget(self.whole_clinic)
        top.addWidget(self.mine)
        top.addSpacing(12)
        top.addWidget(self.refresh)
        pages = QHBoxLayout()
        pages.addStretch()
        pages.addWidget(self.previous_page)
        pages.addWidget(self.position)
        pages.addWidget(self.next_page)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.no_chart)
        bottom.addWidget(self.open_button)
        bottom.addWidget(self.check_in)
        bottom.addWidget(self.start_visit)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.table)
        box.addLayout(pages)
        box.addLayout(bottom)

    # -- loading -----------------------------------------------------------------------------

    def _turn_to(self, first: int) -> None:
        self._first = max(0, first)
        self.load()

    def load(self, note: str = "", alert: bool = False) -> None:
        """Ask for the page shown of the day's appointments (today's, read again: the tab
        may stay open past midnight, and a new day starts at its first page); `note` is
        shown once they are, instead of the day's summary."""
        day = date.today()
        if day != self._day:
            self._day, self._first = day, 0
        ws, schedule, first = self._ws, self._schedule, self._first
        practitioner = ws.session.user if self.mine.isChecked() else None
        self._say("Loading the day's appointments…")
        schedule_ops.day_page(self, self._background, schedule, ws.session, day, practitioner,
                              first).success(
            lambda found: self._loaded(day, found, note, alert)).failure(self._failed).run()

    def _loaded(self, day: date, page: DayPage, note: str, alert: bool) -> None:
        if not note and self._news is not None:
            (note, alert), self._news = self._news, None
        kept = row_at(self.table)
        self._first = page.first
        self.date_label.setText(day_text(day))
        self.model.set_rows(page.appointments)
        self._select(kept.id if kept else None)
        last = page.first + len(page.appointments)
        self.position.setText(f"{page.first + 1:,}–{last:,} of {page.total:,}"
                              if page.appointments else "")
        self.previous_page.setEnabled(page.first > 0)
        self.next_page.setEnabled(last < page.total)
        self._say(note or self._summary(page), alert)
        self._enable()

    def _failed(self, exc: Exception) -> None:
        self._say(sentence(exc), alert=True)

    def _summary(self, page: DayPage) -> str:
        """The whole day's counts, not only the page's."""
        if not page.total and self.mine.isChecked():
            return (f"No appointments today booked with you ({self._ws.session.full_name}); "
                    "choose Whole clinic to see everyone's.")
        if not page.total:
            return "No appointments today."
        total = "1 appointment" if page.total == 1 else f"{page.total:,} appointments"
        in_visit = f"{page.in_visit:,} in visit, " if page.in_visit else ""
        return f"{total}: {page.waiting:,} waiting, {in_visit}{page.to_come:,} still to arrive."

    def _select(self, appointment_id: str | None) -> None:
        """Keep the row that was selected (by appointment, as the order may change)."""
        for view_row in range(self.table.model().rowCount()):
            if row_at(self.table, view_row).id == appointment_id:
                self.table.selectRow(view_row)
                return
        self.table.clearSelection()
        self.table.setCurrentIndex(self.table.model().index(-1, -1))

    # -- actions ---------------------------------------------------------------------------

    def _enable(self) -> None:
        current = row_at(self.table)
        self.open_button.setEnabled(current is not None and current.patient_id is not None)
        self.check_in.setEnabled(current is not None and current.status == "booked")
        self.start_visit.setEnabled(current is not None and current.status in HERE
                                    and current.patient_id is not None)
        joins = current is not None and current.in_visit
        self.start_visit.setText("Join visit" if joins else "Start visit")
        self.start_visit.setToolTip(JOIN_TIP if joins else START_TIP)

    def _check_in(self) -> None:
        current = row_at(self.table)
        if current is None:
            return
        ws, schedule = self._ws, self._schedule
        self.check_in.setEnabled(False)
        self._say(f"Checking in {current.patient_name}…")
        schedule_ops.check_in(self, self._background, schedule, ws.session, current.id).success(
            self._checked_in).failure(self._refused).run()

    def _checked_in(self, appointment: Appointment) -> None:
        """Said once the list is read again (the check-in's Changes ask for that)."""
        self._news = (f"{appointment.patient_name} is checked in "
                      f"({appointment.start:%H:%M} with {appointment.practitioner}).", False)

    def _refused(self, exc: Exception) -> None:
        self.load(sentence(exc), alert=True)  # the row may have changed elsewhere: as it is now

    def _start_visit(self) -> None:
        current = row_at(self.table)
        if current is None or current.patient_id is None:
            return
        ws, encounters = self._ws, self._encounters
        self.start_visit.setEnabled(False)
        self._say(f"Starting the visit of {current.patient_name}…")
        visits.start(self, self._background, encounters, ws.session, current.patient_id,
                     current.id).success(
            lambda _visit: self._visit_started(current)).failure(self._refused).run()

    def _visit_started(self, appointment: Appointment) -> None:
        self._news = (f"Visit started for {appointment.patient_name}; the chart is open.", False)
        self.open_chart.emit(appointment.patient_id)

    def _open_current(self) -> None:
        current = row_at(self.table)
        if current is None or current.patient_id is None:
            return
        if self._charts:
            self.open_chart.emit(current.patient_id)
        elif self._ws.session.may(Permission.READ_DEMOGRAPHICS):
            self.open_demographics.emit(current.patient_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.table and event.type() == QEvent.Type.KeyPress and \
                event.key() in ENTER:
            self._open_current()
            return True
        return False

    def _say(self, text: str, alert: bool = False) -> None:
        self.message.setText(text)
        color = theme.alert_color() if alert else theme.muted_color()
        self.message.setStyleSheet(f"color: {color};")
