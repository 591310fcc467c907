"""The knowledge pack: the shipped one whole and cited, a malformed row named while the rest
loads, a damaged file said in a sentence, a clinic's pack used beside or instead of it."""

import json
from datetime import date
from pathlib import Path

import pytest

from app.clinical.drugs.catalogue import load_catalogue
from app.clinical.safety.pack import PackDamaged, parse
from app.clinical.safety.packs import install, load_knowledge, shipped_path

HEADER = {"name": "Clinic pack", "version": "3", "published": "2026-01-01",
          "source": "Clinic pharmacy", "review_by": "2030-01-01"}
RULE = {"id": "r1", "a": {"label": "warfarin", "ingredients": ["11289"]},
        "b": {"label": "NSAIDs", "classes": ["nsaid"]}, "severity": "major",
        "effect": "Bleeding.", "source": "Clinic pharmacy 2026"}


def pack_file(tmp_path: Path, rules: list, **header) -> Path:
    path = tmp_path / "pack.json"
    path.write_text(json.dumps({"pack": {**HEADER, **header}, "interactions": rules}))
    return path


def test_the_shipped_pack_covers_the_onc_list_each_rule_cited():
    [pack] = load_knowledge(None).packs
    onc = [r for r in pack.interactions if r.id.startswith("onc-")]
    assert len(onc) == 15 and all("Phansalkar S" in r.source for r in onc)
    assert all(r.source for r in pack.allergy_groups + pack.duplicates)
    assert pack.problems == () and load_knowledge(None).status.state == "ok"


def test_the_shipped_pack_names_only_classes_and_ingredients_the_catalogue_has():
    catalogue = load_catalogue()
    [pack] = load_knowledge(None).packs
    groups = [g for r in pack.interactions for g in (r.a, r.b)] + [
        g for r in pack.allergy_groups for g in (r.allergy, r.alerts)]
    unknown = {c for g in groups for c in g.classes if catalogue.class_name(c) is None}
    unknown |= {r.drug_class for r in pack.duplicates
                if r.drug_class and catalogue.class_name(r.drug_class) is None}
    assert unknown == set()


def test_a_malformed_row_is_named_and_the_rest_loads(tmp_path):
    bad = {**RULE, "id": "r2", "severity": "severe"}
    path = pack_file(tmp_path, [RULE, bad, "not a rule"])
    knowledge = load_knowledge(None, shipped=path)
    [pack] = knowledge.packs
    assert [r.id for r in pack.interactions] == ["r1"]
    assert pack.problems == (
        f"{path} interactions row 2 (r2): its severity is 'severe'; use one of "
        "contraindicated, major, moderate, minor",
        f"{path} interactions row 3: it is not a JSON object")
    assert knowledge.status.state == "partial" and knowledge.status.can_check
    assert knowledge.status.sentence.startswith(
        "2 rule(s) of the pack 'Clinic pack' version 3 could not be read and were left out")


def test_a_damaged_pack_is_said_and_no_check_can_run(tmp_path):
    path = tmp_path / "pack.json"
    path.write_bytes(b'{"pack": {"name": "half')
    status = load_knowledge(None, shipped=path).status
    assert (status.state, status.can_check) == ("damaged", False)
    assert status.sentence.startswith(f"The medication safety pack is damaged, so its rules "
                                      f"were not used: {path} is not valid JSON")
    with pytest.raises(PackDamaged, match="the pack header has no review_by"):
        parse(json.dumps({"pack": {**HEADER, "review_by": ""}}).encode(), "x.json")


def test_a_clinic_pack_is_used_beside_the_shipped_one_or_in_its_place(tmp_path):
    store = tmp_path / "store"
    install(pack_file(tmp_path, [RULE]).read_bytes(), store, "pack.json")
    assert [p.name for p in load_knowledge(store).packs] == [
        "Clinic pack", "Hearth high-priority interactions and allergy groups"]
    pack, target = install(pack_file(tmp_path, [RULE], replaces_shipped=True).read_bytes(),
                           store, "pack.json")
    assert target == store / "knowledge" / "safety" / "clinic-pack.json"
    assert [p.name for p in load_knowledge(store).packs] == ["Clinic pack"]
    assert load_knowledge(store, today=date(2031, 1, 1)).status.state == "outdated"
    install(pack_file(tmp_path, [RULE]).read_bytes(), store, "pack.json")
    beside = load_knowledge(store, shipped=tmp_path / "removed.json").status
    assert (beside.state, beside.can_check) == ("damaged", True)
    assert beside.sentence.endswith(f"The shipped pack {tmp_path / 'removed.json'} is "
                                    "missing; only the clinic's packs were used.")


def test_a_pack_with_no_readable_rule_is_not_installed(tmp_path):
    with pytest.raises(PackDamaged, match="holds no rule that could be read: .* row 1"):
        install(pack_file(tmp_path, [{**RULE, "effect": ""}]).read_bytes(), tmp_path, "p.json")
    assert not (tmp_path / "knowledge").exists() and shipped_path().exists()
