"""Stable ids for imported resources, so re-importing a file finds the same records.

The resource's own id wins; else the UUID of a `urn:uuid:` fullUrl (Synthea's way); else a
UUID derived from the fullUrl; else one derived from the content itself. Never random.
Content-derived ids hash the JSON as fhir_common.fhir_json writes it: content without decimals
that orjson would rewrite hashes exactly as before exact decimals, so those ids stay put.

Two servers may both have a Patient/1 that are different people. When one file holds both
(its fullUrls name different server bases), the second server's record gets an id derived
from its fullUrl (`foreign_id`), so the two are never merged into one record.
"""

import re
import uuid

import orjson

from fhir_common import fhir_json

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
HEARTH_NAMESPACE = uuid.UUID("5d1c3a38-8f7e-4b6e-9b1e-2f7c0a9d4e11")
# A RESTful fullUrl: [base]/[type]/[id], maybe with /_history/[version].
RESTFUL = re.compile(r"(?P<base>https?://.+?)/(?P<type>[A-Z][A-Za-z]+)/"
                     r"(?P<id>[A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?")


def resource_id(resource: dict, full_url: str | None) -> str:
    own = resource.get("id")
    if isinstance(own, str) and own:
        return own
    if full_url and full_url.startswith("urn:uuid:") and FHIR_ID.fullmatch(full_url[9:]):
        return full_url[9:]
    if full_url:
        return str(uuid.uuid5(HEARTH_NAMESPACE, full_url))
    return str(uuid.uuid5(HEARTH_NAMESPACE, fhir_json.dumps(resource, option=orjson.OPT_SORT_KEYS)
                          .decode("utf-8")))


def server_base(full_url: str, kind: str, rid: str) -> str | None:
    """The server base a fullUrl names, when the fullUrl is this very record's address."""
    found = RESTFUL.fullmatch(full_url)
    if found and (found["type"], found["id"]) == (kind, rid):
        return found["base"]
    return None


def foreign_id(full_url: str) -> str:
    """The id of a record that shares its Type/id with another server's record in the same
    file: derived from its address (without /_history), so every version gets the same."""
    return str(uuid.uuid5(HEARTH_NAMESPACE, full_url.split("/_history/")[0]))
