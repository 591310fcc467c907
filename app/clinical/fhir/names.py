"""How a person is named in lists and headings: "Family, Given" from their main name, and
the medical record number shown beside it.

One place for it, so the patient search, the schedule, the chart's banner, `hearth chart`
and the sync conflicts list all show a patient the same way, and a chart found by name is
titled as the row it was found in, with the same MRN.
"""


def main_name(person: dict) -> dict:
    """The official name if there is one (not a maiden or old name), else the first."""
    names = person.get("name") or []
    return next((n for n in names if n.get("use") == "official"), names[0] if names else {})


def family_given(person: dict, missing: str = "") -> str:
    """'Family, Given' (either alone when only one is known), else the name's text, else
    `missing`: a list can leave a nameless row blank, a heading says "(no name)"."""
    name = main_name(person)
    given, family = " ".join(name.get("given", [])), name.get("family", "")
    return (f"{family}, {given}" if family and given else family or given
            or name.get("text") or missing)


def medical_record_number(patient: dict) -> str | None:
    """The identifier typed MR (medical record number), else the first without a type.

    Many sources send the local record number untyped (just a system and a value), so an
    untyped identifier stands in for the MRN; one typed as something else (a social
    security, licence or passport number) never does, nor does one marked `use: old` (the
    number of a record merged into this one: it still finds the patient, but is not theirs).
    """
    identifiers = [i for i in patient.get("identifier", [])
                   if i.get("value") and i.get("use") != "old"]
    typed = next((i for i in identifiers
                  if any(c.get("code") == "MR" for c in (i.get("type") or {}).get("coding", []))),
                 None)
    untyped = next((i for i in identifiers if not i.get("type")), None)
    return (typed or untyped or {}).get("value")


def identifier_text(identifier: dict) -> str:
    """ "G1234567 (Passport)": a number with what kind it is (its type's text or display,
    else its system); one marked `use: old` (a merged-away record's MRN, still found by
    search) says so."""
    kind = identifier.get("type") or {}
    kind = kind.get("text") or next((c["display"] for c in kind.get("coding", [])
                                     if c.get("display")), identifier.get("system", ""))
    old = ", of a merged or earlier record" if identifier.get("use") == "old" else ""
    return f"{identifier.get('value', '')} ({kind}{old})"
