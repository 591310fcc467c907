"""A patient's EHI Bundle carries its own SHA-256 digest, checked when it comes back
(ONC 170.315(d)(8) integrity).

The digest is taken over the Bundle's canonical JSON (keys sorted, decimals to the digit as
fhir_common.fhir_json keeps them) without the digest itself, and written in a meta extension
(`DIGEST`), so the file stays one valid FHIR Bundle any server or viewer reads. A re-import
recomputes it: a file changed after export (one record edited, one removed) is refused whole
with a sentence. The sealed whole-store export needs none: AES-GCM already refuses any change
(sealed_file). A digest guards against accident and tampering in transit, not against someone
who rewrites the file and its digest together: a signature would need keys the patient's
receiving system trusts, which a clinic does not have.
"""

import hashlib

import orjson

from fhir_common import fhir_json

DIGEST = "urn:hearth:ehi-export-sha256"


def with_digest(bundle: dict) -> dict:
    """`bundle` with its digest in meta.extension."""
    meta = bundle.get("meta", {})
    digest = {"url": DIGEST, "valueString": _sha256(bundle)}
    return {**bundle, "meta": {**meta, "extension": [*meta.get("extension", []), digest]}}


def digest_problem(bundle: dict) -> str | None:
    """Why `bundle` is not as it was exported (None when its digest matches); a Bundle without
    a digest is said to carry none."""
    given = [e.get("valueString") for e in bundle.get("meta", {}).get("extension", [])
             if e.get("url") == DIGEST]
    if not given:
        return "it carries no SHA-256 digest, so whether it changed since export cannot be told"
    if given != [_sha256(bundle)]:
        return ("its content is not what was exported: the SHA-256 digest written at export "
                "does not match (the file was changed or damaged since)")
    return None


def _sha256(bundle: dict) -> str:
    """The digest of the Bundle without its digest extension."""
    meta = dict(bundle.get("meta", {}))
    kept = [e for e in meta.get("extension", []) if e.get("url") != DIGEST]
    if kept:
        meta["extension"] = kept
    else:
        meta.pop("extension", None)
    content = {**bundle, "meta": meta} if meta else {
        k: v for k, v in bundle.items() if k != "meta"}
    return hashlib.sha256(fhir_json.dumps(content, orjson.OPT_SORT_KEYS)).hexdigest()
