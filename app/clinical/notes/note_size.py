"""How much text a note may hold (policy.max_note_kb), and what is said when it holds more.

A note is read whole every time its patient's chart opens, on every workstation it syncs
to: a 200 MB note once took 4.7 s and 2 GB per chart open. So a signed note holds at most
max_note_kb of text (UTF-8), 256 KB by default, about 40,000 words.

A draft may hold more than that while it is being trimmed (DRAFT_ROOM times the limit), so
what was typed or pasted a little over the limit is saved and a crash loses none of it;
only a draft far past anything a note could become (a pasted document) is not saved, and
the last saved draft stays as it was.
"""

from math import ceil

from app.errors import InvalidRecord
from app.security.policy import Policy

DRAFT_ROOM = 4


def size_kb(text: str) -> int:
    """The text's size in KB (1,024 bytes of UTF-8), rounded up: "1 KB" for a short note."""
    return ceil(len(text.encode("utf-8")) / 1024)


def check_signable(policy: Policy, text: str) -> None:
    """Refuse, with a sentence, to sign a note holding more text than the policy allows."""
    if (kb := size_kb(text)) > policy.max_note_kb:
        raise InvalidRecord(too_long_to_sign(policy, kb) + " Nothing was signed; the draft "
                            "is kept as written.")


def too_long_to_sign(policy: Policy, kb: int) -> str:
    """What the editor shows while the note is too long, and signing it says."""
    return (f"This note holds {kb:,} KB of text; a note may hold up to {policy.max_note_kb:,} "
            "KB (the clinic's policy). Shorten it, or sign part and write the rest as an "
            "addendum.")


def check_draft(policy: Policy, text: str) -> None:
    """Refuse, with a sentence, to save a draft far past what a note may hold."""
    room = DRAFT_ROOM * policy.max_note_kb
    if (kb := size_kb(text)) > room:
        raise InvalidRecord(
            f"This draft would hold {kb:,} KB of text, more than the {room:,} KB a draft may "
            f"hold (a signed note: {policy.max_note_kb:,} KB), so it was not saved; the last "
            "saved draft is kept. Remove what was pasted, or keep it in a document instead.")
