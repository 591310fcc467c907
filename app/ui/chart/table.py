"""Chart items as table models (Vorta style), and the paged section table of a chart tab.

A section can hold 10,000 records, so SectionModel holds only the pages the view has
scrolled to: Qt asks canFetchMore/fetchMore as the user nears the end, and each page is read
on the database thread. There is no sort proxy: the store orders by date, newest first, and
sorting only the pages loaded so far would show a partial order as if it were the whole.
Nothing is read until the tab is first shown, so opening a chart audits only what was seen.

A record the server has not confirmed yet (ChartItem.pending) says so in its Status column,
"active · pending sync", so a clinician knows it is only on this computer until a sync. A
record carrying a modifier Hearth does not understand (ChartItem.warning) says so after its
title, in words and in the alert colour: the modifier may reverse what the title says.

Each section shows what a clinician reads beside the title: a problem's code, a medication's
dose and directions, an allergy's reaction and severity, a result's reference range and its
flag in a word ("High", "Low", "Abnormal"). Columns other than the wide ones (title, dose,
reaction) fit what they hold as pages arrive, up to a most, so a flag is never cut short and
a column is never wide and empty; a cell cut at its most has its text in full as a tooltip.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView, QVBoxLayout, QWidget

from app.clinical.chart.chart import SectionPage
from app.clinical.chart.chart_items import ChartItem
from app.ui.chart.style import ToneLabel
from app.ui.common import theme
from app.ui.common.background import Background
from app.ui.common.table_models import read_only_table
from app.ui.operations import chart
from fhir_common.messages import sentence

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1  # the ChartItem behind a row
PAGE_SIZE = 100
FLAG_WORDS = {"H": "High", "L": "Low", "A": "Abnormal"}
# The expected end state of a result, visit or dose: left blank (the tooltip still says it)
# so that "preliminary", "amended" or "entered-in-error" stand out.
DONE = {"final", "finished", "completed"}
FLAG_TIP = ("As the record says: its source's flag, else its value against the record's own "
            "reference range (high, low or abnormal). Blank: neither says anything; Hearth "
            "applies no range of its own.")
PENDING = "pending sync"
PENDING_TIP = "Saved on this computer; not yet on the server."
WARNING_MARK = "⚠"
Index = QModelIndex | QPersistentModelIndex
STYLED = (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole)  # a flagged cell's roles
# Every role a cell answers. Qt asks each cell for seven as it paints; the others are
# answered before the cell is looked up.
ANSWERED = frozenset({Qt.ItemDataRole.DisplayRole, ITEM_ROLE, Qt.ItemDataRole.ToolTipRole,
                      *STYLED})
ROOT = QModelIndex()  # the invisible root: chart tables are flat


@dataclass(frozen=True)
class Column:
    heading: str
    field: str  # a ChartItem attribute
    chars: int | None = None  # the most it widens to, in characters, fitting what it holds
    stretch: bool = False  # shares the spare width (the title, a dose, a reaction)


def _wide(heading: str, field: str) -> Column:
    return Column(heading, field, stretch=True)


# Status fits "active · pending sync"; a longer status is in its tooltip in full.
DATE, STATUS = Column("Date", "date", 12), Column("Status", "status", 24)
LAB_COLUMNS = (DATE, _wide("Test", "title"), Column("Result", "value", 24),
               Column("Range", "range", 24), Column("Flag", "flag"), STATUS)
COLUMNS: dict[str, tuple[Column, ...]] = {
    "problems": (Column("Onset", "date", 12), _wide("Problem", "title"),
                 Column("Code", "code", 22), STATUS),
    "medications": (Column("Prescribed", "date", 12), _wide("Medication", "title"),
                    _wide("Dose and directions", "dose"), STATUS),
    "allergies": (Column("Recorded", "date", 12), _wide("Allergy", "title"),
                  _wide("Reaction (severity)", "reaction"), STATUS),
    "vitals": (DATE, _wide("Vital sign", "title"), Column("Value", "value", 30), STATUS),
    "labs": LAB_COLUMNS,
    "immunizations": (DATE, _wide("Vaccine", "title"), STATUS),
    "encounters": (DATE, _wide("Encounter", "title"), STATUS),
    "notes": (DATE, _wide("Note", "title"), STATUS),
    "reports": (DATE, _wide("Report", "title"), STATUS),
}


def cell_text(item: ChartItem, field: str, syncs: bool = True) -> str:
    """`syncs`: whether this workstation has a sync server; without one every record is
    only here, which the window says once, so no row says "pending sync"."""
    value = getattr(item, field)
    if field == "date":
        return (value or "")[:10] or "undated"
    if field == "flag":
        return FLAG_WORDS.get(value, value or "")
    if field == "status":
        words = [value] if value and value not in DONE else []
        if item.pending and syncs:
            words.append(PENDING)
        return " · ".join(words)
    if field == "title" and item.warning:
        return f"{value}  {WARNING_MARK} {item.warning}"
    return value or ""


def status_tip(item: ChartItem, syncs: bool = True) -> str | None:
    """The status as recorded (even one left blank in the cell), and what "pending sync"
    means."""
    lines = [item.status] if item.status else []
    if item.pending and syncs:
        lines.append(PENDING_TIP)
    return "\n".join(lines) or None


def bold(item: ChartItem, field: str) -> bool:
    """A flagged result's value and flag, and the title of a record with a modifier."""
    return (item.flag is not None and field in ("flag", "value")
            or item.warning is not None and field == "title")


class ItemsModel(QAbstractTableModel):
    """A fixed list of chart items; the abnormal flag is a word, coloured, never colour alone."""

    def __init__(self, columns: Sequence[Column], items: Sequence[ChartItem] = (), parent=None,
                 syncs: bool = True):
        super().__init__(parent)
        self.syncs = syncs  # False: no sync server, so no row says "pending sync"
        self.columns = tuple(columns)
        self._items = list(items)

    def rowCount(self, parent: Index = ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].heading
        if role == Qt.ItemDataRole.ToolTipRole and self.columns[section].field == "flag":
            return FLAG_TIP
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if role not in ANSWERED or not index.isValid():
            return None
        item, field = self._items[index.row()], self.columns[index.column()].field
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(item, field, self.syncs)
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.ToolTipRole:
            if field == "status":
                return status_tip(item, self.syncs)
            return item.date if field == "date" else cell_text(item, field, self.syncs) or None
        flagged = bold(item, field)
        if role == Qt.ItemDataRole.ForegroundRole and flagged:
            return QColor(theme.alert_color())  # asked at paint time: follows the OS theme
        if role == Qt.ItemDataRole.FontRole and flagged:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def item(self, row: int) -> ChartItem:
        return self._items[row]

    def set_items(self, items: Sequence[ChartItem]) -> None:
        """Show these items instead (another report's results)."""
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()


class SectionModel(ItemsModel):
    """One chart section, read a page at a time as the view scrolls."""

    loaded = Signal()  # a page arrived
    failed = Signal(object)  # the exception, for the tab to say

    def __init__(self, columns: Sequence[Column], total: int,
                 fetch_page: Callable[[int, int], SectionPage], background: Background,
                 parent=None, first_page: SectionPage | None = None, syncs: bool = True):
        """`first_page`: already read (a chart read again after a change), so shown now."""
        super().__init__(columns, first_page.items if first_page else (), parent, syncs)
        self.total = first_page.total if first_page else total
        self._fetch, self._background = fetch_page, background
        self._active, self._pending = first_page is not None, False

    @property
    def started(self) -> bool:
        """Whether the list has been shown (and so read) yet."""
        return self._active

    def activate(self) -> None:
        if not self._active:
            self._active = True
            self.fetchMore(ROOT)

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802
        return (self._active and not self._pending and not parent.isValid()
                and len(self._items) < self.total)

    def fetchMore(self, parent: Index) -> None:  # noqa: N802
        if not self.canFetchMore(parent):
            return
        self._pending = True
        page = len(self._items) // PAGE_SIZE + 1
        chart.section_page(self, self._background, self._fetch, page, PAGE_SIZE).success(
            self._add).failure(self._fail).run()

    def _add(self, page: SectionPage) -> None:
        self._pending = False
        # The chart may have changed since it opened (a sync); trust the newest count, and
        # stop at an empty page so a shrinking section cannot loop.
        self.total = page.total if page.items else len(self._items)
        if page.items:
            first = len(self._items)
            self.beginInsertRows(ROOT, first, first + len(page.items) - 1)
            self._items.extend(page.items)
            self.endInsertRows()
        self.loaded.emit()

    def _fail(self, exc: Exception) -> None:
        self._pending = False
        self._active = False  # no retry loop; showing the tab again tries again
        self.failed.emit(exc)


def item_table(model: ItemsModel, name: str) -> QTableView:
    """A read-only table of chart items: rows selected whole; the wide columns share the
    spare width, the others fit what they hold (see `fit_columns`)."""
    view = read_only_table(model, name)
    model.setParent(view)  # dies with its view, so a page arriving late is dropped
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    for number, column in enumerate(model.columns):
        if column.stretch:
            header.setSectionResizeMode(number, QHeaderView.ResizeMode.Stretch)
        else:  # from its heading's width (not Qt's 100 px), so an empty column stays narrow
            view.setColumnWidth(number, header.sectionSizeHint(number))
    fit_columns(view, range(model.rowCount()))
    model.rowsInserted.connect(lambda _, first, last: fit_columns(view, range(first, last + 1)))
    model.modelReset.connect(lambda: fit_columns(view, range(model.rowCount())))
    return view


def fit_columns(view: QTableView, rows: range) -> None:
    """Widen each column that is not a wide one to what `rows` hold (bold flags included),
    up to its most; never narrow one, so a column does not jump about as pages arrive or
    after the user widened it. Measured here from the cells' text: Qt's own measure asks
    the model for every role of every cell, which costs more than the rest of a chart's
    opening."""
    model: ItemsModel = view.model()
    if not rows:
        return
    plain = QFontMetricsF(view.font())  # fractional, as the text is laid out when drawn
    strong = QFont(view.font())
    strong.setBold(True)
    heavy = QFontMetricsF(strong)
    # the text's margins either side, as the style draws them, and the grid line
    margins = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None,
                                            view) + 1) + 1
    items = [model.item(row) for row in rows]
    for number, column in enumerate(model.columns):
        if column.stretch:
            continue
        # each text measured once: a column's dates and statuses repeat down the list
        texts = {(bold(item, column.field), cell_text(item, column.field, model.syncs))
                 for item in items}
        needed = margins + math.ceil(max(
            (heavy if strong_text else plain).horizontalAdvance(text)
            for strong_text, text in texts))
        if column.chars is not None:
            needed = min(needed, math.ceil(column.chars * plain.horizontalAdvance("0")))
        if needed > view.columnWidth(number):
            view.setColumnWidth(number, needed)


class SectionTab(QWidget):
    """A chart section as a table, with a line saying how much of it is shown."""

    def __init__(self, model: SectionModel, name: str):
        super().__init__()
        self.model, self._name = model, name
        self.status = ToneLabel(tone="muted", name=f"{name} status")
        self.table = item_table(model, f"{name} table")
        box = QVBoxLayout(self)
        box.addWidget(self.status)
        box.addWidget(self.table)
        model.loaded.connect(self._say_shown)
        model.failed.connect(self._say_failed)
        self._say_shown()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.model.activate()

    def _say_shown(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        records = "1 record" if total == 1 else f"{total} records"
        self.status.set_tone("muted")
        if total == 0:
            self.status.setText(f"No {self._name.lower()} recorded.")
        elif shown == 0:
            self.status.setText(f"Loading {records}…")
        elif shown < total:
            self.status.setText(f"{records}, newest first; showing {shown}. "
                                "Scroll down for more.")
        else:
            self.status.setText(f"{records}, newest first.")

    def _say_failed(self, exc: Exception) -> None:
        self.status.set_tone("alert")
        self.status.setText(sentence(exc))
