"""Every fault of one policy file, each with the line IT edits: text that is not JSON, a
key or value the schema (resources/policy.schema.json) refuses, and the rules a schema
cannot say (app.security.policy_own_checks). Start-up and `hearth policy check` both ask
here, so what the check passes is what start-up takes, and the sentence is the same.
"""

import difflib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

import orjson

from app.security.policy_lines import KeyLines, key_lines
from app.security.policy_own_checks import Tighten, own_faults

if TYPE_CHECKING:
    from jsonschema import ValidationError


@dataclass(frozen=True)
class Fault:
    line: int
    key: str  # dotted, e.g. "sync.server"; "" for the file as a whole
    problem: str
    column: int | None = None  # only where the text is not JSON

    def sentence(self, source: str) -> str:
        where = f"line {self.line}" + (f" column {self.column}" if self.column else "")
        return f"{source} {where}: {self.key + ': ' if self.key else ''}{self.problem}"


@dataclass(frozen=True)
class FileCheck:
    values: dict | None  # as the file sets them; None where the text is not JSON
    faults: list[Fault]


def file_faults(raw: bytes, tighten: Tighten | None = None) -> FileCheck:
    """Check a policy file's bytes; `tighten`: the system policy a --policy file may only
    make stricter."""
    try:
        text = raw.decode("utf-8-sig")  # a byte order mark, as Notepad writes it, is fine
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        return FileCheck(None, [Fault(line, "", f"byte {err.start} (0x{raw[err.start]:02x}) "
                                                "is not UTF-8 text; save the file as UTF-8")])
    try:
        values = orjson.loads(text)
    except orjson.JSONDecodeError as err:
        return FileCheck(None, [Fault(err.lineno, "", f"not JSON: {err.msg}", err.colno)])
    lines = key_lines(text)
    faults = schema_faults(values, lines)
    if not faults:
        faults = [Fault(lines.line_of(path), dotted(path), problem)
                  for path, problem in own_faults(values, tighten)]
    faults += [Fault(again.line, dotted(again.path),
                     f"set a second time (first on line {again.first_line}); give it once")
               for again in lines.repeated]
    return FileCheck(values, sorted(faults, key=lambda f: (f.line, f.key)))


@cache
def schema() -> dict:
    return orjson.loads(files("hearth_resources").joinpath("policy.schema.json").read_bytes())


def schema_faults(values, lines: KeyLines) -> list[Fault]:
    # here, not at start-up: most computers have no policy file to check (a fifth of the
    # sign-in window's imports otherwise)
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema())
    faults = []
    for error in validator.iter_errors(values):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            for key in sorted(set(error.instance) - set(error.schema.get("properties", {}))):
                faults.append(Fault(lines.line_of(path + (key,)), dotted(path + (key,)),
                                    _unknown(key, error.schema.get("properties", {}))))
        else:
            faults.append(Fault(lines.line_of(path), dotted(path), _problem(error)))
    return faults


def dotted(path) -> str:
    """A key path as IT finds it in the file: sync.server, access.reasons[0]."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


def _unknown(key: str, known: dict) -> str:
    near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return "not a setting Hearth knows" + (f" (did you mean {near[0]}?)" if near else
                                           f"; this section has {', '.join(known)}")


TYPE_WORDS = {"integer": "a whole number", "number": "a number", "string": "text",
              "null": "null", "boolean": "true or false", "array": "a list [...]",
              "object": "an object {...}"}


def _problem(error: "ValidationError") -> str:
    """The schema's complaint in words an IT admin editing JSON reads (values as JSON)."""
    value = orjson.dumps(error.instance).decode()
    if len(value) > 60:
        value = value[:57] + "..."
    if error.validator == "type":
        kinds = error.validator_value if isinstance(error.validator_value, list) \
            else [error.validator_value]
        return f"{value} is not {' or '.join(TYPE_WORDS[k] for k in kinds)}"
    if error.validator == "pattern":
        return f"{value} is not in the form wanted: {error.schema.get('description', '')}"
    if error.validator == "enum":
        choices = ", ".join(orjson.dumps(c).decode() for c in error.validator_value)
        return f"{value} is not one of {choices}"
    return error.message
