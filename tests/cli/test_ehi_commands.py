"""`hearth ehi` as a script meets it: a patient's record out, the whole store out sealed and
back into a new store, and each mistake one sentence with a non-zero exit."""

import json

import pytest

from app.cli.commands import main
from tests.clinical.ehi.ehi_ward import CHAUNCEY, build
from tests.conftest import ADMIN_PASSWORD, new_store, password_of


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    root = tmp_path_factory.mktemp("ehi-cli") / "store"
    return build(root), root


def hearth(clinic, monkeypatch, *args: str, user: str = "doc") -> int:
    env, root = clinic
    monkeypatch.setenv("HEARTH_PASSWORD", ADMIN_PASSWORD if user == "admin"
                       else password_of(user))
    try:
        return main(["--store", str(root), "--user", user, *args], env=env)
    except SystemExit as parsed:
        return parsed.code


@pytest.fixture
def passphrase(tmp_path):
    path = tmp_path / "passphrase.txt"
    path.write_text("staple battery horse correct\n")
    return path


def test_export_writes_the_patients_bundle_and_says_so(clinic, monkeypatch, capsys, tmp_path):
    out = tmp_path / "chauncey.json"
    assert hearth(clinic, monkeypatch, "ehi", "export", CHAUNCEY, "--output", str(out)) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Wrote the record of Johnston, Chauncey to {out}: ")
    assert json.loads(out.read_bytes())["type"] == "collection"


def test_the_sealed_store_comes_back_into_a_new_store(clinic, monkeypatch, capsys, tmp_path,
                                                      passphrase):
    sealed = tmp_path / "clinic.ndjson.enc"
    assert hearth(clinic, monkeypatch, "--json", "ehi", "export-all", "--output", str(sealed),
                  "--passphrase-file", str(passphrase), user="admin") == 0
    written = json.loads(capsys.readouterr().out)
    assert written["patients"] == 2 and b"Chauncey" not in sealed.read_bytes()
    env, _ = new_store(tmp_path / "new", {})
    assert hearth((env, tmp_path / "new"), monkeypatch, "ehi", "import", str(sealed),
                  "--passphrase-file", str(passphrase), user="admin") == 0
    assert capsys.readouterr().out == (
        f"Imported {written['records']} records from clinic.ndjson.enc (0 already here, "
        "unchanged); 0 audit trail entries of the exporting store were left in the file.\n")


def test_a_wrong_passphrase_is_one_sentence(clinic, monkeypatch, capsys, tmp_path, passphrase):
    sealed = tmp_path / "clinic.enc"
    assert hearth(clinic, monkeypatch, "ehi", "export-all", "--output", str(sealed),
                  "--passphrase-file", str(passphrase), user="admin") == 0
    passphrase.write_text("not the passphrase at all\n")
    capsys.readouterr()
    assert hearth(clinic, monkeypatch, "ehi", "import", str(sealed), "--passphrase-file",
                  str(passphrase), user="admin") == 2
    assert capsys.readouterr().err == ("hearth: Missing or invalid input: That passphrase does "
                                       "not open clinic.enc; nothing was imported. Check the "
                                       "passphrase file.\n")


@pytest.mark.parametrize(("args", "user", "status", "said"), [
    (("export-all", "--output", "{tmp}/x.enc", "--passphrase-file", "{tmp}/empty.txt"),
     "admin", 2, "Missing or invalid input: The passphrase file {tmp}/empty.txt is empty: its "
                 "first line is the passphrase."),
    (("export-all", "--output", "{tmp}/x.enc", "--passphrase-file", "{tmp}/none.txt"),
     "admin", 2, "Missing or invalid input: Cannot read the passphrase file {tmp}/none.txt: No "
                 "such file or directory."),
    (("export-all", "--output", "{tmp}/x.enc", "--passphrase-file", "{tmp}/empty.txt"),
     "nina", 4, "Not permitted: Nina Nurse (nina) is signed in as nurse and may not export every "
                "record of the store, sealed under a passphrase."),
    (("export", "nobody", "--output", "{tmp}/x.json"), "doc", 1,
     "Not found: There is no patient nobody; nothing was exported."),
])
def test_a_mistake_is_one_sentence_and_no_file(clinic, monkeypatch, capsys, tmp_path, args,
                                               user, status, said):
    (tmp_path / "empty.txt").write_text("")
    given = [a.format(tmp=tmp_path) for a in args]
    assert hearth(clinic, monkeypatch, "ehi", *given, user=user) == status
    assert capsys.readouterr().err == f"hearth: {said.format(tmp=tmp_path)}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.txt"]
