"""The workstation's background update check: on a thread of its own, first shortly after
start-up, then every policy updates.check_every_hours, so neither start-up nor the database
thread ever waits on a slow mirror or a USB stick.

Only news reaches the window: a newer version, a repository signature close to expiring, or
a refusal (an altered or replayed repository is worth IT's attention). A repository that is
merely unreachable (no network, no stick) is tried again at the next check, silently.
"""

import threading
from collections.abc import Callable

from app.updates.channel import UpdateChannel, UpdatesOff
from app.updates.refusals import UpdateRefused, UpdateUnavailable

FIRST_CHECK_SECONDS = 10.0  # after start-up, once the window is up and sign-in under way


class UpdateChecker:
    def __init__(self, channel: UpdateChannel, every_hours: float, warning_days: int,
                 on_news: Callable[[str], None]):
        self._channel, self._on_news = channel, on_news
        self._every = every_hours * 3600
        self._warning_days = warning_days
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def news(self) -> str | None:
        """The sentence this check has for the clinic, or None."""
        try:
            offer = self._channel.check()
        except (UpdatesOff, UpdateUnavailable):
            return None
        except UpdateRefused as exc:
            return exc.message
        if offer.is_newer:
            return offer.summary()
        return offer.expiry_warning(self._warning_days)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="hearth-updates", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ends the loop; a check under way finishes on its daemon thread, unwaited for."""
        self._stop.set()

    def _loop(self) -> None:
        wait = FIRST_CHECK_SECONDS
        while not self._stop.wait(wait):
            if (said := self.news()) and not self._stop.is_set():
                self._on_news(said)
            wait = self._every
