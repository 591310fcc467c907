"""A floor under the transport: https except to this computer, and never a request to a
server other than the one Hearth is set up for, whatever a server's answer links to.

The "other computer" is this machine's own network address: a real server listening
there receives plain http the way a server across the network would.
"""

import socket

import pytest

from app.bootstrap import SyncSettings
from sync.auth import ClientCredentials, StaticBearer
from sync.errors import AddressRefused
from sync.origin import plain_http_refusal
from sync.transport import Transport
from sync.worker import SyncWorker
from tests.sync.bad_server import bad_server, redirect_to, retry_after


def network_address() -> str:
    """This computer's address on its network (not loopback); no packet is sent."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            pytest.skip("this computer has no network address besides loopback")
        return probe.getsockname()[0]


def cycle(ws, settings: SyncSettings):
    engine = ws.sync_engine(settings)
    try:
        return SyncWorker(engine, interval_seconds=60).run_once()
    finally:
        engine.transport.close()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/fhir/", "http://127.8.9.10/fhir/",
                                 "http://[::1]:8080/fhir/", "http://localhost/fhir/",
                                 "https://fhir.example.org/fhir/"])
def test_https_or_plain_http_to_this_computer_is_allowed(url):
    assert plain_http_refusal(url, "records") is None


@pytest.mark.parametrize("url", ["http://192.0.2.2/fhir/", "http://localhost.example.org/",
                                 "http://128.0.0.1/fhir/", "ftp://127.0.0.1/fhir/"])
def test_any_other_address_is_refused(url):
    assert isinstance(plain_http_refusal(url, "records"), AddressRefused)


def test_plain_http_to_another_computer_is_refused_before_any_request(a):
    """Neither the chart nor the bearer token reaches a plain-http server on the network."""
    with bad_server(retry_after(1), host=network_address()) as server:
        status = cycle(a, SyncSettings(server.base_url, auth=StaticBearer("ward-token")))
    assert server.requests == []
    assert (status.paused, status.last_error) == (True, (
        f"Server address refused: Hearth refused to use {server.base_url}: without https, "
        "patient records and the sign-in token would cross the network unencrypted. Use the "
        "server's https:// address (plain http is allowed only to this computer itself)."))


def test_a_client_secret_is_never_sent_to_a_plain_http_token_endpoint(a):
    with bad_server(retry_after(1)) as fhir, \
            bad_server(retry_after(1), host=network_address()) as rogue:
        token_url = rogue.base_url.replace("/fhir/", "/auth/token")
        auth = ClientCredentials(token_url, "ward-pc", "s3cret", "system/*.*")
        status = cycle(a, SyncSettings(fhir.base_url, auth=auth))
    assert (fhir.requests, rogue.requests) == ([], [])
    assert status.last_error == (
        f"Server address refused: Hearth refused to use {token_url}: without https, the "
        "client's secret would cross the network unencrypted. Use the server's https:// "
        "address (plain http is allowed only to this computer itself).")


def test_a_link_to_another_server_is_refused_before_sending():
    with bad_server(retry_after(1)) as ours, bad_server(retry_after(1)) as other:
        transport = Transport(ours.base_url)
        for elsewhere in (f"{other.base_url}Patient",  # another port
                          ours.base_url.replace("http:", "https:") + "Patient"):  # scheme
            with pytest.raises(AddressRefused) as refused:
                transport.request("GET", elsewhere)
            assert refused.value.message == (
                f"Hearth refused to follow a link from the FHIR server at {ours.base_url} to "
                f"{elsewhere}: it leads to another server (a different scheme, host or port), "
                "and Hearth talks only to the server it is set up for. Local work is kept.")
        transport.close()
    assert (ours.requests, other.requests) == ([], [])


def test_a_redirect_to_another_server_is_not_followed(a):
    with bad_server(retry_after(1)) as other:
        with bad_server(redirect_to(f"{other.base_url}_history")) as ours:
            status = cycle(a, SyncSettings(ours.base_url))
    assert other.requests == []
    assert "HTTP 302" in status.last_error
