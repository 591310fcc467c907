"""The chart's section tabs, each built when it is first shown or first asked for.

A heavy chart opens on its Summary; building the nine section tabs behind it (their
tables, the Labs and Vitals plots, the note editor) cost two thirds of the chart's build,
for tabs most visits never look at. So each waits as an empty page under its title (and its
count, known from the summary) and is built, then put in that page's place, when selected
(a click, a keyboard shortcut, show_section) or asked for by name (`tabs["vitals"]`).
"""

from collections.abc import Callable, Iterator

from PySide6.QtWidgets import QTabWidget, QWidget


class LazyTabs:
    def __init__(self, sections: QTabWidget):
        self._sections = sections
        self._built: dict[str, QWidget] = {}
        self._waiting: dict[str, tuple[QWidget, Callable[[], QWidget]]] = {}
        sections.currentChanged.connect(self._selected)

    def add(self, key: str, title: str, build: Callable[[], QWidget]) -> None:
        """A tab titled `title`, built by `build()` when first shown or asked for."""
        placeholder = QWidget()
        placeholder.setAccessibleName(title)
        self._waiting[key] = (placeholder, build)
        self._sections.addTab(placeholder, title)

    def add_built(self, key: str, title: str, tab: QWidget) -> None:
        self._built[key] = tab
        self._sections.addTab(tab, title)

    def __getitem__(self, key: str) -> QWidget:
        """The tab itself, built now if it was waiting."""
        if key in self._waiting:
            placeholder, build = self._waiting[key]
            tab = build()
            del self._waiting[key]
            self._built[key] = placeholder  # replace() swaps it for the tab
            self.replace(key, tab)
        return self._built[key]

    def __contains__(self, key: str) -> bool:
        return key in self._built or key in self._waiting

    def get(self, key: str) -> QWidget | None:
        """The tab if it has been built, else None: nothing is built by asking (a dict of
        the tabs built so far would answer the same)."""
        return self._built.get(key)

    def page(self, key: str) -> QWidget:
        """What stands in the tab widget for `key` now: the tab, or its empty page."""
        return self._built[key] if key in self._built else self._waiting[key][0]

    def items(self) -> Iterator[tuple[str, QWidget]]:
        """(key, tab) of the tabs built so far, as a dict of them would give."""
        return iter(list(self._built.items()))

    def replace(self, key: str, new: QWidget) -> None:
        """Put `new` in the place of tab `key`. It goes in before the old one leaves, so no
        other tab is shown (and read, or built) in between."""
        old = self._built[key]
        index = self._sections.indexOf(old)
        shown = self._sections.currentWidget() is old
        self._built[key] = new
        self._sections.insertTab(index, new, self._sections.tabText(index))
        if shown:
            self._sections.setCurrentIndex(index)
        self._sections.removeTab(self._sections.indexOf(old))
        old.deleteLater()

    def clear(self) -> None:
        """Every tab and empty page off the tab widget and deleted (a chart shut)."""
        self._sections.clear()
        for page in [*self._built.values(), *(p for p, _ in self._waiting.values())]:
            page.deleteLater()
        self._built, self._waiting = {}, {}

    def _selected(self, index: int) -> None:
        page = self._sections.widget(index)
        key = next((k for k, (p, _) in self._waiting.items() if p is page), None)
        if key is not None:
            self[key]
