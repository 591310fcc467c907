"""The conflict comparison a person decides on, without a window: which fields differ, which
are theirs to choose, and the reason in words (app.clinical.sync.conflict_diff)."""

from app.clinical.sync.conflict_diff import differences, reason_text
from app.clinical.sync.conflicts import Conflict, merge_draft

BASE = {"resourceType": "Patient", "id": "p1", "name": [{"family": "Okafor", "given": ["Ann"]}],
        "birthDate": "1980-03-14"}


def conflict(local: dict | None, remote: dict | None, base: dict | None,
             kind: str = "edit", origin: str = "sync") -> Conflict:
    return Conflict(1, "Patient", "p1", kind, "test", local, remote, base, "2",
                    "2025-03-01T10:00:00+00:00", None, None, None, origin=origin)


def test_only_the_clash_is_to_choose_and_my_other_change_is_kept_either_way():
    mine = {**BASE, "birthDate": "1981-03-14", "gender": "female"}
    server = {**BASE, "birthDate": "1980-03-15", "meta": {"versionId": "2"}}
    assert [(d.path, d.mine, d.server, d.base, d.conflicting, d.change)
            for d in differences(conflict(mine, server, BASE))] == [
        ("birthDate", "1981-03-14", "1980-03-15", "1980-03-14", True, "Both changed: choose"),
        ("gender", "female", "(not set)", "(not set)", False, "Changed here: kept either way")]
    assert reason_text(conflict(mine, server, BASE)) == (
        "Changed here and on the server: birthDate")


def test_the_merge_draft_keeps_the_servers_side_of_a_clash_and_my_other_changes():
    mine = {**BASE, "birthDate": "1981-03-14", "gender": "female"}
    server = {**BASE, "birthDate": "1980-03-15", "meta": {"versionId": "2"}}
    draft = merge_draft(conflict(mine, server, BASE))
    assert (draft["birthDate"], draft["gender"], draft["meta"]) == (
        "1980-03-15", "female", {"versionId": "2"})


def test_a_record_deleted_on_the_server_differs_as_a_whole():
    rows = differences(conflict({**BASE, "gender": "male"}, None, BASE, kind="deleted"))
    assert rows and all(row.conflicting and row.server == "(deleted)" for row in rows)
    assert merge_draft(conflict(BASE, None, BASE, kind="deleted")) == BASE


def test_a_new_record_refused_by_the_server_shows_nothing_before_it():
    rows = differences(conflict({"resourceType": "Patient", "id": "p1"}, None, None,
                                kind="rejected"))
    assert [(row.path, row.mine, row.server, row.base) for row in rows] == [
        ("resourceType", "Patient", "(not on the server)", "(new record)"),
        ("id", "p1", "(not on the server)", "(new record)")]
    assert reason_text(conflict(BASE, None, None, kind="rejected")) == "Test"
