"""Three-way merge of two edits of one FHIR resource against the version both started from.

When the server has moved on since a local edit was made, the two sides are compared field by
field with the common ancestor (`base`): a field only one side changed takes that side's
value, a field both changed to the same value is kept, and a field both changed differently
is a conflict for a person to decide; it is never decided here. Objects are merged key by
key; lists of the same length on all three sides element by element (a changed given name
and a changed family name in `name[0]` merge); lists that grew or shrank are compared whole,
because FHIR list items have no stable identity to line them up by. `meta` is the server's
bookkeeping and is taken from the remote side, except its security labels (a chart marked
restricted, app.clinical.access): those are what a person decided, so a label added or taken
away on either side since `base` stays added or taken away (`merged_labels`).

A record carrying a `modifierExtension` Hearth does not understand is never merged here:
FHIR says a system shall not ignore a modifier it does not understand, and a modifier can
change what every other field means (a "not" on a diagnosis), so fields merged around it
could say something neither side said. `unknown_modifiers` names them for the conflict.
"""

from dataclasses import dataclass

MISSING = object()
UNDERSTOOD_MODIFIERS: frozenset[str] = frozenset()  # modifierExtension urls Hearth acts on


@dataclass(frozen=True)
class MergeResult:
    merged: dict | None  # None when there are conflicts
    conflicts: list[str]  # paths such as "name[0].family", "birthDate"


def three_way_merge(base: dict | None, local: dict, remote: dict) -> MergeResult:
    conflicts: list[str] = []
    body = _merge(_content(base or {}), _content(local), _content(remote), "", conflicts)
    if conflicts:
        return MergeResult(None, conflicts)
    meta = {k: v for k, v in remote.get("meta", {}).items() if k != "security"}
    if labels := merged_labels(base, local, remote):
        meta["security"] = labels
    if meta:
        body["meta"] = meta
    return MergeResult(body, [])


def merged_labels(base: dict | None, local: dict, remote: dict) -> list[dict]:
    """The remote side's meta.security with the labels added here since `base` and without
    those taken away here, each label known by its system and code."""
    def labels(resource: dict | None) -> dict[tuple, dict]:
        return {(label.get("system"), label.get("code")): label
                for label in (resource or {}).get("meta", {}).get("security", [])}
    before, here, there = labels(base), labels(local), labels(remote)
    kept = {key: label for key, label in there.items() if key in here or key not in before}
    return list({**kept, **{k: v for k, v in here.items() if k not in before}}.values())


def unknown_modifiers(*resources: dict | None) -> list[str]:
    """The urls of the modifierExtensions Hearth does not understand, anywhere in these
    resources (on the resource or on any element within it), sorted."""
    found: set[str] = set()
    stack: list = [r for r in resources if r is not None]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for modifier in item.get("modifierExtension") or []:
                url = modifier.get("url") if isinstance(modifier, dict) else None
                found.add(url if isinstance(url, str) else "(no url)")
            stack.extend(item.values())
    return sorted(found - UNDERSTOOD_MODIFIERS)


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
