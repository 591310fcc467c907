"""The week grid: one column per working day, one row per slot (15 minutes by default), the
provider's open hours shaded, breaks marked, appointments drawn as blocks in their type's
colour with time, patient, status and type (in that order: a short block keeps what the
colour cannot say).

Keyboard first: the arrows move a cursor over the cells, Enter (or a double click) says
which cell was chosen and what is booked there; the view decides what that means.
A cancelled or not attended appointment is drawn faded and struck through and leaves its
time free, as booking does.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QRect, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.clinical.visits.schedule import Appointment
from app.clinical.visits.week import STATUS_TEXT, ProviderWeek

FREEING = ("cancelled", "noshow", "entered-in-error", "waitlist")  # hold no time
GUTTER, HEADER, ROW = 56, 34, 18  # pixels: the time column, the day headings, one slot
DEFAULT_HOURS = (8, 17)  # shown when the provider has no hours this week
MOVES = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1),
         Qt.Key.Key_Down: (0, 1)}


@dataclass(frozen=True)
class Block:
    """An appointment as drawn: its day column, its rows and its lane among overlaps."""

    appointment: Appointment
    column: int
    first_row: float
    rows: float
    lane: int
    lanes: int


class WeekGrid(QWidget):
    chosen = Signal(object, object)  # the cell's start (aware datetime), Appointment | None

    def __init__(self, colour_of):
        super().__init__()
        self._colour_of = colour_of  # appointment type name -> "#RRGGBB"
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Week calendar")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.week: ProviderWeek | None = None
        self.days: list[date] = []
        self.first_hour, self.last_hour, self.slot = DEFAULT_HOURS[0], DEFAULT_HOURS[1], 15
        self.blocks: list[Block] = []
        self.cursor = (0, 0)  # column, row
        self._styles: list[tuple[QColor, QPen, QColor, bool, str]] = []  # by block
        self._elided: list[str] = []  # by block, for the column width _elided_for
        self._elided_for = -1
        self._struck = QFont(self.font())
        self._struck.setStrikeOut(True)
        self.today = date.today()

    def show_week(self, week: ProviderWeek, today: date) -> None:
        """Draw `week`, keeping the cursor's place where the new week has it."""
        self.week, self.today, self.slot = week, today, week.slot_minutes
        worked = [d for d in week.days if d.open_hours or d.appointments]
        self.days = [d.day for d in (worked or week.days[:5])]
        starts = [s.hour for d in week.days for s, _ in d.open_hours] + [
            a.start.hour for d in week.days for a in d.appointments]
        ends = [_ceil_hour(e) for d in week.days for _, e in d.open_hours] + [
            _ceil_hour(a.end or a.start) for d in week.days for a in d.appointments]
        self.first_hour = min(starts, default=DEFAULT_HOURS[0])
        self.last_hour = max(min(max(ends, default=DEFAULT_HOURS[1]), 24), self.first_hour + 1)
        self.blocks = [b for column, day in enumerate(self.days)
                       for b in self._lay_out(column, week.days[day.weekday()].appointments)]
        self._styles = [self._style(b.appointment) for b in self.blocks]
        self._elided_for = -1
        self.cursor = (min(self.cursor[0], len(self.days) - 1),
                       min(self.cursor[1], self.row_count() - 1))
        self.setMinimumHeight(HEADER + self.row_count() * ROW + 1)
        self._describe()
        self.update()

    def row_count(self) -> int:
        return (self.last_hour - self.first_hour) * 60 // self.slot

    def moment(self, column: int, row: int) -> datetime:
        """The start of a cell, aware local time."""
        clock = datetime.combine(self.days[column], time(self.first_hour))
        return (clock + timedelta(minutes=row * self.slot)).astimezone()

    def place_cursor(self, at: datetime) -> bool:
        """Put the cursor on the cell holding `at`; False when this week does not show it."""
        local = at.astimezone()
        if local.date() not in self.days:
            return False
        row = int((local.hour * 60 + local.minute - self.first_hour * 60) // self.slot)
        if not 0 <= row < self.row_count():
            return False
        self.cursor = (self.days.index(local.date()), row)
        self._describe()
        self.update()
        return True

    def booked_at(self, column: int, row: int) -> Appointment | None:
        """The appointment holding the cell's time (one that frees its time never does)."""
        at = self.moment(column, row)
        return next((b.appointment for b in self.blocks if b.column == column
                     and b.appointment.status not in FREEING
                     and b.appointment.start <= at < _end(b.appointment)), None)

    def cell_rect(self, column: int, row: int) -> QRect:
        width = self._column_width()
        return QRect(GUTTER + int(column * width), HEADER + row * ROW, int(width), ROW)

    def block_rect(self, block: Block) -> QRectF:
        width = self._column_width() / block.lanes
        return QRectF(GUTTER + block.column * self._column_width() + block.lane * width + 1,
                      HEADER + block.first_row * ROW + 1, width - 2, block.rows * ROW - 2)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() in MOVES and self.days:
            dx, dy = MOVES[event.key()]
            self.cursor = (max(0, min(len(self.days) - 1, self.cursor[0] + dx)),
                           max(0, min(self.row_count() - 1, self.cursor[1] + dy)))
            self._describe()
            self.update()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.days:
            self.chosen.emit(self.moment(*self.cursor), self.booked_at(*self.cursor))
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if cell := self._cell_at(event.position().x(), event.position().y()):
            self.cursor = cell
            self._describe()
            self.update()
        self.setFocus()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if cell := self._cell_at(event.position().x(), event.position().y()):
            self.cursor = cell
            self.chosen.emit(self.moment(*cell), self.booked_at(*cell))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#E4E4E4"))  # closed
        if self.week is not None:
            self._paint_hours(painter)
            self._paint_lines(painter)
            self._paint_blocks(painter)
            if self.days:
                painter.setPen(QPen(QColor("#1F3A93"), 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(self.cell_rect(*self.cursor).adjusted(1, 1, -1, -1))
        painter.end()

    def _paint_hours(self, painter: QPainter) -> None:
        for column, day in enumerate(self.days):
            hours = self.week.days[day.weekday()].open_hours
            for start, end in hours:
                painter.fillRect(self._span(column, start, end), QColor("#FFFFFF"))
            for (_, gap_start), (gap_end, _) in zip(hours, hours[1:], strict=False):
                gap = self._span(column, gap_start, gap_end)
                painter.fillRect(gap, QBrush(QColor("#C9C9C9"), Qt.BrushStyle.BDiagPattern))
                painter.setPen(QColor("#555555"))
                painter.drawText(gap, Qt.AlignmentFlag.AlignCenter, "Break")

    def _paint_lines(self, painter: QPainter) -> None:
        width = self._column_width()
        bold = QFont(self.font())
        bold.setBold(True)
        for column, day in enumerate(self.days):
            heading = QRect(GUTTER + int(column * width), 0, int(width), HEADER)
            painter.fillRect(heading, QColor("#D6E4F5" if day == self.today else "#F4F4F4"))
            painter.setPen(QColor("#222222"))
            painter.setFont(bold if day == self.today else self.font())
            painter.drawText(heading, Qt.AlignmentFlag.AlignCenter,
                             day.strftime("%a %d %b") + (" (today)" if day == self.today else ""))
        painter.setFont(self.font())
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
        for column in range(len(self.days) + 1):
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

    def _style(self, item: Appointment) -> tuple[QColor, QPen, QColor, bool, str]:
        """A block's fill, border, ink, whether it is struck through, and its words."""
        fill = QColor(self._colour_of(item.type))
        freed = item.status in FREEING
        if freed:
            fill.setAlpha(70)
        return (fill, QPen(fill.darker(140), 1), QColor("#333333" if freed else "#FFFFFF"),
                freed, f"{item.start:%H:%M} {item.patient_name} · "
                       f"{STATUS_TEXT.get(item.status, item.status)} · {item.type}")

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
        return (self.width() - GUTTER) / max(1, len(self.days))

    def _cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        if x < GUTTER or y < HEADER or not self.days:
            return None
        column, row = int((x - GUTTER) // self._column_width()), int((y - HEADER) // ROW)
        if column < len(self.days) and row < self.row_count():
            return column, row
        return None

    def _describe(self) -> None:
        """Say what is under the cursor, for a screen reader and a tooltip."""
        if not self.days:
            return
        at, booked = self.moment(*self.cursor), self.booked_at(*self.cursor)
        said = f"{at:%a %d %b %H:%M}: " + (
            f"{booked.patient_name}, {booked.type}, {STATUS_TEXT.get(booked.status)}"
            if booked else "free")
        self.setAccessibleDescription(said)
        self.setToolTip(said)


def _minutes(moment: datetime) -> float:
    local = moment.astimezone()
    return local.hour * 60 + local.minute + local.second / 60


def _end(item: Appointment) -> datetime:
    return item.end or item.start + timedelta(minutes=15)


def _ceil_hour(moment: datetime) -> int:
    local = moment.astimezone()
    return local.hour + (1 if local.minute or local.second else 0) or 24
