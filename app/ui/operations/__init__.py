"""One way for a screen to have work done off the UI thread: an operation bound to its owner.

Modelled on Anki's CollectionOp and QueryOp (ankitects/anki, qt/aqt/operations/__init__.py):
an op is built by a small function per noun (operations/patients.py, chart.py, notes.py …),
given what to do on success and on failure, and run; the work goes to the one database
thread (app.ui.common.background) and both callbacks come back on the UI thread. What Anki leaves
to each caller is built in here, so no view writes it by hand:

- Owner-aliveness: the op belongs to a widget (or model). A chart tab can be closed or the
  session locked while its work is queued; once the owner is destroyed, the answer is
  dropped and neither callback runs.
- Latest answer wins: an op given a `kind` (a query, like "patient search") supersedes the
  answer of any older op of the same kind on the same owner, so a slow, earlier answer can
  never replace the answer to what was asked last. A write has no kind: every write's
  answer is delivered, a failure above all.
- A default failure display: without a failure callback, the clinician is told in a
  message over the owner's window, in the sentence fhir_common.messages writes.
"""

from collections.abc import Callable
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from app.ui.common.background import Background
from fhir_common.messages import sentence

T = TypeVar("T")
FAILURE_TITLE = "Not done"


class _Asked:
    """Per owner and kind: the number of the newest op, and whether it has answered."""

    def __init__(self) -> None:
        self.newest: dict[str, int] = {}
        self.waiting: set[str] = set()


_asked: WeakKeyDictionary[QObject, _Asked] = WeakKeyDictionary()


class Op(Generic[T]):
    """`work` for the database thread on behalf of `owner`; see the module docstring."""

    def __init__(self, owner: QObject, background: Background, work: Callable[[], T],
                 kind: str | None = None):
        self._owner, self._background, self._work, self._kind = owner, background, work, kind
        self._success: Callable[[T], Any] = lambda _result: None
        self._failure: Callable[[Exception], Any] = lambda exc: show_failure(owner, exc)

    def success(self, success: Callable[[T], Any]) -> "Op[T]":
        self._success = success
        return self

    def failure(self, failure: Callable[[Exception], Any]) -> "Op[T]":
        self._failure = failure
        return self

    def run(self) -> None:
        """Queue the work; call on the UI thread."""
        ticket = self._ask()
        self._background.run(self._work, lambda result: self._answer(ticket, self._success,
                                                                     result),
                             lambda exc: self._answer(ticket, self._failure, exc))

    def _ask(self) -> int:
        if self._kind is None:
            return 0
        asked = _asked.setdefault(self._owner, _Asked())
        asked.newest[self._kind] = asked.newest.get(self._kind, 0) + 1
        asked.waiting.add(self._kind)
        return asked.newest[self._kind]

    def _answer(self, ticket: int, callback: Callable[[Any], Any], value: Any) -> None:
        if not shiboken6.isValid(self._owner):
            return
        if self._kind is not None:
            asked = _asked[self._owner]
            if ticket != asked.newest[self._kind]:
                return
            asked.waiting.discard(self._kind)
        callback(value)


def waiting(owner: QObject, kind: str) -> bool:
    """Whether the newest op of `kind` on `owner` has yet to answer."""
    asked = _asked.get(owner)
    return asked is not None and kind in asked.waiting


def supersede(owner: QObject, kind: str) -> None:
    """Drop the answer of any op of `kind` still on its way: what it was asked for is gone
    (the search text cleared, another note opened)."""
    asked = _asked.get(owner)
    if asked is not None and kind in asked.newest:
        asked.newest[kind] += 1
        asked.waiting.discard(kind)


def show_failure(owner: QObject, exc: Exception) -> QMessageBox:
    """The default failure display: the sentence, in a message over the owner's window."""
    parent = owner
    while parent is not None and not isinstance(parent, QWidget):
        parent = parent.parent()
    box = QMessageBox(QMessageBox.Icon.Warning, FAILURE_TITLE, sentence(exc),
                      parent=parent.window() if parent is not None else None)
    box.setAccessibleName(FAILURE_TITLE)
    box.open()
    return box
