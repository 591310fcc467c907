"""Who last changed each field, to check that the last edit is on the server or in a
visible conflict.

The campaign makes every edit itself, one at a time, so their order is known exactly. A
field each workstation owns (A the phone, B the address) must always merge; a field both
edit (birth date, a problem's onset) may clash, and then the clash must be in an open
conflict where a person sees both values, until someone resolves it. Keeping mine is an
edit of the fields in conflict: it re-asserts this workstation's last values of them.
Keeping the server's withdraws this workstation's edits of them, but for the one the
server's side holds (its own earlier edit, which reached the server while the answer was
lost): the last edit is then the latest of that one and the others' (which the server may
have received after the conflict was shown).
Fields not in conflict are not touched by a resolution, whichever side is kept: an edit
made to them meanwhile, here or on the server, stays the last edit and must survive.
"""

from dataclasses import dataclass

from app.clinical.sync.conflicts import Conflict, conflicting_paths, server_version

FIELDS = {"Patient": ("telecom", "address", "birthDate"), "Condition": ("onsetDateTime",)}


def field_value(resource: dict | None, field: str) -> str | None:
    """The one value the campaign writes in each field."""
    if resource is None:
        return None
    if field == "telecom":
        return next((t.get("value") for t in resource.get("telecom", [])), None)
    if field == "address":
        return next((a.get("city") for a in resource.get("address", [])), None)
    return resource.get(field)


def fields_in_conflict(conflict: Conflict) -> list[str]:
    """The campaign's fields that a conflict names ("telecom[0].value" is the phone)."""
    named = {path.split(".")[0].split("[")[0] for path in conflicting_paths(conflict)}
    tracked = FIELDS.get(conflict.type, ())
    if named & {"", "(whole resource)"}:
        return list(tracked)
    return [f for f in tracked if f in named]


@dataclass(frozen=True)
class Edit:
    seq: int
    value: str | None
    station: str
    how: str  # "edit", or the resolution ("kept local")


class LastEdits:
    def __init__(self):
        self.seq = 0
        self.history: dict[tuple[str, str, str], list[Edit]] = {}

    def edited(self, kind: str, rid: str, field: str, value: str | None, station: str,
               how: str = "edit") -> None:
        self.seq += 1
        self.history.setdefault((kind, rid, field), []).append(
            Edit(self.seq, value, station, how))

    def resolved(self, conflict: Conflict, keep: str, station: str) -> None:
        """A person at `station` kept "local" or "remote" for the fields in conflict."""
        for field in fields_in_conflict(conflict):
            key = (conflict.type, conflict.resource_id, field)
            edits = self.history.get(key, [])
            if keep == "local":
                own = [e.value for e in edits if e.station == station]
                value = own[-1] if own else field_value(conflict.local, field)
                self.edited(*key, value, station, "kept local")
            else:
                self.history[key] = _kept_server(edits, station, conflict, field)

    def lost(self, on_server: dict[tuple[str, str], dict],
             open_conflicts: list[Conflict]) -> list[str]:
        """Last edits neither on the server nor in an open conflict, as sentences."""
        problems = []
        for (kind, rid, field), edits in sorted(self.history.items()):
            edit = edits[-1]
            if field_value(on_server.get((kind, rid)), field) == edit.value:
                continue
            shown = [c for c in open_conflicts if (c.type, c.resource_id) == (kind, rid)]
            visible = {field_value(side, field) for c in shown
                       for side in (c.local, server_version(c))}
            if edit.value not in visible:
                problems.append(
                    f"{kind}/{rid}: the last {field} edit ({edit.value!r}, {edit.how} on "
                    f"{edit.station}, edit {edit.seq}) is not on the server "
                    f"({field_value(on_server.get((kind, rid)), field)!r})"
                    + (" nor in its open conflict" if shown else " and no conflict is open"))
        return problems


def _kept_server(edits: list[Edit], station: str, conflict: Conflict, field: str) -> list[Edit]:
    """A field's edits after `station` kept the server's side of `conflict`."""
    on_server = field_value(server_version(conflict), field)
    own_on_server = [e for e in edits if e.station == station and e.value == on_server][-1:]
    kept = sorted([e for e in edits if e.station != station] + own_on_server,
                  key=lambda e: e.seq)
    return kept or edits[:1]
