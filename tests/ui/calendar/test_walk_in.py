"""A walk-in from the Calendar tab: a new patient registered in the same flow (the duplicate
check shown), seen today from now by the provider shown, already arrived."""

from datetime import date, datetime, time

from PySide6.QtCore import Qt

from app.ui.calendar.view import CalendarView
from app.ui.calendar.walk_in import WalkInDialog
from tests.ui.calendar.test_calendar_week import WAIT, at, book
from tests.ui.registration.test_registration_form import fill


def test_a_new_walk_in_is_checked_for_duplicates_and_arrives_today(qtbot, clinic, background):
    frank = clinic.sign_in("frank")  # the front desk
    try:
        view = CalendarView(frank, background)
        qtbot.addWidget(view)
        view.resize(1200, 800)
        view.show()
        view.activateWindow()
        qtbot.waitUntil(lambda: view.grid.week is not None and view.isActiveWindow(),
                        timeout=WAIT)
        qtbot.keyClick(view.grid, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)  # Walk-in…
        walk_in = view.dialog
        assert isinstance(walk_in, WalkInDialog) and walk_in.isVisible()
        assert walk_in.provider.currentText() == "Dr Lee (drlee)"  # the one shown
        qtbot.mouseClick(walk_in.new_patient, Qt.MouseButton.LeftButton)
        registration = walk_in.registration
        fill(qtbot, registration.form, "Johnston", "Chauncy", "1975-10-12")  # like Chauncey
        qtbot.mouseClick(registration.save, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(registration.candidates.isVisible, timeout=WAIT)
        first = registration.candidates.table.model().index(0, 0).data()
        assert first == "Johnston, Chauncey"  # the one registered already, shown
        qtbot.mouseClick(registration.candidates.new, Qt.MouseButton.LeftButton)  # someone else

        qtbot.waitUntil(lambda: walk_in.picker.patient_id() is not None, timeout=WAIT)
        assert walk_in.picker.patient_name() == "Johnston, Chauncy"
        assert walk_in.picker.patient_id() != clinic.patient_ids["Johnston"]
        qtbot.mouseClick(walk_in.see_now, Qt.MouseButton.LeftButton)

        def arrived_today():
            return [b.appointment for b in view.grid.blocks
                    if b.appointment.patient_name == "Johnston, Chauncy"]
        qtbot.waitUntil(lambda: bool(arrived_today()), timeout=WAIT)
        [made] = arrived_today()
        assert made.status == "arrived" and made.start.date() == date.today()
        assert made.type == "Walk-in" and made.practitioner == "Dr Lee"
        assert view.said.text().startswith("Walk-in: Johnston, Chauncy is here for Dr Lee")
        assert not walk_in.isVisible()
        row = (made.start.hour - view.grid.first_hour) * 60 // view.grid.slot + (
            made.start.minute // view.grid.slot)
        assert view.grid.cursor == (view.grid.days.index(date.today()), row)  # on its cell
    finally:
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
        frank.store.close()


def open_walk_in(qtbot, station, background) -> tuple[CalendarView, WalkInDialog]:
    view = CalendarView(station, background)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.grid.week is not None, timeout=WAIT)
    qtbot.mouseClick(view.desk.walk_in, Qt.MouseButton.LeftButton)
    return view, view.dialog


def test_see_now_without_a_patient_says_to_choose_one(qtbot, ws, background):
    _, walk_in = open_walk_in(qtbot, ws, background)
    qtbot.mouseClick(walk_in.see_now, Qt.MouseButton.LeftButton)
    assert walk_in.said.text() == ("Choose the patient first: find them, or register them as "
                                   "new.")
    assert walk_in.isVisible()


def test_a_walk_in_who_has_an_appointment_now_is_refused_in_the_dialog(qtbot, clinic, ws,
                                                                       background):
    book(ws, clinic.patient_ids["Conn"], at(time(9)))  # next week: makes Dr Lee's Practitioner
    lee = next(p for p in ws.weeks.providers(ws.session) if p.user == "drlee")
    now = datetime.now().astimezone().replace(second=0, microsecond=0)  # the walk-in's start
    ws.schedule.book(ws.session, clinic.patient_ids["Johnston"], lee.reference, now, 30,
                     "Routine")  # from this minute: still today at 00:02, unlike 5 min ago
    view, walk_in = open_walk_in(qtbot, ws, background)
    qtbot.keyClicks(walk_in.picker.search, "Johnston")
    qtbot.waitUntil(lambda: walk_in.picker.patient_id() is not None, timeout=WAIT)
    qtbot.mouseClick(walk_in.see_now, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: walk_in.see_now.isEnabled(), timeout=WAIT)
    assert walk_in.said.text().startswith("Calendar unchanged: The patient already has an "
                                          "appointment at ")
    assert walk_in.said.text().endswith("; check them in for that one.")
    assert walk_in.isVisible()
    assert [b.appointment.type for b in view.grid.blocks
            if b.appointment.start.date() == now.date()] == ["Routine"]  # nothing added
