"""Signing in to the FHIR server: OAuth2 client credentials, SMART Backend Services, or a
static token, each an httpx.Auth, so every request the Transport sends carries a token.

A token is fetched on first use and kept in memory only, never on disk, until shortly before
it expires. A 401 from the FHIR server means the token went stale early (revoked, the server
restarted with new keys, clocks apart): the client signs in again once and repeats the
request. A second 401 is a refusal a person must look at, so it is raised, not retried.

The token endpoint is called with a short-lived client of its own rather than through the
Transport: it is often another host (an identity provider), and when it cannot be reached
the message must name it, not the FHIR server.
"""

import base64
import hashlib
import json
import secrets
import ssl
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Generator
from pathlib import Path

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from sync.errors import ServerUnreachable, SyncError
from sync.transport import certificate_not_trusted

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# SMART allows an assertion to live at most 5 minutes; less leaves room for clocks apart.
ASSERTION_LIFETIME = 240
Flow = Generator[httpx.Request, httpx.Response, None]
SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class AuthenticationFailed(SyncError):
    """The server refused Hearth's credentials: retrying cannot help, an admin must act."""

    title = "Sync sign-in refused"
    pauses = True


class TokenEndpointUnknown(SyncError):
    """The server does not say where to sign in, so no token can be asked for."""

    title = "Sync sign-in address unknown"


class UnusableKey(SyncError):
    """A private key that cannot sign SMART client assertions, found before it is stored."""

    title = "Sync key not usable"


class StaticBearer(httpx.Auth):
    """A fixed token issued by the server's administrator (no token endpoint involved)."""

    requires_response_body = True

    def __init__(self, token: str):
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Flow:
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code == 401:
            raise AuthenticationFailed(
                f"The FHIR server at {_origin(request)} refused the configured access token "
                f"({_refusal(response)}). Ask the server's administrator for a valid token.")


class _TokenAuth(httpx.Auth, ABC):
    """Fetches, caches and renews an OAuth2 access token from `token_url`.

    `refresh_margin` is how many seconds before its stated expiry a token is replaced, so a
    request does not set off with a token about to lapse (a negative margin keeps using it
    past expiry and leaves renewal to the server's 401). `ca_bundle` and `timeout` are for
    the token endpoint, as the Transport's are for the FHIR server.
    """

    requires_response_body = True
    credential = "credentials"  # what the admin should check when the server refuses

    def __init__(self, token_url: str, client_id: str, scope: str, *,
                 ca_bundle: Path | None = None, timeout: float = 30.0,
                 refresh_margin: float = 30.0):
        self.token_url, self.client_id, self.scope = token_url, client_id, scope
        self._verify = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True
        self._timeout, self._refresh_margin = timeout, refresh_margin
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def auth_flow(self, request: httpx.Request) -> Flow:
        with self._lock:
            if self._token is None or time.monotonic() >= self._expires_at:
                self._sign_in(request)
            token = self._token
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        with self._lock:
            if self._token == token:  # else another request has signed in again meanwhile
                self._sign_in(request)
            token = self._token
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            raise AuthenticationFailed(
                f"The FHIR server at {_origin(request)} refused a new access token for "
                f"client '{self.client_id}' from {self.token_url} ({_refusal(response)}). Ask "
                "the server's administrator what the client is allowed.")

    @abstractmethod
    def _token_request(self) -> dict:
        """The keyword arguments of the POST to the token endpoint."""

    def _sign_in(self, request: httpx.Request) -> None:
        try:
            with httpx.Client(verify=self._verify, timeout=self._timeout) as client:
                response = client.post(self.token_url, **self._token_request())
        except httpx.TransportError as exc:
            if untrusted := certificate_not_trusted(exc, self.token_url):
                raise untrusted from exc
            raise ServerUnreachable(
                f"Could not reach the sign-in service at {self.token_url} "
                f"({type(exc).__name__}: {exc or 'no answer'}). Local work is kept and will "
                "sync when it is back.") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise ServerUnreachable(
                f"The sign-in service at {self.token_url} answered HTTP "
                f"{response.status_code}. Local work is kept and will sync later.")
        answer = _json(response)
        token = answer.get("access_token")
        if response.status_code != 200 or not isinstance(token, str):
            said = answer.get("error") or f"HTTP {response.status_code} without a token"
            if answer.get("error_description"):
                said = f"{said}: {answer['error_description']}"
            raise AuthenticationFailed(
                f"Signing in to the FHIR server at {_origin(request)} as client "
                f"'{self.client_id}' was refused: {self.token_url} answered {said}. Check the "
                f"client id and its {self.credential} with the server's administrator.")
        expires_in = answer.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else float("inf")
        self._token = token
        self._expires_at = time.monotonic() + lifetime - self._refresh_margin


class ClientCredentials(_TokenAuth):
    """OAuth2 client credentials with a shared secret sent as HTTP Basic (client_secret_basic).

    The id and secret go into the Basic header as they are, not form-encoded first as RFC 6749
    asks: servers that do not form-decode them (SEKMET among them) would read another secret,
    and for URL-safe secrets, the usual kind, both readings agree.
    """

    credential = "secret"

    def __init__(self, token_url: str, client_id: str, client_secret: str, scope: str,
                 **options):
        super().__init__(token_url, client_id, scope, **options)
        self._secret = client_secret

    def _token_request(self) -> dict:
        return {"data": {"grant_type": "client_credentials", "scope": self.scope},
                "auth": (self.client_id, self._secret)}


class SmartBackendServices(_TokenAuth):
    """SMART Backend Services: client credentials proved by a JWT signed with a private key.

    Only the public key is registered with the server, so nothing the server holds lets
    anyone sign in as the workstation. Each assertion has a fresh jti: servers refuse a
    replayed one.
    """

    credential = "key (its public key must be registered for the client)"

    def __init__(self, token_url: str, client_id: str, private_key_pem: str | bytes,
                 scope: str, key_id: str | None = None, **options):
        super().__init__(token_url, client_id, scope, **options)
        self._key, self._alg = load_signing_key(private_key_pem)
        self._key_id = key_id or public_jwk(private_key_pem)["kid"]

    def _token_request(self) -> dict:
        now = int(time.time())
        assertion = jwt.encode(
            {"iss": self.client_id, "sub": self.client_id, "aud": self.token_url,
             "iat": now, "exp": now + ASSERTION_LIFETIME, "jti": secrets.token_urlsafe(24)},
            self._key, algorithm=self._alg, headers={"kid": self._key_id})
        return {"data": {"grant_type": "client_credentials", "scope": self.scope,
                         "client_assertion_type": ASSERTION_TYPE,
                         "client_assertion": assertion}}


def load_signing_key(private_key_pem: str | bytes) -> tuple[SigningKey, str]:
    """The key and its SMART algorithm: RSA signs RS384, EC P-384 signs ES384; SMART servers
    are required to accept those two, so no other key is taken."""
    pem = private_key_pem.encode() if isinstance(private_key_pem, str) else private_key_pem
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise UnusableKey(
            f"The sync key is not an unencrypted PEM private key ({exc}).") from exc
    if isinstance(key, rsa.RSAPrivateKey):
        return key, "RS384"
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp384r1":
        return key, "ES384"
    kind = key.curve.name if isinstance(key, ec.EllipticCurvePrivateKey) else type(key).__name__
    raise UnusableKey(
        f"The sync key is a {kind} key; SMART Backend Services takes an RSA key (RS384) or "
        "an EC P-384 key (ES384).")


def public_jwk(private_key_pem: str | bytes, key_id: str | None = None) -> dict:
    """The public half as a JWK, to register with the server (in the client's JWKS)."""
    key, alg = load_signing_key(private_key_pem)
    encoder = RSAAlgorithm if alg == "RS384" else ECAlgorithm
    jwk = json.loads(encoder.to_jwk(key.public_key()))
    jwk.update(alg=alg, use="sig", kid=key_id or _thumbprint(jwk))
    return jwk


def discover_token_url(base_url: str, client: httpx.Client) -> str:
    """The token endpoint the server advertises at [base]/.well-known/smart-configuration."""
    url = f"{base_url.rstrip('/')}/.well-known/smart-configuration"
    try:
        response = client.get(url, headers={"Accept": "application/json"})
    except httpx.TransportError as exc:
        if untrusted := certificate_not_trusted(exc, base_url):
            raise untrusted from exc
        raise ServerUnreachable(
            f"Could not reach the FHIR server at {base_url} ({type(exc).__name__}: "
            f"{exc or 'no answer'}). Local work is kept and will sync when it is back."
        ) from exc
    token_url = _json(response).get("token_endpoint") if response.status_code == 200 else None
    if not isinstance(token_url, str) or not token_url:
        raise TokenEndpointUnknown(
            f"The FHIR server at {base_url} does not say where to sign in ({url} answered "
            f"HTTP {response.status_code} without a token_endpoint). Set the token URL in the "
            "sync settings, or ask the server's administrator how clients sign in.")
    return token_url


def _thumbprint(jwk: dict) -> str:
    """RFC 7638 thumbprint: the kid servers commonly expect when none was agreed."""
    members = ("e", "kty", "n") if jwk["kty"] == "RSA" else ("crv", "kty", "x", "y")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _origin(request: httpx.Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc.decode()}"


def _refusal(response: httpx.Response) -> str:
    """What a 401 says: the OperationOutcome's diagnostics, else the challenge header."""
    issues = _json(response).get("issue")
    issue = issues[0] if isinstance(issues, list) and issues else {}
    if not isinstance(issue, dict):
        issue = {}
    return (issue.get("diagnostics") or (issue.get("details") or {}).get("text")
            or response.headers.get("WWW-Authenticate") or f"HTTP {response.status_code}")


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
