"""The FHIR searches an import must answer itself: conditional creates (`ifNoneExist`),
conditional updates (`PUT Patient?identifier=...`) and conditional references
(`"reference": "Patient?identifier=sys|val"`), matched against the store and the file.

Supported search parameter: `identifier` (`system|value`, `|value` for no system, or a bare
`value` for any system), one value each, several joined with `&` (all must hold).
Anything else is refused with a sentence, never ignored: ignoring a criterion would match
the wrong record, or none.
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote

from sqlalchemy import Connection

from app.clinical.imports.report import shown
from fhir_common import fhir_json

SUPPORTED = ("identifier",)
TYPED = re.compile(r"[A-Z][A-Za-z]*\?")  # "Patient?identifier=...", not "identifier=..."
ESCAPED = {"\\|": "\0pipe", "\\,": "\0comma", "\\$": "\0dollar", "\\\\": "\0backslash"}
UNESCAPED = {"\0pipe": "|", "\0comma": ",", "\0dollar": "$", "\0backslash": "\\"}


class Unsupported(ValueError):
    """A search this import cannot answer; the message says which and what it can."""


@dataclass(frozen=True)
class Criteria:
    kind: str
    identifiers: tuple[tuple[str | None, str], ...]  # (system or None for any, value)
    text: str  # as a sentence names it: "Patient?identifier=sys|val"


def parse(kind: str, query: str) -> Criteria:
    """`query` as in a request url or ifNoneExist: "identifier=..." or "Patient?identifier=..."."""
    text = query if TYPED.match(query) else f"{kind}?{query}"
    named, _, params = text.partition("?")
    if named != kind:
        raise Unsupported(f"{shown(text)} searches for {shown(named)}, not {kind}")
    identifiers = []
    for param in params.split("&"):
        name, has_value, value = param.partition("=")
        value = _escaped(unquote(value))
        if name not in SUPPORTED or not has_value or not value or "," in value:
            raise Unsupported(f"{shown(text)} cannot be matched at import (supported: "
                              "identifier, one value each)")
        system, bar, code = value.partition("|")
        if bar and not code:
            raise Unsupported(f"{shown(text)} names a whole identifier system (supported: "
                              "identifier, one value each)")
        identifiers.append(((_plain(system) if bar else None), _plain(code if bar else system)))
    return Criteria(kind, tuple(identifiers), text)


def matches(criteria: Criteria, resource: dict) -> bool:
    return all(any(_same(found, system, value) for found in _identifiers(resource))
               for system, value in criteria.identifiers)


def in_store(conn: Connection, criteria: Criteria) -> set[str]:
    """The stored records (not deleted) that match, as "Type/id"."""
    needle = '"value":' + fhir_json.dumps_text(criteria.identifiers[0][1])
    rows = conn.exec_driver_sql(  # a cheap text test first, then the real match
        "SELECT json FROM resource WHERE type = ? AND deleted = 0 AND instr(json, ?) > 0",
        (criteria.kind, needle))
    found = (fhir_json.loads(body) for (body,) in rows)
    return {f"{criteria.kind}/{r['id']}" for r in found if matches(criteria, r)}


def identifier_keys(resource: dict) -> list[tuple[str | None, str]]:
    """(system, value) of each well-formed identifier, for a file's own index."""
    return [(found.get("system") if isinstance(found.get("system"), str) else None,
             found["value"]) for found in _identifiers(resource)]


def _identifiers(resource: dict) -> list[dict]:
    found = resource.get("identifier")
    return [i for i in found if isinstance(i, dict) and isinstance(i.get("value"), str)] if (
        isinstance(found, list)) else []


def _same(identifier: dict, system: str | None, value: str) -> bool:
    if identifier["value"] != value:
        return False
    if system is None:
        return True
    return (identifier.get("system") or "") == system


def _escaped(value: str) -> str:
    for escape, mark in ESCAPED.items():
        value = value.replace(escape, mark)
    return value


def _plain(value: str) -> str:
    for mark, character in UNESCAPED.items():
        value = value.replace(mark, character)
    return value
