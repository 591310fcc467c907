"""The Summary tab: what a clinician reads first, from one Chart.summary read.

Each list says how much of its section it shows ("latest 10 of 19"), so a short list is
never mistaken for the whole record; an empty one says "none recorded". Sections without a
tab of their own are counted at the bottom, so nothing in the chart is silently hidden.
"""

from PySide6.QtWidgets import QGridLayout, QGroupBox, QScrollArea, QVBoxLayout, QWidget

from app.clinical.chart.chart import ChartSummary
from app.ui.chart.style import ToneLabel
from app.ui.chart.table import COLUMNS, ItemsModel, item_table

# (heading, ChartSummary field, section, how the list is chosen)
GROUPS = (
    ("Active problems", "active_problems", "problems", "active"),
    ("Active medications", "active_medications", "medications", "active"),
    ("Allergies", "allergies", "allergies", "all"),
    ("Latest vitals", "latest_vitals", "vitals", "latest of each"),
    ("Recent labs", "recent_labs", "labs", "latest"),
    ("Immunizations", "immunizations", "immunizations", "latest"),
    ("Encounters", "encounters", "encounters", "latest"),
    ("Notes", "notes", "notes", "latest"),
)
VISIBLE_ROWS = 8  # each list's height; longer lists scroll within it


def group_title(heading: str, shown: int, total: int, chosen: str) -> str:
    if chosen == "active":
        return f"{heading} ({shown} active; {total} in chart)"
    if chosen == "latest of each":
        return f"{heading} (latest of each kind; {total} in chart)"
    if shown < total:
        return f"{heading} (latest {shown} of {total})"
    return f"{heading} ({total})"


def also_recorded(counts: dict[str, int], shown_sections: set[str]) -> str:
    rest = [f"{section.replace('_', ' ')} {n}" for section, n in counts.items()
            if n and section not in shown_sections]
    return "Also in the chart, without a tab here: " + ", ".join(rest) + "." if rest else ""


class SummaryTab(QWidget):
    def __init__(self, summary: ChartSummary, tab_sections: set[str], syncs: bool = True):
        super().__init__()
        self.tables = {}
        grid = QGridLayout()
        for number, (heading, field, section, chosen) in enumerate(GROUPS):
            items = getattr(summary, field)
            title = group_title(heading, len(items), summary.counts[section], chosen)
            group = QGroupBox(title)
            group.setAccessibleName(title)
            inside = QVBoxLayout(group)
            if items:
                table = item_table(ItemsModel(COLUMNS[section], items, syncs=syncs),
                                   f"{heading} list")
                rows = min(len(items), VISIBLE_ROWS)
                table.setFixedHeight(table.horizontalHeader().sizeHint().height()
                                     + rows * table.verticalHeader().defaultSectionSize()
                                     + 2 * table.frameWidth())
                inside.addWidget(table)
                self.tables[field] = table
            else:
                empty = ("None recorded (not the same as no known allergies)."
                         if field == "allergies" else "None recorded.")
                inside.addWidget(ToneLabel(empty, "muted", f"{heading}: none recorded"))
            inside.addStretch()  # lists start at the top, level with their neighbours'
            grid.addWidget(group, number // 2, number % 2)
        page = QWidget()
        column = QVBoxLayout(page)
        column.addLayout(grid)
        self.also = ToneLabel(also_recorded(summary.counts, tab_sections), "muted",
                              "Other chart sections")
        column.addWidget(self.also)
        column.addStretch()
        scroll = QScrollArea()
        scroll.setAccessibleName("Chart summary")
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
