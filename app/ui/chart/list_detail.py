"""A chart section's list above, and what its selected row opens below (Labs: the test's
trend; Reports: the report's results).

The list is replaced whole when the chart reads the section again after a change; what is
shown below stays, and the new list's selection is heard like the old one's.
"""

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from app.clinical.chart.chart_items import ChartItem
from app.ui.chart.table import ITEM_ROLE, SectionTab


class ListAndDetail(QWidget):
    def __init__(self, records: SectionTab, detail: QWidget, list_share: int,
                 detail_share: int):
        """`list_share` and `detail_share`: how the height is split between them."""
        super().__init__()
        self.records = records
        self._split = QSplitter(Qt.Orientation.Vertical)
        self._split.addWidget(records)
        self._split.addWidget(detail)
        self._split.setStretchFactor(0, list_share)
        self._split.setStretchFactor(1, detail_share)
        QVBoxLayout(self).addWidget(self._split)
        records.table.selectionModel().selectionChanged.connect(self._selected)

    def replace_records(self, records: SectionTab) -> None:
        """The list read again after a change; what is shown below stays."""
        old, self.records = self.records, records
        self._split.replaceWidget(self._split.indexOf(old), records)
        records.table.selectionModel().selectionChanged.connect(self._selected)
        old.deleteLater()

    def chosen(self, item: ChartItem) -> None:
        """A row was selected: show what it opens below."""
        raise NotImplementedError

    def _selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        if not selected.isEmpty():
            self.chosen(selected.indexes()[0].data(ITEM_ROLE))
