"""What every report returns: its days, its columns and rows, and what the chart plots.

A report is counts, so its rows are short tuples of text and numbers; the CSV, the PDF and
the command line print the same `ReportTable`, so they can never disagree.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

SQL_INSTANT = "%Y-%m-%d %H:%M:%S"  # as SQLite's datetime() writes a UTC instant


@dataclass(frozen=True)
class Period:
    """The days a report covers, both included, as days on this computer's clock."""

    first: date
    last: date

    def utc_bounds(self) -> dict[str, str]:
        """The period as UTC instants in SQLite's datetime() text: from `start` (included) to
        `end` (excluded), so a record is counted by its day here, not its day in UTC."""
        start = datetime.combine(self.first, time.min).astimezone()
        end = datetime.combine(self.last + timedelta(days=1), time.min).astimezone()
        return {"start": _utc(start), "end": _utc(end)}

    def stretches(self) -> list[dict[str, str]]:
        """The period cut where the clock changes (daylight saving): each stretch's UTC
        `start` and `end` and its `shift`, the SQLite modifier that turns a UTC instant into
        the time here ("+780 minutes"). A query grouping by day shifts by a constant instead
        of asking SQLite for 'localtime' on every row, which cost 0.8 s per 100,000 rows."""
        first = datetime.combine(self.first, time.min).astimezone().astimezone(UTC)
        stop = datetime.combine(self.last + timedelta(days=1), time.min).astimezone(
            ).astimezone(UTC)
        found, begun, probe = [], first, first
        while probe < stop:
            step = min(probe + timedelta(days=1), stop)
            if _offset(step - _TICK) == _offset(begun):
                probe = step
                continue
            while _offset(probe) == _offset(begun):  # clocks change on a quarter hour
                probe += _QUARTER
            found.append(_stretch(begun, probe))
            begun = probe
        return [*found, _stretch(begun, stop)]

    def text(self) -> str:
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


@dataclass(frozen=True)
class Chart:
    """What the PDF plots: the rows' `value` column summed by their `label` column, as bars
    (or a line, for a trend over days)."""

    label: int
    value: int
    line: bool = False
    every: int = 0  # labels are days this many apart (1 a day, 7 a week): empty ones plot 0


@dataclass(frozen=True)
class ReportTable:
    name: str
    title: str
    period: Period
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    total: tuple | None = None  # the bottom line, when adding the rows up means something
    chart: Chart | None = None
    note: str = ""  # what is counted, in a sentence printed under the title

    def series(self) -> list[tuple[str, float]]:
        """The chart's points: each label once, in the order the rows first name it (every
        day or week of the period, in order, for a chart over time)."""
        if self.chart is None:
            return []
        sums: dict[str, float] = {label: 0 for label in _labels(self.period,
                                                                       self.chart.every)}
        for row in self.rows:
            label = str(row[self.chart.label])
            sums[label] = sums.get(label, 0) + float(row[self.chart.value] or 0)
        return list(sums.items())


def _labels(period: Period, every: int) -> list[str]:
    """Each day (or each week's Monday) of the period, so a quiet one shows as 0."""
    if not every:
        return []
    day = period.first - timedelta(days=period.first.weekday() if every == 7 else 0)
    found = []
    while day <= period.last:
        found.append(day.isoformat())
        day += timedelta(days=every)
    return found


_TICK = timedelta(microseconds=1)
_QUARTER = timedelta(minutes=15)


def _offset(moment: datetime) -> timedelta:
    return moment.astimezone().utcoffset() or timedelta(0)


def _stretch(start: datetime, end: datetime) -> dict[str, str]:
    minutes = int(_offset(start).total_seconds() // 60)
    return {"start": _utc(start), "end": _utc(end), "shift": f"{minutes:+d} minutes"}


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(SQL_INSTANT)
