"""Stable ids for imported resources, so re-importing a file finds the same records.

The resource's own id wins; else the UUID of a `urn:uuid:` fullUrl (Synthea's way); else a
UUID derived from the fullUrl; else one derived from the content itself. Never random.
"""

import re
import uuid

import orjson

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
HEARTH_NAMESPACE = uuid.UUID("5d1c3a38-8f7e-4b6e-9b1e-2f7c0a9d4e11")


def resource_id(resource: dict, full_url: str | None) -> str:
    own = resource.get("id")
    if isinstance(own, str) and own:
        return own
    if full_url and full_url.startswith("urn:uuid:") and FHIR_ID.fullmatch(full_url[9:]):
        return full_url[9:]
    if full_url:
        return str(uuid.uuid5(HEARTH_NAMESPACE, full_url))
    return str(uuid.uuid5(HEARTH_NAMESPACE, orjson.dumps(resource, option=orjson.OPT_SORT_KEYS)
                          .decode("utf-8")))
