"""Reading what the server can do, against a real FHIR R4 server, and the ways it fails."""

import httpx
import pytest

from sync.capabilities import fetch_capabilities
from sync.errors import NotAFhirServer, ServerUnreachable
from sync.transport import RetryPolicy, Transport
from tests.sync.conftest import free_port

ONCE = RetryPolicy(attempts=1)


def test_real_server_capabilities_choose_the_strategies(fhir_server):
    server = fetch_capabilities(Transport(fhir_server.base_url, timeout=10))
    assert server.fhir_version.startswith("4.0")
    assert server.offers("transaction")
    assert server.history_of("Patient") and server.search_by_last_updated("Patient")
    assert server.put_creates("AuditEvent")


def test_no_server_is_offline_not_an_error_of_data():
    transport = Transport(f"http://127.0.0.1:{free_port()}/fhir/", timeout=2, policy=ONCE)
    with pytest.raises(ServerUnreachable, match="did not answer.*Local work is kept"):
        fetch_capabilities(transport)


def test_a_wrong_address_is_named(fhir_server):
    root = fhir_server.base_url.removesuffix("fhir/")
    with pytest.raises(NotAFhirServer, match="usually ends in /fhir"):
        fetch_capabilities(Transport(root, timeout=10))


def test_a_server_of_another_fhir_version_is_refused():
    """No R5 server runs here, so its answer is played at the transport."""
    r5 = {"resourceType": "CapabilityStatement", "fhirVersion": "5.0.0", "rest": []}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=r5))
    with pytest.raises(NotAFhirServer, match="FHIR 5.0.0; Hearth syncs with FHIR R4"):
        fetch_capabilities(Transport("https://r5.example/fhir/", transport=transport))
