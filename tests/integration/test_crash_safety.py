"""The durability contract under load: `kill -9` loses no acknowledged
message and leaves no partial one; SIGTERM lets in-flight transactions finish."""

import random
import re
import smtplib
import socket
import threading
import time
import uuid

from postern_harness import DEFAULT_TIMEOUT, SmtpConn, split_received

USERS = ("demo@example.test", "alice@example.test", "bob@example.test")
SENDERS = 20
MAX_PER_SENDER = 200  # bounds the run (and the verification time) whatever the throughput


class Sender(threading.Thread):
    def __init__(self, index, port, stop):
        super().__init__(daemon=True)
        self.index, self.port, self.stop = index, port, stop
        self.sent = {}     # message-id -> (recipients, bytes): handed to the server completely
        self.acked = set()  # message-ids that got 250
        self.error = None
        self.rng = random.Random(index)

    def message(self, n):
        msgid = f"<s{self.index}-n{n}-{uuid.uuid4().hex}@crash.test>"
        size = self.rng.choice([100, 1000, 5000, 30000])
        line = f"sender {self.index} message {n} "
        body = "".join(f"{line}{i:06d} {uuid.uuid4().hex}\r\n" for i in range(size // 60 + 1))
        rcpts = [USERS[(self.index + n) % 3]]
        if n % 5 == 0:
            rcpts.append(USERS[(self.index + n + 1) % 3])
        data = (f"From: s{self.index}@example.org\r\nTo: {', '.join(rcpts)}\r\nSubject: crash s{self.index} "
                f"n{n}\r\nMessage-ID: {msgid}\r\n\r\n{body}").encode()
        return msgid, rcpts, data

    def run(self):
        n = 0
        try:
            while not self.stop.is_set() and n < MAX_PER_SENDER:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=DEFAULT_TIMEOUT) as c:
                    for _ in range(self.rng.randint(1, 8)):
                        if self.stop.is_set() or n >= MAX_PER_SENDER:
                            break
                        msgid, rcpts, data = self.message(n)
                        n += 1
                        # Recorded before sending: if the server dies mid-DATA the
                        # message may be unacknowledged, never partial.
                        self.sent[msgid] = (rcpts, data)
                        c.sendmail(f"s{self.index}@example.org", rcpts, data)
                        self.acked.add(msgid)
        except (OSError, smtplib.SMTPException) as e:
            self.error = e  # the server was killed: expected


MSGID_RE = re.compile(rb"^Message-ID: (<[^>]+>)\r$", re.M)


def test_kill9_under_load_loses_no_acknowledged_message(server_factory):
    s = server_factory(users=USERS, smtp={"max_connections_per_ip": 200})
    stop = threading.Event()
    senders = [Sender(i, s.smtp_port, stop) for i in range(SENDERS)]
    for t in senders:
        t.start()
    time.sleep(2.5)
    s.kill9()
    stop.set()
    for t in senders:
        t.join(timeout=DEFAULT_TIMEOUT + 5)
        assert not t.is_alive(), "sender thread stuck"

    sent = {k: v for t in senders for k, v in t.sent.items()}
    acked = set().union(*(t.acked for t in senders))
    assert len(acked) >= 20, f"only {len(acked)} messages acknowledged before the kill: load too light"
    assert any(t.error for t in senders), "no sender noticed the kill: it did not happen mid-load"

    s.start()  # crash recovery
    seen = {}  # (user, msgid) -> count
    for user in USERS:
        for m in s.messages(user):
            stored = s.show(user, m.uid)
            assert m.size == len(stored)
            header, rest = split_received(stored)
            found = MSGID_RE.search(rest)
            assert found, f"stored message without a Message-ID (partial?): {rest[:300]!r}"
            msgid = found.group(1).decode()
            assert msgid in sent, f"stored message {msgid} was never sent"
            rcpts, data = sent[msgid]
            assert rest == data, f"{msgid} stored for {user} differs from what was sent (partial or corrupt)"
            assert user in rcpts
            seen[(user, msgid)] = seen.get((user, msgid), 0) + 1

    duplicates = {k: v for k, v in seen.items() if v != 1}
    assert not duplicates, f"stored more than once: {duplicates}"
    missing = [(u, mid) for mid in acked for u in sent[mid][0] if (u, mid) not in seen]
    assert not missing, f"{len(missing)} acknowledged deliveries lost, e.g. {missing[:5]}"
    # A delivery is all-or-nothing across its recipients.
    for mid, (rcpts, _) in sent.items():
        present = [u for u in rcpts if (u, mid) in seen]
        assert present == [] or present == rcpts, f"{mid} stored for {present} of {rcpts}"
    print(f"sent={len(sent)} acked={len(acked)} stored={len(seen)}")

    # The restarted server works normally.
    with smtplib.SMTP("127.0.0.1", s.smtp_port, timeout=DEFAULT_TIMEOUT) as c:
        c.sendmail("after@example.org", ["demo@example.test"], b"Subject: after restart\r\n\r\nok\r\n")
    assert s.messages("demo@example.test")[-1].subject == "after restart"
    assert s.stop() == 0


def test_sigterm_drains_transaction_in_progress(server_factory):
    s = server_factory(server={"shutdown_grace_seconds": 20})
    msg = (b"From: drain@example.org\r\nTo: demo@example.test\r\nSubject: drained\r\n"
           b"Message-ID: <drain@example.org>\r\n\r\n" + b"line of the message body\r\n" * 200)
    idle = SmtpConn(s.smtp_port)
    assert idle.cmd("EHLO idle.example.org")[0] == 250
    with SmtpConn(s.smtp_port) as c:
        c.cmd("EHLO client.example.org")
        assert c.cmd("MAIL FROM:<drain@example.org>")[0] == 250
        assert c.cmd("RCPT TO:<demo@example.test>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        c.send(msg[:1000])
        offset = len(s.log())
        s.proc.send_signal(15)
        s.wait_log(r"event=shutdown_begin", since=offset)
        # An idle session is told and closed at once.
        code, text = idle.read_reply()
        assert code == 421 and text[0].startswith("4.3.2"), text
        assert idle.closed_by_peer()
        idle.close()
        # No new sessions are accepted.
        time.sleep(0.3)
        try:
            with SmtpConn(s.smtp_port, timeout=3) as late:
                assert late.greeting[0] == 421, late.greeting
        except (ConnectionRefusedError, ConnectionResetError):
            pass
        except ConnectionError:
            pass
        assert s.running(), "server exited before the in-flight transaction finished"
        # The client in DATA finishes and gets its 250, then a 421 and close.
        c.send(msg[1000:] + b".\r\n")
        code, text = c.read_reply()
        assert code == 250, text
        code, text = c.read_reply()
        assert code == 421, text
        assert c.closed_by_peer()
    try:
        rc = s.proc.wait(timeout=15)
    except Exception:
        raise AssertionError("server did not exit after the last session closed:\n" + s.log())
    assert rc == 0, s.log()
    assert "event=shutdown_complete" in s.log()
    msgs = s.messages("demo@example.test")
    assert [m.subject for m in msgs] == ["drained"]
    _, rest = split_received(s.show("demo@example.test", msgs[0].uid))
    assert rest == msg


def test_sigterm_with_no_sessions_exits_promptly(server):
    t = time.monotonic()
    assert server.stop(timeout=10) == 0
    assert time.monotonic() - t < 5
    try:
        socket.create_connection(("127.0.0.1", server.smtp_port), timeout=2).close()
        raise AssertionError("port still accepting after exit")
    except ConnectionRefusedError:
        pass
