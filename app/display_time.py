"""How Hearth shows a moment to a person: one format, in this computer's time zone.

Instants are stored and sent in UTC (ISO 8601); a person reads the clock on the wall. So
every time shown, in the window and in the terminal, goes through `when_text`: "09:02"
today, "09:02 on 23 Nov" another day this year, "09:02 on 23 Nov 2024" another year. The
month is a word, so no one reads 03/04 as the wrong day, and a visit left open overnight
never reads as this morning's. `with_date` always names the day, for what is read later
out of context (a signature, a lock that ends tomorrow, a row in a list); `seconds` adds
them where a person watches a time change (a draft saved every few seconds).

It sits beside app.errors, below every layer, because the store (signed notes) and security
(lockouts) show times too; it imports nothing of Hearth and never Qt.
"""

from datetime import datetime


def when_text(instant: str | datetime | None, now: datetime | None = None,
              with_date: bool = False, seconds: bool = False, missing: str = "") -> str:
    """`instant` (ISO text or a datetime; naive means local) as the person reads it; text
    no one can parse is shown as recorded, and no instant as `missing`."""
    if instant is None or instant == "":
        return missing
    try:
        moment = (instant if isinstance(instant, datetime)
                  else datetime.fromisoformat(instant.replace("Z", "+00:00"))).astimezone()
    except ValueError:
        return instant
    now = (now or datetime.now()).astimezone()
    clock = f"{moment:%H:%M:%S}" if seconds else f"{moment:%H:%M}"
    if moment.date() == now.date() and not with_date:
        return clock
    day = f"{clock} on {moment:%d %b}"
    return day if moment.year == now.year and not with_date else f"{day} {moment:%Y}"
