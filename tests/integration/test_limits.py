"""Connection and command limits ([server], [smtp], [imap], [pop3]) through
real sockets from distinct loopback addresses: sessions per address for
each protocol and in total, each refusal worded in its protocol (SMTP 421,
IMAP BYE [UNAVAILABLE], POP3 -ERR [SYS/TEMP]) also on implicit-TLS ports;
a freed slot is reusable; command floods are paced, not refused; over-long
command lines get their protocol's error and the session goes on.
"""

import imaplib
import poplib
import re
import smtplib
import socket
import ssl
import time

import pytest

from postern_harness import free_port

USER = "demo@example.test"


def unverified():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def first_line(port, source, tls=False):
    """Connects from `source` and returns the first line the server sends, and the socket."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    if tls:
        sock = unverified().wrap_socket(sock)
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(1000)
        if not chunk:
            break
        data += chunk
    return data.decode(), sock


def closed_after(sock):
    """True when the server closed the connection (after its refusal)."""
    sock.settimeout(5)
    try:
        return sock.recv(1000) == b""
    except (ConnectionResetError, ssl.SSLError):
        return True


@pytest.fixture
def limited(server_factory):
    s = server_factory(start=False, server={"dev_mode": True, "max_connections": 10},
                       smtp={"max_connections_per_ip": 2})
    s.imap_port, s.imaps_port, s.pop3_port = free_port(), free_port(), free_port()
    s.listeners += [{"protocol": "imap", "address": f"127.0.0.1:{s.imap_port}"},
                    {"protocol": "imaps", "address": f"127.0.0.1:{s.imaps_port}"},
                    {"protocol": "pop3", "address": f"127.0.0.1:{s.pop3_port}"}]
    s.sections["imap"] = {"max_connections_per_ip": 3, "max_line_length": 2048}
    s.sections["pop3"] = {"max_connections_per_ip": 2, "max_line_length": 512}
    s.write_config()
    s.start()
    return s


def test_per_address_limits_per_protocol_and_the_total(limited):
    s = limited
    held = []
    # SMTP: two sessions from 127.0.0.5, the third refused with 421 4.7.0.
    for _ in range(2):
        line, sock = first_line(s.smtp_port, "127.0.0.5")
        assert line.startswith("220 "), line
        held.append(sock)
    line, sock = first_line(s.smtp_port, "127.0.0.5")
    assert line.startswith("421 4.7.0 ") and "Too many connections from your address" in line, line
    assert closed_after(sock)
    # The SMTP count does not use up IMAP's: three IMAP sessions (one on the
    # implicit-TLS port), the fourth refused, inside TLS too.
    for port, tls in ((s.imap_port, False), (s.imap_port, False), (s.imaps_port, True)):
        line, sock = first_line(port, "127.0.0.5", tls)
        assert line.startswith("* OK"), line
        held.append(sock)
    for port, tls in ((s.imap_port, False), (s.imaps_port, True)):
        line, sock = first_line(port, "127.0.0.5", tls)
        assert line == "* BYE [UNAVAILABLE] Too many connections from your address\r\n", line
        assert closed_after(sock)
    # POP3: two, then -ERR [SYS/TEMP] (RFC 3206).
    for _ in range(2):
        line, sock = first_line(s.pop3_port, "127.0.0.5")
        assert line.startswith("+OK"), line
        held.append(sock)
    line, sock = first_line(s.pop3_port, "127.0.0.5")
    assert line == "-ERR [SYS/TEMP] Too many connections from your address\r\n", line
    # Another address is not affected by 127.0.0.5's count...
    line, sock = first_line(s.imap_port, "127.0.0.6")
    assert line.startswith("* OK"), line
    held.append(sock)
    # ...until the server as a whole is full (max_connections = 10).
    line, sock = first_line(s.smtp_port, "127.0.0.6")
    assert line.startswith("220 "), line
    held.append(sock)
    assert len(held) == 9
    line, sock = first_line(s.smtp_port, "127.0.0.8")
    assert line.startswith("220 "), line
    held.append(sock)
    for port, expected in ((s.smtp_port, "421 4.3.2 "), (s.imap_port, "* BYE [UNAVAILABLE] Too many connections, try again later"),
                           (s.pop3_port, "-ERR [SYS/TEMP] Too many connections, try again later")):
        line, sock = first_line(port, "127.0.0.9")
        assert line.startswith(expected), (expected, line)
        assert closed_after(sock)
    log = s.log()
    assert "event=connection_refused" in log and 'reason="server at its connection limit"' in log
    # A freed slot is usable again at once.
    held.pop().close()
    deadline = time.monotonic() + 5
    while True:
        line, sock = first_line(s.imap_port, "127.0.0.9")
        if line.startswith("* OK") or time.monotonic() > deadline:
            break
        sock.close()
        time.sleep(0.1)
    assert line.startswith("* OK"), line
    for h in held:
        h.close()


def test_command_flood_is_paced_not_refused(server_factory):
    s = server_factory(start=False, server={"dev_mode": True, "commands_per_second": 20, "command_burst": 20})
    s.imap_port = free_port()
    s.listeners.append({"protocol": "imap", "address": f"127.0.0.1:{s.imap_port}"})
    s.write_config()
    s.start()
    c = imaplib.IMAP4("127.0.0.1", s.imap_port, timeout=30)
    c.login(USER, s.passwords[USER])
    # Four pipelined batches of 20 NOOPs, each sent when the previous one is
    # answered: the first fits the burst, then each batch's debt (1 s at
    # 20/s) delays reading the next one: about 2 s for the four.
    start = time.monotonic()
    answered = 0
    for batch in range(4):
        c.send(b"".join(b"n%d NOOP\r\n" % (batch * 20 + i) for i in range(20)))
        buf = b""
        while b"n%d OK" % (batch * 20 + 19) not in buf:
            chunk = c.sock.recv(65536)
            assert chunk, buf[-200:]
            buf += chunk
        answered += len(re.findall(rb"^n\d+ OK", buf, re.M))
    flood = time.monotonic() - start
    assert answered == 80
    assert 1.8 < flood < 20, flood
    # Pacing is per session: a second session of the same user is not slowed.
    c2 = imaplib.IMAP4("127.0.0.1", s.imap_port, timeout=30)
    start = time.monotonic()
    c2.login(USER, s.passwords[USER])
    c2.noop()
    quick = time.monotonic() - start
    c2.logout()
    assert quick < 1.0, quick
    s.wait_log(r"event=command_rate_paced ", 5)
    c.logout()
    print(f"\n80 NOOPs (4 pipelined batches) at commands_per_second=20, burst 20: {flood:.2f} s; "
          f"a fresh session meanwhile: {quick * 1000:.0f} ms")


def test_over_long_lines_get_protocol_errors_and_the_session_goes_on(limited):
    s = limited
    # IMAP: max_line_length = 2048 -> BAD, then the next command works.
    c = imaplib.IMAP4("127.0.0.1", s.imap_port, timeout=10)
    c.send(b"a1 NOOP " + b"x" * 5000 + b"\r\n")
    line = c.readline()
    assert line.startswith(b"a1 BAD") or line.startswith(b"* BAD"), line
    assert c.noop()[0] == "OK"
    c.logout()
    # POP3: max_line_length = 512 -> -ERR, then the next command works.
    p = poplib.POP3("127.0.0.1", s.pop3_port, timeout=10)
    with pytest.raises(poplib.error_proto, match="Line too long"):
        p._shortcmd("USER " + "y" * 1000)
    assert p.capa()
    p.quit()
    # SMTP: max_line_length (default 4096) -> 500 5.5.2.
    with smtplib.SMTP("127.0.0.1", s.smtp_port, timeout=10) as m:
        code, text = m.docmd("HELO " + "z" * 5000)
        assert code == 500 and b"5.5.2" in text, (code, text)
        assert m.noop()[0] == 250
