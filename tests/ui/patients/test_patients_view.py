"""The Patients tab: search as you type over the real clinic store, open a chart with Enter."""

from datetime import date

from PySide6.QtCore import Qt

from app.clinical.patients.search import PatientHit
from app.ui.common.table_models import ROW_ROLE, RowsModel
from app.ui.patients.view import PatientsView, age, patient_columns


def shown_ids(view: PatientsView) -> list[str]:
    return [hit.patient_id for hit in view.model.rows()]


def open_view(qtbot, ws, background) -> PatientsView:
    view = PatientsView(ws, background)
    qtbot.addWidget(view)
    view.show()
    view.focus_search()
    return view


def test_typing_part_of_a_family_name_shows_that_patient(qtbot, clinic, ws, background):
    view = open_view(qtbot, ws, background)
    qtbot.keyClicks(view.field, "johns")
    qtbot.waitUntil(lambda: shown_ids(view) == [clinic.patient_ids["Johnston"]])
    assert view.message.text() == "1 patient found."
    texts = [view.table.model().index(0, c).data() for c in range(5)]
    assert texts[:2] == ["Johnston, Chauncey", "Male"]
    assert texts[2].startswith("1975-10-12 (") and texts[4] == "555-486-6635"


def test_enter_in_the_search_field_opens_the_highlighted_patient(qtbot, clinic, ws, background):
    view = open_view(qtbot, ws, background)
    qtbot.keyClicks(view.field, "conn")
    qtbot.waitUntil(lambda: shown_ids(view) == [clinic.patient_ids["Conn"]])
    with qtbot.waitSignal(view.open_chart) as opened:
        qtbot.keyClick(view.field, Qt.Key.Key_Return)
    assert opened.args == [clinic.patient_ids["Conn"]]


def test_enter_typed_before_the_search_answers_opens_its_answer(qtbot, clinic, ws, background):
    view = open_view(qtbot, ws, background)
    with qtbot.waitSignal(view.open_chart) as opened:
        qtbot.keyClicks(view.field, "johnston")
        qtbot.keyClick(view.field, Qt.Key.Key_Return)
    assert opened.args == [clinic.patient_ids["Johnston"]]


def test_down_moves_into_the_results_and_enter_opens_that_row(qtbot, clinic, ws, background):
    view = open_view(qtbot, ws, background)
    qtbot.keyClicks(view.field, "1975-10-12")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    qtbot.keyClick(view.field, Qt.Key.Key_Down)
    assert view.table.hasFocus()
    with qtbot.waitSignal(view.open_chart) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [clinic.patient_ids["Johnston"]]


def test_a_search_with_no_match_says_so(qtbot, ws, background):
    view = open_view(qtbot, ws, background)
    qtbot.keyClicks(view.field, "zzyzx")
    qtbot.waitUntil(lambda: view.message.text().startswith("No patients match 'zzyzx'"))
    assert view.model.rowCount() == 0


def test_typing_fast_ends_with_the_answer_to_the_last_query(qtbot, clinic, ws, background):
    view = open_view(qtbot, ws, background)
    qtbot.keyClicks(view.field, "joh", delay=200)  # each key outlasts the debounce: a query
    view.field.selectAll()
    qtbot.keyClicks(view.field, "con", delay=200)
    qtbot.waitUntil(lambda: not background.busy)
    assert shown_ids(view) == [clinic.patient_ids["Conn"]]


class AnswersInReverse:
    """Runs each search at once but delivers the answers newest first, as when an early,
    slow query finishes after a later one."""

    def __init__(self):
        self.answers = []

    def run(self, work, on_done, on_error=None):
        result = work()
        self.answers.append(lambda: on_done(result))

    def deliver(self):
        for answer in reversed(self.answers):
            answer()


def test_an_earlier_answer_arriving_late_never_replaces_the_newer_one(qtbot, clinic, ws):
    background = AnswersInReverse()
    view = open_view(qtbot, ws, background)
    for count, text in enumerate(("conn", "johnston"), start=1):
        view.field.setText(text)
        qtbot.waitUntil(lambda n=count: len(background.answers) == n)
    background.deliver()
    assert shown_ids(view) == [clinic.patient_ids["Johnston"]]


def test_the_front_desk_can_search(qtbot, clinic, background):
    frank = clinic.sign_in("frank")
    try:
        view = open_view(qtbot, frank, background)
        qtbot.keyClicks(view.field, "conn")
        qtbot.waitUntil(lambda: shown_ids(view) == [clinic.patient_ids["Conn"]])
    finally:
        background.wait_until_idle()
        frank.store.close()


def test_clearing_the_field_clears_the_results(qtbot, ws, background):
    view = open_view(qtbot, ws, background)
    qtbot.keyClicks(view.field, "conn")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    view.field.clear()
    assert view.model.rowCount() == 0 and view.message.text().startswith("Type part of a name")


def test_the_patient_model_shows_a_hit_without_a_view():
    hit = PatientHit("p1", "Okafor, Ann", "2024-01-20", None, "MRN-1", None)
    model = RowsModel(patient_columns(date(2025, 3, 1)))
    model.set_rows([hit])
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row == ["Okafor, Ann", "Not recorded", "2024-01-20 (13 mo)", "MRN-1", ""]
    assert model.index(0, 0).data(ROW_ROLE) is hit
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(2)] == ["Name", "Sex"]


def test_ages_are_years_then_months_then_days_for_the_youngest():
    today = date(2025, 3, 1)
    assert [age(born, today) for born in ("1975-03-02", "2023-03-01", "2025-01-31",
                                          "2025-02-20", "1980-03")] == [
        "49 y", "2 y", "1 mo", "9 d", ""]
