"""IMAP against the real server with Python's imaplib: login rules, the
mailbox and message commands. Push through IDLE: test_idle.py; real
clients: test_mbsync.py, test_neomutt.py; concurrency: test_imap_concurrency.py."""

import imaplib
import re
import select
import smtplib
import socket
import time

import pytest

from postern_harness import free_port, unverified_context
from postern_harness import imap_login as login
from postern_harness import smtp_deliver as deliver

USER = "demo@example.test"


def test_capabilities_and_plaintext_login_rules(imap_server, server_factory):
    c = imaplib.IMAP4("127.0.0.1", imap_server.imap_port, timeout=15)
    caps = c.capabilities
    for cap in ("IMAP4REV1", "IMAP4REV2", "IDLE", "UIDPLUS", "MOVE", "SPECIAL-USE", "CONDSTORE", "STARTTLS"):
        assert cap in caps
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        c.login(USER, "wrong password")
    c.login(USER, imap_server.passwords[USER])
    c.logout()
    # Without dev_mode, passwords are refused before TLS (RFC 9051 §6.2.3).
    strict = server_factory(start=False)
    strict.imap_port = free_port()
    strict.listeners.append({"protocol": "imap", "address": f"127.0.0.1:{strict.imap_port}"})
    strict.write_config()
    strict.start()
    c = imaplib.IMAP4("127.0.0.1", strict.imap_port, timeout=15)
    assert "LOGINDISABLED" in c.capabilities
    with pytest.raises(imaplib.IMAP4.error):
        c.login(USER, strict.passwords[USER])
    c.starttls(ssl_context=unverified_context())
    typ, _ = c.login(USER, strict.passwords[USER])
    assert typ == "OK"
    c.logout()


def test_imaps_login_select_fetch(imap_server):
    deliver(imap_server, "over imaps")
    c = imaplib.IMAP4_SSL("127.0.0.1", imap_server.imaps_port, ssl_context=unverified_context(), timeout=15)
    c.login(USER, imap_server.passwords[USER])
    typ, data = c.select("INBOX")
    assert (typ, data) == ("OK", [b"1"])
    typ, data = c.fetch("1", "(BODY.PEEK[])")
    assert typ == "OK"
    assert data[0][1] == imap_server.show(USER, 1)
    c.logout()


def test_list_create_rename_delete_subscribe(imap_server):
    c = login(imap_server)
    typ, boxes = c.list()
    names = {b.decode().rsplit('"/" ', 1)[1] for b in boxes}
    assert {"INBOX", "Sent", "Drafts", "Junk", "Trash", "Archive"} <= names
    assert any(b"\\Sent" in b and b.endswith(b"Sent") for b in boxes)
    assert c.create("Projects/2026")[0] == "OK"
    assert c.create("Projects/2026")[0] == "NO"
    assert c.rename("Projects", "Work")[0] == "OK"
    typ, boxes = c.list('""', "Work*")
    assert sorted(b.decode().rsplit('"/" ', 1)[1] for b in boxes) == ["Work", "Work/2026"]
    assert c.unsubscribe("Work/2026")[0] == "OK"
    typ, subscribed = c.lsub('""', "Work*")
    assert [b.decode().rsplit('"/" ', 1)[1] for b in subscribed if b] == ["Work"]
    assert c.delete("Work/2026")[0] == "OK"
    assert c.select("Work/2026")[0] == "NO"
    # Mailbox names beyond ASCII travel as modified UTF-7 to rev1 clients.
    assert c.create("&ZeVnLIqe-")[0] == "OK"
    typ, boxes = c.list('""', "&ZeVnLIqe-")
    assert boxes[0].endswith(b"&ZeVnLIqe-")
    c.logout()


def test_flags_search_copy_move_expunge(imap_server):
    for i in range(3):
        deliver(imap_server, f"msg {i}")
    c = login(imap_server)
    assert c.select("INBOX") == ("OK", [b"3"])
    typ, data = c.store("1:2", "+FLAGS", "(\\Seen)")
    assert typ == "OK"
    assert c.search(None, "SEEN")[1] == [b"1 2"]
    assert c.search(None, "UNSEEN")[1] == [b"3"]
    typ, data = c._simple_command("UID", "COPY", "1:3", "Archive")
    assert typ == "OK" and b"[COPYUID " in data[0]  # RFC 4315
    typ, data = c.uid("MOVE", "3", "Trash")
    assert typ == "OK"
    assert c.select("Trash", readonly=True)[1] == [b"1"]
    c.select("INBOX")
    c.store("1", "+FLAGS", "(\\Deleted)")
    typ, data = c.expunge()
    assert data == [b"1"]
    typ, data = c.fetch("1:*", "(UID FLAGS)")
    assert len(data) == 1 and b"UID 2" in data[0] and b"\\Seen" in data[0]
    typ, data = c.append("INBOX", "(\\Flagged)", None, b"Subject: appended\r\n\r\nhello\r\n")
    assert typ == "OK" and b"APPENDUID" in data[0]
    typ, data = c.status("Archive", "(MESSAGES UNSEEN UIDNEXT)")
    assert b"MESSAGES 3" in data[0] and b"UNSEEN 1" in data[0] and b"UIDNEXT 4" in data[0]
    c.logout()
    assert [m.subject for m in imap_server.messages(USER)] == ["msg 1", "appended"]


def read_until(sock, needle, timeout):
    buf = b""
    end = time.monotonic() + timeout
    while needle not in buf and time.monotonic() < end:
        r, _, _ = select.select([sock], [], [], max(0.0, end - time.monotonic()))
        if r:
            chunk = sock.recv(4096)
            if not chunk:
                break
            buf += chunk
    return buf


def test_bad_commands_get_precise_errors(imap_server):
    c = login(imap_server)
    with pytest.raises(imaplib.IMAP4.error):
        c.fetch("1", "(FLAGS)")  # no mailbox selected
    raw = socket.create_connection(("127.0.0.1", imap_server.imap_port), timeout=15)
    read_until(raw, b"\r\n", 5)
    raw.sendall(f'x0 LOGIN {USER} "{imap_server.passwords[USER]}"\r\nx01 SELECT INBOX\r\n'.encode())
    assert b"x01 OK" in read_until(raw, b"x01 OK", 10)
    raw.sendall(b"x02 FETCH 1:* (NOSUCHITEM)\r\n")
    assert b"x02 BAD" in read_until(raw, b"x02 BAD", 5)
    raw.sendall(b"x1 FROBNICATE\r\n")
    assert b"x1 BAD" in read_until(raw, b"x1 BAD", 5)
    # A synchronizing literal over the limit is refused before it is sent.
    raw.sendall(b"x2 LOGIN {99999999999}\r\n")
    assert b"x2" in read_until(raw, b"x2", 5)
    raw.close()
    c.logout()


MULTIPART = (b"From: Alice <alice@example.org>\r\nTo: demo@example.test\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n"
             b"Message-ID: <m1@example.org>\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npreamble\r\n--b1\r\n"
             b"Content-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n--b1\r\n"
             b"Content-Type: application/pdf; name=\"r.pdf\"\r\nContent-Transfer-Encoding: base64\r\n"
             b"Content-Disposition: attachment; filename=\"r.pdf\"\r\n\r\nJVBERi0=\r\n--b1--\r\n")


def test_envelope_bodystructure_and_sections_from_the_cached_structure(imap_server):
    with smtplib.SMTP("127.0.0.1", imap_server.smtp_port, timeout=15) as s:
        s.sendmail("alice@example.org", [USER], MULTIPART)
    c = login(imap_server)
    c.select("INBOX")
    typ, data = c.fetch("1", "(ENVELOPE BODYSTRUCTURE)")
    line = data[0]
    assert b'"=?utf-8?q?caf=C3=A9?="' in line  # RFC 9051 §7.5.2: ENVELOPE is sent undecoded
    assert b'(("Alice" NIL "alice" "example.org"))' in line
    assert b'"<m1@example.org>"' in line
    assert b'("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 5 1' in line
    assert b'("application" "pdf" ("name" "r.pdf") NIL NIL "base64" 8 NIL' in line
    assert b'"mixed" ("boundary" "b1")' in line
    typ, data = c.fetch("1", "(BODY.PEEK[1])")
    assert data == [b'1 (BODY[1] "hello")']  # short 7-bit data may be a quoted string
    typ, data = c.fetch("1", "(BODY.PEEK[2.MIME] BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    parts = {re.search(rb"BODY\[([^\]]*)", k).group(1): v for k, v in (d for d in data if isinstance(d, tuple))}
    assert parts[b"2.MIME"].startswith(b"Content-Type: application/pdf") and parts[b"2.MIME"].endswith(b"\r\n\r\n")
    assert parts[b"HEADER.FIELDS (SUBJECT)"] == b"Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\n"
    c.logout()
