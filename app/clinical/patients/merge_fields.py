"""What a merge changes in each record: references re-pointed, and what the kept patient
takes over from the one merged into it.

Nothing of the merged-away patient may be lost silently. Every list of theirs that the kept
patient lacks an entry of (identifiers, phones and emails, addresses, names, contacts,
languages, practitioners, photos) is added to the kept patient; a carried-over identifier
(the old MRN) and name are marked `use: "old"`, so they still find the patient in search but
are never shown as current. A single value the kept patient lacks (birth date, sex, marital
status...) is taken over; one both have and that differs stays as the kept patient has it
and is named in the result, so the person merging sees it. The merged-away record itself
stays, inactive, with every field it had.
"""

from copy import deepcopy

LISTS = ("identifier", "telecom", "address", "name", "contact", "communication",
         "generalPractitioner", "photo")
MARKED_OLD = ("identifier", "name")  # still found by, never shown as current
NOT_CARRIED = {"resourceType", "id", "meta", "text", "active", "link", "extension",
               "modifierExtension", "contained", "implicitRules", "language"}
CHOICES = ("deceased", "multipleBirth")  # deceasedBoolean / deceasedDateTime: one value


def repointed(resource: dict, old: str, new: str) -> dict:
    """A copy of `resource` with every reference to Patient/`old` made to Patient/`new`."""
    return _walk(deepcopy(resource), f"Patient/{old}", f"Patient/{new}")


def _walk(node, old: str, new: str):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and value == old:
                node[key] = new
            else:
                _walk(value, old, new)
    elif isinstance(node, list):
        for item in node:
            _walk(item, old, new)
    return node


def carried_over(keep: dict, other: dict) -> tuple[dict, list[str], list[str]]:
    """`keep` with what it lacks of `other`; what was carried over and what differs, each
    a short phrase ("identifier MRN-7 (old)", "birth date: 1980-03-14 kept, 1980-14-03 not")."""
    merged, carried, differs = deepcopy(keep), [], []
    for field in LISTS:
        for item in other.get(field, []):
            if _bare(item) in [_bare(mine) for mine in merged.get(field, [])]:
                continue
            item = deepcopy(item)
            if field in MARKED_OLD:
                item["use"] = "old"
            merged.setdefault(field, []).append(item)
            carried.append(f"{_label(field)} {_shown(field, item)}")
    for field, value in other.items():
        if field in NOT_CARRIED or field in LISTS:
            continue
        mine = merged.get(field)
        if mine is None and not _has_choice(merged, field):
            merged[field] = deepcopy(value)
            carried.append(f"{_label(field)} {_scalar(value)}")
        elif mine is not None and mine != value:
            differs.append(f"{_label(field)}: {_scalar(mine)} kept, {_scalar(value)} not")
    return merged, carried, differs


def _bare(item):
    """An entry as compared for "already there": without its use or period."""
    return {k: v for k, v in item.items() if k not in ("use", "period", "rank")} \
        if isinstance(item, dict) else item


def _has_choice(patient: dict, field: str) -> bool:
    """Whether the patient holds another form of a choice (deceasedBoolean vs DateTime)."""
    choice = next((c for c in CHOICES if field.startswith(c)), None)
    return choice is not None and any(k.startswith(choice) for k in patient)


def _label(field: str) -> str:
    return {"birthDate": "birth date", "gender": "sex", "telecom": "contact",
            "generalPractitioner": "practitioner", "maritalStatus": "marital status",
            "managingOrganization": "organization", "communication": "language",
            "contact": "contact person", "deceasedBoolean": "deceased",
            "deceasedDateTime": "died", "multipleBirthBoolean": "multiple birth",
            "multipleBirthInteger": "birth order"}.get(field, field)


def _shown(field: str, item) -> str:
    if field == "identifier":
        return f"{item.get('value', '?')} (old)"
    if field == "telecom":
        return f"{item.get('system', '')} {item.get('value', '?')}".strip()
    if field == "name":
        given = " ".join(item.get("given", []))
        return f"{item.get('family', '')}, {given} (old)" if given else \
            f"{item.get('family') or item.get('text', '?')} (old)"
    if field == "address":
        return ", ".join([*item.get("line", []), item.get("city", "")]).strip(", ") or "address"
    if field == "communication":
        return _scalar(item.get("language", {}))
    if field == "contact":
        name = item.get("name", {})
        return name.get("text") or " ".join([*name.get("given", []), name.get("family", "")]
                                            ).strip() or "(no name)"
    return _scalar(item)


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return str(value.get("text") or value.get("display") or value.get("reference")
                   or next((c.get("display") or c.get("code") for c in value.get("coding", [])),
                           "") or "a value")
    return str(value)
