"""Receiving what changed on the server since the last pull, deletes included.

Where the server offers system history, one `_history?_since=` feed carries every change,
deletes too (the Android FHIR SDK never delivered deletes, #1149). Otherwise each type is
read by its own history, or by a `_lastUpdated` search where it has no history (deletes
cannot be seen that way; the admin guide says so).

The cursor is the server's own newest `meta.lastUpdated` seen, less an overlap window (a
change committed a moment late still arrives), always sent as UTC with milliseconds because
some servers compare `_since` as text. It is saved with each page in the same transaction,
with the link to the next page, so a crash resumes where it stopped; pages that come again
are harmless because versions already held are skipped.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

from sync.capabilities import ServerCapabilities
from sync.compartment import patient_of
from sync.errors import MalformedResponse
from sync.local import LocalSide, RemoteVersion
from sync.reconcile import reconcile
from sync.transport import Transport
from sync.wire import body, read_remote, remote_of, version_of_etag

NEVER_PULLED = frozenset({"AuditEvent"})  # Hearth's own upload; the local trail is the source
CLINICAL_TYPES = (  # read one by one only on servers without system history
    "Patient", "Practitioner", "Organization", "Location", "Encounter", "Condition",
    "Observation", "MedicationRequest", "MedicationStatement", "AllergyIntolerance",
    "Immunization", "Procedure", "DiagnosticReport", "DocumentReference", "CarePlan", "Goal",
    "Appointment")


@dataclass(frozen=True)
class PullScope:
    """Everything on the server, or only the patients of one clinic (`organization` is a
    reference such as "Organization/123": patients managed by it or with it as their
    general practitioner) and their charts, plus shared records (practitioners, places)."""

    organization: str | None = None
    types: tuple[str, ...] = CLINICAL_TYPES

    def patient_in_scope(self, patient: dict) -> bool:
        if self.organization is None:
            return True
        refs = [patient.get("managingOrganization", {}),
                *patient.get("generalPractitioner", [])]
        return any(isinstance(r, dict) and r.get("reference") == self.organization
                   for r in refs)


EVERYTHING = PullScope()


@dataclass
class PullReport:
    received: int = 0
    merged: int = 0
    conflicts: int = 0
    pages: int = 0


class Puller:
    def __init__(self, local: LocalSide, transport: Transport, caps: ServerCapabilities,
                 scope: PullScope = EVERYTHING, page_size: int = 500,
                 overlap: timedelta = timedelta(seconds=5)):
        self._local, self._transport, self._caps = local, transport, caps
        self._scope, self._page_size, self._overlap = scope, page_size, overlap
        self._scope_of_patient: dict[str, bool] = {}

    def pull(self) -> PullReport:
        report = PullReport()
        if self._caps.offers("history-system"):
            self._feed("history", "_history", "_since", report)
            return report
        for kind in self._scope.types:
            if self._caps.history_of(kind):
                self._feed(f"history:{kind}", f"{kind}/_history", "_since", report)
            elif self._caps.search_by_last_updated(kind):
                self._feed(f"search:{kind}", kind, "_lastUpdated", report)
        return report

    def _feed(self, key: str, path: str, since_param: str, report: PullReport) -> None:
        state = orjson.loads(self._local.cursor(key) or "{}")
        since, high, started = state.get("since"), state.get("high"), state.get("started")
        url = state.get("next") or _with(path, _since_param(since_param, since),
                                         self._page_size, since_param == "_lastUpdated")
        seen: set[tuple[str, str]] = set()
        while url:
            response = self._transport.request("GET", url)
            page = body(response, "Bundle")
            started = started or _server_time(page, response)
            report.pages += 1
            versions = []
            for version in _versions(page):
                high = _latest(high, version.last_updated)
                if (version.type, version.id) in seen or version.type in NEVER_PULLED:
                    continue
                seen.add((version.type, version.id))
                if self._in_scope(version):
                    versions.append(version)
            url = _next_link(page, since_param, since)
            cursor = ({"since": since, "high": high, "started": started, "next": url} if url
                      else {"since": self._next_since(since, high, started)})
            applied = self._local.apply_remote(versions, key, orjson.dumps(cursor).decode())
            report.received += applied.stored
            for change, remote in applied.to_merge:
                outcome = reconcile(self._local, change, remote)
                report.merged += outcome == "merged"
                report.conflicts += outcome == "conflict"

    def _next_since(self, since: str | None, high: str | None, started: str | None) -> str | None:
        """Where the next pass starts: the overlap window before the later of the newest
        change seen and the server's clock when this pass began. Changes committed a moment
        late still fall inside it; an idle server is not read again and again."""
        newest = _latest(high, started)
        return _latest(since, newest and _server_instant(_instant(newest) - self._overlap))

    def _in_scope(self, version: RemoteVersion) -> bool:
        if self._scope.organization is None or version.resource is None:
            return True
        patient_id = patient_of(version.resource)
        if patient_id is None:
            return True
        if version.type == "Patient":
            self._scope_of_patient[patient_id] = self._scope.patient_in_scope(version.resource)
        elif patient_id not in self._scope_of_patient:
            self._scope_of_patient[patient_id] = self._local.has_patient(patient_id) or (
                (patient := read_remote(self._transport, "Patient", patient_id).resource)
                is not None and self._scope.patient_in_scope(patient))
        return self._scope_of_patient[patient_id]


def _versions(page: dict) -> list[RemoteVersion]:
    """The resource versions (and deletes) in a history or search page, as listed."""
    found = []
    for entry in page.get("entry", []):
        resource = entry.get("resource")
        request, response = entry.get("request", {}), entry.get("response", {})
        if isinstance(resource, dict) and "resourceType" in resource and "id" in resource:
            found.append(remote_of(resource["resourceType"], resource["id"], resource))
        elif request.get("method") == "DELETE":
            kind, rid = _type_and_id(request.get("url") or entry.get("fullUrl", ""))
            found.append(RemoteVersion(kind, rid, version_of_etag(response.get("etag")),
                                       response.get("lastModified"), None))
    return found


def _type_and_id(url: str) -> tuple[str, str]:
    """("Patient", "123") from "Patient/123", ".../fhir/Patient/123" or ".../_history/2"."""
    parts = url.split("?", 1)[0].rstrip("/").split("/")
    if len(parts) >= 4 and parts[-2] == "_history":
        parts = parts[:-2]
    return parts[-2], parts[-1]


def _since_param(name: str, since: str | None) -> dict:
    if since is None:
        return {}
    return {name: f"ge{since}" if name == "_lastUpdated" else since}


def _with(path: str, params: dict, count: int, sort: bool) -> str:
    params = {**params, "_count": str(count)}
    if sort:
        params["_sort"] = "_lastUpdated"
    return f"{path}?{urlencode(params)}"


def _next_link(page: dict, since_param: str, since: str | None) -> str | None:
    """The next page, with `_since` put back where the server's link dropped it."""
    url = next((link.get("url") for link in page.get("link", [])
                if link.get("relation") == "next"), None)
    if url is None or since is None:
        return url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault(since_param, _since_param(since_param, since)[since_param])
    return urlunsplit(parts._replace(query=urlencode(query)))


def _latest(*stamps: str | None) -> str | None:
    return max(filter(None, stamps), key=_instant, default=None)


def _server_time(page: dict, response) -> str | None:
    """The server's clock when it answered: the Bundle's own stamp, else the Date header."""
    if stamp := page.get("meta", {}).get("lastUpdated"):
        return stamp
    try:
        return _server_instant(parsedate_to_datetime(response.headers.get("Date", "")))
    except (TypeError, ValueError):
        return None


def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedResponse(
            f"The server stamped a record with {text!r}, which is not a FHIR instant; the "
            "pull stopped before storing that page.") from None


def _server_instant(moment: datetime) -> str:
    """UTC with milliseconds and a Z, the form servers stamp and text comparison needs."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{moment.microsecond // 1000:03d}Z"
