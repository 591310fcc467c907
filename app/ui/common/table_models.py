"""The one table model behind Hearth's lists: rows of the services' own objects.

A table holds the dataclasses a service returned (PatientHit, a conflict, a field that
differs) and describes its columns as functions of a row, so no data lives in item widgets
and a view asks for the object behind a row through ROW_ROLE. Tests check these models
without building a view (Vorta's table-model pattern, ../shared/STYLE.md).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.ui.common import theme

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's object, for the view's actions

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    header: str
    text: Callable[[Any], str]


class RowsModel(QAbstractTableModel):
    """Read-only rows; `flagged(row)` rows are drawn bold on a tint of the alert colour."""

    def __init__(self, columns: Sequence[Column], flagged: Callable[[Any], bool] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._columns, self._flagged = tuple(columns), flagged
        self._rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        """A new answer from the service replaces the old one whole."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt's API)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt's API)
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._columns[index.column()].text(row)
        if role == ROW_ROLE:
            return row
        if self._flagged is not None and self._flagged(row):
            if role == Qt.ItemDataRole.FontRole:
                bold = QFont()
                bold.setBold(True)
                return bold
            if role == Qt.ItemDataRole.BackgroundRole:
                tint = QColor(theme.alert_color())
                tint.setAlpha(48)
                return QBrush(tint)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt's API)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self._columns)):
            return self._columns[section].header
        return None


def read_only_table(model: QAbstractItemModel, accessible_name: str) -> QTableView:
    """A table over `model` that every Hearth list shares: nothing edited in place, one
    whole row selected at a time (the row is what an action acts on), no row numbers."""
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName(accessible_name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    return table


def row_table(model: RowsModel, accessible_name: str, stretch_column: int) -> QTableView:
    """A read-only, row-at-a-time table over `model` through a sort proxy.

    It starts in the model's own order (search rank, oldest conflict first); clicking a
    header sorts by that column. The other columns fit their contents; `stretch_column`
    takes the width left.
    """
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    table = read_only_table(proxy, accessible_name)
    if model.parent() is None:  # Qt deletes it with its table, never Python's collector
        model.setParent(table)  # alone (that freed a closed dialog's model under its view)
    header = table.horizontalHeader()
    header.setAccessibleName(f"{accessible_name}: columns")
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    table.setSortingEnabled(True)
    return table


def row_at(table: QTableView, view_row: int | None = None) -> Any:
    """The object of the current row (or of `view_row`, in the order shown), None if none."""
    index = table.currentIndex() if view_row is None else table.model().index(view_row, 0)
    return index.data(ROW_ROLE) if index.isValid() else None
