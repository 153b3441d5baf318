"""POP3 and POP3S (RFC 1939, CAPA, STLS, AUTH PLAIN) against the real server
with Python's poplib and with fetchmail.

The maildrop is INBOX: UIDL is derived from UIDVALIDITY and the IMAP UID
(Dovecot's %08Xv%08Xu), stable across sessions and restarts; DELE takes
effect at QUIT only, and a concurrent IMAP session sees the EXPUNGE; a
dropped connection deletes nothing; a second login to a busy maildrop gets
[IN-USE]; passwords need TLS except on loopback in dev mode.
"""

import base64
import imaplib
import os
import poplib
import random
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

from postern_harness import DEFAULT_TIMEOUT, free_port, imap_login, smtp_deliver, unverified_context

USER = "demo@example.test"


@pytest.fixture
def pop3_server(server_factory):
    """dev_mode server with loopback imap, pop3 (plaintext allowed) and pop3s."""
    s = server_factory(start=False, server={"dev_mode": True})
    s.imap_port, s.pop3_port, s.pop3s_port = free_port(), free_port(), free_port()
    s.listeners.append({"protocol": "imap", "address": f"127.0.0.1:{s.imap_port}"})
    s.listeners.append({"protocol": "pop3", "address": f"127.0.0.1:{s.pop3_port}"})
    s.listeners.append({"protocol": "pop3s", "address": f"127.0.0.1:{s.pop3s_port}"})
    s.write_config()
    s.start()
    return s


def pop3_login(server, user=USER, ssl_=False):
    if ssl_:
        p = poplib.POP3_SSL("127.0.0.1", server.pop3s_port, timeout=DEFAULT_TIMEOUT, context=unverified_context())
    else:
        p = poplib.POP3("127.0.0.1", server.pop3_port, timeout=DEFAULT_TIMEOUT)
    p.user(user)
    p.pass_(server.passwords[user])
    return p


def pop3_login_retrying(server, user=USER, ssl_=False, timeout=10):
    """Login that waits out [IN-USE] while the server notices a dropped
    connection of the same user (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return pop3_login(server, user, ssl_)
        except poplib.error_proto as e:
            if b"[IN-USE]" not in e.args[0] or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def imap_append(server, messages, user=USER):
    c = imap_login(server, user)
    for m in messages:
        typ, data = c.append("INBOX", None, None, m)
        assert typ == "OK", data
    c.logout()


def imap_uids(server, user=USER):
    """(UIDVALIDITY, [UIDs]) of INBOX over IMAP."""
    c = imap_login(server, user)
    c.select("INBOX")
    uidvalidity = int(c.response("UIDVALIDITY")[1][0])
    typ, data = c.uid("SEARCH", "ALL")
    assert typ == "OK"
    c.logout()
    return uidvalidity, [int(u) for u in data[0].split()]


def message(n, body=None):
    body = body if body is not None else f"Body line one of {n}.\r\n.leading dot line\r\n..two dots\r\n"
    return (f"From: sender{n}@example.org\r\nTo: {USER}\r\nSubject: pop3 test {n}\r\n"
            f"Message-ID: <pop3.{n}@example.org>\r\n\r\n{body}").encode()


def joined(lines):
    """poplib's RETR lines (dot-unstuffed, without CRLF) back to message bytes."""
    return b"".join(l + b"\r\n" for l in lines)


def big_message(size=5 * 1024 * 1024):
    rnd = random.Random(5)
    raw = bytes(rnd.getrandbits(8) for _ in range(size * 3 // 4))
    b64 = base64.encodebytes(raw).replace(b"\n", b"\r\n")
    # Lines starting with '.' exercise byte-stuffing on the way out.
    body = b64[: size - 400] + b".a dotted line\r\n..\r\n.\r\nend\r\n"
    return (b"From: big@example.org\r\nTo: " + USER.encode() + b"\r\nSubject: five megabytes\r\n"
            b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body)


# --- capabilities and authentication -----------------------------------------

def test_capa_and_logins(pop3_server):
    p = poplib.POP3("127.0.0.1", pop3_server.pop3_port, timeout=DEFAULT_TIMEOUT)
    assert p.getwelcome().startswith(b"+OK")
    caps = p.capa()
    for c in ("TOP", "UIDL", "USER", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "STLS"):
        assert c in caps, caps
    assert caps["SASL"] == ["PLAIN"]
    assert caps["IMPLEMENTATION"] == ["Postern"]
    # Wrong password: [AUTH] (RFC 3206), and the session stays usable.
    p.user(USER)
    with pytest.raises(poplib.error_proto, match=r"\[AUTH\]"):
        p.pass_("wrong")
    p.user(USER)
    assert p.pass_(pop3_server.passwords[USER]).startswith(b"+OK")
    assert p.stat() == (0, 0)
    p.quit()

    # AUTH PLAIN with an initial response (RFC 5034), over POP3S.
    s = poplib.POP3_SSL("127.0.0.1", pop3_server.pop3s_port, timeout=DEFAULT_TIMEOUT, context=unverified_context())
    cred = base64.b64encode(b"\0" + USER.encode() + b"\0" + pop3_server.passwords[USER].encode()).decode()
    assert s._shortcmd("AUTH PLAIN " + cred).startswith(b"+OK")
    assert s.stat() == (0, 0)
    s.quit()
    # ... and with the continuation round-trip.
    s = poplib.POP3_SSL("127.0.0.1", pop3_server.pop3s_port, timeout=DEFAULT_TIMEOUT, context=unverified_context())
    s._putcmd("AUTH PLAIN")
    assert s._getline()[0].startswith(b"+")
    assert s._shortcmd(cred).startswith(b"+OK")
    s.quit()


def test_plaintext_refused_without_tls_then_stls(server_factory):
    """Not dev mode: no passwords before STLS, even on loopback (RFC 2595)."""
    s = server_factory(start=False)
    s.pop3_port = free_port()
    s.listeners.append({"protocol": "pop3", "address": f"127.0.0.1:{s.pop3_port}"})
    s.write_config()
    s.start()
    p = poplib.POP3("127.0.0.1", s.pop3_port, timeout=DEFAULT_TIMEOUT)
    caps = p.capa()
    assert "STLS" in caps and "USER" not in caps and "SASL" not in caps, caps
    with pytest.raises(poplib.error_proto, match=r"\[AUTH\] Plaintext"):
        p.user(USER)
    with pytest.raises(poplib.error_proto, match=r"\[AUTH\] Plaintext"):
        p._shortcmd("AUTH PLAIN " + base64.b64encode(b"\0" + USER.encode() + b"\0x").decode())
    p.stls(context=unverified_context())
    caps = p.capa()
    assert "USER" in caps and "STLS" not in caps, caps
    p.user(USER)
    p.pass_(s.passwords[USER])
    assert p.stat() == (0, 0)
    p.quit()


# --- the maildrop -------------------------------------------------------------

def test_stat_list_uidl_top_retr_and_uidl_stability(pop3_server):
    msgs = [message(i) for i in range(1, 6)]
    imap_append(pop3_server, msgs)
    smtp_deliver(pop3_server, "over smtp")
    p = pop3_login(pop3_server)
    count, octets = p.stat()
    assert count == 6
    listing = p.list()[1]
    sizes = [int(l.split()[1]) for l in listing]
    assert octets == sum(sizes)
    assert sizes[:5] == [len(m) for m in msgs]
    # RETR: byte-exact after poplib's dot-unstuffing; size as LISTed.
    for i, m in enumerate(msgs, 1):
        resp, lines, _ = p.retr(i)
        assert resp.startswith(f"+OK {len(m)} octets".encode())
        assert joined(lines) == m
    # TOP n 1: the header, the blank line, one body line.
    resp, lines, _ = p.top(2, 1)
    head = msgs[1].split(b"\r\n\r\n")[0].split(b"\r\n")
    assert lines == head + [b"", b"Body line one of 2."]
    # UIDL = %08X UIDVALIDITY %08X UID, as IMAP sees INBOX.
    uidl = {int(l.split()[0]): l.split()[1].decode() for l in p.uidl()[1]}
    assert p.uidl(3).split()[2].decode() == uidl[3]
    p.quit()
    uidvalidity, uids = imap_uids(pop3_server)
    assert [uidl[i] for i in range(1, 7)] == [f"{uidvalidity:08X}{u:08X}" for u in uids]
    # The same after reconnecting and after a server restart.
    p = pop3_login(pop3_server, ssl_=True)
    assert {int(l.split()[0]): l.split()[1].decode() for l in p.uidl()[1]} == uidl
    p.quit()
    pop3_server.stop()
    pop3_server.start()
    p = pop3_login(pop3_server)
    assert {int(l.split()[0]): l.split()[1].decode() for l in p.uidl()[1]} == uidl
    p.quit()


def test_retr_5mb_byte_exact_over_pop3s(pop3_server):
    big = big_message()
    imap_append(pop3_server, [big])
    p = pop3_login(pop3_server, ssl_=True)
    assert p.list(1).split()[2] == str(len(big)).encode()
    started = time.monotonic()
    resp, lines, _ = p.retr(1)
    elapsed = time.monotonic() - started
    assert resp.startswith(b"+OK")
    assert joined(lines) == big
    p.quit()
    print(f"\nRETR of {len(big)} octets over POP3S: {elapsed * 1000:.0f} ms, "
          f"{len(big) / elapsed / 1e6:.1f} MB/s")


def test_dele_quit_expunges_and_imap_sees_it(pop3_server):
    imap_append(pop3_server, [message(i) for i in range(1, 5)])
    uidvalidity, uids = imap_uids(pop3_server)
    watcher = imap_login(pop3_server)
    watcher.select("INBOX")
    p = pop3_login(pop3_server)
    p.dele(1)
    p.dele(3)
    with pytest.raises(poplib.error_proto, match="already deleted"):
        p.retr(1)
    assert p.stat()[0] == 2
    p.rset()
    assert p.stat()[0] == 4
    p.dele(1)
    p.dele(3)
    # Nothing is removed before QUIT (RFC 1939 §6).
    assert len(pop3_server.messages(USER)) == 4
    assert p.quit().startswith(b"+OK")
    assert [m.uid for m in pop3_server.messages(USER)] == [uids[1], uids[3]]
    # The concurrent IMAP session is told (RFC 9051 §7.5.1).
    deadline = time.monotonic() + 10
    expunged = []
    while time.monotonic() < deadline and len(expunged) < 2:
        watcher.noop()
        typ, data = watcher.response("EXPUNGE")
        expunged += [d for d in data if d]
        if len(expunged) < 2:
            time.sleep(0.05)
    assert len(expunged) == 2, expunged
    watcher.logout()
    p = pop3_login(pop3_server)
    assert p.stat()[0] == 2
    assert [l.split()[1].decode() for l in p.uidl()[1]] == [f"{uidvalidity:08X}{u:08X}" for u in (uids[1], uids[3])]
    p.quit()


def test_dropped_connection_deletes_nothing(pop3_server):
    imap_append(pop3_server, [message(i) for i in range(1, 4)])
    p = pop3_login(pop3_server)
    p.dele(1)
    p.dele(2)
    # No QUIT: the connection just goes (poplib's file object would keep
    # the socket open after close(), so shut it down).
    p.sock.shutdown(socket.SHUT_RDWR)
    p.sock.close()
    p = pop3_login_retrying(pop3_server)
    assert p.stat()[0] == 3
    p.quit()
    assert len(pop3_server.messages(USER)) == 3
    assert all("\\Deleted" not in flags for _, flags in pop3_server.message_flags(USER).values())


def test_second_login_is_in_use(pop3_server):
    imap_append(pop3_server, [message(1)])
    first = pop3_login(pop3_server)
    second = poplib.POP3_SSL("127.0.0.1", pop3_server.pop3s_port, timeout=DEFAULT_TIMEOUT,
                             context=unverified_context())
    second.user(USER)
    with pytest.raises(poplib.error_proto, match=r"\[IN-USE\]"):
        second.pass_(pop3_server.passwords[USER])
    # Another user is not affected; IMAP is not locked out.
    other = pop3_login(pop3_server, "alice@example.test")
    other.quit()
    c = imap_login(pop3_server)
    c.logout()
    first.quit()
    second.user(USER)
    assert second.pass_(pop3_server.passwords[USER]).startswith(b"+OK")
    assert second.stat()[0] == 1
    second.quit()


def test_pipelined_commands(pop3_server):
    imap_append(pop3_server, [message(i) for i in range(1, 4)])
    with socket.create_connection(("127.0.0.1", pop3_server.pop3_port), timeout=DEFAULT_TIMEOUT) as s:
        f = s.makefile("rb")
        assert f.readline().startswith(b"+OK")
        pw = pop3_server.passwords[USER]
        s.sendall(f"USER {USER}\r\nPASS {pw}\r\nSTAT\r\nUIDL 2\r\nTOP 1 0\r\nNOOP\r\nQUIT\r\n".encode())
        replies = [f.readline() for _ in range(5)]
        assert all(r.startswith(b"+OK") for r in replies), replies
        assert replies[2].startswith(b"+OK 3 ")
        top = []
        while (line := f.readline()) != b".\r\n":
            top.append(line)
        assert top[-1] == b"\r\n"  # the header section and the blank line only
        assert f.readline() == b"+OK\r\n"
        assert f.readline().startswith(b"+OK Postern POP3 server signing off")


# --- fetchmail ----------------------------------------------------------------

@pytest.mark.skipif(shutil.which("fetchmail") is None, reason="fetchmail not installed")
def test_fetchmail_over_pop3s(pop3_server, tmp_path):
    msgs = [message(i) for i in range(1, 8)] + [big_message(300 * 1024)]
    imap_append(pop3_server, msgs)
    home = tmp_path / "fetchmail-home"
    home.mkdir()
    out = tmp_path / "delivered"
    out.mkdir()
    mda = tmp_path / "mda.sh"
    mda.write_text(f'#!/bin/sh\nexec cat > "{out}/$(date +%s%N).$$.eml"\n')
    mda.chmod(0o755)
    rc = home / "fetchmailrc"
    rc.write_text(
        "set no syslog\nset invisible\n"
        f'poll mail.example.test via 127.0.0.1 protocol pop3 port {pop3_server.pop3s_port}\n'
        f'  user "{USER}" there with password "{pop3_server.passwords[USER]}" is "{os.environ.get("USER", "root")}" here\n'
        f'  ssl sslcertck sslcertfile "{pop3_server.cert}" sslcommonname "mail.example.test"\n'
        f'  mda "{mda}"\n'
        "  no rewrite\n")
    rc.chmod(0o600)
    env = {**os.environ, "HOME": str(home), "FETCHMAILHOME": str(home)}
    p = subprocess.run(["fetchmail", "-f", str(rc), "-v", "--nodetach"], capture_output=True, text=True,
                       timeout=120, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    got = sorted(f.read_bytes() for f in out.iterdir())
    # fetchmail hands the MDA LF line ends; otherwise the messages are intact.
    want = sorted(m.replace(b"\r\n", b"\n") for m in msgs)
    assert got == want
    # Fetched messages are deleted from the server (fetchmail's default).
    assert pop3_server.messages(USER) == []


# --- scale: STAT+UIDL on a 10,000-message INBOX -------------------------------

def test_stat_uidl_10000_messages(pop3_server):
    total, workers = 10_000, 4
    def load(k):
        c = imap_login(pop3_server)
        for i in range(k, total, workers):
            typ, data = c.append("INBOX", None, None, f"Subject: m{i}\r\n\r\nbody {i}\r\n".encode())
            assert typ == "OK", data
        c.logout()
    threads = [threading.Thread(target=load, args=(k,)) for k in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    p = pop3_login(pop3_server)
    started = time.monotonic()
    count, octets = p.stat()
    listing = p.uidl()[1]
    elapsed = time.monotonic() - started
    p.quit()
    assert count == total and len(listing) == total
    uidvalidity, uids = imap_uids(pop3_server)
    assert [l.split()[1].decode() for l in listing] == [f"{uidvalidity:08X}{u:08X}" for u in uids]
    # Login (snapshot) + STAT + UIDL, timed from the client.
    started = time.monotonic()
    p = pop3_login(pop3_server)
    p.stat()
    p.uidl()
    with_login = time.monotonic() - started
    p.quit()
    print(f"\n10,000-message INBOX: STAT+UIDL {elapsed * 1000:.0f} ms; login+STAT+UIDL {with_login * 1000:.0f} ms")


# --- abuse: bans and slow lines -----------------------------------------------

class SourcePOP3(poplib.POP3):
    """poplib from a chosen local address (127.0.0.x): a distinct client."""

    def __init__(self, port, source):
        self.source = source
        super().__init__("127.0.0.1", port, timeout=DEFAULT_TIMEOUT)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(self.source, 0))


def test_failed_logins_and_bad_commands_ban_the_source(server_factory):
    s = server_factory(start=False, server={"dev_mode": True})
    s.pop3_port = free_port()
    s.listeners.append({"protocol": "pop3", "address": f"127.0.0.1:{s.pop3_port}"})
    s.sections["guard"] = {"auth_failures": 3, "abuse_events": 4, "window_seconds": 120, "ban_seconds": 60,
                           "account_delay_ms": 0, "allowlist": ["127.0.0.20"]}  # not loopback (the default)
    s.write_config()
    s.start()
    p = SourcePOP3(s.pop3_port, "127.0.0.31")
    for guess in ("a", "b", "c"):
        p.user(USER)
        with pytest.raises(poplib.error_proto, match=r"\[AUTH\]"):
            p.pass_(guess)
    s.wait_log(r"event=ban source=127\.0\.0\.31 ", 5)
    p.close()
    with socket.create_connection(("127.0.0.1", s.pop3_port), timeout=5, source_address=("127.0.0.31", 0)) as c:
        try:
            assert c.recv(100) == b""  # dropped at accept
        except ConnectionResetError:
            pass
    # Junk commands count as abuse (reported when the session ends).
    p = SourcePOP3(s.pop3_port, "127.0.0.32")
    for junk in ("FROB", "XYZZY", "STAT", "RETR 1"):
        with pytest.raises(poplib.error_proto):
            p._shortcmd(junk)
    p.quit()
    s.wait_log(r"event=ban source=127\.0\.0\.32 ", 5)
    # The real user, from elsewhere, is not affected.
    p = SourcePOP3(s.pop3_port, "127.0.0.33")
    p.user(USER)
    p.pass_(s.passwords[USER])
    p.quit()


def test_slow_line_is_cut_off(server_factory):
    """slowloris: a line trickling in a byte at a time is cut at
    pop3.line_timeout_seconds, however often bytes arrive."""
    s = server_factory(start=False, server={"dev_mode": True})
    s.pop3_port = free_port()
    s.listeners.append({"protocol": "pop3", "address": f"127.0.0.1:{s.pop3_port}"})
    s.sections["pop3"] = {"line_timeout_seconds": 2}
    s.write_config()
    s.start()
    with socket.create_connection(("127.0.0.1", s.pop3_port), timeout=DEFAULT_TIMEOUT) as c:
        f = c.makefile("rb")
        assert f.readline().startswith(b"+OK")
        started = time.monotonic()
        closed = False
        for ch in b"USER " + b"x" * 40:
            try:
                c.sendall(bytes([ch]))
            except OSError:
                closed = True
                break
            time.sleep(0.25)
            if time.monotonic() - started > 8:
                break
        reply = f.readline()
        assert reply.startswith(b"-ERR"), reply
        assert f.readline() == b""  # closed
        assert time.monotonic() - started < 6, closed
