"""IMAP searching against the real server with Python's imaplib: SEARCH by
every key family (RFC 9051 §6.4.4), CHARSET and literals, ESEARCH and the
RETURN options (RFC 4731), "$" (SEARCHRES, RFC 5182) in FETCH/STORE/COPY/
MOVE/SEARCH, MODSEQ results (RFC 7162), SORT / ESORT (RFC 5256, 5957,
5267) and THREAD (RFC 5256); and a mailbox large enough that the search
runs in several chunks on the worker pool."""

import imaplib
import re
import smtplib
import threading
import time

import pytest


USER = "demo@example.test"

# (flags, internal date, message). Dates: the Date: header; internal dates
# are set by APPEND. Written so that each key family picks a known subset.
MESSAGES = [
    ("(\\Seen)", "05-Jan-2030 10:00:00 +0000",
     "From: Alice Example <alice@example.org>\r\nTo: bob@example.org\r\nSubject: Lunch plans\r\n"
     "Date: Mon, 7 Jan 2030 10:00:00 +0000\r\nMessage-ID: <m1@example.org>\r\n\r\n"
     "Shall we meet at noon?\r\n"),
    ("()", "06-Jan-2030 10:00:00 +0000",
     "From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: Re: Lunch plans\r\n"
     "Date: Mon, 7 Jan 2030 11:00:00 +0000\r\nMessage-ID: <m2@example.org>\r\n"
     "In-Reply-To: <m1@example.org>\r\nReferences: <m1@example.org>\r\n"
     "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
     "Noon is fine, see you at the caf=C3=A9.\r\n"),
    ("(\\Flagged)", "04-Jan-2030 10:00:00 +0000",
     "From: =?utf-8?q?Zo=C3=A9?= <zoe@example.net>\r\nTo: alice@example.org\r\nCc: bob@example.org\r\n"
     "Subject: Agenda\r\nDate: Sun, 6 Jan 2030 09:00:00 +0000\r\nMessage-ID: <m3@example.net>\r\n"
     "X-Priority: 1\r\n\r\nItems for Monday.\r\n"),
    ("(\\Seen \\Answered)", "07-Jan-2030 10:00:00 +0000",
     "From: carl@example.com\r\nTo: zoe@example.net\r\nSubject: Re: Agenda\r\n"
     "Date: Sun, 6 Jan 2030 12:00:00 +0000\r\nMessage-ID: <m4@example.com>\r\nReferences: <m3@example.net>\r\n"
     "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
     "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: base64\r\n\r\n"
     "UmVz+W3pIGF0dGFjaGVkLg==\r\n"  # "Resùmé attached." in ISO-8859-1
     "--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
     "c2VjcmV0IHdvcmQ=\r\n"  # "secret word": not text, never searched
     "--b--\r\n"),
]


def login(s):
    c = imaplib.IMAP4("127.0.0.1", s.imap_port, timeout=30)
    c.login(USER, s.passwords[USER])
    return c


@pytest.fixture
def box(imap_server):
    c = login(imap_server)
    for flags, date, msg in MESSAGES:
        typ, _ = c.append("INBOX", flags, f'"{date}"', msg.encode())
        assert typ == "OK"
    c.select("INBOX")
    yield c
    c.logout()


def search(c, *criteria, charset=None):
    typ, data = c.search(charset, *criteria)
    assert typ == "OK", data
    return [int(n) for n in data[0].split()]


def untagged(c, name):
    return c.untagged_responses.pop(name, [])


def command(c, *args):
    typ, data = c._simple_command(*args)
    assert typ == "OK", (args, data)
    return data


def test_capabilities(imap_server):
    c = login(imap_server)
    for cap in ("ESEARCH", "SEARCHRES", "SORT", "SORT=DISPLAY", "ESORT", "THREAD=ORDEREDSUBJECT",
                "THREAD=REFERENCES", "WITHIN"):
        assert cap in c.capabilities
    c.logout()


def test_every_key_family(box):
    c = box
    assert search(c, "ALL") == [1, 2, 3, 4]
    # Flags and sets.
    assert search(c, "SEEN") == [1, 4]
    assert search(c, "UNSEEN", "UNFLAGGED") == [2]
    assert search(c, "OR", "ANSWERED", "FLAGGED") == [3, 4]
    assert search(c, "2:3", "NOT", "UID", "3") == [2]
    assert search(c, "KEYWORD", "$Forwarded") == []
    # Envelope fields, decoded and case-insensitive.
    assert search(c, "FROM", "ALICE") == [1]
    assert search(c, "TO", "alice@example.org") == [2, 3]
    assert search(c, "CC", "bob") == [3]
    assert search(c, "BCC", "bob") == []
    assert search(c, "SUBJECT", '"lunch plans"') == [1, 2]
    # Header fields, bodies, whole text.
    assert search(c, "HEADER", "X-Priority", "1") == [3]
    assert search(c, "HEADER", "In-Reply-To", '""') == [2]
    assert search(c, "BODY", "noon") == [1, 2]
    assert search(c, "BODY", '"secret word"') == []  # application/octet-stream is not text
    assert search(c, "BODY", "attached") == [4]  # base64 ISO-8859-1 text part
    assert search(c, "TEXT", "agenda") == [3, 4]
    assert search(c, "TEXT", "octet-stream") == [4]  # part headers are text
    # Dates and sizes.
    assert search(c, "SENTON", "7-Jan-2030") == [1, 2]
    assert search(c, "SENTBEFORE", "7-Jan-2030") == [3, 4]
    assert search(c, "SINCE", "6-Jan-2030") == [2, 4]
    assert search(c, "BEFORE", "5-Jan-2030") == [3]
    assert search(c, "ON", "5-Jan-2030") == [1]
    # OLDER / YOUNGER (RFC 5032) against the clock: one message appended now.
    c.append("INBOX", None, None, b"Subject: fresh\r\n\r\nnew\r\n")
    c.select("INBOX")
    typ, data = c.fetch("1:4", "(INTERNALDATE)")
    now = time.time()
    ages = [now - time.mktime(imaplib.Internaldate2tuple(d)) for d in data]
    assert search(c, "YOUNGER", "3600") == [n + 1 for n, a in enumerate(ages) if a <= 3600] + [5]  # the future is "within"
    assert search(c, "OLDER", "3600") == [n + 1 for n, a in enumerate(ages) if a >= 3600]
    c.store("5", "+FLAGS.SILENT", "(\\Deleted)")
    c.expunge()
    sizes = {}
    for n in range(1, 5):
        typ, data = c.fetch(str(n), "(RFC822.SIZE)")
        sizes[n] = int(re.search(rb"RFC822.SIZE (\d+)", data[0]).group(1))
    biggest = max(sizes, key=sizes.get)
    assert search(c, "LARGER", str(sizes[biggest] - 1)) == [biggest]
    assert search(c, "SMALLER", str(min(sizes.values()) + 1)) == [min(sizes, key=sizes.get)]
    # UID SEARCH answers UIDs.
    typ, data = c.uid("SEARCH", "FLAGGED")
    assert data == [b"3"]


def test_charset_and_literals(box):
    c = box
    c.literal = "CAFÉ".encode()
    assert search(c, "BODY", charset="UTF-8") == [2]
    c.literal = "zoé".encode()
    assert search(c, "FROM", charset="UTF-8") == [3]
    c.literal = "RESÙMÉ".encode()
    assert search(c, "BODY", charset="UTF-8") == [4]
    assert search(c, "BODY", "noon", charset="US-ASCII") == [1, 2]
    typ, data = c._simple_command("SEARCH", "CHARSET", "KOI8-R", "BODY", "x")
    assert typ == "NO" and b"[BADCHARSET (UTF-8 US-ASCII)]" in data[0]


def test_esearch_return_options(box):
    c = box
    tag = command_tag(c, "UID", "SEARCH", "RETURN", "()", "NOT", "FLAGGED")
    assert untagged(c, "ESEARCH") == [f'(TAG "{tag}") UID ALL 1:2,4'.encode()]
    tag = command_tag(c, "SEARCH", "RETURN", "(COUNT)", "BODY", "nothing-at-all")
    assert untagged(c, "ESEARCH") == [f'(TAG "{tag}") COUNT 0'.encode()]
    tag = command_tag(c, "SEARCH", "RETURN", "(MIN MAX COUNT ALL)", "TEXT", "lunch")
    assert untagged(c, "ESEARCH") == [f'(TAG "{tag}") MIN 1 MAX 2 ALL 1:2 COUNT 2'.encode()]


def command_tag(c, *args):
    """Runs a command and returns its tag (ESEARCH responses carry it)."""
    tag = c._command(*args)
    typ, data = c._command_complete(args[0] if args[0] != "UID" else "UID", tag)
    assert typ == "OK", (args, data)
    return tag.decode()


def test_rev2_clients_get_esearch(imap_server):
    c = login(imap_server)
    for flags, date, msg in MESSAGES:
        c.append("INBOX", flags, f'"{date}"', msg.encode())
    command(c, "ENABLE", "IMAP4rev2")
    c.select("INBOX")
    tag = command_tag(c, "SEARCH", "SUBJECT", "agenda")
    assert untagged(c, "ESEARCH") == [f'(TAG "{tag}") ALL 3:4'.encode()]
    assert untagged(c, "SEARCH") == []
    c.logout()


def test_searchres_dollar(box):
    c = box
    # RETURN (SAVE) alone answers no ESEARCH; "$" is then the result.
    command(c, "SEARCH", "RETURN", "(SAVE)", "TEXT", "agenda")
    assert untagged(c, "ESEARCH") == []
    typ, data = c.fetch("$", "(UID)")
    assert [re.search(rb"UID (\d+)", d).group(1) for d in data] == [b"3", b"4"]
    assert search(c, "$", "SEEN") == [4]
    typ, data = c.uid("STORE", "$", "+FLAGS.SILENT", "(\\Draft)")
    assert typ == "OK"
    assert search(c, "DRAFT") == [3, 4]
    typ, data = c.copy("$", "Archive")
    assert typ == "OK" and b"COPYUID" in data[0]
    # MIN with SAVE keeps just that message.
    command(c, "UID", "SEARCH", "RETURN", "(SAVE MIN)", "DRAFT")
    typ, data = c.uid("MOVE", "$", "Trash")
    assert typ == "OK"
    assert search(c, "DRAFT") == [3]  # message 3 moved; old 4 is now 3
    # Expunged messages drop out of "$".
    command(c, "SEARCH", "RETURN", "(SAVE)", "ALL")
    c.store("1", "+FLAGS.SILENT", "(\\Deleted)")
    c.expunge()
    typ, data = c.fetch("$", "(UID)")
    assert len(data) == 2
    # A new SELECT empties it.
    c.select("INBOX")
    typ, data = c.fetch("$", "(UID)")
    assert typ == "OK" and data == [None]
    typ, data = c.status("Archive", "(MESSAGES)")
    assert b"MESSAGES 2" in data[0]
    typ, data = c.status("Trash", "(MESSAGES)")
    assert b"MESSAGES 1" in data[0]


def test_modseq_in_results(box):
    c = box
    typ, data = c.fetch("2", "(MODSEQ)")
    before = int(re.search(rb"MODSEQ \((\d+)\)", data[0]).group(1))
    c.store("2", "+FLAGS.SILENT", "(\\Seen)")
    typ, data = c.fetch("2", "(MODSEQ)")
    after = int(re.search(rb"MODSEQ \((\d+)\)", data[0]).group(1))
    assert after > before
    typ, data = c.search(None, "MODSEQ", str(after))
    assert data == [f"2 (MODSEQ {after})".encode()]
    tag = command_tag(c, "SEARCH", "RETURN", "(COUNT)", "MODSEQ", "1")
    assert untagged(c, "ESEARCH") == [f'(TAG "{tag}") COUNT 4 MODSEQ {after}'.encode()]


def test_sort(box):
    c = box
    def sort(criteria, *search):
        typ, data = c.sort(criteria, "UTF-8", *search)
        assert typ == "OK", data
        return [int(n) for n in data[0].split()]
    assert sort("(SUBJECT)", "ALL") == [3, 4, 1, 2]  # agenda, agenda; lunch, lunch (ties by number)
    assert sort("(DATE)", "ALL") == [3, 4, 1, 2]
    assert sort("(ARRIVAL)", "ALL") == [3, 1, 2, 4]
    assert sort("(REVERSE ARRIVAL)", "ALL") == [4, 2, 1, 3]
    assert sort("(FROM)", "ALL") == [1, 2, 4, 3]  # alice bob carl zoe
    assert sort("(DISPLAYFROM)", "ALL") == [1, 2, 4, 3]  # "Alice Example", Bob, carl@..., Zoé
    assert sort("(TO SUBJECT)", "NOT", "FROM", "carl") == [3, 2, 1]
    assert sort("(REVERSE SIZE)", "SEEN") == sorted([1, 4], key=lambda n: -len(MESSAGES[n - 1][2]))
    typ, data = c.uid("SORT", "(SUBJECT)", "UTF-8", "ALL")
    assert data == [b"3 4 1 2"]
    tag = command_tag(c, "SORT", "RETURN", "(MIN MAX ALL COUNT)", "(SUBJECT)", "UTF-8", "ALL")
    assert untagged(c, "ESEARCH") == [f'(TAG "{tag}") MIN 3 MAX 2 ALL 3:4,1:2 COUNT 4'.encode()]


def test_thread(box):
    c = box
    typ, data = c.thread("REFERENCES", "UTF-8", "ALL")
    assert data == [b"(3 4)(1 2)"]
    typ, data = c.thread("ORDEREDSUBJECT", "UTF-8", "ALL")
    assert data == [b"(3 4)(1 2)"]
    typ, data = c.uid("THREAD", "REFERENCES", "UTF-8", "NOT", "FROM", "bob")
    assert data == [b"(3 4)(1)"]
    typ, data = c.thread("REFERENCES", "UTF-8", "BODY", "nothing-at-all")
    assert typ == "OK" and data in ([None], [b""])


def test_large_mailbox_scans_in_chunks(imap_server):
    """600 messages: phase two runs in several 256-message chunks on the
    worker pool; results must be exactly the messages holding the word."""
    total = 600
    def appender(part):
        c = login(imap_server)
        for i in range(part, total, 4):
            word = "needle" if i % 7 == 0 else "hay"
            body = f"Subject: message {i}\r\nFrom: sender{i % 5}@example.org\r\n\r\nline one\r\n{word} {i}\r\n"
            assert c.append("INBOX", None, None, body.encode())[0] == "OK"
        c.logout()
    threads = [threading.Thread(target=appender, args=(p,)) for p in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    c = login(imap_server)
    c.select("INBOX")
    typ, data = c.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    seq_of = {}
    for d in data:
        if isinstance(d, tuple):
            seq = int(d[0].split()[0])
            seq_of[int(re.search(rb"message (\d+)", d[1]).group(1))] = seq
    want = sorted(seq_of[i] for i in range(total) if i % 7 == 0)
    assert search(c, "TEXT", "NEEDLE") == want
    assert search(c, "BODY", "needle", "FROM", "sender0") == sorted(seq_of[i] for i in range(total) if i % 35 == 0)
    tag = command_tag(c, "SEARCH", "RETURN", "(COUNT)", "OR", "BODY", "needle", "SUBJECT", '"message 1"')
    expected = sum(1 for i in range(total) if i % 7 == 0 or str(i).startswith("1"))
    assert untagged(c, "ESEARCH") == [f'(TAG "{tag}") COUNT {expected}'.encode()]
    c.logout()


def test_delivered_over_smtp_is_searchable(imap_server):
    with smtplib.SMTP("127.0.0.1", imap_server.smtp_port, timeout=15) as s:
        s.sendmail("sender@example.org", [USER],
                   "Subject: =?utf-8?b?w5xiZXJ3ZWlzdW5n?=\r\nFrom: Bank <bank@example.org>\r\n\r\nKontostand\r\n")
    c = login(imap_server)
    c.select("INBOX")
    c.literal = "überweisung".encode()
    assert search(c, "SUBJECT", charset="UTF-8") == [1]
    assert search(c, "TEXT", "kontostand") == [1]
    assert search(c, "HEADER", "Received", "example") == [1]
    c.logout()
