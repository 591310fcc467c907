"""Search as you type: what a field holds is searched once typing pauses, and an answer is
shown only while the field still holds the words it was asked for (typing went on: a newer
search is on its way). The problem dialog, the coding screen's diagnoses and its service
lines find codes this way; each shows the answer in its own words. DownToResults: the Down
arrow from a search field to its results, as every search in the chart's dialogs has it."""

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QWidget

SEARCH_DELAY_MS = 150


class Query(Protocol):
    """A query to run off the UI thread: app.ui.operations' Op, as a search function gives it."""

    def success(self, success: Callable[[Any], Any]) -> "Query": ...
    def failure(self, failure: Callable[[Exception], Any]) -> "Query": ...
    def run(self) -> None: ...


class TypedSearch(QObject):
    """`field`'s words, searched by `query` a moment after each edit; `show(typed, found)` is
    called with the answer only while the field still holds `typed`, and `failed` with what
    stopped a search. Words `searchable` refuses (by default, blank ones) are shown as
    nothing found without a search."""

    def __init__(self, field: QLineEdit, query: Callable[[str], Query],
                 show: Callable[[str, list], None], failed: Callable[[Exception], None],
                 searchable: Callable[[str], bool] = bool):
        super().__init__(field)
        self._field, self._query, self._show, self._failed = field, query, show, failed
        self._searchable = searchable
        self.shown_for = ""  # the words the answer shown is for
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.search)
        field.textEdited.connect(lambda _text: self.timer.start())

    def typed(self) -> str:
        return self._field.text().strip()

    def shown_is_current(self) -> bool:
        """Whether the answer shown is for the words in the field now (what Enter may add)."""
        return self.shown_for == self.typed()

    def search(self) -> None:
        typed = self.typed()
        if not self._searchable(typed):
            self.show(typed, [])
            return
        self._query(typed).success(lambda found: self.show(typed, found)).failure(
            self._failed).run()

    def show(self, typed: str, found: list) -> None:
        if typed != self.typed():
            return  # typing went on: a newer search is on its way
        self.shown_for = typed
        self._show(typed, found)


def list_found(listing: QListWidget, found: list, role: int, text: Callable[[Any], str]) -> None:
    """`found` in `listing`, best first, each item holding its entry under `role`; the first
    is current, so Enter adds it."""
    listing.clear()
    for entry in found:
        item = QListWidgetItem(text(entry))
        item.setData(role, entry)
        listing.addItem(item)
    if found:
        listing.setCurrentRow(0)


class DownToResults(QObject):
    """Down arrow from `field` goes to `results` (when `any_results()`), keyboard first."""

    def __init__(self, field: QWidget, results: QWidget, any_results: Callable[[], Any]):
        super().__init__(field)
        self._field, self._results, self._any_results = field, results, any_results
        field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (watched is self._field and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Down and self._any_results()):
            self._results.setFocus()
            return True
        return super().eventFilter(watched, event)
