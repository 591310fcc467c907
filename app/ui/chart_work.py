"""Background work for one part of a chart, whose answer may arrive after the part is gone.

A chart tab can be closed, or the session locked (which destroys the workspace), while its
reads are still queued on the database thread. The answer then has nowhere to go: it is
dropped rather than delivered to a deleted widget.
"""

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject

from app.ui.background import Background


def run_for(owner: QObject, background: Background, work: Callable[[], Any],
            on_done: Callable[[Any], None], on_error: Callable[[Exception], None]) -> None:
    def done(result: Any) -> None:
        if shiboken6.isValid(owner):
            on_done(result)

    def failed(exc: Exception) -> None:
        if shiboken6.isValid(owner):
            on_error(exc)

    background.run(work, done, failed)
