"""Reading what the server can do, against a real FHIR R4 server, and the ways it fails."""

import httpx
import pytest

from sync.capabilities import fetch_capabilities
from sync.errors import NotAFhirServer, ServerUnreachable
from tests.sync.conftest import free_port


def test_real_server_capabilities_choose_the_strategies(fhir_server):
    with httpx.Client(base_url=fhir_server.base_url, timeout=10) as client:
        server = fetch_capabilities(client)
    assert server.fhir_version.startswith("4.0")
    assert server.offers("transaction")
    assert server.history_of("Patient") and server.search_by_last_updated("Patient")
    assert server.put_creates("AuditEvent")


def test_no_server_is_offline_not_an_error_of_data():
    with httpx.Client(base_url=f"http://127.0.0.1:{free_port()}/fhir/", timeout=2) as client:
        with pytest.raises(ServerUnreachable, match="Could not reach.*will sync when it is back"):
            fetch_capabilities(client)


def test_a_wrong_address_is_named(fhir_server):
    root = fhir_server.base_url.removesuffix("fhir/")
    with httpx.Client(base_url=root, timeout=10) as client:
        with pytest.raises(NotAFhirServer, match="usually ends in /fhir"):
            fetch_capabilities(client)


def test_a_server_of_another_fhir_version_is_refused():
    """No R5 server runs here, so its answer is played at the transport."""
    r5 = {"resourceType": "CapabilityStatement", "fhirVersion": "5.0.0", "rest": []}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=r5))
    with httpx.Client(base_url="http://r5.example/fhir/", transport=transport) as client:
        with pytest.raises(NotAFhirServer, match="FHIR 5.0.0; Hearth syncs with FHIR R4"):
            fetch_capabilities(client)
