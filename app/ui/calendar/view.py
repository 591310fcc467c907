"""The Calendar tab: one provider's week, booked from the keyboard.

Pick the provider; Previous week, Today and Next week turn the week (also Alt+Left, Alt+Home,
Alt+Right). In the grid, the arrows move over 15-minute cells; Enter on a free cell books
there (BookingDialog), Enter on an appointment offers check-in (on the day), cancel,
no-show or move; after Move, Enter on another cell puts it there (Esc stops). Every write
goes through the booking services by an op; the week is read again when the workspace
hears that appointments changed (this screen's own writes included: a write from here and
one arriving by sync look the same). Who may not book (clinicians may; billing reads only)
sees the week and is told which permission booking needs.
"""

from datetime import date, datetime, timedelta

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Workstation
from app.clinical.records import Changes
from app.clinical.visits.providers import Provider
from app.clinical.visits.schedule import Appointment
from app.clinical.visits.week import ProviderWeek
from app.security.roles import Permission
from app.ui.calendar.appointment_dialog import (
    CANCEL,
    CHECK_IN,
    MOVE,
    NO_SHOW,
    AppointmentDialog,
)
from app.ui.calendar.booking_dialog import BookingDialog
from app.ui.calendar.grid import WeekGrid
from app.ui.common.background import Background
from app.ui.common.changes import changes_of
from app.ui.common.theme import alert_color
from app.ui.operations import calendar as calendar_ops
from fhir_common.messages import sentence

SHOWN_KINDS = {"Appointment", "Patient", "Practitioner"}


class CalendarView(QWidget):
    def __init__(self, ws: Workstation, background: Background,
                 changes: SignalInstance | None = None):
        super().__init__()
        self._ws, self._background = ws, background
        self.may_book = ws.session.may(Permission.MANAGE_SCHEDULE)
        self.day = date.today()
        self.moving: Appointment | None = None
        self._done = ""  # what the last write did, said again once the week is read again
        self._cursor_to: datetime | None = datetime.now().astimezone()  # once the week is in
        self.dialog = None  # the booking or appointment dialog open, if any
        self.provider = QComboBox()
        self.provider.setAccessibleName("Provider")
        self.previous = QPushButton("◀ Previous week")
        self.today_button = QPushButton("Today")
        self.next = QPushButton("Next week ▶")
        self.title = QLabel()
        self.title.setAccessibleName("Week shown")
        self.said = QLabel()
        self.said.setWordWrap(True)
        self.said.setAccessibleName("Calendar status")
        self.grid = WeekGrid(ws.weeks.colour)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Provider"))
        bar.addWidget(self.provider, 1)
        for button in (self.previous, self.today_button, self.next):
            bar.addWidget(button)
        bar.addWidget(self.title, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.legend(ws))
        layout.addWidget(self.said)
        layout.addWidget(scroll, 1)
        self.previous.clicked.connect(lambda: self.turn(-7))
        self.next.clicked.connect(lambda: self.turn(7))
        self.today_button.clicked.connect(self.go_today)
        for keys, act in (("Alt+Left", lambda: self.turn(-7)), ("Alt+Right", lambda: self.turn(7)),
                          ("Alt+Home", self.go_today), ("Esc", self.stop_moving)):
            QShortcut(QKeySequence(keys), self, act,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.provider.currentIndexChanged.connect(lambda _index: self.load())
        self.grid.chosen.connect(self.choose)
        changes_of(self, ws.changes, changes).connect(self.take)
        calendar_ops.providers(self, background, ws).success(self._providers).failure(
            self._refused).run()

    @staticmethod
    def legend(ws: Workstation) -> QLabel:
        """The appointment types in their colours, from the clinic's types file."""
        label = QLabel("Types: " + "   ".join(
            f'<span style="color:{kind.colour}">■</span> {kind.name}'
            for kind in ws.booking.clinic.types.types))
        label.setAccessibleName("Appointment type colours")
        return label

    def take(self, changes: Changes) -> None:
        """Read the week again when appointments (or the names on them) changed."""
        if changes.kinds & SHOWN_KINDS:
            self.load()

    def load(self) -> None:
        who = self.current_provider()
        if who is None:
            return
        calendar_ops.week(self, self._background, self._ws, who.user, self.day).success(
            self._shown).failure(self._refused).run()

    def current_provider(self) -> Provider | None:
        return self.provider.currentData()

    def turn(self, days: int) -> None:
        self.day += timedelta(days=days)
        self.load()

    def go_today(self) -> None:
        self.day = date.today()
        self._cursor_to = datetime.now().astimezone()
        self.load()

    def choose(self, at: datetime, booked: Appointment | None) -> None:
        """Enter on a cell: move there, book there, or act on what is booked there."""
        if self.moving is not None:
            moving, self.moving = self.moving, None
            self._say(f"Moving {moving.patient_name} to {at:%a %d %b %H:%M}…")
            calendar_ops.move(self, self._background, self._ws, moving.id, at).success(
                lambda done: self._said_done(f"Moved {done.patient_name} to "
                                             f"{done.start:%a %d %b %H:%M}.")).failure(
                self._refused).run()
            return
        if not self.may_book:
            self._say(f"Booking needs the permission “{Permission.MANAGE_SCHEDULE}”, which "
                      f"the {self._ws.session.role} role does not have; this calendar is "
                      "read only.", alert=True)
            return
        if booked is None:
            self.dialog = BookingDialog(self._ws, self._background, self.current_provider(), at,
                                        self)
            self.dialog.booked.connect(self._booked)
        else:
            self.dialog = AppointmentDialog(booked, self)
            self.dialog.accepted.connect(lambda d=self.dialog: self._act(d))
        self.dialog.open()

    def stop_moving(self) -> None:
        if self.moving is not None:
            self.moving = None
            self._say("Not moved.")

    def _act(self, dialog: AppointmentDialog) -> None:
        item = dialog.appointment
        if dialog.choice == CHECK_IN:
            calendar_ops.check_in(self, self._background, self._ws, item.id).success(
                lambda done: self._said_done(f"Checked in {done.patient_name} for "
                                             f"{done.start:%H:%M}.")).failure(
                self._refused).run()
        elif dialog.choice == CANCEL:
            calendar_ops.cancel(self, self._background, self._ws, item.id,
                                dialog.reason.text().strip()).success(
                lambda done: self._said_done(f"Cancelled {done.patient_name}'s "
                                             f"{done.start:%H:%M} appointment.")).failure(
                self._refused).run()
        elif dialog.choice == NO_SHOW:
            calendar_ops.no_show(self, self._background, self._ws, item.id).success(
                lambda done: self._said_done(f"Marked {done.patient_name} as not attended."
                                             )).failure(self._refused).run()
        elif dialog.choice == MOVE:
            self.moving = item
            self._say(f"Move {item.patient_name} ({item.start:%a %H:%M}): pick the new time "
                      "with the arrows and press Enter; Esc to leave it where it is.")
            self.grid.setFocus()

    def _booked(self, made: list[Appointment]) -> None:
        first = made[0]
        self._said_done(f"Booked {first.patient_name}, {first.type}, {first.start:%a %d %b %H:%M}"
                        + (f", and {len(made) - 1} more weekly" if len(made) > 1 else "") + ".")

    def _providers(self, found: list[Provider]) -> None:
        self.provider.blockSignals(True)
        for who in found:
            self.provider.addItem(f"{who.name} ({who.user})", who)
        mine = next((i for i, who in enumerate(found) if who.user == self._ws.session.user), 0)
        self.provider.setCurrentIndex(mine)
        self.provider.blockSignals(False)
        if not found:
            self._say("No clinician has a calendar: add a physician or nurse user.", alert=True)
        self.load()

    def _shown(self, week: ProviderWeek) -> None:
        self.grid.show_week(week, date.today())
        if self._cursor_to is not None:
            self.grid.place_cursor(self._cursor_to)
            self._cursor_to = None
        sunday = week.monday + timedelta(days=6)
        self.title.setText(f"{week.provider.name}: week of {week.monday:%d %b} – "
                           f"{sunday:%d %b %Y}")
        if self._done:
            self._say(self._done)
            self._done = ""
        elif self.moving is None:
            count = sum(len([a for a in d.appointments if a.status not in ("cancelled",
                                                                           "noshow")])
                        for d in week.days)
            self._say(f"{count} appointment{'' if count == 1 else 's'} this week." + (
                " Arrows move, Enter books a free time or opens an appointment." if
                self.may_book else " Read only."))

    def _said_done(self, text: str) -> None:
        self._done = text  # the week is read again when the change is heard
        self._say(text)

    def _refused(self, exc: Exception) -> None:
        self._say(sentence(exc), alert=True)

    def _say(self, text: str, alert: bool = False) -> None:
        self.said.setStyleSheet(f"color: {alert_color()}" if alert else "")
        self.said.setText(text)
