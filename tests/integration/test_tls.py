"""TLS on the SMTP listener: protocol versions and certificate reload (SIGHUP)."""

import hashlib
import shutil
import smtplib
import ssl
import subprocess

import pytest

from postern_harness import DEFAULT_TIMEOUT, cert_fingerprint_pem, make_cert, unverified_context


def starttls(port, ctx):
    """STARTTLS with `ctx`; returns (tls version, sha256 of the server certificate)."""
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.org", timeout=DEFAULT_TIMEOUT) as c:
        c.ehlo()
        code, _ = c.starttls(context=ctx)
        assert code == 220
        version = c.sock.version()
        fingerprint = hashlib.sha256(c.sock.getpeercert(binary_form=True)).hexdigest()
        assert c.ehlo()[0] == 250
        assert c.noop()[0] == 250
        return version, fingerprint


@pytest.mark.parametrize("version,name", [(ssl.TLSVersion.TLSv1_2, "TLSv1.2"), (ssl.TLSVersion.TLSv1_3, "TLSv1.3")],
                         ids=["TLSv1.2", "TLSv1.3"])
def test_modern_tls_accepted(server, version, name):
    ctx = unverified_context(minimum_version=version, maximum_version=version)
    got, fingerprint = starttls(server.smtp_port, ctx)
    assert got == name
    assert fingerprint == cert_fingerprint_pem(server.cert)
    server.wait_log(rf"event=tls_established .*version={name}")


def test_default_client_gets_tls13(server):
    assert starttls(server.smtp_port, unverified_context())[0] == "TLSv1.3"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1], ids=["TLSv1.0", "TLSv1.1"])
def test_old_tls_refused(server, version):
    ctx = unverified_context(minimum_version=version, maximum_version=version)
    # OpenSSL 3 refuses to even offer TLS < 1.2 at the default security level;
    # level 0 makes the client really try, so the refusal is the server's.
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=DEFAULT_TIMEOUT) as c:
        c.ehlo()
        with pytest.raises((ssl.SSLError, ConnectionError)):
            c.starttls(context=ctx)
    # The server saw the handshake attempt and refused it.
    server.wait_log(r"event=tls_failed .*unsupported protocol")
    assert "event=tls_established" not in server.log()


def test_old_tls_refused_openssl_s_client(server):
    p = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{server.smtp_port}", "-starttls", "smtp",
                        "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"],
                       input=b"", capture_output=True, timeout=30)
    assert p.returncode != 0, p.stdout.decode(errors="replace")
    server.wait_log(r"event=tls_failed .*unsupported protocol")
    # ... while TLS 1.2 works with the same tool
    p = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{server.smtp_port}", "-starttls", "smtp",
                        "-tls1_2"], input=b"QUIT\r\n", capture_output=True, timeout=30)
    out = p.stdout.decode(errors="replace")
    assert "New, TLSv1.2" in out, out


def test_sighup_reloads_certificate(server, tmp_path):
    old = cert_fingerprint_pem(server.cert)
    assert starttls(server.smtp_port, unverified_context())[1] == old

    new_cert, new_key = make_cert(tmp_path / "new", cn="reloaded.example.test")
    new = cert_fingerprint_pem(new_cert)
    assert new != old
    shutil.copyfile(new_key, server.key)
    shutil.copyfile(new_cert, server.cert)
    offset = len(server.log())
    server.sighup()
    server.wait_log(r"event=tls_reloaded", since=offset)
    for _ in range(2):
        assert starttls(server.smtp_port, unverified_context())[1] == new

    # A broken certificate is refused on reload; the server keeps the last good one.
    server.cert.write_text("not a certificate\n")
    offset = len(server.log())
    server.sighup()
    server.wait_log(r"event=tls_reload_failed", since=offset)
    assert server.running()
    assert starttls(server.smtp_port, unverified_context())[1] == new
