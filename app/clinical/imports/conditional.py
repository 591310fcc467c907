"""Conditional creates and updates in a file, decided as a FHIR server decides them in a
transaction: the search in an entry's `ifNoneExist`, or in a PUT's url, is matched against
the store and the file's earlier entries (app.clinical.imports.search says which searches).

No match: the entry creates its record. One: an ifNoneExist entry is not created again, a
conditional update updates that record, and either way references to the entry's fullUrl
point at it. More than one, or a search Hearth cannot answer: the entry is refused with a
sentence, and the rest of the file imports.
"""

from dataclasses import dataclass

from sqlalchemy import Connection

from app.clinical.imports.index import FileIndex, Request
from app.clinical.imports.report import shown
from app.clinical.imports.search import Unsupported, in_store, parse

LISTED = 3  # matching records a refusal names


@dataclass(frozen=True)
class Decision:
    reference: str | None = None  # the record the entry is (ifNoneExist) or updates
    refusal: str | None = None
    note: str | None = None


def decide_requests(conn: Connection, index: FileIndex) -> dict[int, Decision]:
    """A decision per conditional entry of the file, in file order (an entry may match one
    an earlier entry created); the file's fullUrl map is pointed at the matched records."""
    decisions = {}
    for request in index.requests:
        decision = decisions[request.index] = _decide(conn, request, index)
        if decision.reference and request.full_url:
            index.urls[request.full_url] = decision.reference
        elif decision.refusal and request.full_url:  # references to it resolve to nothing
            index.urls.pop(request.full_url, None)
        if decision.reference and request.action == "update" and (
                request.index in index.references):
            index.references[request.index] = decision.reference
        elif decision.reference or decision.refusal:  # creates nothing later entries can match
            index.references.pop(request.index, None)
    return decisions


def _decide(conn: Connection, request: Request, index: FileIndex) -> Decision:
    asked = "ifNoneExist" if request.action == "create" else "PUT"
    try:
        criteria = parse(request.kind, request.query)
    except Unsupported as refused:
        return Decision(refusal=f"{asked} {refused}")
    found = sorted(index.matching(criteria, before=request.index) | in_store(conn, criteria))
    if len(found) > 1:
        return Decision(refusal=f"{asked} {shown(criteria.text)}: {len(found)} records match "
                                f"({', '.join(found[:LISTED])}); not imported")
    if not found:
        return Decision()
    match = found[0]
    if request.action == "update" and request.own_id and (
            f"{request.kind}/{request.own_id}" != match):
        return Decision(refusal=f"{asked} {shown(criteria.text)} matches {match}, but the entry "
                                f"is {request.kind}/{shown(request.own_id)}; not imported")
    if request.action == "create":
        return Decision(match, note=f"{shown(criteria.text)} is already here as {match}; not "
                                    "created again, and references to this entry point to it")
    return Decision(match)
