"""The calendar grid: one column per `Column` (a working day of one provider's week, or one
provider or room on the clinic's day), one row per slot (15 minutes by default), open hours
shaded, breaks marked, appointments drawn as blocks in their type's colour with time,
patient, status and type (in that order: a short block keeps what the colour cannot say).

Keyboard first: the arrows move a cursor over the cells, Enter (or a double click) says
which cell was chosen and what is booked there; the view decides what that means (the
column under the cursor, `cursor_column`, says whom a free cell books with). A block can
also be dragged to another cell: `dropped` says what and where, keeping the offset it was
held by; the block itself stays put until the store says it moved.
The headings stay at the top of what is in sight (`header_top`, told by the scroll area)
however far the grid is scrolled, so a clerk always reads whose or which day a column is.
A cancelled or not attended appointment is drawn faded and struck through and leaves its
time free, as booking does. Both appointments of a double booking found at sync and not yet
decided are drawn with a red border and say "Double booked: decide in Sync".
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget

from app.clinical.visits.clinic_day import Column
from app.clinical.visits.schedule import Appointment
from app.clinical.visits.week import STATUS_TEXT, ProviderWeek

FREEING = ("cancelled", "noshow", "entered-in-error", "waitlist")  # hold no time
GUTTER, HEADER, ROW = 56, 34, 18  # pixels: the time column, the day headings, one slot
DEFAULT_HOURS = (8, 17)  # shown when the provider has no hours this week
CURSOR = QColor("#1F3A93")  # the cursor's outline
DOUBLE_BOOKED = QColor("#C62828")  # the border of a double booking the Sync tab holds
HELD_TEXT = "Double booked: decide in Sync"
MOVES = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1),
         Qt.Key.Key_Down: (0, 1)}


@dataclass(frozen=True)
class Block:
    """An appointment as drawn: its column, its rows and its lane among overlaps."""

    appointment: Appointment
    column: int
    first_row: float
    rows: float
    lane: int
    lanes: int


class WeekGrid(QWidget):
    chosen = Signal(object, object)  # the cell's start (aware datetime), Appointment | None
    dropped = Signal(object, object, object, object)  # Appointment, new start, from, to Column
    cursor_moved = Signal(QRect)  # the cursor's cell, for the scroll area to keep in sight

    def __init__(self, colour_of):
        super().__init__()
        self._colour_of = colour_of  # appointment type name -> "#RRGGBB"
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Week calendar")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.week: ProviderWeek | None = None  # None while showing the clinic's day
        self.columns: list[Column] = []
        self._mark_today = True  # a week heads today's column; the clinic's day does not
        self._whose = False  # whether blocks name the practitioner (a room's columns)
        self._held: tuple[Block, int, QPointF] | None = None  # pressed block, row offset, where
        self.dragging: tuple[Block, tuple[int, int]] | None = None  # the block, its target
        self.first_hour, self.last_hour, self.slot = DEFAULT_HOURS[0], DEFAULT_HOURS[1], 15
        self.blocks: list[Block] = []
        self.cursor = (0, 0)  # column, row
        self._styles: list[tuple[QColor, QPen, QColor, bool, str]] = []  # by block
        self._elided: list[str] = []  # by block, for the column width _elided_for
        self._elided_for = -1
        self._struck = QFont(self.font())
        self._struck.setStrikeOut(True)
        self.today = date.today()
        self.double_booked: frozenset[str] = frozenset()  # ids held in the Sync tab
        self.header_top = 0  # where the scroll area's viewport begins, in this widget

    def scrolled_to(self, top: int) -> None:
        """The scroll area shows the grid from `top` down: the headings are drawn there."""
        self.header_top = top
        self.update()

    @property
    def days(self) -> list[date]:
        """Each column's day."""
        return [c.day for c in self.columns]

    def show_week(self, week: ProviderWeek, today: date, first_column: bool = False) -> None:
        """Draw `week` (its working days), keeping the cursor's place where it has it
        (`first_column`: on the first day, as when coming from another view)."""
        worked = [d for d in week.days if d.open_hours or d.appointments]
        self.setAccessibleName("Week calendar")
        self.show_columns([Column(d.day.strftime("%a %d %b") + (
            " (today)" if d.day == today else ""), d.day, d.open_hours, d.appointments,
            week.provider) for d in (worked or week.days[:5])], week.slot_minutes, today, week,
            week.held, first_column)

    def show_columns(self, columns: list[Column], slot: int, today: date,
                     week: ProviderWeek | None = None, held: frozenset[str] = frozenset(),
                     first_column: bool = False) -> None:
        """Draw `columns` (a clinic's day: one per provider or room; or `week`'s days),
        rows of `slot` minutes, the hours from the earliest opening or booking to the
        latest; the appointments `held` (a double booking not decided yet) marked. The
        cursor keeps its column (the same provider a day later) unless `first_column`."""
        self.week, self.columns, self.today, self.slot = week, columns, today, slot
        self.double_booked = held
        self._mark_today = week is not None
        starts = [s.hour for c in columns for s, _ in c.open_hours] + [
            a.start.hour for c in columns for a in c.appointments]
        ends = [_ceil_hour(e, c.day) for c in columns for _, e in c.open_hours] + [
            _ceil_hour(a.end or a.start, c.day) for c in columns for a in c.appointments]
        self.first_hour = min(starts, default=DEFAULT_HOURS[0])
        self.last_hour = max(min(max(ends, default=DEFAULT_HOURS[1]), 24), self.first_hour + 1)
        self.blocks = [b for index, column in enumerate(columns)
                       for b in self._lay_out(index, column.appointments)]
        self._whose = any(c.room for c in columns)  # a room's column also says whose it is
        self._styles = [self._style(b.appointment, self._whose) for b in self.blocks]
        self._elided_for = -1
        self._held = self.dragging = None
        self.cursor = (0 if first_column else max(0, min(self.cursor[0], len(columns) - 1)),
                       min(self.cursor[1], self.row_count() - 1))
        self.setMinimumHeight(HEADER + self.row_count() * ROW + 1)
        self._describe()
        self.update()

    def cursor_column(self) -> Column | None:
        """The column under the cursor: whose (or which room's) time Enter chooses."""
        return self.columns[self.cursor[0]] if self.columns else None

    def row_count(self) -> int:
        return (self.last_hour - self.first_hour) * 60 // self.slot

    def moment(self, column: int, row: int) -> datetime:
        """The start of a cell, aware local time."""
        clock = datetime.combine(self.columns[column].day, time(self.first_hour))
        return (clock + timedelta(minutes=row * self.slot)).astimezone()

    def place_cursor(self, at: datetime) -> bool:
        """Put the cursor on the cell holding `at`; False when this week does not show it."""
        local = at.astimezone()
        days = self.days
        if local.date() not in days:
            return False
        row = int((local.hour * 60 + local.minute - self.first_hour * 60) // self.slot)
        if not 0 <= row < self.row_count():
            return False
        stay = self.cursor[0] < len(days) and days[self.cursor[0]] == local.date()
        self.cursor = (self.cursor[0] if stay else days.index(local.date()), row)
        self._cursor_moved()
        return True

    def booked_at(self, column: int, row: int) -> Appointment | None:
        """The appointment holding any of the cell's time (one that frees its time never
        does): a walk-in at 09:07 holds the 09:00 cell too. Of two, the one holding the
        cell's start."""
        at = self.moment(column, row)
        until = at + timedelta(minutes=self.slot)
        held = [b.appointment for b in self.blocks if b.column == column
                and b.appointment.status not in FREEING
                and b.appointment.start < until and at < _end(b.appointment)]
        return min(held, key=lambda a: not a.start <= at, default=None)

    def cell_rect(self, column: int, row: int) -> QRect:
        width = self._column_width()
        return QRect(GUTTER + int(column * width), HEADER + row * ROW, int(width), ROW)

    def block_rect(self, block: Block) -> QRectF:
        width = self._column_width() / block.lanes
        return QRectF(GUTTER + block.column * self._column_width() + block.lane * width + 1,
                      HEADER + block.first_row * ROW + 1, width - 2, block.rows * ROW - 2)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() in MOVES and self.columns:
            dx, dy = MOVES[event.key()]
            self.cursor = (max(0, min(len(self.columns) - 1, self.cursor[0] + dx)),
                           max(0, min(self.row_count() - 1, self.cursor[1] + dy)))
            self._cursor_moved()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.columns:
            self.chosen.emit(self.moment(*self.cursor), self.booked_at(*self.cursor))
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        where = event.position()
        if cell := self._cell_at(where.x(), where.y()):
            self.cursor = cell
            self._describe()
            self.update()
            block = next((b for b in reversed(self.blocks)
                          if self.block_rect(b).contains(where)), None)
            if block is not None and event.button() == Qt.MouseButton.LeftButton:
                self._held = (block, cell[1] - int(block.first_row), where)
        self.setFocus()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        """Dragging a held block: the cursor and an outline follow the cell under it."""
        if self._held is None:
            return
        block, offset, pressed = self._held
        where = event.position()
        if self.dragging is None and (where - pressed).manhattanLength() < (
                QApplication.startDragDistance()):
            return
        if cell := self._cell_at(where.x(), where.y()):
            target = (cell[0], max(0, min(self.row_count() - 1, cell[1] - offset)))
            self.dragging, self.cursor = (block, target), target
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            self._describe()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        """A drop on another cell asks for the move; the view says whether it was made."""
        dragged, self._held, self.dragging = self.dragging, None, None
        self.unsetCursor()
        self.update()
        if dragged is None:
            return
        block, (column, row) = dragged
        at = self.moment(column, row)
        if column != block.column or at != block.appointment.start.astimezone():
            self.dropped.emit(block.appointment, at, self.columns[block.column],
                              self.columns[column])

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if cell := self._cell_at(event.position().x(), event.position().y()):
            self.cursor = cell
            self.chosen.emit(self.moment(*cell), self.booked_at(*cell))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#E4E4E4"))  # closed
        if self.columns:
            self._paint_hours(painter)
            self._paint_lines(painter)
            self._paint_blocks(painter)
            painter.setPen(QPen(CURSOR, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self._cursor_rect())
            if self.dragging is not None:
                block, (column, row) = self.dragging
                painter.setPen(QPen(CURSOR, 2, Qt.PenStyle.DashLine))
                painter.drawRect(self.cell_rect(column, row).adjusted(
                    2, 2, -2, int((block.rows - 1) * ROW) - 2))
            self._paint_headings(painter)
        painter.end()

    def _paint_hours(self, painter: QPainter) -> None:
        for column, shown in enumerate(self.columns):
            hours = shown.open_hours
            for start, end in hours:
                painter.fillRect(self._span(column, start, end), QColor("#FFFFFF"))
            for (_, gap_start), (gap_end, _) in zip(hours, hours[1:], strict=False):
                gap = self._span(column, gap_start, gap_end)
                painter.fillRect(gap, QBrush(QColor("#C9C9C9"), Qt.BrushStyle.BDiagPattern))
                label = self.fontMetrics().boundingRect("Break").adjusted(-4, -1, 4, 1)
                label.moveCenter(QPoint(gap.center().x(), gap.top() + ROW // 2))  # between
                painter.fillRect(label, QColor("#E4E4E4"))  # the lines, off the hatching
                painter.setPen(QColor("#555555"))
                painter.drawText(label, Qt.AlignmentFlag.AlignCenter, "Break")

    def _cursor_rect(self) -> QRectF:
        """The cursor's outline: around the appointment Enter would open when the cell holds
        one (a walk-in at 21:22 starts inside the 21:15 cell), else around the cell."""
        held = self.booked_at(*self.cursor)
        block = next((b for b in self.blocks if held is not None and b.appointment is held
                      and b.column == self.cursor[0]), None)
        if block is not None:
            return self.block_rect(block).adjusted(-1, -1, 1, 1)
        return QRectF(self.cell_rect(*self.cursor).adjusted(1, 1, -1, -1))

    def _paint_headings(self, painter: QPainter) -> None:
        """Each column's heading, over whatever is scrolled under it."""
        width, top = self._column_width(), self.header_top
        bold = QFont(self.font())
        bold.setBold(True)
        metrics = self.fontMetrics()
        painter.fillRect(QRect(0, top, GUTTER, HEADER), QColor("#E4E4E4"))
        for column, shown in enumerate(self.columns):
            heading = QRect(GUTTER + int(column * width), top, int(width), HEADER)
            today = self._mark_today and shown.day == self.today
            painter.fillRect(heading, QColor("#D6E4F5" if today else "#F4F4F4"))
            painter.setPen(QColor("#9A9A9A"))
            painter.drawLine(heading.topLeft(), heading.bottomLeft())
            painter.drawLine(heading.bottomLeft(), heading.bottomRight())
            painter.setPen(QColor("#222222"))
            painter.setFont(bold if today else self.font())
            painter.drawText(heading, Qt.AlignmentFlag.AlignCenter, metrics.elidedText(
                shown.heading, Qt.TextElideMode.ElideRight, int(width) - 4))
        painter.setFont(self.font())

    def _paint_lines(self, painter: QPainter) -> None:
        width = self._column_width()
        bottom = HEADER + self.row_count() * ROW
        for row in range(self.row_count() + 1):
            y = HEADER + row * ROW
            on_hour = row * self.slot % 60 == 0
            painter.setPen(QColor("#9A9A9A" if on_hour else "#D8D8D8"))
            painter.drawLine(GUTTER, y, self.width(), y)
            if on_hour and row < self.row_count():
                painter.setPen(QColor("#222222"))
                painter.drawText(QRect(0, y, GUTTER - 6, ROW), Qt.AlignmentFlag.AlignRight |
                                 Qt.AlignmentFlag.AlignVCenter,
                                 f"{self.first_hour + row * self.slot // 60:02d}:00")
        painter.setPen(QColor("#9A9A9A"))
        for column in range(len(self.columns) + 1):
            x = GUTTER + int(column * width)
            painter.drawLine(x, 0, x, bottom)

    def _paint_blocks(self, painter: QPainter) -> None:
        """Each block with its words; what does not change with the width is worked out once
        a week is shown (`_styles`), the elided words once per width."""
        width = int(self._column_width())
        if self._elided_for != width:
            metrics = self.fontMetrics()
            self._elided = [metrics.elidedText(text, Qt.TextElideMode.ElideRight,
                                               int(self.block_rect(block).width()) - 5)
                            for block, (_, _, _, _, text) in zip(self.blocks, self._styles,
                                                                 strict=True)]
            self._elided_for = width
        wrap = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop |
                   Qt.TextFlag.TextWordWrap)
        line = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for block, (fill, border, ink, freed, text), elided in zip(
                self.blocks, self._styles, self._elided, strict=True):
            rect = self.block_rect(block)
            painter.setPen(border)
            painter.setBrush(fill)
            painter.drawRect(rect)
            painter.setFont(self._struck if freed else self.font())
            painter.setPen(ink)
            inner = rect.adjusted(3, 0, -2, 0)
            if block.rows >= 2:  # room for more than one line
                painter.drawText(inner, wrap, text)
            else:
                painter.drawText(inner, line, elided)
        painter.setFont(self.font())

    def _style(self, item: Appointment, whose: bool) -> tuple[QColor, QPen, QColor, bool, str]:
        """A block's fill, border, ink, whether it is struck through, and its words (`whose`:
        the practitioner's name too)."""
        fill = QColor(self._colour_of(item.type))
        freed = item.status in FREEING
        if freed:
            fill.setAlpha(70)
        held = item.id in self.double_booked and not freed
        border = QPen(DOUBLE_BOOKED, 3) if held else QPen(fill.darker(140), 1)
        return (fill, border, QColor("#333333" if freed else "#FFFFFF"),
                freed, f"{item.start:%H:%M} {item.patient_name} · "
                       + (f"{HELD_TEXT} · " if held else "")
                       + f"{STATUS_TEXT.get(item.status, item.status)} · {item.type}"
                       + (f" · {item.practitioner}" if whose else ""))

    def _lay_out(self, column: int, appointments: list[Appointment]) -> list[Block]:
        """Blocks side by side where appointments overlap (an overbooking, a cancelled one
        under the booking that took its time)."""
        placed: list[tuple[Appointment, int]] = []
        lane_ends: list[datetime] = []
        groups: list[list[int]] = []
        group_end: datetime | None = None
        for item in sorted(appointments, key=lambda a: (a.start, a.status in FREEING)):
            if group_end is None or item.start >= group_end:
                lane_ends, group_end = [], _end(item)
                groups.append([])
            lane = next((i for i, end in enumerate(lane_ends) if end <= item.start), None)
            if lane is None:
                lane_ends.append(_end(item))
                lane = len(lane_ends) - 1
            lane_ends[lane] = _end(item)
            group_end = max(group_end, _end(item))
            groups[-1].append(len(placed))
            placed.append((item, lane))
        lanes = {index: max(placed[i][1] for i in group) + 1 for group in groups
                 for index in group}
        origin = self.first_hour * 60
        return [Block(item, column, (_minutes(item.start) - origin) / self.slot,
                      max((_end(item) - item.start).total_seconds() / 60 / self.slot, 1),
                      lane, lanes[index]) for index, (item, lane) in enumerate(placed)]

    def _span(self, column: int, start: datetime, end: datetime) -> QRect:
        origin = self.first_hour * 60
        top = HEADER + int((_minutes(start) - origin) / self.slot * ROW)
        bottom = HEADER + int((_minutes(end) - origin) / self.slot * ROW)
        width = self._column_width()
        return QRect(GUTTER + int(column * width) + 1, top, int(width) - 1, bottom - top)

    def _column_width(self) -> float:
        return (self.width() - GUTTER) / max(1, len(self.columns))

    def _cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        if x < GUTTER or y < self.header_top + HEADER or not self.columns:
            return None
        column, row = int((x - GUTTER) // self._column_width()), int((y - HEADER) // ROW)
        if column < len(self.columns) and row < self.row_count():
            return column, row
        return None

    def _cursor_moved(self) -> None:
        self._describe()
        self.update()
        self.cursor_moved.emit(self.cell_rect(*self.cursor))

    def _describe(self) -> None:
        """Say what is under the cursor, for a screen reader and a tooltip."""
        if not self.columns:
            return
        at, booked = self.moment(*self.cursor), self.booked_at(*self.cursor)
        whose = "" if self.week is not None else f"{self.columns[self.cursor[0]].heading}, "
        said = whose + f"{at:%a %d %b %H:%M}: " + (
            f"{booked.patient_name}, {booked.type}, {STATUS_TEXT.get(booked.status)}" + (
                f", with {booked.practitioner}" if self._whose else "") + (
                f"; {HELD_TEXT}" if booked.id in self.double_booked else "")
            if booked else "free")
        self.setAccessibleDescription(said)
        self.setToolTip(said)


def _minutes(moment: datetime) -> float:
    local = moment.astimezone()
    return local.hour * 60 + local.minute + local.second / 60


def _end(item: Appointment) -> datetime:
    return item.end or item.start + timedelta(minutes=15)


def _ceil_hour(moment: datetime, day: date) -> int:
    """The hour of `day` by which `moment` has passed, rounded up: 24 for a moment on a later
    day, so a late walk-in running past midnight (23:50 to 00:05) keeps the grid open to
    midnight instead of ending it at 01:00 of nothing, under the walk-in."""
    local = moment.astimezone()
    if local.date() > day:
        return 24
    return local.hour + (1 if local.minute or local.second else 0)
