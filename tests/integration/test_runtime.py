"""Runtime behaviour of `postern serve`: implicit-TLS listeners, and
dropping root privileges after binding (DESIGN.md "Configuration and
operation")."""

import os
import pwd
import shutil
import smtplib
import ssl
import tempfile

import pytest

from postern_harness import free_port, unverified_context


def with_implicit_listener(server_factory):
    """A server with its usual STARTTLS listener (the harness probes it)
    plus an implicit-TLS one; returns (server, implicit port)."""
    s = server_factory(start=False)
    port = free_port()
    s.listeners.append({"protocol": "smtp", "address": f"127.0.0.1:{port}", "tls": "implicit"})
    s.write_config()
    s.start()
    return s, port


def test_implicit_tls_listener_delivers(server_factory):
    s, port = with_implicit_listener(server_factory)
    with smtplib.SMTP_SSL("127.0.0.1", port, context=unverified_context(), timeout=15) as c:
        code, caps = c.ehlo("client.example.org")
        assert code == 250
        # Already encrypted: STARTTLS must not be offered again (RFC 3207 §4).
        assert b"STARTTLS" not in caps
        assert c.sock.version() in ("TLSv1.2", "TLSv1.3")
        c.sendmail("a@example.org", ["demo@example.test"], b"Subject: implicit\r\n\r\nover TLS\r\n")
    stored = s.messages("demo@example.test")
    assert [m.subject for m in stored] == ["implicit"]
    received = s.show("demo@example.test", stored[0].uid).split(b"\r\n\r\n", 1)[0]
    assert b"with ESMTPS" in received


def test_plain_connection_to_implicit_tls_listener_is_dropped(server_factory):
    _, port = with_implicit_listener(server_factory)
    with pytest.raises((smtplib.SMTPServerDisconnected, ConnectionError, OSError)):
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as c:
            c.ehlo()


def test_drops_root_privileges_after_binding(server_factory):
    assert os.geteuid() == 0, "this test runs as root, like `make test` on the CI machine"
    nobody = pwd.getpwnam("nobody")
    # The data directory must be reachable by the service user.
    base = tempfile.mkdtemp(prefix="postern-priv-", dir="/tmp")
    os.chmod(base, 0o755)
    try:
        s = server_factory(start=False, server={"user": "nobody", "data_dir": os.path.join(base, "data")})
        s.start()
        status = open(f"/proc/{s.proc.pid}/status").read()
        uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
        assert all(int(u) == nobody.pw_uid for u in uids), status
        s.wait_log(r"privileges_dropped user=nobody")
        with smtplib.SMTP("127.0.0.1", s.smtp_port, timeout=15) as c:
            c.sendmail("a@example.org", ["demo@example.test"], b"Subject: unprivileged\r\n\r\nstored\r\n")
        assert [m.subject for m in s.messages("demo@example.test")] == ["unprivileged"]
        assert os.stat(os.path.join(base, "data", "postern.db")).st_uid == nobody.pw_uid
        # Secrets and mail are private to the service user.
        assert os.stat(os.path.join(base, "data", "postern.db")).st_mode & 0o077 == 0
    finally:
        shutil.rmtree(base, ignore_errors=True)
