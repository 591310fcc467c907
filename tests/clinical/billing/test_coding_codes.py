"""The billing code sets: the shipped HCPCS Level II and place-of-service files state their
source and hold only well-formed public codes (never a CPT code: the AMA's, licensed); the
clinic's CPT file is imported with bad rows named; a diagnosis must be billable."""

from importlib.resources import files

import orjson
import pytest

from app.clinical.billing import codes
from app.clinical.billing.codes import CodingRefused, import_cpt, parse_cpt
from app.clinical.records import Records
from app.errors import UsageError


@pytest.mark.parametrize("name", ["hcpcs-level2.json", "place-of-service.json"])
def test_shipped_code_sets_state_their_source_and_hold_no_cpt(name):
    shipped = orjson.loads(files("hearth_resources.billing").joinpath(name).read_bytes())
    assert "cms.gov" in shipped["source"] and shipped["date"] and shipped["version"]
    found = [row["code"] for row in shipped["codes"]]
    assert len(found) == len(set(found))
    assert not [c for c in found if codes.CPT_SHAPE.fullmatch(c)]
    shape = codes.HCPCS_SHAPE if name.startswith("hcpcs") else codes.re.compile("[0-9]{2}")
    assert [c for c in found if not shape.fullmatch(c)] == []


def test_the_annual_wellness_and_vaccine_codes_ship():
    assert {"G0438", "G0439", "G0008", "G0009"} <= codes.hcpcs().keys()
    assert codes.place_of_service("2") == "Telehealth Provided Other than in Patient's Home"


def test_a_heading_is_not_a_diagnosis_a_claim_can_carry():
    with pytest.raises(CodingRefused, match=r"^E11 \(Type 2 diabetes mellitus\) is a heading, "
                                            r"not a billable code; choose a more specific one, "
                                            r"such as E11\.8, E11\.9, E11\.A\.$"):
        codes.diagnosis("e11")
    assert codes.diagnosis("e119") == ("E11.9", "Type 2 diabetes mellitus without "
                                                "complications")


def test_a_code_of_neither_shape_is_refused():
    with pytest.raises(CodingRefused, match="^ZZ1 is neither a HCPCS Level II code"):
        codes.service("zz1", None, {})


def test_the_cpt_file_names_bad_rows_and_keeps_the_good():
    found, problems = parse_cpt(b'code,description\n99213,"Office visit, established"\n'
                                b"99213,again\n1234,short\n99214,\n", "cpt.csv")
    assert found == {"99213": "Office visit, established"}
    assert problems == ["row 3: 99213 is listed twice; the first was kept",
                        "row 4: '1234' is not a CPT code", "row 5: 99214 has no description"]


def test_a_cpt_file_without_one_good_row_installs_nothing(admin, tmp_path):
    source = tmp_path / "cpt.csv"
    source.write_text("not,a code\n")
    with pytest.raises(UsageError, match="holds no row of a CPT code"):
        import_cpt(Records(admin.store), admin.session, source, admin.store.paths.root)
    assert not codes.cpt_path(admin.store.paths.root).exists()
    source.write_text("99213,Office visit\n")
    assert import_cpt(Records(admin.store), admin.session, source,
                      admin.store.paths.root)[0] == 1
    assert codes.clinic_cpt(admin.store.paths.root) == {"99213": "Office visit"}
