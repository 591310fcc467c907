"""Receiving what changed on the server since the last pull, deletes included where it can.

Where the server offers system history, one `_history?_since=` feed carries every change,
deletes too (the Android FHIR SDK never delivered deletes, #1149). Otherwise every type the
CapabilityStatement lists (every type Hearth stores, when it lists none) is read by its own
history, or by a `_lastUpdated` search where it has no history. A search cannot show
deletes, and some servers offer neither way for a type: the report says both, in words, and
the cycle is not called complete while anything could not be seen.

Pages are followed by their `next` links. A server that leaves the link out while records
remain (its `total` says so, or the page came back full) is paged on with `_offset`; when
even that brings nothing new, the report says how many of how many arrived and the cursor
stays where it was, so nothing is skipped: the rest is asked for again next cycle. A `next`
link back to a page already asked for in this pass is a loop: the feed stops there, with a
sentence, and its cursor stays put.

The cursor is the server's own newest `meta.lastUpdated` seen, less an overlap window (a
change committed a moment late still arrives), always sent as UTC with milliseconds because
some servers compare `_since` as text. It is saved with each page in the same transaction,
with the link to the next page, so a crash resumes where it stopped; pages that come again
are harmless because versions already held are skipped.

Cursors belong to one server: their keys start with its normalized base URL and its own id
(sync.servers), so another server's position or page link is never used here. A `next` link
to another scheme, host, port or base path is not followed (the feed stops with a sentence
and its cursor stays put). A position beyond the server's own clock (its Date header plus
CLOCK_SLACK, or a day ahead of this computer when it sends none) is never saved: one stamp
from the year 2999 would otherwise stop every later pull; a saved one is discarded.
"""

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import fhirkit
import orjson

from fhir_common.compartment import patient_of
from sync.audit_events import TAG_SYSTEM
from sync.capabilities import ServerCapabilities
from sync.errors import MalformedResponse
from sync.local import LocalSide, RemoteVersion
from sync.reconcile import reconcile
from sync.servers import cursor_key, origin, same_server
from sync.transport import Transport
from sync.wire import body, maybe_json, outcome_text, read_remote, remote_of, version_of_etag

HEARTH_TYPES = tuple(sorted(fhirkit.RESOURCE_TYPES))  # pulled when the server lists none
CLOCK_SLACK = timedelta(minutes=5)  # how far a position may run ahead of the server's Date
NO_CLOCK_SLACK = timedelta(days=1)  # ... or ahead of this computer's clock without one


@dataclass(frozen=True)
class PullScope:
    """Everything on the server, or only the patients of one clinic (`organization` is a
    reference such as "Organization/123": patients managed by it or with it as their
    general practitioner) and their charts, plus shared records (practitioners, places)."""

    organization: str | None = None

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
    gaps: list[str] = field(default_factory=list)  # what could not be pulled, as sentences
    deletes_unseen: list[str] = field(default_factory=list)  # types pulled by search
    history_types: int = 0  # types pulled by their own history
    left_unmerged: int = 0  # edited here and there, from a server that is not the outbox's
    warnings: list[str] = field(default_factory=list)  # said once, the pull went on

    @property
    def notices(self) -> list[str]:
        """What a person should know about this server even when nothing went wrong."""
        said = list(self.warnings)
        if self.left_unmerged:
            said.append(f"{self.left_unmerged} records changed both here and on this server "
                        "were left as they are here; they are settled with the clinic's own "
                        "sync server.")
        if not self.deletes_unseen:
            return said
        if not self.history_types:
            return [*said, "This server keeps no history, so Hearth cannot see records "
                    "deleted on it: they stay on this workstation until deleted here."]
        return [*said, f"This server keeps no history of {_kinds(self.deletes_unseen)} "
                "records, so Hearth cannot see those deleted on it: they stay on this "
                "workstation until deleted here."]


@dataclass(frozen=True)
class Feed:
    """One stream of changes: its cursor's key, its path, and what it lists, in words."""

    key: str
    path: str
    since_param: str  # "_since" (history) or "_lastUpdated" (search)
    what: str  # "changed Patient records", "changes in the server's history"
    listed: bool = True  # False: a type the server never named (404: it holds none)

    @property
    def search(self) -> bool:
        return self.since_param == "_lastUpdated"

    def first_url(self, since: str | None, count: int) -> str:
        params = {**_since_param(self.since_param, since), "_count": str(count)}
        if self.search:
            params["_sort"] = "_lastUpdated"
        return f"{self.path}?{urlencode(params)}"


@dataclass
class Pass:
    """One pass over a feed, saved in its cursor with every page so a crash resumes it."""

    since: str | None = None
    high: str | None = None  # the newest lastUpdated seen in this pass
    started: str | None = None  # the server's clock when the pass began
    next: str | None = None
    got: int = 0  # entries listed so far, in the server's order: the next page's offset
    repeats: int = 0  # entries naming a record this pass already listed (a search shifted)
    checked: bool = True  # saved by a pull that checks totals; older searches skipped some

    @classmethod
    def load(cls, text: str | None, search: bool) -> "Pass":
        """The saved pass; a search cursor saved before totals were checked is not trusted
        (it may have moved past records never received), so that type is read again."""
        state = orjson.loads(text or "{}")
        if search and not state.get("checked"):
            return cls()
        return cls(**{k: state[k] for k in cls.__dataclass_fields__ if k in state})


class Puller:
    """`merge` is False for a server other than the one the outbox is meant for: records
    edited here are then left as they are, not merged with that server's versions."""

    def __init__(self, local: LocalSide, transport: Transport, caps: ServerCapabilities,
                 scope: PullScope = EVERYTHING, page_size: int = 500,
                 overlap: timedelta = timedelta(seconds=5), merge: bool = True):
        self._local, self._transport, self._caps = local, transport, caps
        self._scope, self._page_size, self._overlap = scope, page_size, overlap
        self._merge = merge
        self._base = str(transport.client.base_url)
        self._scope_of_patient: dict[str, bool] = {}

    def pull(self) -> PullReport:
        report = PullReport()
        if self._caps.offers("history-system"):
            self._feed(Feed("history", "_history", "_since",
                            "changes in the server's history"), report)
            return report
        listed = bool(self._caps.types)
        blind = []
        for kind in sorted(self._caps.types) if listed else HEARTH_TYPES:
            if self._caps.history_of(kind):
                report.history_types += 1
                self._feed(Feed(f"history:{kind}", f"{kind}/_history", "_since",
                                f"{kind} changes in the server's history"), report)
            elif not listed or self._caps.search_by_last_updated(kind):
                report.deletes_unseen.append(kind)
                self._feed(Feed(f"search:{kind}", kind, "_lastUpdated",
                                f"changed {kind} records", listed), report)
            else:
                blind.append(kind)
        if blind:
            report.gaps.append(
                f"The server offers no way to see which {_kinds(blind)} records changed (no "
                "history and no _lastUpdated search), so none of them were pulled.")
        return report

    def _feed(self, feed: Feed, report: PullReport) -> None:
        key = cursor_key(self._base, self._caps.server_id, feed.key)
        at = self._saved_pass(key, feed, report)
        first = feed.first_url(at.since, self._page_size)
        url, resumed = at.next or first, at.next is not None
        listed: set[tuple] = set()  # (type, id, version, stamp) met in this pass
        seen: set[tuple[str, str]] = set()
        followed: set[str] = set()  # pages asked for in this pass: a link back is a loop
        while url:
            followed.add(urljoin(self._base, url))
            response = self._transport.request("GET", url)
            if response.status_code != 200:
                if resumed:  # a saved page link the server no longer knows: start again
                    at, url, resumed = Pass(since=at.since), first, False
                    continue
                if response.status_code == 404 and not feed.listed and not at.got:
                    return  # a type this server does not know holds nothing to pull
                report.gaps.append(_refused(feed, response, at.got))
                return
            page, resumed = body(response, "Bundle"), False
            report.pages += 1
            at.started = at.started or _server_time(page, response)
            on_page = _versions(page, feed.search)
            fresh = [v for v in on_page if _identity(v) not in listed]
            listed.update(_identity(v) for v in on_page)
            at.got += _positions(page, feed.search)
            versions = []
            for version in on_page:
                at.high = _latest(at.high, version.last_updated)
                if (version.type, version.id) in seen:
                    at.repeats += 1 if feed.search else 0  # history lists older versions too
                    continue
                seen.add((version.type, version.id))
                if not _hearths_own_audit(version) and self._in_scope(version):
                    versions.append(version)
            at.next = _next_link(page, feed.since_param, at.since) if fresh else None
            short = None
            if at.next is not None and not same_server(at.next, self._base):
                short, at.next = _foreign_link(feed, at.next), None
            elif at.next is not None and urljoin(self._base, at.next) in followed:
                short, at.next = _looped(feed, self._base), None
            elif at.next is None and (missing := self._missing(feed, page, at, len(on_page))):
                if fresh:
                    at.next = _with_offset(first, at.got)
                else:
                    short = missing
            since = at.since if short else self._next_since(at)
            if since != at.since and (ahead := _beyond_clock(since, feed, response)):
                short, since = ahead, at.since
            cursor = asdict(at) if at.next else {"since": since, "checked": True}
            applied = self._local.apply_remote(versions, key, orjson.dumps(cursor).decode())
            report.received += applied.stored
            report.conflicts += applied.held
            if not self._merge:
                report.left_unmerged += len(applied.to_merge)
                applied.to_merge.clear()
            for change, remote in applied.to_merge:
                outcome = reconcile(self._local, change, remote)
                report.merged += outcome == "merged"
                report.conflicts += outcome == "conflict"
            if short:
                report.gaps.append(short)
            url = at.next

    def _saved_pass(self, key: str, feed: Feed, report: PullReport) -> Pass:
        """Where this feed stopped on this server; a pass whose page link leads to another
        server, or whose position is in the future, is not trusted: read again."""
        at = Pass.load(self._local.cursor(key), feed.search)
        if at.next is not None and not same_server(at.next, self._base):
            return Pass(since=at.since)
        if at.since and _instant(at.since) > datetime.now(UTC) + NO_CLOCK_SLACK:
            report.warnings.append(
                f"The saved pull position for {feed.what} was in the future ({at.since}); "
                "it was discarded and they are read again in full.")
            return Pass()
        return at

    def _missing(self, feed: Feed, page: dict, at: Pass, on_page: int) -> str | None:
        """Whether records remain after a page without a `next` link (its `total` is more
        than arrived, or it came back full): the sentence for when they cannot be had."""
        total, arrived = page.get("total"), at.got - at.repeats
        if isinstance(total, int) and not isinstance(total, bool):
            if arrived >= total:
                return None
            return (f"Of the {total} {feed.what} the server listed, it sent only {arrived} "
                    "and no way to reach the rest; they are asked for again at the next sync.")
        if on_page < self._page_size:
            return None
        return (f"The server sent a full page of {on_page} {feed.what} and no way to reach "
                "the next; the rest are asked for again at the next sync.")

    def _next_since(self, at: Pass) -> str | None:
        """Where the next pass starts: the overlap window before the later of the newest
        change seen and the server's clock when this pass began. Changes committed a moment
        late still fall inside it; an idle server is not read again and again."""
        newest = _latest(at.high, at.started)
        return _latest(at.since, newest and _server_instant(_instant(newest) - self._overlap))

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


def _hearths_own_audit(version: RemoteVersion) -> bool:
    """Hearth's uploaded audit trail (the local trail is its source); other systems'
    AuditEvents are records like any other."""
    if version.type != "AuditEvent" or version.resource is None:
        return False
    tags = version.resource.get("meta", {}).get("tag", [])
    return any(isinstance(tag, dict) and tag.get("system") == TAG_SYSTEM for tag in tags)


def _foreign_link(feed: Feed, link: str) -> str:
    return (f"The server's link to the next page of {feed.what} points to another server "
            f"({origin(link)}); Hearth does not follow it, so the rest are asked for again at "
            "the next sync.")


def _beyond_clock(since: str | None, feed: Feed, response) -> str | None:
    """The sentence when a new position is beyond the server's own clock, else None."""
    if since is None:
        return None
    try:
        clock = parsedate_to_datetime(response.headers.get("Date", ""))
        limit, said = clock + CLOCK_SLACK, f"its clock said {_server_instant(clock)}"
    except (TypeError, ValueError):
        limit, said = datetime.now(UTC) + NO_CLOCK_SLACK, "it sent no clock"
    if limit.tzinfo is None:
        limit = limit.replace(tzinfo=UTC)
    if _instant(since) <= limit:
        return None
    return (f"The server stamped {feed.what} as late as {since}, but {said}; Hearth did not "
            "move its pull position there, so they are read again at the next sync. Ask the "
            "server's administrator to check its clock.")


def _refused(feed: Feed, response, received: int) -> str:
    reason = outcome_text(maybe_json(response), response.reason_phrase or "no reason given")
    if received:
        return (f"The server refused the next page of {feed.what} (HTTP "
                f"{response.status_code}: {reason}); the rest are asked for again at the "
                "next sync.")
    return (f"The server refused to list {feed.what} (HTTP {response.status_code}: "
            f"{reason}), so none were pulled.")


def _looped(feed: Feed, base: str) -> str:
    return (f"The FHIR server at {base} linked back to a page of {feed.what} it had already "
            "sent, so Hearth stopped following its links; the rest are asked for again at the "
            "next sync.")


def _kinds(kinds: list[str], shown: int = 6) -> str:
    """"Claim", "Claim and Specimen", "Claim, Specimen, ... and 4 more types"."""
    if len(kinds) > shown:
        return f"{', '.join(kinds[:shown])} and {len(kinds) - shown} more types"
    return kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} and {kinds[-1]}"


def _versions(page: dict, search: bool) -> list[RemoteVersion]:
    """The resource versions (and deletes) a history page lists, or a search page's
    matches (not resources it includes, nor its OperationOutcome)."""
    found = []
    for entry in page.get("entry", []):
        if search and not _match(entry):
            continue
        resource = entry.get("resource")
        request, response = entry.get("request", {}), entry.get("response", {})
        if isinstance(resource, dict) and "resourceType" in resource and "id" in resource:
            found.append(remote_of(resource["resourceType"], resource["id"], resource))
        elif request.get("method") == "DELETE":
            kind, rid = _type_and_id(request.get("url") or entry.get("fullUrl", ""))
            found.append(RemoteVersion(kind, rid, version_of_etag(response.get("etag")),
                                       response.get("lastModified"), None))
    return found


def _match(entry: dict) -> bool:
    return (entry.get("search") or {}).get("mode", "match") == "match"


def _positions(page: dict, search: bool) -> int:
    """How far the page moves `_offset`: its entries, or a search page's matches."""
    entries = page.get("entry", [])
    return sum(map(_match, entries)) if search else len(entries)


def _identity(version: RemoteVersion) -> tuple:
    return version.type, version.id, version.version_id, version.last_updated


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


def _with_offset(url: str, offset: int) -> str:
    """The pass's first page moved on by `offset` entries, for a server whose page left out
    its `next` link (`_offset` is what servers that page by position understand)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode(
        {**dict(parse_qsl(parts.query)), "_offset": str(offset)})))


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
