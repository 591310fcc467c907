"""Workstations for sync tests: each its own encrypted store with a physician signed in."""

from pathlib import Path

from app.bootstrap import SyncSettings, Workstation, init_store, open_workstation

PASSWORD = "physician pass 1"


def workstation(env, root: Path, name: str = "pat", role: str = "physician") -> Workstation:
    """A new store at `root` whose admin adds one user, signed in as that user."""
    init_store(env, root, "admin", "Ada Admin", "admin pass 12")
    admin = open_workstation(env, root, "admin", "admin pass 12")
    admin.users.add(admin.session, name, name.title(), role, PASSWORD)
    admin.store.close()
    return open_workstation(env, root, name, PASSWORD)


def sync(ws: Workstation, server) -> object:
    """One full cycle against the server; the report."""
    engine = ws.sync_engine(SyncSettings(server.base_url))
    try:
        return engine.run_once()
    finally:
        engine.transport.close()


def patient(family: str, given: str = "Ann", **fields) -> dict:
    return {"resourceType": "Patient", "name": [{"family": family, "given": [given]}],
            "birthDate": "1980-03-14", **fields}
