"""Next free… (Alt+N) on the Calendar: the first time a type of visit fits, shown in its
provider's week with the cursor on it, so Enter books it."""

from PySide6.QtCore import Qt

from app.ui.calendar.booking_dialog import BookingDialog
from app.ui.calendar.next_free import NextFreeDialog
from app.ui.calendar.view import CalendarView
from tests.ui.calendar.test_calendar_week import WAIT


def test_next_free_shows_the_time_and_enter_books_it(qtbot, clinic, background):
    frank = clinic.sign_in("frank")  # the front desk
    try:
        view = CalendarView(frank, background)
        qtbot.addWidget(view)
        view.resize(1200, 800)
        view.show()
        view.activateWindow()
        qtbot.waitUntil(lambda: view.grid.week is not None and view.isActiveWindow(),
                        timeout=WAIT)
        expected = frank.booking.next_free(frank.session, "Follow-up", "drlee")
        qtbot.keyClick(view.grid, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
        dialog = view.dialog
        assert isinstance(dialog, NextFreeDialog) and dialog.who.currentText() == "Dr Lee"
        dialog.type.setCurrentIndex(dialog.type.findData("Follow-up"))
        qtbot.mouseClick(dialog.find, Qt.MouseButton.LeftButton)

        said = (f"Next free Follow-up: {expected.start:%a %d %b %H:%M} with Dr Lee. Enter "
                "books it.")
        qtbot.waitUntil(lambda: view.said.text() == said and not view.reading, timeout=WAIT)
        assert expected.start.date() in view.grid.days
        assert view.grid.moment(*view.grid.cursor) == expected.start
        qtbot.keyClick(view.grid, Qt.Key.Key_Return)
        assert isinstance(view.dialog, BookingDialog)
        view.dialog.reject()
    finally:
        qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
        frank.store.close()
