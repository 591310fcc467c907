"""An EHI export comes back into an empty store record for record: the same ids and the same
JSON (decimals to the digit, extensions, an element R4 does not define), or not at all."""

import pytest

from app.bootstrap import open_workstation
from app.clinical.ehi.digest import DIGEST, with_digest
from app.clinical.ehi.export import AUDIT_TRAIL, PatientExport
from app.clinical.ehi.reimport import EhiImport, Refused, canonical
from app.clinical.ehi.store_export import StoreExport
from app.errors import PermissionDenied, UsageError
from fhir_common import fhir_json
from tests.clinical.ehi.ehi_ward import CHAUNCEY, LIZ, build
from tests.conftest import ADMIN_PASSWORD, TEST_POLICY, new_store, password_of

PASSPHRASE = "staple battery horse correct"
EVERY = "SELECT type, id, json FROM resource WHERE deleted = 0"
WHOLE_STORE_DISCLOSURES = ("SELECT user, patient FROM audit WHERE action = 'export' AND "
                           "detail LIKE 'disclosure: whole-store EHI export%' ORDER BY patient")


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """The source store, Chauncey's Bundle and the whole store sealed."""
    root = tmp_path_factory.mktemp("ehi-source") / "store"
    env = build(root)
    out = tmp_path_factory.mktemp("ehi-files")
    doc = open_workstation(env, root, "doc", password_of("doc"))
    admin = open_workstation(env, root, "admin", ADMIN_PASSWORD)
    try:
        PatientExport(doc.store).export(doc.session, CHAUNCEY, out / "chauncey.json")
        StoreExport(admin.store, TEST_POLICY.kdf).export(admin.session, out / "clinic.enc",
                                                         PASSPHRASE)
        with admin.store.read() as conn:
            source = stored(conn)
            disclosed = conn.exec_driver_sql(WHOLE_STORE_DISCLOSURES).all()
    finally:
        doc.close()
        admin.close()
    return source, out / "chauncey.json", out / "clinic.enc", disclosed


def without_digest(text: bytes) -> dict:
    bundle = fhir_json.loads(text)
    bundle["meta"]["extension"] = [e for e in bundle["meta"]["extension"] if e["url"] != DIGEST]
    return bundle


def stored(conn) -> dict[tuple[str, str], bytes]:
    return {(kind, rid): canonical(fhir_json.loads(body))
            for kind, rid, body in conn.exec_driver_sql(EVERY)}


@pytest.fixture
def new_clinic(keyring_session, tmp_path):
    """A new store with only its admin and a biller: the environment and its folder."""
    env, _ = new_store(tmp_path / "empty", {"bill": ("Bea Biller", "billing")})
    return env, tmp_path / "empty"


@pytest.fixture
def empty(new_clinic):
    """The new store's admin, signed in."""
    admin = open_workstation(*new_clinic, "admin", ADMIN_PASSWORD)
    yield admin
    admin.close()


def test_a_patients_bundle_comes_back_exactly_into_an_empty_store(clinic, empty):
    source, bundle, _, _ = clinic
    sent = [e["resource"] for e in fhir_json.loads(bundle.read_bytes())["entry"]]
    records = [r for r in sent if AUDIT_TRAIL not in r.get("meta", {}).get("tag", [])]
    done = EhiImport(empty.store).run(empty.session, bundle)
    with empty.store.read() as conn:
        arrived = stored(conn)
    assert (done.imported, done.audit_entries) == (len(records), len(sent) - len(records))
    assert arrived == {(r["resourceType"], r["id"]): source[(r["resourceType"], r["id"])]
                       for r in records}
    assert b'"value":1.50' in arrived[("Observation", "server-potassium")]


def test_the_sealed_store_comes_back_record_for_record(clinic, empty):
    source, _, sealed, _ = clinic
    done = EhiImport(empty.store).run(empty.session, sealed, PASSPHRASE)
    with empty.store.read() as conn:
        assert stored(conn) == source
    assert done.imported == len(source) and done.audit_entries == 0


def test_the_sealed_export_is_a_disclosure_of_every_patient(clinic):
    assert clinic[3] == [("admin", CHAUNCEY), ("admin", LIZ)]


def test_importing_it_again_changes_nothing(clinic, empty):
    _, bundle, _, _ = clinic
    first = EhiImport(empty.store).run(empty.session, bundle)
    again = EhiImport(empty.store).run(empty.session, bundle)
    assert (again.imported, again.unchanged) == (0, first.imported)


def test_a_record_here_with_other_content_refuses_the_whole_file(clinic, empty, tmp_path):
    _, bundle, _, _ = clinic
    EhiImport(empty.store).run(empty.session, bundle)
    with empty.store.read() as conn:
        before = stored(conn)
    changed = tmp_path / "changed.json"  # changed, then given a digest of its own
    changed.write_bytes(fhir_json.dumps(with_digest(without_digest(
        bundle.read_bytes().replace(b'"value":1.50', b'"value":1.5')))))
    with pytest.raises(Refused, match="^Nothing was imported from changed.json: Observation/"
                                      r"server-potassium \(entry \d+\) is already in this "
                                      "store with different content"):
        EhiImport(empty.store).run(empty.session, changed)
    with empty.store.read() as conn:
        assert stored(conn) == before


def test_a_bundle_changed_after_export_is_refused_by_its_digest(clinic, empty, tmp_path):
    _, bundle, _, _ = clinic
    changed = tmp_path / "changed.json"
    changed.write_bytes(bundle.read_bytes().replace(b'"value":1.50', b'"value":1.6'))
    with pytest.raises(Refused, match="^Nothing was imported from changed.json: its content "
                                      "is not what was exported: the SHA-256 digest"):
        EhiImport(empty.store).run(empty.session, changed)
    with empty.store.read() as conn:
        assert not [key for key in stored(conn) if key[0] == "Patient"]  # nothing came in


def test_a_bundle_without_a_digest_comes_in_and_says_it_was_not_verified(
        clinic, empty, tmp_path):
    _, bundle, _, _ = clinic
    bare = tmp_path / "bare.json"
    bare.write_bytes(fhir_json.dumps(without_digest(bundle.read_bytes())))
    done = EhiImport(empty.store).run(empty.session, bare)
    assert done.imported > 0 and done.unverified == (
        "bare.json: it carries no SHA-256 digest, so whether it changed since export cannot "
        "be told.")


def test_a_wrong_passphrase_is_refused_with_a_sentence(clinic, empty):
    _, _, sealed, _ = clinic
    with pytest.raises(UsageError, match="^That passphrase does not open clinic.enc; "
                                         "nothing was imported"):
        EhiImport(empty.store).run(empty.session, sealed, "staple battery horse wrong")
    with empty.store.read() as conn:
        assert stored(conn) == {}


def test_a_sealed_file_cut_short_is_refused_and_nothing_comes_in(clinic, empty, tmp_path):
    _, _, sealed, _ = clinic
    cut = tmp_path / "cut.enc"
    cut.write_bytes(sealed.read_bytes()[:-100])
    with pytest.raises(UsageError, match="^cut.enc is damaged or cut short"):
        EhiImport(empty.store).run(empty.session, cut, PASSPHRASE)
    with empty.store.read() as conn:
        assert stored(conn) == {}


def test_a_sealed_file_without_its_passphrase_says_how_to_give_it(clinic, empty):
    _, _, sealed, _ = clinic
    with pytest.raises(UsageError, match="clinic.enc is a sealed export: give its passphrase "
                                         "with --passphrase-file FILE"):
        EhiImport(empty.store).run(empty.session, sealed)


def test_only_the_admin_exports_the_whole_store_and_imports(clinic, new_clinic, tmp_path):
    _, bundle, _, _ = clinic
    bill = open_workstation(*new_clinic, "bill", password_of("bill"))
    try:
        with pytest.raises(PermissionDenied, match="may not export every record of the store"):
            StoreExport(bill.store, TEST_POLICY.kdf).export(bill.session, tmp_path / "x.enc",
                                                            PASSPHRASE)
        with pytest.raises(PermissionDenied, match="may not import records"):
            EhiImport(bill.store).run(bill.session, bundle)
    finally:
        bill.close()
    assert not (tmp_path / "x.enc").exists()


def test_a_short_passphrase_is_refused_before_anything_is_written(empty, tmp_path):
    with pytest.raises(UsageError, match="^The passphrase is 5 characters long; an export of "
                                         "the whole store needs at least 12"):
        StoreExport(empty.store, TEST_POLICY.kdf).export(empty.session, tmp_path / "x.enc",
                                                         "short")
    assert list(tmp_path.glob("*.enc")) == []


@pytest.mark.parametrize(("lines", "said"), [
    ([b'{"resourceType": "Patient", "id": "p1", "gender": "female"}',
      b'{"resourceType": "Patient", "id": "p1", "gender": "male"}'],
     r"Patient/p1 is in the file twice with different content \(line 1 and line 2\)"),
    ([b'{"resourceType": "Patient", "id": "p1"}', b'{"resourceType": "Patient", "id": '],
     "line 2 is not valid JSON"),
    ([b'{"resourceType": "Patient", "id": "p1", "gender": 7}'],
     r"Patient/p1 \(line 1\) is not a record Hearth can store: "),
])
def test_a_file_that_cannot_come_in_whole_brings_nothing(empty, tmp_path, lines, said):
    path = tmp_path / "records.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(Refused, match=f"^Nothing was imported from records.ndjson: {said}"):
        EhiImport(empty.store).run(empty.session, path)
    with empty.store.read() as conn:
        assert stored(conn) == {}
