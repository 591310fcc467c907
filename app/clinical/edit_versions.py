"""Saving an edit against the version it was based on, never blindly over a newer one.

A form reads a record, a person changes it, and the save comes later. Meanwhile a pull may
have brought another workstation's change, or another user here may have saved one: writing
the form's whole record then would silently revert that change, and the revert would reach
the server as an ordinary edit. So every save is checked against the version it started
from (meta.versionId and meta.lastUpdated as read). If the stored copy is still that
version, the edit is saved as it is; if it moved on, the two edits are merged three-way
(sync.merge, the rules sync itself follows) when they changed different fields, and refused
with a sentence when they changed the same ones. A record that does not say which version
it was read from is refused: it could only be written blindly.
"""

from app.errors import InvalidRecord
from sync.merge import three_way_merge

AGAIN = "Open it again to see the new version, then redo your change."


def version_of(resource: dict) -> tuple[str | None, str | None]:
    """Which version a record is: the server's version id and the time it was last saved."""
    meta = resource.get("meta") or {}
    return meta.get("versionId"), meta.get("lastUpdated")


def rebase(stored: dict, edited: dict, read: dict | None, name: str) -> tuple[dict, bool]:
    """The record to save, and whether a change saved meanwhile was merged into it.

    `read` is the record as it was read, untouched, before `edited` was made from it.
    Without it the version named in `edited`'s own meta is the one that was read, but a
    change saved meanwhile cannot be told apart from the edit, so it is refused rather than
    merged. `name` says which record in a refusal ("Patient Okafor, Ann").
    """
    started = version_of(read if read is not None else edited)
    if started == version_of(stored):
        return edited, False
    if started == (None, None):
        raise InvalidRecord(f"{name} was sent without the version it was read from "
                            f"(meta.lastUpdated), so nothing was saved. {AGAIN}")
    if read is None:
        raise InvalidRecord(f"{name} was changed meanwhile (by sync or another user), so "
                            f"your change was not saved. {AGAIN}")
    result = three_way_merge(read, edited, stored)
    if result.conflicts:
        raise InvalidRecord(f"{name} was changed meanwhile (by sync or another user): "
                            f"{', '.join(result.conflicts)} changed there too, so your change "
                            f"was not saved. {AGAIN}")
    return result.merged, True
