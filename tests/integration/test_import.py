"""Moving in and out (issue 5, "Import and export"): `postern import
maildir|mbox`, `postern export maildir|mbox` and `postern user import
passwd-file|csv`, checked through the IMAP view a real client (imaplib) gets.

The 10,000-message Maildir tree is generated here, deterministically, in
Dovecot's Maildir++ layout: INBOX at the top, nested ".A.B" folders, a
modified-UTF-7 name, special-use folders under other names (".Sent Items",
".Spam"), flags in file names, keywords through dovecot-keywords, mtimes as
INTERNALDATE. The import rate (messages/s, MB/s) is printed (run with -s).
"""

import email.utils
import hashlib
import imaplib
import os
import pty
import random
import re
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from postern_harness import CLI_ENV, DEFAULT_TIMEOUT, imap_login

# Dovecot flag letters and what IMAP shows for them.
LETTERS = {"D": "\\Draft", "F": "\\Flagged", "P": "$Forwarded", "R": "\\Answered", "S": "\\Seen", "T": "\\Deleted"}
KEYWORDS = ["$Label1", "$Label2", "Important", "work", "$MDNSent"]

# Source folder (Maildir++ directory) -> the mailbox it must land in.
FOLDERS = {
    "": "INBOX",
    ".Sent Items": "Sent",          # special use \Sent: into our Sent, not a second one
    ".Drafts": "Drafts",
    ".Spam": "Junk",
    ".Trash": "Trash",
    ".Lists": "Lists",
    ".Lists.postern": "Lists/postern",
    ".Lists.debian": "Lists/debian",
    ".Lists.debian.devel": "Lists/debian/devel",
    ".Archive.2019": "Archive/2019",
    ".Entw&APw-rfe": "Entw&APw-rfe",  # "Entwürfe": the same mUTF-7 on disk and on the wire
}
DEFAULT_MAILBOXES = {"INBOX", "Sent", "Drafts", "Junk", "Trash", "Archive"}

WORDS = ("mail server import export maildir mbox dovecot keyword flag folder message "
         "postern imap smtp tree the of and to a in is for on with").split()


def make_message(rng, i):
    lines = [
        f"From: Sender {i % 97} <sender{i % 97}@example.org>",
        "To: demo@example.test",
        f"Subject: message {i} {' '.join(rng.choice(WORDS) for _ in range(4))}",
        f"Date: {email.utils.formatdate(1600000000 + i * 60, usegmt=True)}",
        f"Message-ID: <import-{i}@example.org>",
        "",
    ]
    body_lines = rng.choice((3, 10, 40, 120, 400))
    for n in range(body_lines):
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 14)))
        if n % 50 == 7:
            line = "From the body, not a separator"
        lines.append(line)
    return ("\n".join(lines) + "\n").encode()


def generate_maildir(root, count=10000, seed=5):
    """Writes the tree; returns {mailbox: Counter of (message-id, flags, size)}."""
    rng = random.Random(seed)
    folders = list(FOLDERS)
    weights = [40, 10, 3, 5, 4, 1, 10, 8, 6, 10, 3]
    expected = {FOLDERS[f]: Counter() for f in folders}
    for f in folders:
        d = root / f if f else root
        for sub in ("cur", "new", "tmp"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        (d / "dovecot-keywords").write_text("".join(f"{n} {k}\n" for n, k in enumerate(KEYWORDS)))
    for i in range(count):
        f = rng.choices(folders, weights)[0]
        d = root / f if f else root
        data = make_message(rng, i)
        t = 1600000000 + i * 60
        if rng.random() < 0.1:
            sub, letters, kw = "new", "", ""
        else:
            sub = "cur"
            letters = "".join(sorted(l for l in LETTERS if rng.random() < 0.3))
            kw = "".join(sorted(chr(ord("a") + k) for k in range(len(KEYWORDS)) if rng.random() < 0.15))
        name = f"{t}.M{i}P{1000 + i % 7}.oldhost,S={len(data)}"
        if sub == "cur":
            name += f":2,{letters}{kw}"
        p = d / sub / name
        p.write_bytes(data)
        os.utime(p, (t, t))
        flags = frozenset([LETTERS[l] for l in letters] + [KEYWORDS[ord(c) - ord("a")] for c in kw])
        crlf_size = len(data) + data.count(b"\n")
        expected[FOLDERS[f]][(f"<import-{i}@example.org>", flags, crlf_size, t)] += 1
    return expected


LIST_RE = re.compile(rb'^\(([^)]*)\) (?:"[^"]*"|NIL) (.+)$')
FETCH_RE = re.compile(rb"FLAGS \(([^)]*)\).*INTERNALDATE \"([^\"]+)\".*RFC822\.SIZE (\d+)", re.S)


def imap_view(c):
    """{mailbox: Counter of (message-id, flags, size, internaldate)} of every mailbox."""
    typ, data = c.list('""', "*")
    assert typ == "OK", data
    names = []
    for line in data:
        m = LIST_RE.match(line)
        assert m, line
        name = m.group(2).decode()
        if name.startswith('"'):
            name = name[1:-1]
        names.append(name)
    view = {}
    for name in names:
        typ, data = c.select('"' + name + '"', readonly=True)
        assert typ == "OK", (name, data)
        view[name] = Counter()
        if int(data[0]) == 0:
            continue
        typ, data = c.fetch("1:*", "(FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        assert typ == "OK"
        for item in data:
            if not isinstance(item, tuple):
                continue
            m = FETCH_RE.search(item[0])
            assert m, item[0]
            flags = frozenset(f for f in m.group(1).decode().split() if f != "\\Recent")
            when = int(time.mktime(imaplib.Internaldate2tuple(b'INTERNALDATE "' + m.group(2) + b'"')))
            msgid = item[1].decode().split(":", 1)[1].strip()
            view[name][(msgid, flags, int(m.group(3)), when)] += 1
    return view


def login(server, user, password):
    c = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=DEFAULT_TIMEOUT)
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # AUTHENTICATE PLAIN (RFC 4616) carries the UTF-8 password as it is;
    # imaplib's LOGIN would insist on ASCII.
    pw = password.encode("utf-8")
    c.authenticate("PLAIN", lambda _: b"\0" + user.encode() + b"\0" + pw)
    return c


SUMMARY_RE = re.compile(r"imported (\d+) messages \(([\d.]+) MB\) from (\d+) folders in ([\d.]+) s "
                        r"\((\d+) messages/s, ([\d.]+) MB/s\)")


def summary_of(out):
    m = SUMMARY_RE.search(out)
    assert m, out
    return {"messages": int(m.group(1)), "mb": float(m.group(2)), "folders": int(m.group(3)),
            "seconds": float(m.group(4)), "rate": int(m.group(5)), "mbps": float(m.group(6))}


def test_maildir_tree_imports_idempotently_and_round_trips(imap_server, tmp_path):
    s = imap_server
    src = tmp_path / "Maildir"
    expected = generate_maildir(src)
    total = sum(sum(c.values()) for c in expected.values())
    assert total == 10000

    out = s.cli("import", "maildir", src, "--user", "demo@example.test", timeout=600).stdout
    first = summary_of(out)
    print(f"\nimport rate: {first['messages']} messages, {first['mb']} MB in {first['seconds']} s: "
          f"{first['rate']} messages/s, {first['mbps']} MB/s")
    assert first["messages"] == 10000
    assert first["folders"] == len(FOLDERS)
    assert "skipped 0 files with errors" in out

    c = imap_login(s)
    view = imap_view(c)
    c.logout()
    # Folder list: every source folder (special-use ones merged into ours),
    # plus the account's defaults, and nothing else.
    assert set(view) == set(expected) | DEFAULT_MAILBOXES
    for name, msgs in expected.items():
        assert view[name] == msgs, name
    # Special use kept on the merged folders.
    c = imap_login(s)
    typ, data = c.list('""', "*")
    attrs = {LIST_RE.match(l).group(2).decode().strip('"'): LIST_RE.match(l).group(1).decode() for l in data}
    c.logout()
    assert "\\Sent" in attrs["Sent"] and "\\Junk" in attrs["Junk"]
    assert "Sent Items" not in attrs and "Spam" not in attrs

    # Again: nothing added.
    out = s.cli("import", "maildir", src, "--user", "demo@example.test", timeout=600).stdout
    assert summary_of(out)["messages"] == 0
    assert "skipped 10000 messages already present" in out
    c = imap_login(s)
    assert imap_view(c) == view
    c.logout()

    # Export, then import into a fresh account: the same view.
    exported = tmp_path / "export"
    out = s.cli("export", "maildir", "--user", "demo@example.test", exported, timeout=600).stdout
    assert "exported 10000 messages" in out
    assert (exported / ".Lists.debian.devel" / "cur").is_dir()
    assert (exported / ".Entw&APw-rfe" / "dovecot-keywords").exists()
    some = next((exported / "cur").iterdir())
    assert re.search(r",S=\d+,W=\d+:2,", some.name), some.name
    out = s.cli("import", "maildir", exported, "--user", "alice@example.test", timeout=600).stdout
    assert summary_of(out)["messages"] == 10000
    c = imap_login(s, "alice@example.test")
    assert imap_view(c) == view
    c.logout()


def test_bad_files_are_reported_and_skipped(server, tmp_path):
    md = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    (md / "cur" / "1700000000.M1P1.h:2,S").write_bytes(b"Subject: ok\n\nfine\n")
    (md / "cur" / "1700000001.M2P1.h:2,S").write_bytes(b"")
    # A dangling symlink: unreadable even for root (tests may run as root).
    (md / "cur" / "1700000002.M3P1.h:2,S").symlink_to(tmp_path / "gone")
    p = server.cli("import", "maildir", md, "--user", "demo@example.test", check=False)
    assert p.returncode == 3, p.stdout + p.stderr
    assert "imported 1 messages" in p.stdout
    assert f"{md}/cur/1700000001.M2P1.h:2,S: empty file" in p.stdout
    assert f"{md}/cur/1700000002.M3P1.h:2,S: cannot stat: No such file or directory" in p.stdout
    assert "skipped 2 files with errors:" in p.stdout
    # Precise errors for bad arguments.
    p = server.cli("import", "maildir", tmp_path / "nope", "--user", "demo@example.test", check=False)
    assert p.returncode == 1 and f"{tmp_path}/nope: no such directory" in p.stderr
    p = server.cli("import", "maildir", md, "--user", "nobody@example.test", check=False)
    assert p.returncode == 1 and "unknown user 'nobody@example.test'" in p.stderr
    p = server.cli("import", "mbox", tmp_path / "none.mbox", "--user", "demo@example.test", "--mailbox", "X",
                   check=False)
    assert p.returncode == 1 and f"{tmp_path}/none.mbox: No such file" in p.stderr
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "x").write_text("x")
    p = server.cli("export", "maildir", "--user", "demo@example.test", tmp_path / "e", check=False)
    assert p.returncode == 1 and "not empty" in p.stderr


def test_progress_bar_only_on_a_terminal(server, tmp_path):
    md = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    for i in range(50):
        (md / "cur" / f"17000000{i:02d}.M{i}P1.h:2,S").write_bytes(f"Subject: {i}\n\nx\n".encode())
    plain = server.cli("import", "maildir", md, "--user", "demo@example.test").stdout
    assert "\r" not in plain and "[" not in plain
    primary, secondary = pty.openpty()
    p = subprocess.run([str(server.bin), "--config", str(server.config_path), "import", "maildir", str(md),
                        "--user", "alice@example.test"], stdout=secondary, stderr=subprocess.PIPE,
                       env=CLI_ENV, timeout=60)
    os.close(secondary)
    out = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(primary)
    assert p.returncode == 0, p.stderr
    assert b"\r[##############################] 50/50" in out
    assert b"imported 50 messages" in out


MBOX = (
    b"From alice@example.org Sat Jan  3 01:05:34 1996\n"
    b"From: alice@example.org\n"
    b"Subject: tricky\n"
    b"Message-ID: <tricky@example.org>\n"
    b"Status: RO\n"
    b"X-Status: A\n"
    b"\n"
    b">From the quoted line\n"
    b">>From the doubly quoted line\n"
    b"From an unquoted body line (mboxo writers leave these)\n"
    b"\n"
    b"From the start of a paragraph, still not a separator\n"
    b"\n"
    b"From bob@example.org Sun Jan  4 02:00:00 1996\n"
    b"Subject: second\n"
    b"Content-Length: 1\n"
    b"\n"
    b"The Content-Length above is wrong and is not trusted.\n"
    b"\n"
    b"From MAILER-DAEMON Mon Jan  5 03:00:00 1996\n"
    b"Subject: third\n"
    b"\n"
    b"last\n"
)


def fetch_all(c, mailbox):
    typ, data = c.select(mailbox, readonly=True)
    assert typ == "OK", data
    typ, data = c.fetch("1:*", "(FLAGS INTERNALDATE BODY.PEEK[])")
    assert typ == "OK"
    out = []
    for item in data:
        if isinstance(item, tuple):
            flags = frozenset(f for f in re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode().split()
                              if f != "\\Recent")
            out.append((flags, item[1]))
    return out


@pytest.mark.parametrize("fmt", ["mboxrd", "mboxo"])
def test_mbox_with_tricky_from_lines(imap_server, tmp_path, fmt):
    s = imap_server
    f = tmp_path / "old.mbox"
    f.write_bytes(MBOX)
    out = s.cli("import", "mbox", f, "--user", "demo@example.test", "--mailbox", "Old/mail", "--format", fmt).stdout
    assert summary_of(out)["messages"] == 3
    c = imap_login(s)
    msgs = fetch_all(c, "Old/mail")
    assert len(msgs) == 3
    flags, body = msgs[0]
    assert flags == {"\\Seen", "\\Answered"}
    assert b"Status:" not in body and b"X-Status:" not in body
    if fmt == "mboxrd":
        assert b"\r\n\r\nFrom the quoted line\r\n>From the doubly quoted line\r\n" in body
    else:
        assert b"\r\n\r\nFrom the quoted line\r\n>>From the doubly quoted line\r\n" in body
    assert b"\r\nFrom an unquoted body line (mboxo writers leave these)\r\n" in body
    assert body.endswith(b"\r\nFrom the start of a paragraph, still not a separator\r\n")
    assert msgs[1][1].endswith(b"The Content-Length above is wrong and is not trusted.\r\n")
    assert msgs[2][1] == b"Subject: third\r\n\r\nlast\r\n"
    c.logout()

    # Again: nothing added.
    out = s.cli("import", "mbox", f, "--user", "demo@example.test", "--mailbox", "Old/mail", "--format", fmt).stdout
    assert summary_of(out)["messages"] == 0

    # Export (mboxrd): every body line starting with ">*From " gets one more '>'.
    exported = tmp_path / "out.mbox"
    s.cli("export", "mbox", "--user", "demo@example.test", "--mailbox", "Old/mail", exported)
    text = exported.read_bytes()
    assert b"\n>From an unquoted body line (mboxo writers leave these)\n" in text
    assert b"\n>From the start of a paragraph, still not a separator\n" in text
    assert text.count(b"\nFrom ") + text.startswith(b"From ") == 3
    assert b"Status: RO\nX-Status: A\n" in text
    # ... and imports into another account as the same messages and flags.
    s.cli("import", "mbox", exported, "--user", "alice@example.test", "--mailbox", "INBOX")
    c = imap_login(s, "alice@example.test")
    assert fetch_all(c, "INBOX") == msgs
    c.logout()

    # Every mailbox into a directory.
    d = tmp_path / "all"
    s.cli("export", "mbox", "--user", "demo@example.test", d)
    assert (d / "Old.mail.mbox").read_bytes() == text
    assert (d / "INBOX.mbox").exists()


# `doveadm pw -s SCHEME -p 'pässword-SCHEME'` (Debian dovecot-core 2.3) and
# Python's crypt for DES: the same vectors as the unit tests.
HASHES = {
    "SHA512-CRYPT": "{SHA512-CRYPT}$6$ORdjk5m1PF3lN1lC$AijkhKINgwAONRnp5gR19mSrpiEzG.IMYVfXoh1BrLtW3eREH9KD6JHjwb0ehr07VmbS30dgck2kebjGu4dG40",
    "SHA256-CRYPT": "{SHA256-CRYPT}$5$omKBrGbAf1on5I8U$WhvenrPqPFMtUhg0kbYLVIluh88.Li7vlv.jnnMAwJB",
    "BLF-CRYPT": "{BLF-CRYPT}$2y$05$iiEgxv/b95fIDcUcjNS3wewNvik1NS1ttPkgAxx/N.oRakmAD81iq",
    "SSHA512": "{SSHA512}eyMng5iY25wvLJbr0n2URewm/xwuU7flUGMBARt/heFaZFVdCjkM6+RvAqYKR+/J/DNriPM2Imbq7sY6LHanLXF7smo=",
    "SSHA256": "{SSHA256}322CgRgizb4wMKOokN/exSgFhfNMqgnSJ6Z6N6m8nx/7aM9A",
    "ARGON2ID": "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$EjVh5a7Rs0LGOiuT3EjfEw$FntN1fv7bwArce3UIkrfh0WTsi2buj9i2xCdda6WdAo",
    "ARGON2I": "{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$/JFms6DzKEdWYZMbhmI22w$BwuYykeTy3LWQouaZXlU/ilm/C91BE3LYE8077/FOXw",
    "CRYPT": "{CRYPT}abRy4/6THFs9U",
    "MD5-CRYPT": "{MD5-CRYPT}$1$BUezns9W$YsSy7jgopUWprRTNE6Iir.",
}


def scheme_of(server, address):
    out = server.cli("user", "show", address).stdout
    return re.search(r"password_scheme: (\S+)", out).group(1)


def test_passwd_file_every_scheme_logs_in_and_is_upgraded(imap_server, tmp_path):
    s = imap_server
    f = tmp_path / "passwd"
    lines = ["# moved from the old server"]
    for scheme, h in HASHES.items():
        user = scheme.lower().replace("-", "")
        lines.append(f"{user}@moved.test:{h}:1000:1000::/home/{user}::userdb_quota_rule=*:storage=1G")
    f.write_text("\n".join(lines) + "\n")
    out = s.cli("user", "import", "passwd-file", f).stdout
    assert "created domain moved.test" in out
    assert f"imported {len(HASHES)} users (0 already present)" in out
    # Idempotent.
    out = s.cli("user", "import", "passwd-file", f).stdout
    assert f"imported 0 users ({len(HASHES)} already present)" in out
    for scheme, h in HASHES.items():
        address = scheme.lower().replace("-", "") + "@moved.test"
        want = "ARGON2ID" if scheme == "ARGON2ID" else scheme
        assert scheme_of(s, address) == want
        with pytest.raises(imaplib.IMAP4.error):
            login(s, address, "wrong password")
        assert scheme_of(s, address) == want
        c = login(s, address, f"pässword-{scheme}")
        assert c.select("INBOX")[0] == "OK"
        c.logout()
        assert scheme_of(s, address) == "ARGON2ID", scheme
        # The upgraded hash still takes the same password.
        login(s, address, f"pässword-{scheme}").logout()
    assert "quota_bytes: 1073741824" in s.cli("user", "show", "sha512crypt@moved.test").stdout


def test_user_csv_import(imap_server, tmp_path):
    s = imap_server
    f = tmp_path / "users.csv"
    f.write_text(
        "address,password_hash,aliases,quota\n"
        f"carol@example.test,{HASHES['SSHA512']},\"c@example.test carol.old@example.test\",500M\n"
        f"dave@other.test,\"{HASHES['SHA256-CRYPT']}\",,\n"
        "erin@example.test,{PLAIN}nope,,\n")
    p = s.cli("user", "import", "csv", f, check=False)
    assert p.returncode == 3
    assert "imported 2 users (0 already present), 2 aliases, 1 new domains; 1 lines with errors" in p.stdout
    assert f"{f}:4: erin@example.test: unsupported password scheme {{PLAIN}}" in p.stderr
    aliases = s.cli("alias", "list").stdout
    assert "c@example.test -> carol@example.test" in aliases
    assert "quota_bytes: 524288000" in s.cli("user", "show", "carol@example.test").stdout
    login(s, "carol@example.test", "pässword-SSHA512").logout()
    login(s, "dave@other.test", "pässword-SHA256-CRYPT").logout()
    assert scheme_of(s, "carol@example.test") == "ARGON2ID"
