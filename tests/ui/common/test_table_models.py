"""The rows model behind Hearth's lists, checked without a view (Vorta's
tests/unit/test_archive_table_model.py is the model): what each column says for a row, the
order rows come in and sort into, what an empty list shows and which rows stand out. The
columns are the Patients tab's own, over the PatientHit objects the search service returns.
"""

from datetime import date

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from app.clinical.patients.search import PatientHit
from app.ui.common import theme
from app.ui.common.table_models import ROW_ROLE, RowsModel
from app.ui.patients.view import patient_columns

TODAY = date(2026, 3, 1)
HEADERS = ["Name", "Sex", "Birth date (age)", "MRN", "Phone"]
ANN = PatientHit("p-ann", "Okafor, Ann", "1980-06-15", "female", "MRN-7", "555-0101")
BO = PatientHit("p-bo", "Baptiste, Bo", "2025-12-01", None, None, None)
CY = PatientHit("p-cy", "Chen, Cy", None, "male", "MRN-2", None,
                warning="a modifier Hearth does not understand")


def patients_model(rows=()) -> RowsModel:
    model = RowsModel(patient_columns(TODAY), flagged=lambda hit: hit.warning is not None)
    model.set_rows(rows)
    return model


def row_texts(model, row: int) -> list[str]:
    return [model.index(row, c).data() for c in range(model.columnCount())]


def names(model) -> list[str]:
    return [model.index(r, 0).data(ROW_ROLE).name for r in range(model.rowCount())]


def test_an_empty_list_shows_its_headings_and_no_rows(qapp):
    model = patients_model()
    assert model.rowCount() == 0
    assert model.columnCount() == len(HEADERS)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)] == HEADERS
    assert model.headerData(0, Qt.Orientation.Vertical) is None  # no row numbers
    assert model.data(QModelIndex()) is None


def test_each_column_says_what_the_row_holds_or_that_it_is_missing(qapp):
    model = patients_model([ANN, BO, CY])
    assert row_texts(model, 0) == ["Okafor, Ann", "Female", "1980-06-15 (45 y)", "MRN-7",
                                   "555-0101"]
    assert row_texts(model, 1) == ["Baptiste, Bo", "Not recorded", "2025-12-01 (3 mo)", "", ""]
    assert row_texts(model, 2) == [
        "Chen, Cy  ⚠ a modifier Hearth does not understand", "Male", "Not recorded", "MRN-2",
        ""]
    cell = model.index(2, 0)
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == cell.data()  # a cut-off name can be read


def test_rows_keep_the_services_order_and_a_new_answer_replaces_them_whole(qapp):
    model = patients_model([CY, ANN, BO])  # search rank, not alphabetical
    resets = []
    model.modelReset.connect(lambda: resets.append(model.rowCount()))
    assert names(model) == ["Chen, Cy", "Okafor, Ann", "Baptiste, Bo"]
    model.set_rows([BO])
    assert names(model) == ["Baptiste, Bo"] and resets == [1]
    assert model.index(0, 3).data(ROW_ROLE) is BO  # the object an action opens
    model.set_rows([])
    assert model.rowCount() == 0 and resets == [1, 0]


def test_only_a_patient_with_a_warning_stands_out_in_bold_on_the_alert_colour(qapp):
    model = patients_model([ANN, CY])
    warned = model.index(1, 2)
    assert warned.data(Qt.ItemDataRole.FontRole).bold()
    tint = warned.data(Qt.ItemDataRole.BackgroundRole).color()
    assert tint.rgb() == QColor(theme.alert_color()).rgb() and tint.alpha() < 255
    plain = model.index(0, 2)
    assert plain.data(Qt.ItemDataRole.FontRole) is None
    assert plain.data(Qt.ItemDataRole.BackgroundRole) is None


def test_sorting_by_a_heading_orders_the_rows_shown_and_keeps_each_rows_patient(qapp):
    model = patients_model([CY, ANN, BO])
    shown = QSortFilterProxyModel()  # as row_table puts in front of the model
    shown.setSourceModel(model)
    assert names(shown) == ["Chen, Cy", "Okafor, Ann", "Baptiste, Bo"]  # unsorted at first
    shown.sort(0, Qt.SortOrder.AscendingOrder)
    assert names(shown) == ["Baptiste, Bo", "Chen, Cy", "Okafor, Ann"]
    shown.sort(2, Qt.SortOrder.DescendingOrder)  # birth dates are ISO: text order is time
    assert [shown.index(r, 2).data() for r in range(3)] == [
        "Not recorded", "2025-12-01 (3 mo)", "1980-06-15 (45 y)"]
    assert shown.index(2, 0).data(ROW_ROLE) is ANN
