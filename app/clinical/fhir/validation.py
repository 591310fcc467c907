"""FHIR R4 (4.0.1) validation of one resource, as sentences a person can act on.

fhirkit-rs checks every element against the official R4 definitions (types, cardinality,
unknown elements, primitive formats) in Rust: about 45,000 resources/s here, against about
2,000/s for fhir.resources, whose models are R4B rather than R4. Warnings are not errors.
fhirkit quotes the offending value whole; a quoted value is cut short here (a fuzzed file's
1.3 MB birthDate came back in its reason), and so is a long element path.
"""

import re

import fhirkit

from app.clinical.imports.report import shown

QUOTED = re.compile(r'"[^"]{40,}"')


def validation_errors(kind: str, body: bytes, limit: int = 3) -> list[str]:
    """Errors in one resource of type `kind`, given as its JSON."""
    if kind not in fhirkit.RESOURCE_TYPES:
        return [f"unknown resourceType {shown(kind)!r}"]
    try:
        issues = [i for i in fhirkit.validate(body) if i.severity == "error"]
    except fhirkit.ParseError as exc:
        return [f"not readable as FHIR ({_short(str(exc))})"]
    messages = [_short(f"{shown(i.path)}: {i.message}" if i.path else i.message)
                for i in issues[:limit]]
    if len(issues) > limit:
        messages.append(f"and {len(issues) - limit} more")
    return messages


def _short(message: str) -> str:
    return QUOTED.sub(lambda m: f'"{shown(m.group()[1:-1], 30)}"', message)
