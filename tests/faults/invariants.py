"""What must hold after any fault, checked against the store's tables and the server's data.

Each check returns sentences naming what is wrong ([] when all holds), so a campaign counts
violations and goes on instead of stopping at the first. The store is read through its
tables, not the clinical services: those would add audit rows, and an admin may not read
charts.
"""

import httpx

from app.bootstrap import Workstation
from fhir_common import fhir_json

CONTENT_TYPES = ("Patient", "Observation", "Condition", "DocumentReference")


def content(resource: dict) -> dict:
    return {k: v for k, v in resource.items() if k != "meta"}


def store_sound(admin: Workstation) -> list[str]:
    """`store check` and `audit verify`, as an admin runs them."""
    problems = [f"store check: {p}" for p in admin.check_store()]
    verification = admin.audit.verify(admin.session)
    return problems + [f"audit verify: {p}" for p in verification.problems]


def local_records(ws: Workstation) -> dict[tuple[str, str], tuple[str | None, dict]]:
    """Every live record of the campaign's types: (type, id) -> (version id, resource)."""
    marks = ", ".join("?" * len(CONTENT_TYPES))
    with ws.store.read() as conn:
        rows = conn.exec_driver_sql(
            f"SELECT type, id, version_id, json FROM resource WHERE deleted = 0 "
            f"AND type IN ({marks})", CONTENT_TYPES).all()
    return {(kind, rid): (version, fhir_json.loads(body)) for kind, rid, version, body in rows}


def waiting(ws: Workstation) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Records with outbox rows, and records with an open conflict."""
    with ws.store.read() as conn:
        outbox = {(kind, rid) for kind, rid in conn.exec_driver_sql(
            "SELECT DISTINCT type, id FROM outbox")}
        conflicts = {(kind, rid) for kind, rid in conn.exec_driver_sql(
            "SELECT type, resource_id FROM conflict WHERE resolved_at IS NULL")}
    return outbox, conflicts


def server_records(base_url: str) -> dict[tuple[str, str], dict]:
    """The server's current version of every record of the campaign's types."""
    found = {}
    with httpx.Client(base_url=base_url, timeout=30) as fhir:
        for kind in CONTENT_TYPES:
            url = f"{base_url}{kind}?_count=500"
            while url:
                page = fhir_json.loads(_ok(fhir.get(url)).content)
                for entry in page.get("entry", []):
                    resource = entry["resource"]
                    found[(kind, resource["id"])] = resource
                url = next((link["url"] for link in page.get("link", [])
                            if link["relation"] == "next"), None)
    return found


def outbox_invariant(ws: Workstation, base_url: str) -> list[str]:
    """Every local record equals the server's version it names (its version id), or waits
    in the outbox, or is in an open conflict: nothing the server lacks is marked as sent."""
    outbox, conflicts = waiting(ws)
    current = server_records(base_url)
    problems = []
    with httpx.Client(base_url=base_url, timeout=30) as fhir:
        for key, (version, local) in local_records(ws).items():
            if key in outbox or key in conflicts:
                continue
            reference = "/".join(key)
            if version is None:
                problems.append(f"{reference} was never confirmed by the server, yet nothing "
                                "is queued for it")
                continue
            on_server = current.get(key)
            if on_server is None or on_server.get("meta", {}).get("versionId") != version:
                answer = fhir.get(f"{reference}/_history/{version}")
                if answer.status_code != 200:
                    problems.append(f"{reference}: the server has no version {version} "
                                    f"(HTTP {answer.status_code}), nothing is queued")
                    continue
                on_server = fhir_json.loads(answer.content)
            if content(on_server) != content(local):
                problems.append(f"{reference} differs from the server's version {version} "
                                "and nothing is queued for it")
    return problems


def converged(ws: Workstation, base_url: str, who: str) -> list[str]:
    """After a clean sync: nothing queued but what an open conflict holds, and every record
    as the server has it now (records in an open conflict may differ, visibly)."""
    outbox, conflicts = waiting(ws)
    problems = [f"{who}: {'/'.join(k)} is still queued after a clean sync"
                for k in sorted(outbox - conflicts)]
    current = server_records(base_url)
    local = local_records(ws)
    for key in sorted(set(current) | set(local)):
        if key in conflicts:
            continue
        if key not in local:
            problems.append(f"{who}: {'/'.join(key)} is on the server but not here")
        elif key not in current:
            problems.append(f"{who}: {'/'.join(key)} is here but not on the server")
        elif content(local[key][1]) != content(current[key]):
            problems.append(f"{who}: {'/'.join(key)} differs from the server's")
    return problems


def _ok(answer: httpx.Response) -> httpx.Response:
    if answer.status_code != 200:
        raise RuntimeError(f"{answer.request.url}: HTTP {answer.status_code} {answer.text[:200]}")
    return answer
