"""Authenticode on a Windows artefact built here: the installer of packaging/windows/hearth.wxs,
built by msitools' wixl around a stand-in app folder (the Windows app itself is frozen on a
Windows runner), signed by packaging/windows/sign-authenticode.sh with a certificate made
here, and checked by `osslsigncode verify` as Windows would check it."""

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = ROOT / "packaging" / "windows"
TOOLS = ("wixl", "wixl-heat", "osslsigncode")

pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in TOOLS),
    reason="needs wixl and wixl-heat (Debian: wixl) and osslsigncode; .ci/run installs them")


def code_signing_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed code-signing certificate and its key, valid for a day."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Hearth test signer")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "signer.pem", folder / "signer.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def build_msi(folder: Path, program: bytes, name: str, cli: bytes = b"the command line") -> Path:
    """The MSI of hearth.wxs around an app folder whose hearth.exe holds `program` (and
    hearth-cli.exe `cli`, as the Windows build has both)."""
    app = folder / f"{name}-app"
    app.mkdir()
    (app / "hearth.exe").write_bytes(program)
    (app / "hearth-cli.exe").write_bytes(cli)
    (app / "README.txt").write_text("Hearth\n")
    files = "".join(f"{path}\n" for path in sorted(app.iterdir()))
    harvested = subprocess.run(
        ["wixl-heat", "-p", f"{app}/", "--component-group", "AppFiles",
         "--directory-ref", "INSTALLDIR", "--var", "var.AppDir"],
        input=files, capture_output=True, text=True, check=True).stdout
    (folder / f"{name}-files.wxs").write_text(harvested)
    msi = folder / f"{name}.msi"
    subprocess.run(["wixl", "-a", "x64", "-D", "Version=0.1.0", "-D", f"AppDir={app.name}",
                    "-o", str(msi), str(WINDOWS / "hearth.wxs"), f"{name}-files.wxs"],
                   cwd=folder, capture_output=True, check=True)  # wixl reads relative paths
    return msi


def verify(msi: Path, ca: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["osslsigncode", "verify", "-CAfile", str(ca), "-in", str(msi)],
                          capture_output=True, text=True)


def test_the_signed_installer_verifies_and_a_changed_payload_does_not(tmp_path):
    cert, key = code_signing_certificate(tmp_path)
    msi = build_msi(tmp_path, b"the app", "hearth")

    signed = subprocess.run([str(WINDOWS / "sign-authenticode.sh"), str(msi), "--cert",
                             str(cert), "--key", str(key)], capture_output=True, text=True)

    assert signed.stdout == f"Signed {msi}.\n", signed.stderr
    checked = verify(msi, cert)
    assert checked.returncode == 0 and "Signature verification: ok" in checked.stdout
    assert "Subject: /CN=Hearth test signer" in checked.stdout

    # The genuine signature grafted onto an installer whose program was changed.
    signature, grafted = tmp_path / "signature.der", tmp_path / "grafted.msi"
    subprocess.run(["osslsigncode", "extract-signature", "-in", str(msi), "-out",
                    str(signature)], capture_output=True, check=True)
    changed = build_msi(tmp_path, b"another program", "changed")
    subprocess.run(["osslsigncode", "attach-signature", "-sigin", str(signature),
                    "-in", str(changed), "-out", str(grafted)], capture_output=True)
    refused = verify(grafted, cert)
    assert refused.returncode != 0 and "MISMATCH" in refused.stdout


def test_a_signature_from_a_certificate_not_trusted_is_refused(tmp_path):
    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    cert, key = code_signing_certificate(tmp_path / "ours")
    stranger, _ = code_signing_certificate(tmp_path / "theirs")
    msi = build_msi(tmp_path, b"the app", "hearth")
    subprocess.run([str(WINDOWS / "sign-authenticode.sh"), str(msi), "--cert", str(cert),
                    "--key", str(key)], capture_output=True, check=True)

    refused = verify(msi, stranger)

    assert refused.returncode != 0 and "Signature verification: failed" in refused.stdout


def test_signing_without_a_key_file_names_it(tmp_path):
    msi = tmp_path / "hearth.msi"
    msi.write_bytes(b"not signed")
    done = subprocess.run([str(WINDOWS / "sign-authenticode.sh"), str(msi), "--cert",
                           str(tmp_path / "none.pem"), "--key", str(tmp_path / "none.key")],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith(f"sign-authenticode: no file '{tmp_path / 'none.pem'}'.")
