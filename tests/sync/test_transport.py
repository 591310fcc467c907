"""Retries with backoff: what the clinic notices is that sync waits, then says it is offline."""

import socket
import threading

import httpx
import pytest

from sync.errors import ServerUnreachable
from sync.transport import RetryPolicy, Transport
from tests.sync.conftest import free_port

POLICY = RetryPolicy(attempts=3, base_delay=0.5, max_delay=4.0, max_retry_after=60.0)


def scripted(*answers):
    """A transport playing the given answers in turn (faults no real server here makes)."""
    calls = []

    def answer(request):
        calls.append(request)
        status, headers = answers[len(calls) - 1]
        return httpx.Response(status, headers=headers, json={})
    return httpx.MockTransport(answer), calls


def make(transport=None, base="https://server.test/fhir/"):
    sleeps = []
    return Transport(base, policy=POLICY, sleep=sleeps.append, transport=transport,
                     timeout=0.5), sleeps


def test_429_waits_as_long_as_the_server_asks():
    mock, calls = scripted((429, {"Retry-After": "2"}), (200, {}))
    transport, sleeps = make(mock)
    assert transport.request("GET", "Patient").status_code == 200
    assert (len(calls), sleeps) == (2, [2.0])


def test_5xx_backs_off_with_jitter_within_the_growing_window():
    mock, calls = scripted((503, {}), (502, {}), (200, {}))
    transport, sleeps = make(mock)
    assert transport.request("GET", "Patient").status_code == 200
    assert 0 <= sleeps[0] <= 0.5 and 0 <= sleeps[1] <= 1.0


def test_a_client_error_is_returned_not_retried():
    mock, calls = scripted((412, {}))
    transport, sleeps = make(mock)
    assert transport.request("PUT", "Patient/p1", json={}).status_code == 412
    assert (len(calls), sleeps) == (1, [])


def test_a_long_retry_after_is_treated_as_offline_at_once():
    mock, calls = scripted((503, {"Retry-After": "3600"}))
    transport, _ = make(mock)
    with pytest.raises(ServerUnreachable, match="wait 3600 seconds .*HTTP 503.*as if offline"):
        transport.request("GET", "Patient")
    assert len(calls) == 1


def test_refused_connections_end_as_offline_after_the_retries():
    transport, sleeps = make(base=f"http://127.0.0.1:{free_port()}/fhir/")
    with pytest.raises(ServerUnreachable, match="after 3 tries.*ConnectError.*kept"):
        transport.request("GET", "metadata")
    assert len(sleeps) == 2


def test_a_server_that_accepts_but_never_answers_times_out():
    listener = socket.create_server(("127.0.0.1", 0))
    held = []
    threading.Thread(target=lambda: [held.append(listener.accept()) for _ in range(3)],
                     daemon=True).start()
    transport, _ = make(base=f"http://127.0.0.1:{listener.getsockname()[1]}/fhir/")
    with pytest.raises(ServerUnreachable, match="ReadTimeout"):
        transport.request("GET", "metadata")
    listener.close()


def test_the_real_server_answers_through_the_transport(fhir_server):
    transport = Transport(fhir_server.base_url, policy=POLICY)
    assert transport.request("GET", "metadata").json()["resourceType"] == "CapabilityStatement"
    transport.close()
