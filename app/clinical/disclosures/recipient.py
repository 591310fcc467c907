"""Whom a disclosure went to, kept in the disclosure's own audit row.

The audit row's detail ends with `; to "<recipient>"`, the name JSON-quoted so that any
text a person types (quotes, semicolons) reads back exactly; the audit table has no column
for it, and the row is hash-chained, so the recipient cannot be changed after the print.
"""

import json
import re

from app.errors import UsageError

LONGEST = 200
_TAIL = re.compile(r'; to ("(?:[^"\\]|\\.)*")$')


def checked(to: str | None) -> str | None:
    """The recipient as typed, trimmed; None when none was given. Empty or overlong text
    is refused with a sentence (nothing is printed)."""
    if to is None:
        return None
    name = " ".join(to.split())
    if not name:
        raise UsageError("The recipient is empty: name who the document is for (e.g. "
                         "\"the patient\" or \"Dr Ada Park, Riverside Cardiology\"), or leave "
                         "it out. Nothing was printed.")
    if len(name) > LONGEST:
        raise UsageError(f"The recipient is {len(name)} characters long: name who the "
                         f"document is for in at most {LONGEST}. Nothing was printed.")
    return name


def with_recipient(detail: str, to: str | None) -> str:
    """The audit detail with the recipient at its end (unchanged without one)."""
    return detail if to is None else f"{detail}; to {json.dumps(to, ensure_ascii=False)}"


def split_recipient(detail: str) -> tuple[str, str | None]:
    """(the detail without the recipient, the recipient or None)."""
    found = _TAIL.search(detail)
    if found is None:
        return detail, None
    return detail[:found.start()], json.loads(found.group(1))
