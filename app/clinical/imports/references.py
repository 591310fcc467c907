"""Turning a file's references into the store's `Type/id` ones.

- `urn:uuid:` (and other `urn:`) references name another entry by its fullUrl; Synthea's
  patient bundles also name organisations and practitioners defined in other bundles that
  way. They resolve from the file's fullUrl map, then from what the store holds; one found
  nowhere is kept as written and reported.
- Conditional references (`Patient?identifier=sys|val`) resolve against the file's records
  and the store (app.clinical.imports.search): one match is used; none keeps the reference,
  reported as unresolved; several, or a search Hearth cannot answer, refuse the entry.
- References to a record that shares its Type/id with another server's record in the same
  file (app.clinical.imports.index) follow the id it was given, whether they name it by its
  absolute address or, from an entry of the same server, by `Type/id`.

References are found in the resource's compact JSON, where one is always `"reference":"…"`:
a regular expression over bytes is far faster than looking through nested dicts in Python.
The changes are then made to the dicts too (`apply`), which costs less than reading the
rewritten JSON again with its decimals kept. That JSON is orjson's, which escapes no letter
and no colon, so a record none of whose references is a urn or a conditional one, in a file
with no other server's records, is seen to need no change by one search of its bytes
(a bulk export's `Type/id` references: a tenth of the worker's time, issue 19).
"""

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import orjson
from sqlalchemy import Connection

from app.clinical.fhir.identity import RESTFUL
from app.clinical.imports.index import FileIndex
from app.clinical.imports.report import shown
from app.clinical.imports.search import Unsupported, in_store, parse
from app.store.resources import types_by_id

REFERENCE = re.compile(rb'"reference":"([^"\\]*(?:\\.[^"\\]*)*)"')
NEEDS_LOOKING_AT = re.compile(rb'"reference":"(?:urn:|[A-Z][A-Za-z]+\?)')
CONDITIONAL = re.compile(r"([A-Z][A-Za-z]+)\?")
LISTED = 3  # matching records named in a refusal


@dataclass
class Rewritten:
    body: bytes
    changes: dict[str, str] = field(default_factory=dict)  # reference as written -> "Type/id"
    count: int = 0  # references changed
    missing: list[str] = field(default_factory=list)  # sentences: kept as written
    refusal: str | None = None  # a reason not to import the entry at all


def apply(node, rewritten: Rewritten) -> None:
    """Make the same changes to the resource's dicts as `rewrite` made to its JSON."""
    if rewritten.count:
        _apply(node, rewritten.changes, rewritten.count)


def _apply(node, changes: dict[str, str], left: int) -> int:
    """Depth first, stopping once the `left` references to change are changed: most
    resources name their patient and encounter near the top."""
    if type(node) is dict:
        reference = node.get("reference")
        if type(reference) is str and reference in changes:
            node["reference"] = changes[reference]
            left -= 1
            if not left:
                return 0
        children = node.values()
    else:
        children = node
    for child in children:
        if type(child) is dict or type(child) is list:
            left = _apply(child, changes, left)
            if not left:
                return 0
    return left


class References:
    """Resolves references for an import, looking in the store only for what the file
    does not say, through `reading` (a read of the store as the import has written it so
    far: app.clinical.imports.worker). A conditional reference's search is made once per
    file, and a urn found in the store is remembered for the whole import."""

    def __init__(self, reading: Callable[[], AbstractContextManager[Connection]]):
        self._reading = reading
        self._known: dict[str, str] = {}  # urn -> "Type/id" found in the store
        self._searched: tuple[FileIndex | None, dict[str, set[str]]] = (None, {})

    def rewrite(self, body: bytes, index: FileIndex, full_url: str | None) -> Rewritten:
        result = Rewritten(body)
        if not index.foreign and not NEEDS_LOOKING_AT.search(body):
            return result  # each reference would be kept as written (_resolve)
        base = found["base"] if full_url and (found := RESTFUL.fullmatch(full_url)) else None
        foreign_here = index.foreign.get(base, {}) if base else {}

        def replace(match: re.Match) -> bytes:
            raw = match.group(1)
            value = orjson.loads(b'"' + raw + b'"') if b"\\" in raw else raw.decode("utf-8")
            new = self._resolve(value, index, foreign_here, result)
            if new is None:
                return match.group(0)
            result.changes[value] = new
            result.count += 1
            return b'"reference":' + orjson.dumps(new)

        result.body = REFERENCE.sub(replace, body)
        return result

    def _resolve(self, value: str, index: FileIndex, foreign_here: dict,
                 result: Rewritten) -> str | None:
        if value.startswith("urn:"):
            found = index.urls.get(value) or self._in_store(value)
            if found is None and value.startswith("urn:uuid:"):
                result.missing.append(f"reference {shown(value)} not found; kept as written")
            return found
        if value in foreign_here:
            return foreign_here[value]
        if (absolute := RESTFUL.fullmatch(value)) is not None:
            return index.foreign.get(absolute["base"], {}).get(
                f"{absolute['type']}/{absolute['id']}")
        if CONDITIONAL.match(value):
            return self._conditional(value, index, result)
        return None

    def _in_store(self, urn: str) -> str | None:
        if urn not in self._known and urn.startswith("urn:uuid:"):
            rid = urn.removeprefix("urn:uuid:")
            with self._reading() as conn:
                kind = types_by_id(conn, [rid]).get(rid)
            if kind is not None:
                self._known[urn] = f"{kind}/{rid}"
        return self._known.get(urn)

    def _conditional(self, value: str, index: FileIndex, result: Rewritten) -> str | None:
        kind = CONDITIONAL.match(value).group(1)
        try:
            criteria = parse(kind, value)
        except Unsupported as refused:
            result.refusal = f"reference {refused}"
            return None
        if self._searched[0] is not index:  # a new file: its own searches
            self._searched = (index, {})
        searched = self._searched[1]
        if value not in searched:
            with self._reading() as conn:
                searched[value] = index.matching(criteria) | in_store(conn, criteria)
        found = sorted(searched[value])
        if len(found) > 1:
            result.refusal = (f"reference {shown(value)}: {len(found)} records match "
                              f"({', '.join(found[:LISTED])}); not imported")
            return None
        if not found:
            result.missing.append(f"reference {shown(value)} matches no record; "
                                  "kept as written")
            return None
        return found[0]

