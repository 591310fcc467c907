"""The policy's documents cannot drift from the loader: every key it knows is in the schema,
the template (with the packaged default's value) and docs/policy.md, and the schema's
bounds and choices are the loader's own."""

from pathlib import Path

import orjson
import pytest

from app.security.access_policy import ROLE_NAMES
from app.security.mfa_policy import UNLOCK_RULES
from app.security.policy import (
    SAFETY_TIERS,
    UNIT_SYSTEMS,
    VITAL_KEYS,
    Policy,
    packaged_values,
)
from app.security.policy_faults import file_faults, schema
from app.security.policy_rules import BOUNDS, _settings, leaves
from app.security.roles import Role

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "packaging" / "policy" / "policy-template.json"


def schema_keys(node=None, path=()) -> dict[str, dict]:
    """Each setting the schema describes, by dotted key (vitals.max_change as one)."""
    node = schema() if node is None else node
    if "$ref" in node:
        node = {**schema()["$defs"][node["$ref"].rsplit("/", 1)[1]], **node}
    if node.get("type") == "object" and path != ("vitals", "max_change"):
        found = {}
        for key, inner in node["properties"].items():
            found.update(schema_keys(inner, path + (key,)))
        return found
    return {".".join(path): node}


def test_the_schema_describes_every_key_the_loader_knows_and_no_other():
    loader = {name for name, _, _ in _settings(Policy.default())}
    assert set(schema_keys()) == loader


def test_every_schema_key_has_a_description():
    assert [key for key, node in schema_keys().items() if not node.get("description")] == []


def test_the_template_holds_every_key_with_the_packaged_default_and_is_valid():
    template = orjson.loads(TEMPLATE.read_bytes())
    assert template == packaged_values()
    assert {".".join(path) for path in leaves(template)} == set(schema_keys())
    assert file_faults(TEMPLATE.read_bytes()).faults == []


def test_docs_policy_names_every_key():
    page = (ROOT / "docs" / "policy.md").read_text()
    assert [key for key in schema_keys() if f"| `{key}` |" not in page] == []


def test_the_packaged_schema_is_the_one_in_packaging():
    shipped = ROOT / "resources" / "policy.schema.json"
    assert (ROOT / "packaging" / "policy" / "policy.schema.json").read_bytes() == \
        shipped.read_bytes()


@pytest.mark.parametrize("key", sorted(BOUNDS))
def test_the_schema_bounds_are_the_security_floors_and_ceilings(key):
    node = schema_keys()[key]
    assert (node["minimum"], node["maximum"]) == BOUNDS[key]


def test_the_schema_choices_are_the_loaders():
    keys = schema_keys()
    assert keys["vitals.units"]["enum"] == list(UNIT_SYSTEMS)
    assert keys["safety.interrupt_at"]["enum"] == list(SAFETY_TIERS)
    assert keys["mfa.at_unlock"]["enum"] == list(UNLOCK_RULES)
    assert schema()["$defs"]["role"]["enum"] == list(ROLE_NAMES) == [str(r) for r in Role]
    readings = schema()["properties"]["vitals"]["properties"]["max_change"]["properties"]
    assert list(readings) == list(VITAL_KEYS)
