"""The Calendar's front-desk flows beyond booking a free cell, kept out of the view so it
stays about showing the calendar: a walk-in, check-out, cancel and move of "this and
following" appointments of a series, the waiting list offered a freed time, the day sheet
and the next free time. Each write is an op of operations/calendar.py; what was done is said
in the view's status line, which the week's re-read (heard as a change) keeps.
"""

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QPushButton

from app.bootstrap import Workstation
from app.clinical.visits.booking import FreeSlot
from app.clinical.visits.day_sheet import DaySheetPrinted
from app.clinical.visits.providers import Provider
from app.clinical.visits.schedule import Appointment
from app.clinical.visits.waitlist import Waiting
from app.ui.calendar.appointment_dialog import CANCEL, CHECK_OUT, NO_SHOW, AppointmentDialog
from app.ui.calendar.next_free import NextFreeDialog
from app.ui.calendar.print_day import PAPER_NAMES, DaySheetDialog
from app.ui.calendar.waitlist_dialog import OffersDialog
from app.ui.calendar.walk_in import WalkInDialog
from app.ui.common.background import Background
from app.ui.operations import calendar as calendar_ops


class DeskActions:
    """`say` puts a sentence in the view's status line; `done` says what a write did (and
    again once the week is read again); `refused` says why a write was not done."""

    def __init__(self, view, ws: Workstation, background: Background,
                 say: Callable[[str], None], done: Callable[[str], None],
                 refused: Callable[[Exception], None]):
        self._view, self._ws, self._background = view, ws, background
        self._say, self._done, self._refused = say, done, refused
        self.moving_series = False  # the appointment being moved takes the later ones along
        self.walk_in = QPushButton("Walk-in…")
        self.walk_in.setToolTip("A patient here now without an appointment (Alt+W)")
        self.walk_in.setEnabled(view.may_book)
        self.day_sheet = QPushButton("Day sheet…")
        self.day_sheet.setToolTip("Print the day's appointments to a PDF (Alt+D)")
        self.next_free = QPushButton("Next free…")
        self.next_free.setToolTip("The first free time for a type of visit (Alt+N)")
        self.next_free.setEnabled(view.may_book)
        self.walk_in.clicked.connect(self.open_walk_in)
        self.day_sheet.clicked.connect(self.open_day_sheet)
        self.next_free.clicked.connect(self.open_next_free)
        for keys, act in (("Alt+W", self.walk_in.click), ("Alt+D", self.day_sheet.click),
                          ("Alt+N", self.next_free.click)):
            QShortcut(QKeySequence(keys), view, act,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def open_walk_in(self) -> None:
        combo = self._view.provider
        providers = [combo.itemData(i) for i in range(combo.count())]
        dialog = WalkInDialog(self._ws, self._background, providers, self._shown(), self._view)
        dialog.arrived.connect(self._arrived)
        self._view.dialog = dialog
        dialog.open()

    def open_next_free(self) -> None:
        dialog = NextFreeDialog(self._ws, self._background, self._shown(), self._view)
        dialog.found.connect(lambda slot: self._found_free(slot, dialog.type.currentData()))
        self._view.dialog = dialog
        dialog.open()

    def _found_free(self, slot: FreeSlot, kind: str) -> None:
        self._view.show_time(slot.provider, slot.start)
        self._done(f"Next free {kind}: {slot.start:%a %d %b %H:%M} with {slot.provider_name}. "
                  "Enter books it.")

    def open_day_sheet(self) -> None:
        grid = self._view.grid
        day = grid.days[grid.cursor[0]] if grid.days else self._view.day  # the cursor's day
        dialog = DaySheetDialog(self._ws, self._background, self._shown(), day, self._view)
        if not self._view.provider.isEnabled():  # the clinic's day is shown: print it all
            dialog.whose.setCurrentIndex(dialog.whose.count() - 1)
        dialog.written.connect(self._written)
        self._view.dialog = dialog
        dialog.open()

    def _shown(self) -> Provider | None:
        """The provider whose time the cursor is on (the clinic's day shows several), else
        the one picked above the week."""
        column = self._view.grid.cursor_column()
        return column.provider if column and column.provider else (
            self._view.current_provider())

    def opened(self, dialog: AppointmentDialog) -> None:
        """Ask whether the appointment opened is of a series, for its Cancel and Move."""
        calendar_ops.following(dialog, self._background, self._ws, dialog.appointment.id
                               ).success(dialog.in_series).failure(lambda _exc: None).run()

    def act(self, dialog: AppointmentDialog) -> bool:
        """Run the dialog's choice if it is one of these flows; False leaves it to the view."""
        item, view = dialog.appointment, self._view
        if dialog.choice == CHECK_OUT:
            calendar_ops.check_out(view, self._background, self._ws, item.id).success(
                lambda done: self._done(f"Checked out {done.patient_name}: the "
                                             f"{done.start:%H:%M} visit is over.")).failure(
                self._refused).run()
        elif dialog.choice == CANCEL and dialog.following:
            calendar_ops.cancel_following(view, self._background, self._ws, item.id,
                                          dialog.reason.text().strip()).success(
                self._cancelled_series).failure(self._refused).run()
        elif dialog.choice == CANCEL:
            calendar_ops.cancel(view, self._background, self._ws, item.id,
                                dialog.reason.text().strip()).success(
                lambda done: self._freed(done, f"Cancelled {done.patient_name}'s "
                                               f"{done.start:%H:%M} appointment.")).failure(
                self._refused).run()
        elif dialog.choice == NO_SHOW:
            calendar_ops.no_show(view, self._background, self._ws, item.id).success(
                lambda done: self._freed(done, f"Marked {done.patient_name} as not attended."
                                         )).failure(self._refused).run()
        else:
            self.moving_series = dialog.following
            return False
        return True

    def move_series(self, item: Appointment, at: datetime) -> None:
        """Move `item` to `at` and each later one of its series by as much, or none."""
        self.moving_series = False
        self._say(f"Moving {item.patient_name}'s appointments from "
                        f"{item.start:%a %d %b} on, to {at:%a %H:%M}…")
        calendar_ops.move_following(self._view, self._background, self._ws, item.id, at
                                    ).success(self._moved_series).failure(self._refused).run()

    def _moved_series(self, done: list[Appointment]) -> None:
        self._done(f"Moved {len(done)} of {done[0].patient_name}'s appointments: the first "
                   f"now {done[0].start:%a %d %b %H:%M}, the later ones by as much.")

    def _cancelled_series(self, done: list[Appointment]) -> None:
        self._freed(done, f"Cancelled {len(done)} of {done[0].patient_name}'s appointments, "
                          f"from {done[0].start:%a %d %b} on; the earlier ones stay.")

    def _freed(self, freed: Appointment | list[Appointment], said: str) -> None:
        """Say what was done, then offer each freed time to whoever waits for one like it."""
        self._done(said)
        self._offer_each(freed if isinstance(freed, list) else [freed])

    def _offer_each(self, freed: list[Appointment]) -> None:
        """Offer the first freed time that has offers, then the next once that offer is
        closed: one dialog after another, each asked afresh, so a patient booked into one
        time is not offered the next."""
        if not freed:
            return
        first, rest = freed[0], freed[1:]
        calendar_ops.offers(self._view, self._background, self._ws, first.id).success(
            lambda waiting: self._offer(first, waiting, rest)).failure(self._refused).run()

    def _offer(self, freed: Appointment, waiting: list[Waiting],
               rest: list[Appointment]) -> None:
        if not waiting:
            self._offer_each(rest)
            return
        dialog = OffersDialog(self._ws, self._background, freed, waiting, self._view)
        dialog.filled.connect(lambda done: self._done(
            f"Booked {done.patient_name} from the waiting list at {done.start:%a %d %b %H:%M}."))
        dialog.finished.connect(lambda _result: self._offer_each(rest))
        self._view.dialog = dialog
        dialog.open()

    def _arrived(self, made: Appointment) -> None:
        self._done(f"Walk-in: {made.patient_name} is here for {made.practitioner} "
                              f"from {made.start:%H:%M} (arrived; Today lists them waiting).")
        self._view._cursor_to = made.start  # the view's "cursor here once the week is in"
        combo = self._view.provider
        shown = next((i for i in range(combo.count())
                      if combo.itemData(i).name == made.practitioner), combo.currentIndex())
        if shown != combo.currentIndex():
            combo.setCurrentIndex(shown)  # which reads that provider's week
        if self._view.day != date.today():
            self._view.go_today()

    def waitlisted(self, entry: Waiting) -> None:
        self._done(f"Put {entry.patient_name} on the waiting list for {entry.type}, "
                   f"{entry.earliest:%d %b} to {entry.latest:%d %b}: they are offered a time "
                   "that fits when one is cancelled.")

    def _written(self, printed: DaySheetPrinted) -> None:
        self._say(  # a read: no change is heard, so nothing is said again
            f"Wrote the day sheet to {printed.path}: {printed.appointments} "
            f"appointment{'' if printed.appointments == 1 else 's'} on {printed.pages} "
            f"page{'' if printed.pages == 1 else 's'} ({PAPER_NAMES[printed.paper]}).")
