"""Inbound SMTP (MX role) against a real server: real clients (smtplib, swaks,
raw sockets), checked against what the store holds (`postern message`)."""

import email.utils
import re
import smtplib
import subprocess
import time
import uuid
from datetime import datetime, timezone

import pytest

from postern_harness import DEFAULT_TIMEOUT, SmtpConn, split_received, unverified_context

SENDER = "sender@example.org"
CLIENT_NAME = "client.example.org"


def make_msg(subject="Hello", body="Hello there.\r\n", to="demo@example.test", frm=SENDER, extra=b""):
    """An RFC 5322 message as bytes with CRLF line ends and a unique Message-ID."""
    msgid = f"<{uuid.uuid4().hex}@example.org>"
    head = (f"From: {frm}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {msgid}\r\n"
            f"Date: {email.utils.formatdate()}\r\n").encode()
    if isinstance(body, str):
        body = body.encode()
    return head + extra + b"\r\n" + body


def smtp(server):
    return smtplib.SMTP("127.0.0.1", server.smtp_port, local_hostname=CLIENT_NAME, timeout=DEFAULT_TIMEOUT)


def unfold(header):
    return re.sub(rb"\r\n[ \t]+", b" ", header).rstrip(b"\r\n").decode()


RECEIVED_RE = re.compile(
    r"^Received: from (?P<helo>\S+) \(unknown \[(?P<ip>[0-9.]+)\]\) by (?P<by>\S+) \(Postern\) "
    r"with (?P<with>\w+) id (?P<id>\S+?)(?: for <(?P<for>[^>]+)>)?;? (?P<date>.+)$")


def parse_received(header):
    text = unfold(header)
    m = RECEIVED_RE.match(text)
    assert m, f"Received header not in the expected form: {text!r}"
    return m


def assert_stored(server, user, sent, count=1):
    """The user's INBOX holds exactly `count` messages and the last one is
    `sent` with one Received header prepended; returns (header, Message)."""
    msgs = server.messages(user)
    assert len(msgs) == count, msgs
    stored = server.show(user, msgs[-1].uid)
    header, rest = split_received(stored)
    assert rest == sent
    assert msgs[-1].size == len(stored)
    return header, msgs[-1]


# --- plain delivery -----------------------------------------------------------

def test_plain_smtplib_delivery_and_received_header(server):
    msg = make_msg(subject="Plain delivery")
    before = time.time()
    with smtp(server) as c:
        code, _ = c.ehlo()
        assert code == 250
        assert c.sendmail(SENDER, ["demo@example.test"], msg) == {}
    header, m = assert_stored(server, "demo@example.test", msg)
    assert m.return_path == SENDER
    assert m.subject == "Plain delivery"
    r = parse_received(header)
    assert r["helo"] == CLIENT_NAME
    assert r["ip"] == "127.0.0.1"
    assert r["by"] == "mail.example.test"
    assert r["with"] == "ESMTP"
    assert r["for"] == "demo@example.test"
    date = email.utils.parsedate_to_datetime(r["date"])
    assert abs(date.timestamp() - before) < 60
    assert date.utcoffset().total_seconds() == 0
    # The id is the session id that the log uses for the same connection.
    assert f"session={r['id']}" in server.log()
    for line in header.split(b"\r\n")[:-1]:
        assert len(line) <= 78, line


def test_ehlo_advertises_extensions_and_configured_size(server_factory):
    s = server_factory(smtp={"max_message_size": 123456})
    with SmtpConn(s.smtp_port) as c:
        assert c.greeting[0] == 220
        assert c.greeting[1][0].startswith("mail.example.test")
        code, lines = c.cmd("EHLO " + CLIENT_NAME)
        assert code == 250
        assert lines[0] == "mail.example.test"
        ext = lines[1:]
        for e in ("PIPELINING", "SIZE 123456", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING",
                  "STARTTLS"):
            assert e in ext, ext


def test_plain_swaks_delivery(server):
    p = subprocess.run(["swaks", "--server", f"127.0.0.1:{server.smtp_port}", "--to", "demo@example.test",
                        "--from", SENDER, "--ehlo", CLIENT_NAME, "--header", "Subject: from swaks",
                        "--body", "swaks body line"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    msgs = server.messages("demo@example.test")
    assert [m.subject for m in msgs] == ["from swaks"]
    stored = server.show("demo@example.test", msgs[0].uid)
    _, rest = split_received(stored)
    assert b"swaks body line" in rest
    assert b"Subject: from swaks\r\n" in rest


def test_8bitmime_body(server):
    body = "Grüße aus Köln — 8-bit body, no encoding.\r\nZweite Zeile: ÄÖÜ ß €\r\n".encode("utf-8")
    msg = make_msg(subject="8bit", body=body,
                   extra=b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                         b"Content-Transfer-Encoding: 8bit\r\n")
    with smtp(server) as c:
        c.ehlo()
        assert c.has_extn("8bitmime")
        assert c.sendmail(SENDER, ["demo@example.test"], msg, mail_options=["BODY=8BITMIME"]) == {}
    assert_stored(server, "demo@example.test", msg)


def test_smtputf8_local_part_and_headers(server):
    server.cli("user", "add", "jürgen@example.test", input="pw-juergen\n")
    to = "jürgen@example.test"
    frm = "absender@bücher.example"
    msg = (f"From: Absender <{frm}>\r\nTo: {to}\r\nSubject: Grüße ✓\r\n"
           f"Message-ID: <{uuid.uuid4().hex}@bücher.example>\r\n\r\nUTF-8 überall.\r\n").encode("utf-8")
    with smtp(server) as c:
        c.ehlo()
        assert c.has_extn("smtputf8")
        assert c.sendmail(frm, [to], msg, mail_options=["SMTPUTF8", "BODY=8BITMIME"]) == {}
    header, m = assert_stored(server, to, msg)
    assert m.return_path == frm
    assert m.subject == "Grüße ✓"
    r = parse_received(header)
    assert r["with"] == "UTF8SMTP"
    assert r["for"] == to


# --- raw protocol: BDAT, pipelining, dot-stuffing ------------------------------

def test_bdat_chunking(server):
    msg = make_msg(subject="Chunked", body=b"line one\r\n.a line starting with a dot stays as is\r\nlast\r\n")
    chunks = [msg[:17], msg[17:60], msg[60:]]
    with SmtpConn(server.smtp_port) as c:
        code, lines = c.cmd("EHLO " + CLIENT_NAME)
        assert "CHUNKING" in lines
        assert c.cmd(f"MAIL FROM:<{SENDER}>")[0] == 250
        assert c.cmd("RCPT TO:<demo@example.test>")[0] == 250
        for chunk in chunks:
            c.send(f"BDAT {len(chunk)}\r\n".encode() + chunk)
            code, text = c.read_reply()
            assert code == 250, text
        code, text = c.cmd("BDAT 0 LAST")
        assert code == 250 and text[0].startswith("2.0.0"), text
        assert c.cmd("QUIT")[0] == 221
    header, _ = assert_stored(server, "demo@example.test", msg)
    assert parse_received(header)["with"] == "ESMTP"


def test_bdat_single_last_chunk(server):
    msg = make_msg(subject="One chunk")
    with SmtpConn(server.smtp_port) as c:
        c.cmd("EHLO " + CLIENT_NAME)
        c.cmd(f"MAIL FROM:<{SENDER}>")
        c.cmd("RCPT TO:<demo@example.test>")
        c.send(f"BDAT {len(msg)} LAST\r\n".encode() + msg)
        code, text = c.read_reply()
        assert code == 250, text
    assert_stored(server, "demo@example.test", msg)


def test_pipelining_whole_transaction_in_one_send(server):
    msg = make_msg(subject="Pipelined")
    wire = (f"EHLO {CLIENT_NAME}\r\nMAIL FROM:<{SENDER}>\r\nRCPT TO:<demo@example.test>\r\n"
            f"RCPT TO:<alice@example.test>\r\nDATA\r\n").encode() + msg + b".\r\nQUIT\r\n"
    with SmtpConn(server.smtp_port) as c:
        c.send(wire)
        codes = [c.read_reply()[0] for _ in range(7)]
        assert codes == [250, 250, 250, 250, 354, 250, 221]
        assert c.closed_by_peer()
    for user in ("demo@example.test", "alice@example.test"):
        header, _ = assert_stored(server, user, msg)
        assert parse_received(header)["for"] is None  # two recipients: no `for` clause


def test_dot_stuffing_is_undone(server):
    body = b".hidden\r\n..two dots\r\n.\r\n...\r\nend\r\n"
    msg = make_msg(subject="Dots", body=body)
    stuffed = b"".join(b"." + l if l.startswith(b".") else l for l in msg.splitlines(keepends=True))
    with SmtpConn(server.smtp_port) as c:
        c.cmd("EHLO " + CLIENT_NAME)
        c.cmd(f"MAIL FROM:<{SENDER}>")
        c.cmd("RCPT TO:<demo@example.test>")
        assert c.cmd("DATA")[0] == 354
        c.send(stuffed + b".\r\n")
        code, text = c.read_reply()
        assert code == 250, text
    _, rest = split_received(server.show("demo@example.test", 1))
    assert rest == msg
    assert b"\r\n.hidden\r\n..two dots\r\n.\r\n...\r\nend\r\n" in rest


# --- STARTTLS -----------------------------------------------------------------

def test_starttls_smtplib(server):
    msg = make_msg(subject="Over TLS")
    with smtp(server) as c:
        c.ehlo()
        assert c.has_extn("starttls")
        code, _ = c.starttls(context=unverified_context())
        assert code == 220
        c.ehlo()
        assert not c.has_extn("starttls")  # not offered twice
        assert c.sendmail(SENDER, ["demo@example.test"], msg) == {}
    header, _ = assert_stored(server, "demo@example.test", msg)
    assert parse_received(header)["with"] == "ESMTPS"
    assert "event=tls_established" in server.log()


def test_starttls_swaks(server):
    p = subprocess.run(["swaks", "--server", f"127.0.0.1:{server.smtp_port}", "--tls", "--to",
                        "demo@example.test", "--from", SENDER, "--ehlo", CLIENT_NAME,
                        "--header", "Subject: swaks over tls"],
                       capture_output=True, text=True, timeout=60)
    assert "requires Net::SSLeay" not in p.stderr, (
        "swaks --tls needs the Debian package libnet-ssleay-perl (add it to scripts/install-deps)")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "TLS started" in p.stdout, p.stdout
    msgs = server.messages("demo@example.test")
    assert [m.subject for m in msgs] == ["swaks over tls"]
    header, _ = split_received(server.show("demo@example.test", msgs[0].uid))
    assert parse_received(header)["with"] == "ESMTPS"


# --- recipients: several, aliases, catch-all, plus-addressing ----------------

def test_multiple_recipients_one_copy_each(server):
    msg = make_msg(subject="To three")
    rcpts = ["demo@example.test", "alice@example.test", "bob@example.test"]
    with smtp(server) as c:
        assert c.sendmail(SENDER, rcpts, msg) == {}
    copies = []
    for user in rcpts:
        assert_stored(server, user, msg)
        copies.append(server.show(user, server.messages(user)[0].uid))
    assert copies[0] == copies[1] == copies[2]  # one blob, the same bytes
    # the same recipient twice still gives one copy
    msg2 = make_msg(subject="Twice")
    with smtp(server) as c:
        assert c.sendmail(SENDER, ["demo@example.test", "DEMO@example.test", "demo+x@example.test"], msg2) == {}
    assert len(server.messages("demo@example.test")) == 2


def test_alias_to_two_users(server):
    server.cli("alias", "add", "team@example.test", "alice@example.test", "bob@example.test")
    msg = make_msg(subject="Team mail", to="team@example.test")
    with smtp(server) as c:
        assert c.sendmail(SENDER, ["team@example.test"], msg) == {}
    for user in ("alice@example.test", "bob@example.test"):
        header, _ = assert_stored(server, user, msg)
        assert parse_received(header)["for"] == "team@example.test"
    assert server.messages("demo@example.test") == []


def test_catch_all(server):
    server.cli("domain", "add", "other.test")
    server.cli("alias", "add", "@other.test", "alice@example.test")
    msg = make_msg(subject="Catch me", to="whatever@other.test")
    with smtp(server) as c:
        assert c.sendmail(SENDER, ["whatever@other.test"], msg) == {}
        assert c.sendmail(SENDER, ["Someone.Else@OTHER.test"], msg) == {}
    assert len(server.messages("alice@example.test")) == 2
    assert server.messages("demo@example.test") == []


def test_plus_addressing(server):
    msg = make_msg(subject="Plus", to="demo+tag@example.test")
    with smtp(server) as c:
        assert c.sendmail(SENDER, ["demo+tag@example.test"], msg) == {}
    header, _ = assert_stored(server, "demo@example.test", msg)
    assert parse_received(header)["for"] == "demo+tag@example.test"
    assert server.messages("alice@example.test") == []


# --- refusals -----------------------------------------------------------------

def test_unknown_recipient_550(server):
    with SmtpConn(server.smtp_port) as c:
        c.cmd("EHLO " + CLIENT_NAME)
        assert c.cmd(f"MAIL FROM:<{SENDER}>")[0] == 250
        code, text = c.cmd("RCPT TO:<nobody@example.test>")
        assert code == 550 and text[0].startswith("5.1.1"), text
        code, text = c.cmd("DATA")
        assert code == 554, text  # no valid recipients
    with smtp(server) as c:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as e:
            c.sendmail(SENDER, ["nobody@example.test"], make_msg())
        assert e.value.recipients["nobody@example.test"][0] == 550


def test_relay_denied_554_nothing_stored(server):
    with SmtpConn(server.smtp_port) as c:
        c.cmd("EHLO " + CLIENT_NAME)
        assert c.cmd(f"MAIL FROM:<{SENDER}>")[0] == 250
        code, text = c.cmd("RCPT TO:<victim@example.com>")
        assert code == 554 and text[0].startswith("5.7.1"), text
        code, text = c.cmd("DATA")
        assert code in (503, 554), text
        # whatever the client sends now is not a message
        c.send(make_msg(to="victim@example.com") + b".\r\n")
    with smtp(server) as c:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            c.sendmail(SENDER, ["victim@example.com"], make_msg(to="victim@example.com"))
    for user in ("demo@example.test", "alice@example.test", "bob@example.test"):
        assert server.messages(user) == []
    blobs = server.data_dir / "blobs"
    assert not [p for p in blobs.rglob("*") if p.is_file()] if blobs.exists() else True


def test_message_over_max_size_552(server_factory):
    s = server_factory(smtp={"max_message_size": 10000})
    big = make_msg(subject="Too big", body=("x" * 70 + "\r\n") * 200)
    assert len(big) > 10000
    with smtplib.SMTP("127.0.0.1", s.smtp_port, local_hostname=CLIENT_NAME, timeout=DEFAULT_TIMEOUT) as c:
        c.ehlo()
        assert c.esmtp_features["size"] == "10000"
        # declared size over the limit: refused at MAIL
        code, text = c.mail(SENDER, ["SIZE=20000"])
        assert code == 552, text
        c.rset()
        # undeclared size: refused at the end of DATA
        assert c.mail(SENDER)[0] == 250
        assert c.rcpt("demo@example.test")[0] == 250
        code, text = c.data(big)
        assert code == 552, text
        assert text.startswith(b"5.3.4")
        # the session goes on; a small message still gets through
        small = make_msg(subject="Small")
        assert c.sendmail(SENDER, ["demo@example.test"], small) == {}
    assert_stored(s, "demo@example.test", small)
    # BDAT over the limit
    with SmtpConn(s.smtp_port) as c:
        c.cmd("EHLO " + CLIENT_NAME)
        c.cmd(f"MAIL FROM:<{SENDER}>")
        c.cmd("RCPT TO:<demo@example.test>")
        c.send(f"BDAT {len(big)} LAST\r\n".encode() + big)
        code, text = c.read_reply()
        assert code == 552, text
    assert len(s.messages("demo@example.test")) == 1


def test_too_many_recipients_452(server_factory):
    s = server_factory(smtp={"max_recipients": 3})
    msg = make_msg(subject="Many")
    with SmtpConn(s.smtp_port) as c:
        c.cmd("EHLO " + CLIENT_NAME)
        c.cmd(f"MAIL FROM:<{SENDER}>")
        for r in ("demo@example.test", "alice@example.test", "bob@example.test"):
            assert c.cmd(f"RCPT TO:<{r}>")[0] == 250
        code, text = c.cmd("RCPT TO:<demo+4@example.test>")
        assert code == 452 and text[0].startswith("4.5.3"), text
        assert c.cmd("DATA")[0] == 354
        c.send(msg + b".\r\n")
        assert c.read_reply()[0] == 250
    for r in ("demo@example.test", "alice@example.test", "bob@example.test"):
        assert_stored(s, r, msg)


def test_user_added_while_running_receives_mail(server):
    with SmtpConn(server.smtp_port) as c:
        c.cmd("EHLO " + CLIENT_NAME)
        c.cmd(f"MAIL FROM:<{SENDER}>")
        assert c.cmd("RCPT TO:<carol@example.test>")[0] == 550
    server.add_user("carol@example.test")
    msg = make_msg(subject="Welcome carol", to="carol@example.test")
    with smtp(server) as c:
        assert c.sendmail(SENDER, ["carol@example.test"], msg) == {}
    assert_stored(server, "carol@example.test", msg)


def test_unknown_command_500_then_421_after_max_errors(server_factory):
    s = server_factory(smtp={"max_errors": 3})
    with SmtpConn(s.smtp_port) as c:
        code, text = c.cmd("EHLO " + CLIENT_NAME)
        assert code == 250
        code, text = c.cmd("FROBNICATE now")
        assert code == 500 and text[0].startswith("5.5.2"), text
        assert c.cmd("XYZZY")[0] == 500
        assert c.cmd("NOOP")[0] == 250  # fine commands are not errors
        c.send("WHATEVER\r\n")
        assert c.read_reply()[0] == 500
        code, text = c.read_reply()
        assert code == 421 and text[0].startswith("4.7.0"), text
        assert c.closed_by_peer()
