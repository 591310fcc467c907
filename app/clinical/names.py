"""How a person is named in lists and headings: "Family, Given" from their main name.

One place for it, so the patient search, the schedule, the chart's banner and the sync
conflicts list all show a patient the same way, and a chart found by name is titled as the
row it was found in.
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
