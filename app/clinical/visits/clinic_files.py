"""The clinic's scheduling files: packaged under resources/scheduling/, or the clinic's own
copies named in the policy (scheduling.appointment_types_file, .availability_file).

Each file states its source and version, so a booking can say which rules it was made by;
a file that cannot be read, or is not JSON, is refused with a sentence naming it.
"""

from importlib.resources import files
from pathlib import Path

from app.errors import UsageError
from fhir_common import fhir_json


def clinic_file(name: str, path: str | None) -> tuple[dict, str]:
    """The JSON object of the clinic's copy at `path`, else the packaged `name`; and where
    it came from (its path, or "packaged <name>"), for messages."""
    where = path or f"packaged {name}"
    try:
        raw = Path(path).read_bytes() if path else files("hearth_resources.scheduling").joinpath(
            name).read_bytes()
        data = fhir_json.loads(raw)
    except OSError as exc:
        raise UsageError(f"Cannot read the scheduling file {where}: {exc.strerror}.") from None
    except fhir_json.JSONDecodeError as exc:
        raise UsageError(f"The scheduling file {where} is not valid JSON ({exc}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("source"), str) or not isinstance(
            data.get("version"), str):
        raise UsageError(f"The scheduling file {where} must be a JSON object that states its "
                         "\"source\" and \"version\".")
    return data, where
