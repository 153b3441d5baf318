"""Two imaplib sessions on one mailbox, one of them in IDLE (RFC 2177, RFC
9051 §6.3.13): every change the other session makes, and every SMTP
delivery, is pushed to the idler at once from the store's change
notifications (no polling): EXISTS within 1 s of the SMTP 250, FETCH FLAGS
with MODSEQ (CONDSTORE, RFC 7162 §3.1.4), EXPUNGE for expunges and moves.
Changes to other mailboxes and other accounts push nothing. A session that
is not idling gets no EXPUNGE during FETCH (RFC 9051 §7.5.1) but on NOOP.
"""

import re
import select
import smtplib
import time

from postern_harness import imap_login, smtp_deliver

USER = "demo@example.test"
PUSH_LIMIT = 1.0  # seconds from the change's completion to the untagged response


class Idler:
    """An imaplib session in IDLE. imaplib (Python 3.11) has no idle(): the
    command goes through its socket and tag counter, and the responses are
    read from imaplib's buffered socket file without blocking (a timed-out
    socket file cannot be read again), waiting in select()."""

    def __init__(self, c):
        self.c = c
        self.buf = b""
        self.seen = []
        self.tag = c._new_tag()
        c.send(self.tag + b" IDLE\r\n")
        line = self.read_line(5)
        assert line is not None and line.startswith(b"+ "), line

    def _available(self):
        self.c.sock.settimeout(0.0)
        try:
            return self.c.file.read1(65536)  # what imaplib buffered, else one read
        finally:
            self.c.sock.settimeout(15)

    def read_line(self, timeout):
        """The next line without CRLF, or None after `timeout` seconds."""
        end = time.monotonic() + timeout
        while b"\r\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                return None
            chunk = self._available()
            if chunk:
                self.buf += chunk
            else:
                select.select([self.c.sock], [], [], left)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def expect(self, pattern, timeout=5):
        """Reads untagged lines until one matches `pattern`; returns (match, seconds waited)."""
        start = time.monotonic()
        while True:
            line = self.read_line(timeout - (time.monotonic() - start))
            assert line is not None, f"no {pattern!r} within {timeout}s; got {self.seen}"
            self.seen.append(line)
            m = re.fullmatch(pattern, line)
            if m:
                return m, time.monotonic() - start

    def assert_silent(self, seconds):
        line = self.read_line(seconds)
        assert line is None, f"unexpected push while idling: {line!r}"

    def done(self):
        self.c.send(b"DONE\r\n")
        while True:
            line = self.read_line(5)
            assert line is not None, f"no reply to DONE; got {self.seen}"
            if line.startswith(self.tag):
                assert line.startswith(self.tag + b" OK"), line
                return
            self.seen.append(line)


def view(c):
    """(UID, flags) of every message, in sequence order."""
    typ, data = c.fetch("1:*", "(UID FLAGS)")
    assert typ == "OK", data
    out = []
    for d in data:
        if d is None:
            continue
        m = re.match(rb"\d+ \(UID (\d+) FLAGS \(([^)]*)\)\)", d)
        assert m, d
        out.append((int(m.group(1)), frozenset(m.group(2).decode().split())))
    return out


def test_idle_sees_deliveries_and_the_other_sessions_changes_at_once(imap_server):
    s = imap_server
    for i in range(3):
        smtp_deliver(s, f"first {i}")
    idler = imap_login(s)
    assert idler.enable("CONDSTORE")[0] == "OK"
    typ, data = idler.select("INBOX")
    assert (typ, data) == ("OK", [b"3"])
    highest = int(idler.response("HIGHESTMODSEQ")[1][0])
    other = imap_login(s)
    other.select("INBOX")
    idle = Idler(idler)
    latencies = []

    # SMTP deliveries: EXISTS within 1 s of the 250 (the message is durable then).
    with smtplib.SMTP("127.0.0.1", s.smtp_port, timeout=15) as smtp:
        for n in range(4, 9):
            smtp.sendmail("sender@example.org", [USER], f"Subject: delivered {n}\r\n\r\nhi\r\n")
            _, waited = idle.expect(rb"\* %d EXISTS" % n)
            latencies.append(waited)
    # STORE by the other session: FETCH with the new flags and a higher MODSEQ.
    assert other.store("1", "+FLAGS", "(\\Flagged $Important)")[0] == "OK"
    m, waited = idle.expect(rb"\* 1 FETCH \(UID 1 FLAGS \(([^)]*)\) MODSEQ \((\d+)\)\)")
    latencies.append(waited)
    assert set(m.group(1).split()) == {b"\\Flagged", b"$Important"}
    assert int(m.group(2)) > highest
    highest = int(m.group(2))
    assert other.store("1", "-FLAGS", "($Important)")[0] == "OK"
    m, waited = idle.expect(rb"\* 1 FETCH \(UID 1 FLAGS \(\\Flagged\) MODSEQ \((\d+)\)\)")
    assert int(m.group(1)) > highest
    latencies.append(waited)
    # APPEND and COPY into the mailbox: EXISTS.
    assert other.append("INBOX", None, None, b"Subject: appended\r\n\r\nhi\r\n")[0] == "OK"
    _, waited = idle.expect(rb"\* 9 EXISTS")
    latencies.append(waited)
    assert other.copy("2", "INBOX")[0] == "OK"
    _, waited = idle.expect(rb"\* 10 EXISTS")
    latencies.append(waited)
    # EXPUNGE and MOVE out: EXPUNGE with the idler's sequence numbers.
    assert other.store("2:3", "+FLAGS", "(\\Deleted)")[0] == "OK"
    assert other.expunge()[0] == "OK"
    idle.expect(rb"\* 2 EXPUNGE")
    _, waited = idle.expect(rb"\* 2 EXPUNGE")  # message 3 became 2
    latencies.append(waited)
    typ, data = other.uid("MOVE", "1", "Archive")
    assert typ == "OK", data
    _, waited = idle.expect(rb"\* 1 EXPUNGE")
    latencies.append(waited)
    # Other mailboxes and other accounts: nothing to say.
    assert other.append("Trash", None, None, b"Subject: elsewhere\r\n\r\nhi\r\n")[0] == "OK"
    smtp_deliver(s, "for alice", to="alice@example.test")
    idle.assert_silent(0.5)

    idle.done()
    assert max(latencies) < PUSH_LIMIT, latencies
    print(f"IDLE push latencies (ms): {', '.join(f'{x * 1000:.1f}' for x in latencies)}")
    # Both sessions, and the store, agree on the mailbox.
    assert idler.noop()[0] == "OK"
    assert other.noop()[0] == "OK"
    mine = view(idler)
    assert mine == view(other)
    stored = s.message_flags(USER)
    assert mine == [(uid, flags) for uid, (_, flags) in sorted(stored.items())]
    assert len(mine) == 7
    idler.logout()
    other.logout()


def test_no_expunge_during_fetch_but_on_noop(imap_server):
    s = imap_server
    for i in range(3):
        smtp_deliver(s, f"msg {i}")
    a, b = imap_login(s), imap_login(s)
    a.select("INBOX")
    b.select("INBOX")
    assert b.store("1", "+FLAGS", "(\\Deleted)")[0] == "OK"
    assert b.expunge()[0] == "OK"
    time.sleep(0.3)  # the notification reaches a's session meanwhile
    # RFC 9051 §7.5.1: sequence numbers must not shift under a FETCH.
    typ, data = a.fetch("1:3", "(UID)")
    # (the other session's \Deleted may have been pushed before: FETCH FLAGS)
    assert typ == "OK" and [d for d in data if b"FLAGS" not in d] == [b"1 (UID 1)", b"2 (UID 2)", b"3 (UID 3)"]
    assert "EXPUNGE" not in a.untagged_responses
    assert a.noop()[0] == "OK"
    assert a.untagged_responses.pop("EXPUNGE") == [b"1"]
    assert [uid for uid, _ in view(a)] == [2, 3]
    # UID commands may announce it at once (RFC 9051 §7.5.1).
    assert b.store("1", "+FLAGS", "(\\Deleted)")[0] == "OK"
    assert b.expunge()[0] == "OK"
    time.sleep(0.3)
    typ, data = a.uid("FETCH", "1:*", "(FLAGS)")
    assert typ == "OK"
    assert a.untagged_responses.pop("EXPUNGE") == [b"1"]
    a.logout()
    b.logout()


def test_fetching_a_message_another_session_expunged(imap_server):
    """FETCH of a body the store no longer has: a sequence FETCH may not
    announce the expunge, so it fails with NO [EXPUNGEISSUED] (RFC 5530);
    a UID FETCH announces it (RFC 9051 §7.4.1) and then succeeds, because
    a UID that does not exist is ignored (§6.4.8)."""
    s = imap_server
    for i in range(3):
        smtp_deliver(s, f"gone {i}")
    a, b = imap_login(s), imap_login(s)
    a.select("INBOX")
    b.select("INBOX")
    assert b.uid("STORE", "2", "+FLAGS.SILENT", "(\\Deleted)")[0] == "OK"
    assert b.expunge()[0] == "OK"
    time.sleep(0.3)
    typ, data = a.fetch("1:3", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert typ == "NO" and b"[EXPUNGEISSUED]" in data[0], (typ, data)
    assert "EXPUNGE" not in a.untagged_responses
    a.untagged_responses.clear()
    typ, data = a.uid("FETCH", "1:3", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert typ == "OK", (typ, data)
    assert a.untagged_responses.pop("EXPUNGE") == [b"2"]
    # Each FETCH is numbered as it was before the EXPUNGE that follows it.
    flat = b"".join(d[0] + d[1] if isinstance(d, tuple) else d for d in data)
    assert re.findall(rb"Subject: gone (\d)", flat) == [b"0", b"2"], data
    assert re.findall(rb"UID (\d+)", flat) == [b"1", b"3"], data
    assert [uid for uid, _ in view(a)] == [1, 3]
    a.logout()
    b.logout()
