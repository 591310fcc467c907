"""Three-way merge of two edits of one FHIR resource against the version both started from.

When the server has moved on since a local edit was made, the two sides are compared field by
field with the common ancestor (`base`): a field only one side changed takes that side's
value, a field both changed to the same value is kept, and a field both changed differently
is a conflict for a person to decide; it is never decided here. Objects are merged key by
key; lists of the same length on all three sides element by element (a changed given name
and a changed family name in `name[0]` merge); lists that grew or shrank are compared whole,
because FHIR list items have no stable identity to line them up by. `meta` is the server's
bookkeeping and is taken from the remote side.
"""

from dataclasses import dataclass

MISSING = object()


@dataclass(frozen=True)
class MergeResult:
    merged: dict | None  # None when there are conflicts
    conflicts: list[str]  # paths such as "name[0].family", "birthDate"


def three_way_merge(base: dict | None, local: dict, remote: dict) -> MergeResult:
    conflicts: list[str] = []
    body = _merge(_content(base or {}), _content(local), _content(remote), "", conflicts)
    if conflicts:
        return MergeResult(None, conflicts)
    if "meta" in remote:
        body["meta"] = remote["meta"]
    return MergeResult(body, [])


def _content(resource: dict) -> dict:
    return {k: v for k, v in resource.items() if k != "meta"}


def _merge(base, local, remote, path: str, conflicts: list[str]):
    if local == remote or remote == base:
        return local
    if local == base:
        return remote
    if all(isinstance(v, dict) for v in (base, local, remote)):
        merged = {}
        for key in [*local, *(k for k in remote if k not in local),
                    *(k for k in base if k not in local and k not in remote)]:
            value = _merge(base.get(key, MISSING), local.get(key, MISSING),
                           remote.get(key, MISSING), f"{path}.{key}" if path else key,
                           conflicts)
            if value is not MISSING:
                merged[key] = value
        return merged
    if all(isinstance(v, list) for v in (base, local, remote)) and (
            len(base) == len(local) == len(remote)):
        return [_merge(b, ll, r, f"{path}[{i}]", conflicts)
                for i, (b, ll, r) in enumerate(zip(base, local, remote, strict=True))]
    conflicts.append(path or "(whole resource)")
    return local
