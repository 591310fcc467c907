"""The HL7 R4 examples imported on workstation A, sent to a real FHIR server, pulled by
workstation B: every record arrives JSON-equal, none is duplicated, the counts per type
match, and whatever the server refused is set aside on A with its reason, never lost.

A small copy of eleven examples runs always; the 700 examples in ../shared run where that
folder exists. `-s` prints the per-type table (sent, on B, equal, differing and why).
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from app.bootstrap import open_workstation
from fhir_common import fhir_json
from sync.audit_events import TAG_SYSTEM
from tests.sync.stations import sync, workstation

SMALL = Path(__file__).resolve().parents[1] / "data" / "fhir-r4-examples"
ALL = Path(__file__).resolve().parents[3] / "shared" / "data" / "fhir-r4-examples"


@dataclass
class RoundTrip:
    sent: Counter = field(default_factory=Counter)  # records A holds, by type
    refused: dict[str, str] = field(default_factory=dict)  # "Type/id": the server's reason
    on_b: Counter = field(default_factory=Counter)
    equal: int = 0
    byte_equal: int = 0
    differing: dict[str, str] = field(default_factory=dict)  # "Type/id": the first difference
    on_server: Counter = field(default_factory=Counter)
    duplicated: Counter = field(default_factory=Counter)

    def table(self) -> str:
        lines = [f"{'type':32} sent  on B  on server  refused"]
        for kind in sorted(self.sent):
            refused = sum(key.startswith(f"{kind}/") for key in self.refused)
            lines.append(f"{kind:32} {self.sent[kind]:4}  {self.on_b[kind]:4}  "
                         f"{self.on_server[kind]:9}  {refused:7}")
        lines.append(f"sent {sum(self.sent.values())}, on B {sum(self.on_b.values())}, "
                     f"JSON-equal {self.equal}, byte-equal {self.byte_equal}, "
                     f"differing {len(self.differing)}, refused {len(self.refused)}")
        lines += [f"refused {key}: {why[:160]}" for key, why in sorted(self.refused.items())]
        lines += [f"differs {key}: {why}" for key, why in sorted(self.differing.items())]
        return "\n".join(lines)


def round_trip(env, tmp_path: Path, base_url: str, source: Path) -> RoundTrip:
    a, b = workstation(env, tmp_path / "a"), workstation(env, tmp_path / "b")
    admin = open_workstation(env, tmp_path / "a", "admin", "admin pass 12")
    try:
        admin.importer.run(admin.session, [source])
        server = type("Server", (), {"base_url": base_url})
        sync(a, server)
        sync(a, server)  # what the first pull merged goes back
        sync(b, server)
        on_a = stored(a)
        kinds = {key.split("/")[0] for key in on_a}
        return compare(on_a, stored(b), refused(a), server_counts(base_url, kinds))
    finally:
        for ws in (admin, a, b):
            ws.store.close()


def stored(ws) -> dict[str, dict]:
    with ws.store.read() as conn:
        rows = conn.exec_driver_sql("SELECT type, id, json FROM resource WHERE deleted = 0")
        return {f"{kind}/{rid}": fhir_json.loads(body) for kind, rid, body in rows}


def refused(ws) -> dict[str, str]:
    with ws.store.read() as conn:
        rows = conn.exec_driver_sql("SELECT type, resource_id, reason FROM conflict "
                                    "WHERE kind = 'rejected' AND resolved_at IS NULL")
        return {f"{kind}/{rid}": reason for kind, rid, reason in rows}


def server_counts(base_url: str, kinds: set[str]) -> dict[str, list[str]]:
    """Every id the server holds of these types, read page by page."""
    found: dict[str, list[str]] = {}
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for kind in sorted(kinds):
            url, offset = f"{kind}?_count=500", 0
            while url:
                page = client.get(url).json()
                ids = [e["resource"]["id"] for e in page.get("entry", [])
                       if "resource" in e and not hearth_audit_trail(e["resource"])]
                found.setdefault(kind, []).extend(ids)
                url = next((link["url"] for link in page.get("link", [])
                            if link.get("relation") == "next"), None)
                offset += len(page.get("entry", []))
                if url is None and ids and page.get("total", 0) > offset:
                    url = f"{kind}?_count=500&_offset={offset}"
    return found


def hearth_audit_trail(resource: dict) -> bool:
    """An AuditEvent Hearth uploaded from a workstation's own trail (not an imported one)."""
    return any(tag.get("system") == TAG_SYSTEM for tag in resource.get("meta", {}).get("tag", []))


def compare(on_a: dict, on_b: dict, set_aside: dict, on_server: dict) -> RoundTrip:
    trip = RoundTrip(refused=set_aside)
    for key, resource in on_a.items():
        kind = key.split("/")[0]
        trip.sent[kind] += 1
        if key not in on_b:
            if key not in set_aside:
                trip.differing[key] = "not on B, and not set aside as refused on A"
            continue
        trip.on_b[kind] += 1
        ours, theirs = content(resource), content(on_b[key])
        if ours == theirs:
            trip.equal += 1
            trip.byte_equal += fhir_json.dumps(ours) == fhir_json.dumps(theirs)
        else:
            trip.differing[key] = first_difference(ours, theirs)
    for kind, ids in on_server.items():
        trip.on_server[kind] = len(ids)
        trip.duplicated[kind] = len(ids) - len(set(ids))
    return trip


def content(resource: dict) -> dict:
    """The record without the stamps each side sets (version and time of the copy)."""
    meta = {k: v for k, v in resource.get("meta", {}).items()
            if k not in ("versionId", "lastUpdated")}
    body = {k: v for k, v in resource.items() if k != "meta"}
    return {**body, "meta": meta} if meta else body


def first_difference(ours, theirs, path: str = "") -> str:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(ours.keys() | theirs.keys()):
            if ours.get(key) != theirs.get(key):
                return first_difference(ours.get(key), theirs.get(key), f"{path}.{key}")
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        for i, (o, t) in enumerate(zip(ours, theirs, strict=True)):
            if o != t:
                return first_difference(o, t, f"{path}[{i}]")
    return f"{path or 'resource'}: {str(ours)[:80]!s} became {str(theirs)[:80]!s}"


def check(trip: RoundTrip) -> None:
    print(trip.table())
    assert sum(trip.sent.values()) > 0
    assert trip.differing == {}
    assert +trip.duplicated == Counter()
    for kind, sent in trip.sent.items():
        arrived = sent - sum(key.startswith(f"{kind}/") for key in trip.refused)
        assert (trip.on_b[kind], trip.on_server[kind]) == (arrived, arrived), kind


def test_a_few_hl7_examples_arrive_whole_on_the_other_workstation(env, tmp_path, any_fhir_server):
    check(round_trip(env, tmp_path, any_fhir_server.base_url, SMALL))


@pytest.mark.slow
@pytest.mark.skipif(not ALL.is_dir(), reason=f"{ALL} is absent (the shared data sets)")
def test_all_hl7_examples_arrive_whole_on_the_other_workstation(env, tmp_path, any_fhir_server):
    check(round_trip(env, tmp_path, any_fhir_server.base_url, ALL))
