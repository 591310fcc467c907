"""Signing in to a real FHIR server (SEKMET with server_auth), its refusals, TLS, and the
credentials kept in the real OS keyring."""

import datetime
import ipaddress
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from keyring.backends import fail

from app.store.sync_side import StoreSyncSide
from sync.auth import (
    AuthenticationFailed,
    ClientCredentials,
    SmartBackendServices,
    StaticBearer,
    TokenEndpointUnknown,
    UnusableKey,
    discover_token_url,
    public_jwk,
)
from sync.capabilities import fetch_capabilities
from sync.credentials import CredentialsMissing, KeyringUnavailable, SyncCredentials
from sync.engine import SyncEngine
from sync.errors import ServerUnreachable
from sync.transport import RetryPolicy, Transport
from sync.worker import SyncWorker
from tests.sync.conftest import free_port, start_fhir_server

SECRET = "s3cret-for-the-ward-pc"
STATIC_TOKEN = "static-token-issued-by-it"
READ = "system/*.read"


def pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


RSA_KEY = pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
EC_KEY = pem(ec.generate_private_key(ec.SECP384R1()))
STRANGER_KEY = pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def server_auth(token_lifetime: int = 3600, clients: tuple[dict, ...] = ()) -> str:
    """settings.yaml's server_auth (JSON is YAML): a static token, a client with a secret,
    and `clients`."""
    ward_pc = {"client_id": "ward-pc", "client_secret": SECRET, "scopes": "system/*.*"}
    return "server_auth: " + json.dumps({
        "types": ["smart", "bearer"], "tokens": [STATIC_TOKEN], "token_lifetime": token_lifetime,
        "smart_clients": [ward_pc, *clients]}) + "\n"


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory):
    """Keys registered both ways SEKMET takes them: a JWKS, and a public key file."""
    ec_public = tmp_path_factory.mktemp("registered-keys") / "ec-pc.pub"
    ec_public.write_bytes(serialization.load_pem_private_key(EC_KEY.encode(), None).public_key()
                          .public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo))
    clients = ({"client_id": "rsa-pc", "jwks": {"keys": [public_jwk(RSA_KEY)]}},
               {"client_id": "ec-pc", "public_key_path": str(ec_public)})
    with start_fhir_server(tmp_path_factory.mktemp("auth-server"),
                           extra_yaml=server_auth(clients=clients)) as server:
        yield server


@pytest.fixture(scope="module")
def token_url(auth_server):
    with httpx.Client(timeout=10) as client:
        return discover_token_url(auth_server.base_url, client)


def transport(server, auth=None, **options) -> Transport:
    return Transport(server.base_url, auth=auth, policy=RetryPolicy(attempts=2),
                     sleep=lambda _: None, timeout=10, **options)


def patients(through: Transport) -> dict:
    response = through.request("GET", "Patient")
    assert response.status_code == 200, response.text
    return response.json()


def test_capabilities_and_sign_in_address_are_open_to_anyone(auth_server, token_url):
    """/metadata is not protected, so sync can learn what the server offers before signing in."""
    assert transport(auth_server).request("GET", "Patient").status_code == 401
    assert fetch_capabilities(transport(auth_server)).fhir_version.startswith("4.0")
    assert token_url == auth_server.base_url.removesuffix("fhir/") + "auth/token"


def test_client_credentials_read_protected_records(auth_server, token_url):
    auth = ClientCredentials(token_url, "ward-pc", SECRET, READ)
    assert patients(transport(auth_server, auth))["resourceType"] == "Bundle"


def test_a_wrong_secret_is_refused_with_the_servers_reason(auth_server, token_url):
    auth = ClientCredentials(token_url, "ward-pc", "not-the-secret", READ)
    with pytest.raises(AuthenticationFailed,
                       match="'ward-pc' was refused.*invalid_client: Invalid client cred") as err:
        transport(auth_server, auth).request("GET", "Patient")
    assert err.value.title == "Sync sign-in refused"


def test_a_refused_sign_in_pauses_background_sync_until_asked_again(
        a, auth_server, token_url):
    """Retrying with credentials the server refuses cannot help: the worker stops and says
    so, rather than hammering the sign-in service every interval."""
    engine = SyncEngine(StoreSyncSide(a.store, a.session.user, str(a.session.role)),
                        transport(auth_server, ClientCredentials(token_url, "ward-pc", "nope",
                                                                 READ)))
    status = SyncWorker(engine, interval_seconds=1).run_once()
    assert status.paused and status.online
    assert status.last_error.startswith("Sync sign-in refused:")


@pytest.mark.parametrize("client_id, key", [("rsa-pc", RSA_KEY), ("ec-pc", EC_KEY)],
                         ids=["RS384 key in a JWKS", "ES384 key in a PEM file"])
def test_smart_backend_services_read_protected_records(auth_server, token_url, client_id, key):
    auth = SmartBackendServices(token_url, client_id, key, READ)
    through = transport(auth_server, auth)
    assert patients(through)["resourceType"] == "Bundle"
    assert patients(through)["resourceType"] == "Bundle"  # a second request, same token


def test_a_key_the_server_does_not_know_is_refused(auth_server, token_url):
    auth = SmartBackendServices(token_url, "rsa-pc", STRANGER_KEY, READ)
    with pytest.raises(AuthenticationFailed, match="invalid_client: client_assertion verif"):
        transport(auth_server, auth).request("GET", "Patient")


def test_only_keys_smart_servers_must_accept_are_taken():
    with pytest.raises(UnusableKey, match="secp256r1 key; .*RSA key .* EC P-384"):
        SmartBackendServices("https://x/token", "pc", pem(ec.generate_private_key(
            ec.SECP256R1())), READ)


def test_a_static_token_reads_and_a_wrong_one_is_named(auth_server):
    assert patients(transport(auth_server, StaticBearer(STATIC_TOKEN)))["total"] >= 0
    with pytest.raises(AuthenticationFailed, match="refused the configured access token"):
        transport(auth_server, StaticBearer("guessed")).request("GET", "Patient")


def test_an_unreachable_sign_in_service_is_offline_and_named(auth_server):
    token_url = f"http://127.0.0.1:{free_port()}/auth/token"
    auth = ClientCredentials(token_url, "ward-pc", SECRET, READ)
    with pytest.raises(ServerUnreachable, match=f"sign-in service at {token_url}.*Connect"):
        transport(auth_server, auth).request("GET", "Patient")


def test_a_sign_in_service_down_for_maintenance_is_offline_not_a_refusal(auth_server):
    class Down(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    with ThreadingHTTPServer(("127.0.0.1", 0), Down) as provider:
        threading.Thread(target=provider.serve_forever, daemon=True).start()
        token_url = f"http://127.0.0.1:{provider.server_port}/token"
        auth = ClientCredentials(token_url, "ward-pc", SECRET, READ)
        with pytest.raises(ServerUnreachable, match="sign-in service .* answered HTTP 503"):
            transport(auth_server, auth).request("GET", "Patient")
        provider.shutdown()


def test_discovering_where_to_sign_in_while_offline_is_offline():
    with httpx.Client(timeout=2) as client:
        with pytest.raises(ServerUnreachable, match="Could not reach the FHIR server"):
            discover_token_url(f"http://127.0.0.1:{free_port()}/fhir/", client)


def test_a_server_without_smart_sign_in_is_named():
    """SEKMET always advertises SMART, so a server that does not is played at the transport."""
    plain = httpx.MockTransport(lambda request: httpx.Response(404, json={}))
    with httpx.Client(transport=plain) as client:
        with pytest.raises(TokenEndpointUnknown, match="does not say where to sign in.*404"):
            discover_token_url("https://plain.example/fhir/", client)


@pytest.fixture(scope="module")
def short_token_server(tmp_path_factory):
    """Access tokens that live two seconds (one to two: the server counts from a whole second,
    so a one-second token could lapse before its first use)."""
    with start_fhir_server(tmp_path_factory.mktemp("short-tokens"),
                           extra_yaml=server_auth(token_lifetime=2)) as server:
        yield server


def statuses_across_expiry(server, **options) -> list[int]:
    """Every answer the client got for two reads a token's lifetime apart, sign-ins not
    included."""
    with httpx.Client(timeout=10) as client:
        token_url = discover_token_url(server.base_url, client)
    through = transport(server, ClientCredentials(token_url, "ward-pc", SECRET, READ, **options))
    seen = []
    through.client.event_hooks["response"] = [lambda response: seen.append(response.status_code)]
    patients(through)
    time.sleep(2.1)
    patients(through)
    return seen


def test_a_token_about_to_lapse_is_replaced_before_use(short_token_server):
    assert statuses_across_expiry(short_token_server) == [200, 200]


def test_an_expired_token_is_renewed_once_when_the_server_says_401(short_token_server):
    """A client trusting its token a minute too long: the server's 401 makes it sign in anew."""
    assert statuses_across_expiry(short_token_server, refresh_margin=-60) == [200, 401, 200]


def test_a_server_refusing_even_a_new_token_stops_the_sync(tmp_path):
    with start_fhir_server(tmp_path, extra_yaml=server_auth(token_lifetime=0)) as server:
        with httpx.Client(timeout=10) as client:
            auth = ClientCredentials(discover_token_url(server.base_url, client), "ward-pc",
                                     SECRET, READ)
        with pytest.raises(AuthenticationFailed, match="refused a new access token.*expired"):
            transport(server, auth).request("GET", "Patient")


def test_credentials_round_trip_through_the_os_keyring(env, auth_server, token_url):
    saved = SyncCredentials(env.keyring_backend())
    saved.save_secret(auth_server.base_url, "ward-pc", SECRET, token_url)
    saved.save_private_key(auth_server.base_url, "ec-pc", EC_KEY, token_url)

    again = SyncCredentials(env.keyring_backend())
    secret = again.load(auth_server.base_url.rstrip("/"), "ward-pc")
    key = again.load(auth_server.base_url, "ec-pc")
    assert (secret.kind, key.kind) == ("secret", "private_key")
    assert SECRET not in repr(secret)
    for credential in (secret, key):
        assert patients(transport(auth_server, credential.auth(token_url, READ)))


def test_missing_credentials_name_the_admin_command(env):
    with pytest.raises(CredentialsMissing, match="hearth sync-credentials --server "
                       "https://fhir.example/fhir --client-id nobody --secret-stdin"):
        SyncCredentials(env.keyring_backend()).load("https://fhir.example/fhir", "nobody")


def test_a_key_that_cannot_sign_is_refused_before_it_is_kept(env):
    saved = SyncCredentials(env.keyring_backend())
    with pytest.raises(UnusableKey, match="not an unencrypted PEM private key"):
        saved.save_private_key("https://fhir.example/fhir", "pc-9", "-----BEGIN NONSENSE",
                               "https://fhir.example/auth/token")
    with pytest.raises(CredentialsMissing):
        saved.load("https://fhir.example/fhir", "pc-9")


def test_without_an_os_keyring_nothing_is_kept_elsewhere():
    with pytest.raises(KeyringUnavailable, match="only there, never in a file"):
        SyncCredentials(fail.Keyring()).save_secret("https://fhir.example/fhir", "pc", SECRET,
                                                     "https://fhir.example/auth/token")


def private_ca(directory):
    """A clinic's own certificate authority and the server certificate it issues for
    127.0.0.1: (CA bundle, certificate, private key) as PEM files."""
    now = datetime.datetime.now(datetime.UTC)

    def issue(subject, key, issuer, issuer_key, *extensions):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1)))
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(
        ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Clinic Test CA")])
    ca = issue(ca_name, ca_key, ca_name, ca_key,
               (x509.BasicConstraints(ca=True, path_length=None), True),
               (x509.KeyUsage(False, False, False, False, False, True, True, False, False), True),
               (x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False))
    server = issue(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]), server_key,
        ca_name, ca_key,
        (x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
         False),
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False))
    paths = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_text(pem(server_key))
    return paths


def test_tls_with_the_clinics_ca_works_and_without_it_is_explained(tmp_path):
    ca, certificate, key = private_ca(tmp_path)
    with start_fhir_server(tmp_path / "server", extra_yaml=server_auth(),
                           tls=(certificate, key)) as server:
        assert server.base_url.startswith("https://")
        trusting = transport(server, ca_bundle=ca)
        token_url = discover_token_url(server.base_url, trusting.client)
        trusting.client.auth = ClientCredentials(token_url, "ward-pc", SECRET, READ,
                                                 ca_bundle=ca)
        assert patients(trusting)["resourceType"] == "Bundle"
        trusting.close()  # the server's shutdown waits for open connections

        with pytest.raises(ServerUnreachable,
                           match="certificate this computer does not trust.*CA bundle"):
            transport(server).request("GET", "metadata")
        sign_in_without_ca = ClientCredentials(token_url, "ward-pc", SECRET, READ)
        with pytest.raises(ServerUnreachable, match=f"{token_url} presented a certificate"):
            transport(server, sign_in_without_ca, ca_bundle=ca).request("GET", "Patient")
