"""The Calendar tab: one provider's week, or the clinic's day (every provider a column) or
its rooms' day, booked from the keyboard.

Provider week, Clinic day and Rooms (shown when the clinic has rooms) switch the view (also
Alt+1, Alt+2, Alt+3); on a day, Previous and Next turn a day. A free cell books with its
column's provider (in the Rooms view: in that room, with the clinician chosen in the booking
dialog). An appointment can be dragged to another cell (another day, or another provider or
room on the clinic's day): the same move as the keyboard's, refused in the service's
sentence with the block left where it was.

Pick the provider; Previous week, Today and Next week turn the week (also Alt+Left, Alt+Home,
Alt+Right). In the grid, the arrows move over 15-minute cells; Enter on a free cell books
there (BookingDialog), Enter on an appointment offers check-in (on the day), cancel,
no-show or move; after Move, Enter on another cell puts it there (Esc stops). Every write
goes through the booking services by an op; the week is read again when the workspace
hears that appointments changed (this screen's own writes included: a write from here and
one arriving by sync look the same). Who may not book (clinicians may; billing reads only)
sees the week and is told which permission booking needs.

Walk-in… (Alt+W) and Day sheet… (Alt+D), check-out, "this and following" for a series and
the waiting list offered a freed time are the front desk's flows in desk_actions.py.
"""

from datetime import date, datetime, timedelta

from PySide6.QtCore import QRect, Qt, QTimer, SignalInstance
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
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
from app.clinical.visits.clinic_day import ClinicDay, Column
from app.clinical.visits.providers import Provider
from app.clinical.visits.schedule import Appointment
from app.clinical.visits.week import ProviderWeek
from app.security.roles import Permission
from app.ui.calendar.appointment_dialog import CHECK_IN, MOVE, AppointmentDialog
from app.ui.calendar.booking_dialog import BookingDialog
from app.ui.calendar.desk_actions import DeskActions
from app.ui.calendar.grid import HEADER, WeekGrid
from app.ui.common.background import Background
from app.ui.common.changes import changes_of
from app.ui.common.theme import alert_color
from app.ui.operations import calendar as calendar_ops
from app.ui.operations import clinic_day as clinic_day_ops
from fhir_common.messages import sentence

SHOWN_KINDS = {"Appointment", "Patient", "Practitioner"}
WEEK, DAY, ROOMS = "Provider week", "Clinic day", "Rooms"  # the views, Alt+1 to Alt+3


class CalendarView(QWidget):
    def __init__(self, ws: Workstation, background: Background,
                 changes: SignalInstance | None = None):
        super().__init__()
        self._ws, self._background = ws, background
        self.may_book = ws.session.may(Permission.MANAGE_SCHEDULE)
        self.day = date.today()
        self.moving: Appointment | None = None
        self._moving_from: Column | None = None  # the column the moving appointment was in
        self._done = ""  # what the last write did, said again once the week is read again
        self._cursor_to: datetime | None = datetime.now().astimezone()  # once the week is in
        self.dialog = None  # the booking or appointment dialog open, if any
        self._asked: tuple | None = None  # the view, provider and day asked for last
        self._showing: tuple | None = None  # ... and those the grid shows
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
        self.mode = WEEK
        self.views = QButtonGroup(self)
        self.view_buttons: dict[str, QPushButton] = {}
        for number, name in enumerate((WEEK, DAY, ROOMS), 1):
            button = QPushButton(name, checkable=True, checked=name == WEEK)
            button.setToolTip(f"{name} (Alt+{number})")
            button.setVisible(name != ROOMS or bool(ws.booking.clinic.availability.rooms))
            self.views.addButton(button)
            self.view_buttons[name] = button
            button.clicked.connect(lambda _on, chosen=name: self.show_view(chosen))
            QShortcut(QKeySequence(f"Alt+{number}"), self, lambda chosen=name: (
                self.show_view(chosen)), context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.grid)
        self.grid.cursor_moved.connect(self._keep_in_sight)
        self.scroll.verticalScrollBar().valueChanged.connect(self.grid.scrolled_to)
        bar = QHBoxLayout()
        for button in self.view_buttons.values():
            bar.addWidget(button)
        bar.addWidget(QLabel("Provider"))
        bar.addWidget(self.provider, 1)
        for button in (self.previous, self.today_button, self.next):
            bar.addWidget(button)
        bar.addWidget(self.title, 2)
        self.desk = DeskActions(self, ws, background, self._say, self._said_done, self._refused)
        bar.addWidget(self.desk.next_free)  # Alt+N
        bar.addWidget(self.desk.walk_in)  # Alt+W
        bar.addWidget(self.desk.day_sheet)  # Alt+D
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.legend(ws))
        layout.addWidget(self.said)
        layout.addWidget(self.scroll, 1)
        self.previous.clicked.connect(lambda: self.step(-1))
        self.next.clicked.connect(lambda: self.step(1))
        self.today_button.clicked.connect(self.go_today)
        for keys, act in (("Alt+Left", lambda: self.step(-1)), ("Alt+Right", lambda: self.step(1)),
                          ("Alt+Home", self.go_today), ("Esc", self.stop_moving)):
            QShortcut(QKeySequence(keys), self, act,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.provider.currentIndexChanged.connect(lambda _index: self.load())
        self.grid.chosen.connect(self.choose)
        self.grid.dropped.connect(self.drop)
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

    def _keep_in_sight(self, cell: QRect) -> None:
        """Scroll to the cursor's cell (an evening walk-in, arrows past the fold) once the
        grid has its new height: a week just shown is laid out after this returns. The
        margin keeps the cell clear of the headings drawn at the top of the view."""
        QTimer.singleShot(0, self, lambda: self.scroll.ensureVisible(
            cell.center().x(), cell.center().y(), cell.width() // 2, HEADER + cell.height()))

    def take(self, changes: Changes) -> None:
        """Read the week again when appointments (or the names on them) changed."""
        if changes.kinds & SHOWN_KINDS:
            self.load()

    def show_view(self, mode: str) -> None:
        """Switch between a provider's week, the clinic's day and the rooms' day."""
        if mode == ROOMS and self.view_buttons[ROOMS].isHidden():  # the clinic has none
            return
        self.stop_moving()  # a Move is finished in the view it began in
        self.mode = mode
        self.view_buttons[mode].setChecked(True)
        self.provider.setEnabled(mode == WEEK)
        unit = "week" if mode == WEEK else "day"
        self.previous.setText(f"◀ Previous {unit}")
        self.next.setText(f"Next {unit} ▶")
        self._cursor_to = datetime.now().astimezone() if self.day == date.today() else None
        self.load()
        self.grid.setFocus()

    def load(self) -> None:
        """Read what is asked for; until it is in, the grid still shows the last one, so
        Enter and drops wait for it (`reading`)."""
        if self.mode != WEEK:
            asked = self._asked = (self.mode, None, self.day)
            clinic_day_ops.clinic_day(self, self._background, self._ws, self.day).success(
                lambda day: self._shown_day(day, asked)).failure(self._refused).run()
            return
        who = self.current_provider()
        if who is None:
            return
        asked = self._asked = (WEEK, who.user, self.day)
        calendar_ops.week(self, self._background, self._ws, who.user, self.day).success(
            lambda week: self._shown(week, asked)).failure(self._refused).run()

    @property
    def reading(self) -> bool:
        """Whether the grid shows another provider, view or time than the one asked for,
        or a reading will still move the cursor (Next free… in the week already shown)."""
        return self._showing != self._asked or self._cursor_to is not None

    def _still_reading(self) -> bool:
        """Say so when the grid is not yet what was asked for: a cell there would book or
        move with the provider or day shown before."""
        if self.reading:
            self._say(f"Reading the {'week' if self.mode == WEEK else 'day'}… press Enter "
                      "again once it is shown.")
        return self.reading

    def current_provider(self) -> Provider | None:
        return self.provider.currentData()

    def step(self, direction: int) -> None:
        """Previous (-1) or next (1): a week, or on a day view a day."""
        self.turn(direction * (7 if self.mode == WEEK else 1))

    def turn(self, days: int) -> None:
        self.day += timedelta(days=days)
        self.load()

    def show_time(self, user: str, at: datetime) -> None:
        """`user`'s week with the cursor on `at` (what Next free… found)."""
        if self.mode != WEEK:
            self.show_view(WEEK)
        index = next((i for i in range(self.provider.count())
                      if self.provider.itemData(i).user == user), self.provider.currentIndex())
        self.provider.blockSignals(True)
        self.provider.setCurrentIndex(index)
        self.provider.blockSignals(False)
        self.day, self._cursor_to = at.date(), at
        self.load()
        self.grid.setFocus()

    def go_today(self) -> None:
        self.day = date.today()
        self._cursor_to = datetime.now().astimezone()
        self.load()

    def choose(self, at: datetime, booked: Appointment | None) -> None:
        """Enter on a cell: move there, book there, or act on what is booked there."""
        if self._still_reading():
            return
        if self.moving is not None:
            moving, self.moving = self.moving, None
            if self.desk.moving_series:  # "this and following"
                self.desk.move_series(moving, at)
                return
            self.move(moving, at, self._moving_from, self.grid.cursor_column())
            return
        if not self.may_book:
            self._say(f"Booking needs the permission “{Permission.MANAGE_SCHEDULE}”, which "
                      f"the {self._ws.session.role} role does not have; this calendar is "
                      "read only.", alert=True)
            return
        if booked is None:
            column = self.grid.cursor_column()
            providers = [self.provider.itemData(i) for i in range(self.provider.count())]
            who = column.provider if column is not None else None
            if who is None and not providers:
                self._say("No clinician has a calendar: add a physician or nurse user.",
                          alert=True)
                return
            self.dialog = (BookingDialog(self._ws, self._background, who, at, self) if who else
                           BookingDialog(self._ws, self._background, self.current_provider(),
                                         at, self, room=column and column.room,
                                         providers=providers))
            self.dialog.booked.connect(self._booked)
            self.dialog.waitlisted.connect(self.desk.waitlisted)
        else:
            self.dialog = AppointmentDialog(booked, self, self._ws.booking.now())
            self.dialog.accepted.connect(lambda d=self.dialog: self._act(d))
            self.desk.opened(self.dialog)  # of a series? Cancel and Move then ask which
        self.dialog.open()

    def stop_moving(self) -> None:
        if self.moving is not None:
            self.moving = None
            self._say("Not moved.")

    def _act(self, dialog: AppointmentDialog) -> None:
        item = dialog.appointment
        if self.desk.act(dialog):  # check-out, cancel, no-show (then the waiting list)
            return
        if dialog.choice == CHECK_IN:
            calendar_ops.check_in(self, self._background, self._ws, item.id).success(
                lambda done: self._said_done(f"Checked in {done.patient_name} for "
                                             f"{done.start:%H:%M}.")).failure(
                self._refused).run()
        elif dialog.choice == MOVE:
            self.moving, self._moving_from = item, self.grid.cursor_column()
            self._say(f"Move {item.patient_name} ({item.start:%a %H:%M}): pick the new time "
                      "with the arrows and press Enter; Esc to leave it where it is.")
            self.grid.setFocus()

    def drop(self, item: Appointment, at: datetime, source: Column, target: Column) -> None:
        """A block dropped on another cell: the same move as Move and Enter."""
        if not self.may_book:
            self._say(f"Moving an appointment needs the permission “{Permission.MANAGE_SCHEDULE}"
                      f"”, which the {self._ws.session.role} role does not have.", alert=True)
            return
        if not self._still_reading():
            self.move(item, at, source, target)

    def move(self, item: Appointment, at: datetime, source: Column | None,
             target: Column | None) -> None:
        """`item` to `at`; to the target column's provider (the clinic's day) or room (the
        Rooms view) when that is another one."""
        if source is not None and target is not None and source.room != target.room:
            self._say(f"Moving {item.patient_name} to {target.room}, {at:%a %d %b %H:%M}…")
            clinic_day_ops.move_to_room_at(
                self, self._background, self._ws, item.id, target.room, at).success(
                lambda done: self._said_done(f"Moved {done.patient_name} to {target.room}, "
                                             f"{done.start:%a %d %b %H:%M}.")).failure(
                self._refused).run()
            return
        other = (target.provider if source is not None and target is not None
                 and target.provider is not None and source.provider is not None
                 and target.provider.user != source.provider.user else None)
        self._say(f"Moving {item.patient_name} to " + (f"{other.name}, " if other else "") +
                  f"{at:%a %d %b %H:%M}…")
        op = (clinic_day_ops.move_to(self, self._background, self._ws, item.id, other.user, at)
              if other else calendar_ops.move(self, self._background, self._ws, item.id, at))
        op.success(lambda done: self._said_done(f"Moved {done.patient_name} to " + (
            f"{done.practitioner}, " if other else "") + f"{done.start:%a %d %b %H:%M}.")
                   ).failure(self._refused).run()

    def _switched(self, asked: tuple) -> bool:
        """Whether `asked` is another view than the one shown: its columns mean other
        things (days, providers, rooms), so the cursor starts again on the first."""
        return self._showing is None or self._showing[0] != asked[0]

    def _shown_day(self, day: ClinicDay, asked: tuple) -> None:
        switched, self._showing = self._switched(asked), asked
        columns = day.rooms if self.mode == ROOMS else day.providers
        self.grid.show_columns(columns, day.slot_minutes, date.today(), held=day.held,
                               first_column=switched)
        self.grid.setAccessibleName("Rooms calendar" if self.mode == ROOMS else
                                    "Clinic day calendar")
        if self._cursor_to is not None:
            self.grid.place_cursor(self._cursor_to)
            self._cursor_to = None
        self.title.setText(("Rooms" if self.mode == ROOMS else "Clinic") +
                           f": {day.day:%A %d %b %Y}" + (" (today)" if day.day == date.today()
                                                          else ""))
        if self._done:
            self._say(self._done)
            self._done = ""
        elif self.moving is None:
            count = len({a.id for c in columns for a in c.appointments
                         if a.status not in ("cancelled", "noshow")})
            self._say(f"{count} appointment{'' if count == 1 else 's'} this day." + (
                " Read only." if not self.may_book else
                " Arrows move, Enter books a free time in that room or opens an appointment; "
                "drag to move it to another time or room." if self.mode == ROOMS else
                " Arrows move, Enter books a free time or opens an appointment; drag to move."))

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

    def _shown(self, week: ProviderWeek, asked: tuple) -> None:
        switched, self._showing = self._switched(asked), asked
        self.grid.show_week(week, date.today(), first_column=switched)
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
