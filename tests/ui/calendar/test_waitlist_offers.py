"""The waiting list from the Calendar: a cancelled time is offered to who waits for one like
it and filled from there; a patient is put on the list from the booking dialog."""

from datetime import date, time, timedelta

from PySide6.QtCore import Qt

from app.clinical.visits.booking import BookingRequest
from app.clinical.visits.waitlist import Waitlist, WaitlistRequest
from app.ui.calendar.appointment_dialog import CANCEL
from app.ui.calendar.waitlist_dialog import OffersDialog
from tests.ui.calendar.test_calendar_week import NEXT_MONDAY, WAIT, at, go_to, open_calendar
from tests.ui.calendar.test_series_changes import open_second, weekly_for_four


def test_a_cancelled_time_filled_from_the_waiting_list_shows_the_waiting_patient(
        qtbot, clinic, background):
    frank = clinic.sign_in("frank")  # the front desk
    try:
        frank.booking.book(frank.session, BookingRequest(clinic.patient_ids["Johnston"],
                                                         at(time(10)), "Routine", "drlee"))
        Waitlist(frank.booking).add(frank.session, WaitlistRequest(
            clinic.patient_ids["Conn"], "Routine", date.today(), NEXT_MONDAY + timedelta(7)))
        view = open_calendar(qtbot, frank, background)
        go_to(qtbot, view, at(time(10)))
        qtbot.keyClick(view.grid, Qt.Key.Key_Return)
        view.dialog.reason.setText("patient called")
        qtbot.mouseClick(view.dialog.buttons[CANCEL], Qt.MouseButton.LeftButton)

        qtbot.waitUntil(lambda: isinstance(view.dialog, OffersDialog), timeout=WAIT)
        offers = view.dialog
        assert offers.isVisible()
        assert [offers.waiting.item(i).text().split("   ")[0]
                for i in range(offers.waiting.count())] == ["Conn, Liz"]
        qtbot.mouseClick(offers.fill, Qt.MouseButton.LeftButton)

        def at_ten():
            return [(b.appointment.patient_name, b.appointment.status) for b in view.grid.blocks
                    if b.appointment.start == at(time(10))]
        qtbot.waitUntil(lambda: ("Conn, Liz", "booked") in at_ten(), timeout=WAIT)
        assert sorted(at_ten()) == [("Conn, Liz", "booked"), ("Johnston, Chauncey",
                                                                 "cancelled")]
        assert view.said.text() == (f"Booked Conn, Liz from the waiting list at "
                                    f"{at(time(10)):%a %d %b %H:%M}.")
    finally:
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
        frank.store.close()


def test_the_booking_dialog_puts_the_patient_on_the_waiting_list(qtbot, clinic, ws,
                                                                  background):
    view = open_calendar(qtbot, ws, background)
    go_to(qtbot, view, at(time(11)))
    qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    booking = view.dialog
    qtbot.keyClicks(booking.search, "Conn")
    qtbot.waitUntil(lambda: booking.hits.count() > 0, timeout=WAIT)
    qtbot.mouseClick(booking.waitlist_button, Qt.MouseButton.LeftButton)
    adding = booking.waitlist
    assert adding.picker.patient_name() == "Conn, Liz"
    assert adding.provider.currentText() == "Dr Lee (drlee)"
    assert adding.earliest.text() == f"{date.today():%a %d %b %Y}"  # as the booking's reads
    qtbot.mouseClick(adding.add, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: view.said.text().startswith("Put Conn, Liz on the waiting list"),
                    timeout=WAIT)
    assert not booking.isVisible()
    latest = max(NEXT_MONDAY, date.today() + timedelta(weeks=2))
    assert f"{date.today():%d %b} to {latest:%d %b}" in view.said.text()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)


def test_each_time_freed_by_this_and_following_is_offered_in_turn(qtbot, clinic, ws,
                                                                   background):
    weekly_for_four(ws, clinic)  # Conn, Mondays 09:00 from next week, four times
    Waitlist(ws.booking).add(ws.session, WaitlistRequest(
        clinic.patient_ids["Johnston"], "Routine", date.today(), NEXT_MONDAY + timedelta(35)))
    view = open_calendar(qtbot, ws, background)
    dialog = open_second(qtbot, view)
    dialog.and_following.setChecked(True)
    dialog.reason.setText("moving away")
    qtbot.mouseClick(dialog.buttons[CANCEL], Qt.MouseButton.LeftButton)

    def offered(week: int) -> bool:
        return isinstance(view.dialog, OffersDialog) and view.dialog.isVisible() and (
            view.dialog.freed.start == at(time(9), NEXT_MONDAY + timedelta(weeks=week)))
    qtbot.waitUntil(lambda: offered(1), timeout=WAIT)
    qtbot.mouseClick(view.dialog.not_now, Qt.MouseButton.LeftButton)  # keep waiting
    qtbot.waitUntil(lambda: offered(2), timeout=WAIT)  # the next freed time
    qtbot.mouseClick(view.dialog.fill, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.said.text().startswith("Booked Johnston"), timeout=WAIT)
    third = at(time(9), NEXT_MONDAY + timedelta(weeks=2))
    assert view.said.text().endswith(f"at {third:%a %d %b %H:%M}.")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    assert not offered(3)  # Johnston is booked now: nobody waits for the fourth
