"""Issue 14's "Done when", through the screens a front-desk clerk uses.

On workstation A, with no server: Register patient shows the look-alike, a walk-in arrives,
a weekly visit is booked for 6 weeks, one moved, one cancelled and its time filled from the
waiting list, one marked a no-show and the day sheet printed. After A and B sync with a real
SEKMET server, B's Calendar shows every block with its status. A time booked on both while
offline is a double booking in B's Sync tab, opened and decided in its dialog.

A's `Workstation.booking` is given a clock (today 10:00) so the walk-in's time is the test's.
The Calendar refuses to book in the past and offers No-show only once the time has come, so
the appointment marked a no-show is booked for the last weekday through the service, with a
clock set to that morning.
"""

from datetime import date, datetime, time, timedelta

import pdfplumber
from PySide6.QtCore import Qt

from app.clinical.visits.booking import Booking, BookingRequest
from app.clinical.visits.week import STATUS_TEXT
from app.ui.calendar.appointment_dialog import CANCEL, MOVE, NO_SHOW
from app.ui.calendar.view import CalendarView
from app.ui.calendar.waitlist_dialog import OffersDialog
from app.ui.registration.dialog import RegistrationDialog
from app.ui.shell.workspace import Workspace
from app.ui.sync.double_booking_dialog import DoubleBookingDialog
from tests.sync.conftest import fhir_server  # noqa: F401
from tests.sync.stations import sync
from tests.sync.test_front_desk_day import desks  # noqa: F401
from tests.sync.test_front_desk_day import register as registered
from tests.ui.calendar.test_calendar_week import NEXT_MONDAY, WAIT, at, go_to
from tests.ui.sync.test_double_booking_dialog import shown

CLICK = Qt.MouseButton.LeftButton


def monday_of(moment: datetime) -> date:
    return moment.date() - timedelta(days=moment.weekday())


def booked_in_the_past(ws, patient: str) -> datetime:
    """A Routine visit with Dr Ortiz at 09:00 on the last weekday, booked that morning."""
    day = date.today() - timedelta(days=1)
    while day.weekday() > 4:
        day -= timedelta(days=1)
    start = at(time(9), day)
    then = Booking(ws.store, ws.policy.scheduling, ws.changes, clock=lambda: at(time(8), day))
    then.book(ws.session, BookingRequest(ws.search.search(ws.session, patient)[0].patient_id,
                                         start, "Routine", "doc"))
    return start


def open_workspace(qtbot, ws, background) -> Workspace:
    screen = Workspace(ws, background)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    return screen


def register(qtbot, screen: Workspace, family: str, given: str, born: str) -> None:
    """Patients tab, Register patient…, the form filled and saved."""
    screen.setCurrentWidget(screen.patients)
    qtbot.mouseClick(screen.patients.register, CLICK)
    [form] = [d for d in screen.patients.findChildren(RegistrationDialog) if d.isVisible()]
    fill(qtbot, form, family, given, born)
    qtbot.mouseClick(form.save, CLICK)
    qtbot.waitUntil(lambda: screen.patients.message.text().startswith(
        f"Registered {family}, {given}"), timeout=WAIT)


def fill(qtbot, dialog: RegistrationDialog, family: str, given: str, born: str) -> None:
    qtbot.keyClicks(dialog.form.family, family)
    qtbot.keyClicks(dialog.form.given, given)
    qtbot.keyClicks(dialog.form.birth_date, born)
    dialog.form.sex.setCurrentText("Female")


def calendar(qtbot, screen: Workspace) -> CalendarView:
    screen.setCurrentWidget(screen.calendar)
    qtbot.waitUntil(lambda: screen.calendar.grid.week is not None, timeout=WAIT)
    return screen.calendar


def turn_to(qtbot, view: CalendarView, monday: date) -> None:
    """Next week ▶ / ◀ Previous week until that week is shown."""
    while (shown := view.grid.week.monday) != monday:
        qtbot.mouseClick(view.next if shown < monday else view.previous, CLICK)
        qtbot.waitUntil(lambda: view.grid.week.monday != shown, timeout=WAIT)


def blocks(view: CalendarView) -> list[str]:
    """The week's blocks as the clerk reads them: "Mon 09:00 Quist, Bea: No-show"."""
    return sorted(f"{b.appointment.start:%a %H:%M} {b.appointment.patient_name}: "
                  f"{STATUS_TEXT[b.appointment.status]}" for b in view.grid.blocks)


def open_at(qtbot, view: CalendarView, moment: datetime):
    """The cell of `moment` chosen with the arrow keys and Enter: the dialog it opens."""
    go_to(qtbot, view, moment)
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    return view.dialog


def book(qtbot, view: CalendarView, moment: datetime, patient: str):
    dialog = open_at(qtbot, view, moment)
    qtbot.keyClicks(dialog.search, patient)
    qtbot.waitUntil(lambda: dialog.picker.patient_name() == patient, timeout=WAIT)
    return dialog


def said(qtbot, view: CalendarView, start: str) -> str:
    qtbot.waitUntil(lambda: view.said.text().startswith(start), timeout=WAIT)
    return view.said.text()


def walk_in(qtbot, view: CalendarView) -> None:
    """Walk-in…, New patient…: the duplicate check names Bea; Beatrice is someone else."""
    qtbot.mouseClick(view.desk.walk_in, CLICK)
    dialog = view.dialog
    assert dialog.provider.currentText() == "Elena Ortiz (doc)"
    qtbot.mouseClick(dialog.new_patient, CLICK)
    fill(qtbot, dialog.registration, "Quist", "Beatrice", "1980-03-14")
    qtbot.mouseClick(dialog.registration.save, CLICK)
    candidates = dialog.registration.candidates
    qtbot.waitUntil(candidates.isVisible, timeout=WAIT)
    row = [candidates.model.index(0, c).data() for c in (0, 3)]
    assert row == ["Quist, Bea", "same birth date; same family name, given name a short form"]
    qtbot.mouseClick(candidates.new, CLICK)
    qtbot.waitUntil(lambda: dialog.picker.patient_name() == "Quist, Beatrice", timeout=WAIT)
    qtbot.mouseClick(dialog.see_now, CLICK)
    assert said(qtbot, view, "Walk-in: ").startswith(
        "Walk-in: Quist, Beatrice is here for Elena Ortiz from 10:00")


def a_day_offline(qtbot, a, background, tmp_path) -> tuple[str, datetime]:
    """Workstation A's day through its screens; the walk-in's block and the missed visit."""
    now = datetime.combine(date.today(), time(10)).astimezone()
    a.booking = Booking(a.store, a.policy.scheduling, a.changes, clock=lambda: now)
    screen = open_workspace(qtbot, a, background)
    register(qtbot, screen, "Quist", "Bea", "1980-03-14")
    register(qtbot, screen, "Adjei", "Cy", "1971-07-02")
    view = calendar(qtbot, screen)
    walk_in(qtbot, view)
    walked_in = f"{now:%a} 10:00 Quist, Beatrice: Arrived"
    qtbot.waitUntil(lambda: blocks(view) == [walked_in], timeout=WAIT)

    turn_to(qtbot, view, NEXT_MONDAY)
    booking = book(qtbot, view, at(time(9)), "Quist, Bea")
    qtbot.mouseClick(booking.repeat, CLICK)
    assert booking.weeks.value() == 6
    qtbot.mouseClick(booking.book_button, CLICK)
    assert "and 5 more weekly" in said(qtbot, view, "Booked Quist, Bea")
    waiting = book(qtbot, view, at(time(11)), "Adjei, Cy")
    qtbot.mouseClick(waiting.waitlist_button, CLICK)
    qtbot.mouseClick(waiting.waitlist.add, CLICK)
    said(qtbot, view, "Put Adjei, Cy on the waiting list")

    turn_to(qtbot, view, NEXT_MONDAY + timedelta(weeks=2))
    qtbot.mouseClick(open_at(qtbot, view, at(time(9), view.grid.days[0])).buttons[MOVE], CLICK)
    go_to(qtbot, view, at(time(10), view.grid.days[1]))
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    said(qtbot, view, "Moved Quist, Bea")

    turn_to(qtbot, view, NEXT_MONDAY + timedelta(weeks=1))
    cancelling = open_at(qtbot, view, at(time(9), view.grid.days[0]))
    qtbot.keyClicks(cancelling.reason, "Bea travels that week")
    qtbot.mouseClick(cancelling.buttons[CANCEL], CLICK)
    qtbot.waitUntil(lambda: isinstance(view.dialog, OffersDialog), timeout=WAIT)
    assert view.dialog.waiting.item(0).text().startswith("Adjei, Cy")
    qtbot.mouseClick(view.dialog.fill, CLICK)
    said(qtbot, view, "Booked Adjei, Cy from the waiting list")

    missed = booked_in_the_past(a, "Adjei, Cy")
    turn_to(qtbot, view, monday_of(missed))
    qtbot.mouseClick(open_at(qtbot, view, missed).buttons[NO_SHOW], CLICK)
    said(qtbot, view, "Marked Adjei, Cy as not attended")
    qtbot.mouseClick(view.desk.day_sheet, CLICK)  # the cursor's day
    view.dialog.path.setText(str(tmp_path / "day.pdf"))
    qtbot.mouseClick(view.dialog.write, CLICK)
    said(qtbot, view, "Wrote the day sheet")
    with pdfplumber.open(tmp_path / "day.pdf") as pdf:
        assert "09:00–09:15 Adjei, Cy Routine No-show" in pdf.pages[0].extract_text()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    return walked_in, missed


def test_a_front_desk_day_offline_on_the_screens_is_seen_on_the_second_workstation(
        qtbot, desks, fhir_server, background, tmp_path):  # noqa: F811
    a, b = desks
    walked_in, missed = a_day_offline(qtbot, a, background, tmp_path)
    other = open_workspace(qtbot, b, background)
    seen = calendar(qtbot, other)
    assert blocks(seen) == []
    sync(a, fhir_server)
    sync(b, fhir_server)
    qtbot.waitUntil(lambda: walked_in in blocks(seen), timeout=WAIT)  # the open week hears it
    turn_to(qtbot, seen, monday_of(missed))
    assert f"{missed:%a %H:%M} Adjei, Cy: No-show" in blocks(seen)
    weeks = []
    for n in range(6):
        turn_to(qtbot, seen, NEXT_MONDAY + timedelta(weeks=n))
        weeks.append(blocks(seen))
    assert weeks == [
        ["Mon 09:00 Quist, Bea: Booked"],
        ["Mon 09:00 Adjei, Cy: Booked", "Mon 09:00 Quist, Bea: Cancelled"],
        ["Tue 10:00 Quist, Bea: Booked"]] + [["Mon 09:00 Quist, Bea: Booked"]] * 3
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_a_time_booked_on_both_offline_is_decided_in_the_second_workstations_sync_tab(
        qtbot, desks, fhir_server, background):  # noqa: F811
    a, b = desks
    cy = registered(a, "Adjei", "Cy")
    a.booking.book(a.session, BookingRequest(cy["id"], at(time(9)), "Routine", "doc"))
    sync(a, fhir_server)  # Dr Ortiz's Practitioner, the same on both from here
    sync(b, fhir_server)
    wednesday = at(time(14), NEXT_MONDAY + timedelta(days=2))
    screen = open_workspace(qtbot, a, background)
    view = calendar(qtbot, screen)
    turn_to(qtbot, view, NEXT_MONDAY)
    qtbot.mouseClick(book(qtbot, view, wednesday, "Adjei, Cy").book_button, CLICK)
    said(qtbot, view, "Booked Adjei, Cy")
    kofi = registered(b, "Boateng", "Kofi")  # on B, offline too: the same time
    b.booking.book(b.session, BookingRequest(kofi["id"], wednesday, "Check-up", "doc"))
    sync(a, fhir_server)
    sync(b, fhir_server)

    other = open_workspace(qtbot, b, background)
    other.setCurrentWidget(other.sync)
    qtbot.waitUntil(lambda: other.sync.conflicts_model.rowCount() == 1, timeout=WAIT)
    assert other.sync.table.model().index(0, 2).data() == "Double booking"
    qtbot.mouseClick(other.sync.resolve_button, CLICK)
    qtbot.waitUntil(lambda: isinstance(other.sync.dialog, DoubleBookingDialog)
                    and other.sync.dialog.decide.isEnabled(), timeout=WAIT)
    dialog = other.sync.dialog
    when = f"14:00 on {wednesday:%a %d %b %Y}"
    assert dialog.heading.text() == f"Elena Ortiz is booked twice at {when}"
    assert [shown(dialog, side)["Patient"] for side in ("here", "other")] == [
        "Boateng, Kofi", "Adjei, Cy"]
    assert [shown(dialog, side)["Status"] for side in ("here", "other")] == ["Booked"] * 2
    dialog.reason.setText("both patients need today")
    qtbot.mouseClick(dialog.decide, CLICK)
    qtbot.waitUntil(lambda: other.sync.conflicts_model.rowCount() == 0, timeout=WAIT)
    assert other.sync.message.text() == (
        f"Double booking of Elena Ortiz at {when}: kept both (overbooked: both patients "
        "need today). It is sent at the next sync.")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
