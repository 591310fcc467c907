"""Turning `urn:uuid:` references into `Type/id` ones.

Inside a Bundle a reference may name another entry by its fullUrl; Synthea's patient
bundles also name organisations and practitioners defined in other bundles the same way.
Both resolve here: first from the file's own fullUrl map, then from what the store holds.
The work is done on the resource's compact JSON (as orjson writes it), where a reference is
always `"reference":"urn:uuid:…"`: a regular expression over bytes is some ten times
faster than walking the nested dicts of a large resource in Python.
"""

import re

URN_REFERENCE = re.compile(rb'"reference":"(urn:uuid:[^"\\]+)"')


def urn_references(body: bytes) -> set[str]:
    return {match.decode("utf-8") for match in URN_REFERENCE.findall(body)}


def rewrite_references(body: bytes, resolved: dict[str, str]) -> tuple[bytes, list[str]]:
    """The JSON with every reference found in `resolved` rewritten, and those not found."""
    missing: list[str] = []

    def rewrite(match: re.Match) -> bytes:
        urn = match.group(1).decode("utf-8")
        if urn in resolved:
            return b'"reference":"' + resolved[urn].encode("utf-8") + b'"'
        missing.append(urn)
        return match.group(0)

    return URN_REFERENCE.sub(rewrite, body), missing
