"""docs/compliance.md stays true: every criterion is there and every test it names exists.

The page is what a clinic or an assessor reads for ONC 170.315(d) and HIPAA 164.312, so a
test renamed or removed must not leave it pointing at nothing. Each criterion is a `###`
heading; it must name at least one test as `tests/path/test_file.py::test_name` (a
parametrized id in brackets allowed) or say on its Status line that it is an attestation or
not applicable.
"""

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MATRIX = ROOT / "docs" / "compliance.md"

ONC = tuple(f"170.315(d)({n})" for n in range(1, 14))
HIPAA = tuple(f"164.312{part}" for part in (
    "(a)(1)", "(a)(2)(i)", "(a)(2)(ii)", "(a)(2)(iii)", "(a)(2)(iv)", "(b)", "(c)(1)", "(c)(2)",
    "(d)", "(e)(1)", "(e)(2)(i)", "(e)(2)(ii)"))

HEADING = re.compile(r"^### ((?:170\.315|164\.312)(?:\([a-z0-9]+\))+)", re.MULTILINE)
TEST_ID = re.compile(r"`(tests/[\w/]+\.py)::(\w+(?:::\w+)?)(\[[^\]`]*\])?`")
STATUS = re.compile(r"^\*\*Status:\*\*(.*)$", re.MULTILINE)


def sections(text: str) -> dict[str, str]:
    """Each criterion's text, from its heading to the next heading."""
    found = list(HEADING.finditer(text))
    ends = [m.start() for m in found[1:]] + [len(text)]
    return {m.group(1): text[m.end():end] for m, end in zip(found, ends, strict=True)}


@cache
def _functions(path: Path) -> dict[str, ast.AST]:
    """Test functions by name: `name` at module level, `Class::name` inside a class."""
    tree = ast.parse(path.read_text())
    named: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            named[node.name] = node
        elif isinstance(node, ast.ClassDef):
            named.update({f"{node.name}::{f.name}": f for f in node.body
                          if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)})
    return named


def _parametrized(function: ast.AST) -> bool:
    return any("parametrize" in ast.unparse(d) for d in function.decorator_list)


def missing_tests(text: str, root: Path = ROOT) -> list[str]:
    """Each test the text names that is not there, saying what is wrong with it."""
    problems = []
    for match in TEST_ID.finditer(text):
        path, name, params = match.groups()
        where = f"{path}::{name}{params or ''}"
        if not (root / path).is_file():
            problems.append(f"{where}: no file {path}")
        elif (function := _functions(root / path).get(name)) is None:
            problems.append(f"{where}: no test {name} in {path}")
        elif params and not _parametrized(function):
            problems.append(f"{where}: {name} is not parametrized")
    return problems


def unproven(text: str) -> list[str]:
    """Criteria that name no test and are neither an attestation nor not applicable."""
    problems = []
    for criterion, body in sections(text).items():
        status = STATUS.search(body)
        said = status.group(1).lower() if status else ""
        if not TEST_ID.search(body) and "attestation" not in said and "not applicable" not in said:
            problems.append(criterion)
    return problems


def test_every_onc_d_criterion_and_hipaa_safeguard_has_its_section_once():
    named = HEADING.findall(MATRIX.read_text())
    assert sorted(named) == sorted(ONC + HIPAA), "docs/compliance.md: criteria missing or twice"


def test_every_criterion_has_a_status_and_names_a_test_or_says_why_not():
    text = MATRIX.read_text()
    assert [c for c, body in sections(text).items() if not STATUS.search(body)] == []
    assert unproven(text) == [], "these name no test and are no attestation"


def test_every_test_the_matrix_names_exists():
    missing = missing_tests(MATRIX.read_text())
    assert not missing, "docs/compliance.md names tests that are not there:\n" + "\n".join(missing)


def test_a_renamed_test_or_a_criterion_without_proof_is_caught():
    text = ("### 170.315(d)(5) Automatic access time-out\n**Status:** met.\n"
            "- `tests/test_compliance_matrix.py::test_every_test_the_matrix_names_exists`\n"
            "- `tests/test_compliance_matrix.py::test_every_test_the_matrix_names_exist`\n"
            "- `tests/test_compliance_matrix.py::test_every_test_the_matrix_names_exists[a]`\n"
            "### 164.312(b) Audit controls\n**Status:** met.\nThe trail is chained.\n"
            "### 170.315(d)(12) Encrypt credentials\n**Status:** attestation: yes.\n")
    assert missing_tests(text) == [
        "tests/test_compliance_matrix.py::test_every_test_the_matrix_names_exist: no test "
        "test_every_test_the_matrix_names_exist in tests/test_compliance_matrix.py",
        "tests/test_compliance_matrix.py::test_every_test_the_matrix_names_exists[a]: "
        "test_every_test_the_matrix_names_exists is not parametrized"]
    assert unproven(text) == ["164.312(b)"]
