"""A clinic's own catalogue file: a damaged file is refused with a sentence naming it and what
is wrong; a bad row is left out and named while the rest loads."""

import json
from importlib.resources import files

import pytest

from app.clinical.drugs.catalogue import load_catalogue
from app.clinical.drugs.catalogue_file import CatalogueUnusable
from app.errors import UsageError
from app.security.policy import Policy

DEFAULT = files("hearth_resources").joinpath("default-policy.json").read_text()

HEADER = {"name": "Clinic drugs", "version": "7", "source": "our pharmacy", "date": "2026-12-01",
          "licence": "ours"}
CLASSES = [{"id": "penicillin", "name": "Penicillins"}]
PENICILLIN_V = {"rxcui": "7980", "name": "penicillin V", "classes": ["penicillin"]}
TABLET = {"rxcui": "834061", "name": "Penicillin V Potassium 250 MG Oral Tablet",
          "ingredients": ["7980"]}


def write(tmp_path, content) -> str:
    path = tmp_path / "drugs.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def test_a_clinic_file_replaces_the_shipped_catalogue(tmp_path):
    path = write(tmp_path, {**HEADER, "classes": CLASSES, "ingredients": [PENICILLIN_V],
                            "products": [TABLET]})
    catalogue = load_catalogue(path)
    assert (catalogue.name, catalogue.version, catalogue.where) == ("Clinic drugs", "7", path)
    assert catalogue.classes("834061") == {"penicillin"}
    assert catalogue.drug("723") is None  # only what the clinic's file lists


def test_a_file_that_is_not_json_is_refused_with_its_name(tmp_path):
    path = write(tmp_path, '{"name": "Clinic drugs", ')
    with pytest.raises(CatalogueUnusable, match="^The drug catalogue file .*drugs.json is not "
                                                "valid JSON"):
        load_catalogue(path)


def test_a_missing_file_is_refused_with_its_name(tmp_path):
    with pytest.raises(CatalogueUnusable) as refused:
        load_catalogue(str(tmp_path / "gone.json"))
    assert refused.value.message == (f"Cannot read the drug catalogue file {tmp_path}/gone.json: "
                                     "No such file or directory.")


def test_a_file_without_its_version_is_refused(tmp_path):
    path = write(tmp_path, {**HEADER, "version": "", "classes": [], "ingredients": [],
                            "products": []})
    with pytest.raises(CatalogueUnusable) as refused:
        load_catalogue(path)
    assert refused.value.message == (f"The drug catalogue file {path} must state its name, "
                                     "version, source, date, licence; version is missing.")


def test_a_bad_row_is_named_and_left_out_while_the_rest_loads(tmp_path):
    path = write(tmp_path, {**HEADER, "classes": CLASSES, "ingredients": [
        PENICILLIN_V, {"rxcui": "5640", "name": "ibuprofen", "classes": ["nsiad"]},
        {**PENICILLIN_V, "name": "penicillin V again"}], "products": [
        TABLET, {"rxcui": "310965", "name": "Ibuprofen 200 MG Oral Tablet",
                 "ingredients": ["5640"]}]})
    catalogue = load_catalogue(path)
    assert catalogue.drug("834061").classes == {"penicillin"}
    assert catalogue.drug("5640") is None and catalogue.drug("310965") is None
    assert catalogue.drug("7980").name == "penicillin V"
    assert catalogue.problems == (
        f"The drug catalogue file {path}: ingredients row 2 (5640) names class nsiad, which "
        "the classes list lacks; that row was left out.",
        f"The drug catalogue file {path}: ingredients row 3 (7980) repeats RxCUI 7980, already "
        "penicillin V; that row was left out.",
        f"The drug catalogue file {path}: products row 2 (310965) names ingredient 5640, which "
        "the ingredients list lacks; that row was left out.")


def test_a_file_where_no_row_can_be_read_is_never_an_empty_catalogue(tmp_path):
    path = write(tmp_path, {**HEADER, "classes": CLASSES, "ingredients": [
        {"rxcui": "RX7980", "name": "penicillin V"}], "products": []})
    with pytest.raises(CatalogueUnusable) as refused:
        load_catalogue(path)
    assert refused.value.message == (
        f"The drug catalogue file {path} lists no drug that could be read: ingredients row 1 "
        "(RX7980) has an RxCUI that is not digits written as text; that row was left out.")


def test_the_policy_names_the_clinics_file_and_a_changed_file_is_read_again(tmp_path):
    path = write(tmp_path, {**HEADER, "classes": CLASSES, "ingredients": [PENICILLIN_V],
                            "products": []})
    policy = Policy.from_json(json.dumps({**json.loads(DEFAULT), "drugs": {
        "catalogue_file": path}}).encode())
    assert load_catalogue(policy.drugs.catalogue_file).version == "7"
    write(tmp_path, {**HEADER, "version": "8", "classes": CLASSES,
                     "ingredients": [PENICILLIN_V], "products": [TABLET]})
    assert load_catalogue(path).drug("834061") is not None
    assert Policy.default().drugs.catalogue_file is None
    with pytest.raises(UsageError, match="Unknown policy drugs setting"):
        Policy.from_json(json.dumps({**json.loads(DEFAULT), "drugs": {"file": path}}).encode())
