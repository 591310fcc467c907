"""What an import must know about a whole file before it writes any of it.

Entries refer to each other by fullUrl, and conditional requests and references are matched
against the file's own records, so before the first entry is written the file is read once
for: its fullUrl -> "Type/id" map; the identifiers of its records; its conditional requests;
and which records share a Type/id with another server's record (their fullUrls name
different server bases): those get their own id (identity.foreign_id) and the report says so.
"""

from dataclasses import dataclass, field

from app.clinical.fhir.identity import foreign_id, resource_id, server_base
from app.clinical.imports.report import shown
from app.clinical.imports.search import Criteria, identifier_keys


@dataclass(frozen=True)
class Request:
    """A conditional create or update, as the entry asks it."""
    index: int
    kind: str  # the resource type
    action: str  # "create" (ifNoneExist) or "update" (PUT with search criteria)
    query: str
    full_url: str | None
    own_id: str | None


@dataclass
class FileIndex:
    urls: dict[str, str] = field(default_factory=dict)  # fullUrl -> "Type/id"
    renamed: dict[int, str] = field(default_factory=dict)  # entry -> id given to a foreign record
    foreign: dict[str, dict[str, str]] = field(default_factory=dict)  # base -> {old: new ref}
    notes: dict[int, str] = field(default_factory=dict)  # entry -> what the report says
    requests: list[Request] = field(default_factory=list)
    # (type, identifier value) -> [(system, entry)], and each such entry's "Type/id"
    identifiers: dict[tuple[str, str], list[tuple[str | None, int]]] = field(
        default_factory=dict)
    references: dict[int, str] = field(default_factory=dict)
    _bases: dict[tuple[str, str], str] = field(default_factory=dict)

    def add_entry(self, index: int, entry) -> None:
        """One Bundle entry as read; malformed ones are left to the reader to report."""
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            return
        resource, full_url = entry["resource"], entry.get("fullUrl")
        kind = resource.get("resourceType")
        if not isinstance(kind, str) or (full_url is not None and not isinstance(full_url, str)):
            return
        reference = self._place(index, resource, kind, full_url) if full_url else None
        self._requests(index, kind, entry.get("request"), full_url, resource.get("id"))
        self.add_resource(index, resource, reference)

    def add_resource(self, index: int, resource: dict, reference: str | None = None) -> None:
        kind = resource.get("resourceType")
        keys = identifier_keys(resource) if isinstance(kind, str) else []
        if not keys:
            return
        if reference is None:
            own = resource.get("id")
            if not isinstance(own, str):
                return  # matched only by what the importer writes: an id of its own
            reference = f"{kind}/{own}"
        self.references[index] = reference
        for system, value in keys:
            self.identifiers.setdefault((kind, value), []).append((system, index))

    def _place(self, index: int, resource: dict, kind: str, full_url: str) -> str:
        """The fullUrl's "Type/id", giving another server's same Type/id an id of its own."""
        rid = resource_id(resource, full_url)
        base = server_base(full_url, kind, rid) if isinstance(rid, str) else None
        claimed = self._bases.setdefault((kind, rid), base) if base else None
        if base and claimed != base:
            new = foreign_id(full_url)
            self.renamed[index] = new
            self.foreign.setdefault(base, {})[f"{kind}/{rid}"] = f"{kind}/{new}"
            self.notes[index] = (f"{kind}/{shown(rid)} of {shown(base)} is not "
                                 f"{kind}/{shown(rid)} of {shown(claimed)}: imported as "
                                 f"{kind}/{new}; references to it follow")
            rid = new
        return self.urls.setdefault(full_url, f"{kind}/{rid}")

    def _requests(self, index: int, kind: str, request, full_url: str | None, own) -> None:
        if not isinstance(request, dict):
            return
        method, url, if_none_exist = (request.get(k) for k in ("method", "url", "ifNoneExist"))
        own = own if isinstance(own, str) else None
        if method == "POST" and isinstance(if_none_exist, str) and if_none_exist:
            self.requests.append(Request(index, kind, "create", if_none_exist, full_url, own))
        elif method == "PUT" and isinstance(url, str) and "?" in url:
            self.requests.append(Request(index, kind, "update", url, full_url, own))

    def matching(self, criteria: Criteria, before: int | None = None) -> set[str]:
        """The file's own records that match (only those before entry `before`, if given),
        as "Type/id"."""
        def holds(entry: int, system: str | None, value: str) -> bool:
            return any(e == entry and (system is None or (s or "") == system)
                       for s, e in self.identifiers.get((criteria.kind, value), []))

        (system, value), *others = criteria.identifiers
        candidates = {entry for _, entry in self.identifiers.get((criteria.kind, value), [])
                      if (before is None or entry < before) and entry in self.references}
        return {self.references[entry] for entry in candidates
                if all(holds(entry, s, v) for s, v in [(system, value), *others])}
