"""The IMAP benchmark's mailbox: N realistic, varied messages made
deterministically from a seed, written once as a Maildir `cur/` folder under
bench/.cache and reused by later runs (Dovecot gets hard links to the files;
Postern gets the same bytes through IMAP APPEND).

What the messages look like: 2-10 KB, plain text, multipart/alternative
(text + HTML), multipart/mixed with a base64 attachment, some quoted-printable
and some RFC 2047 subjects; replies with In-Reply-To/References; distinct
subjects. Two words are planted so SEARCH has known hits:
  RARE_WORD    in the plain-text body of ~1 % of the messages
  SUBJECT_WORD in the Subject of ~2 % of the messages (plain ASCII subjects)
File names start with an ascending timestamp so that Dovecot, which numbers
new Maildir files in timestamp order, gives message i the UID i + 1, as
Postern does for the i-th APPEND: UID n is the same message in both.
"""
import base64
import json
import os
import pathlib
import random

FORMAT = 1  # bump when the generator changes: the cache key includes it
SEED = 20261123
RARE_WORD = "quetzalcoatlite"
SUBJECT_WORD = "invoice"
FIRST_DATE = 1672531200  # 2023-01-01 00:00:00 UTC; messages ~5 min apart

_SYLLABLES = ("ka", "lo", "mi", "ra", "ten", "sul", "dor", "ve", "nip", "sa", "bru", "qua", "zel", "fo",
              "gri", "ta", "mon", "pe", "chi", "war", "ul", "ex", "lin", "dra", "so", "ber", "ni", "cor")
_COMMON = ("the of and to in is that for it as with was on be by at this have from or an are not "
           "but all we your can will one more about if our has their there what when which you they "
           "report meeting project budget schedule review update team release server client mail "
           "please thanks regards attached draft question answer next week today tomorrow "
           "customer order delivery account payment contract office travel plan status").split()
_FIRST = ("Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Mallory Niaj Olivia Peggy Rupert "
          "Sybil Trent Victor Walter Yolanda Zoe Ana Bruno Chloe Diego Elena").split()
_LAST = ("Smith Jones Martin Bernard Dubois Rossi Silva Novak Kowalski Berg Larsen Ito Tanaka Kim "
         "Nguyen Garcia Lopez Muller Schmidt Weber Fischer Meyer Wagner Becker").split()
_DOMAINS = ("example.com", "example.org", "mail.example.net", "corp.example", "lists.example.org")
_UTF8_SUBJECTS = ("Réunion de l'équipe", "Grüße aus München", "Año nuevo, café y reuniones",
                  "Преглед на бюджета", "Ημερήσια διάταξη")


def _vocabulary(rng):
    words = set()
    while len(words) < 6000:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    words = sorted(words)
    words = [w for w in words if w not in (RARE_WORD, SUBJECT_WORD)]
    return words


def _person(rng):
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    return f"{first} {last}", f"{first.lower()}.{last.lower()}@{rng.choice(_DOMAINS)}"


def _sentence(rng, vocab):
    n = rng.randint(6, 16)
    words = [rng.choice(_COMMON) if rng.random() < 0.55 else rng.choice(vocab) for _ in range(n)]
    return " ".join(words).capitalize() + rng.choice((".", ".", ".", "?", "!"))


def _paragraph_pool(rng, vocab, count=6000):
    """Wrapped paragraphs (~72 columns) that messages are assembled from:
    making each message from whole paragraphs keeps generation fast."""
    pool = []
    for _ in range(count):
        lines, line, width = [], [], 0
        for _ in range(rng.randint(2, 6)):
            for w in _sentence(rng, vocab).split():
                if width + len(w) > 72:
                    lines.append(" ".join(line))
                    line, width = [], 0
                line.append(w)
                width += len(w) + 1
        if line:
            lines.append(" ".join(line))
        pool.append("\n".join(lines))
    return pool


def _paragraphs(rng, pool, size):
    """Plain text of about `size` bytes."""
    out, total = [], 0
    while total < size:
        p = rng.choice(pool)
        out.append(p)
        total += len(p) + 2
    return "\n\n".join(out)


def _qp(text):
    # Quoted-printable of mostly-ASCII text: '=' escaped, soft breaks kept short.
    lines = []
    for line in text.replace("=", "=3D").split("\n"):
        while len(line) > 75:
            lines.append(line[:75] + "=")
            line = line[75:]
        lines.append(line)
    return "\n".join(lines)


def _encoded_word(s):
    return "=?UTF-8?B?" + base64.b64encode(s.encode()).decode() + "?="


def make_message(i, rng, vocab, pool):
    """Message i (0-based) as LF-terminated text, and its internal date."""
    date = FIRST_DATE + i * 300 + rng.randint(0, 240)
    from_name, from_addr = _person(rng)
    to_name, to_addr = _person(rng)
    topic = " ".join(rng.choice(vocab) for _ in range(rng.randint(2, 5)))
    if i % 50 == 7:
        subject = f"{SUBJECT_WORD.capitalize()} {rng.randint(1000, 99999)} for {topic}"
    elif i % 20 == 3:
        subject = _encoded_word(f"{rng.choice(_UTF8_SUBJECTS)} {topic} {i}")
    else:
        subject = f"{topic.capitalize()} ({i})"
    reply = rng.random() < 0.3 and i > 0
    if reply:
        subject = "Re: " + subject
    size = int(min(10000, max(2000, rng.lognormvariate(8.4, 0.45))))
    kind = rng.random()
    if kind < 0.25:  # the HTML alternative roughly doubles the text
        size //= 2
    elif kind < 0.35:  # leave room for the attachment
        size = max(1500, size - 2500)
    text = _paragraphs(rng, pool, max(500, size - 900))
    if i % 100 == 42:  # ~1 %: the rare word, in the plain-text part
        lines = text.split("\n")
        k = rng.randrange(len(lines))
        lines[k] = lines[k] + f" {RARE_WORD}"
        text = "\n".join(lines)
    text += f"\n\n-- \n{from_name}\n"

    h = [f"Return-Path: <{from_addr}>",
         f"Received: from mx{rng.randint(1, 9)}.{rng.choice(_DOMAINS)} (mx.{rng.choice(_DOMAINS)} "
         f"[192.0.2.{rng.randint(1, 254)}])\n\tby mail.example.test with ESMTPS id {rng.getrandbits(48):012x}\n"
         f"\tfor <{to_addr}>; {_rfc5322_date(date)}",
         f"Date: {_rfc5322_date(date - rng.randint(5, 600))}",
         f"From: {from_name} <{from_addr}>",
         f"To: {to_name} <{to_addr}>",
         f"Subject: {subject}",
         f"Message-ID: <{i}.{rng.getrandbits(40):010x}@{from_addr.split('@')[1]}>"]
    if reply:
        ref = f"<{rng.randrange(i)}.ref@example.com>"
        h += [f"In-Reply-To: {ref}", f"References: {ref}"]
    if rng.random() < 0.2:
        h.append(f"List-Id: {rng.choice(vocab)} <{rng.choice(vocab)}.lists.example.org>")
    h.append("MIME-Version: 1.0")

    boundary = f"=_b{i:06d}{rng.getrandbits(32):08x}"
    if kind < 0.25:  # multipart/alternative: text and HTML
        html = "<html><body>" + "".join(f"<p>{p}</p>\n" for p in text.split("\n\n")) + "</body></html>"
        h.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
        body = (f"This is a multi-part message in MIME format.\n\n--{boundary}\n"
                f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 7bit\n\n{text}\n"
                f"--{boundary}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
                f"{_qp(html)}\n--{boundary}--\n")
    elif kind < 0.35:  # multipart/mixed with a base64 attachment
        blob = rng.randbytes(rng.randint(1000, 3000))
        b64 = base64.encodebytes(blob).decode()
        name = f"{rng.choice(vocab)}.pdf"
        h.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
        body = (f"--{boundary}\nContent-Type: text/plain; charset=us-ascii\n\n{text}\n"
                f"--{boundary}\nContent-Type: application/pdf; name=\"{name}\"\n"
                f"Content-Disposition: attachment; filename=\"{name}\"\nContent-Transfer-Encoding: base64\n\n"
                f"{b64}--{boundary}--\n")
    elif kind < 0.45 and RARE_WORD not in text:  # quoted-printable single part
        h += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"]
        body = _qp(text)
    else:
        h += ["Content-Type: text/plain; charset=us-ascii; format=flowed", "Content-Transfer-Encoding: 7bit"]
        body = text
    return "\n".join(h) + "\n\n" + body, date


def _rfc5322_date(t):
    import time
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))


def corpus(cache_root, n):
    """Returns the cache folder holding `cur/` with n messages and
    `manifest.json` ([file name, internal date, rare?, subject word?] per
    message, in UID order), generating it first when absent."""
    root = pathlib.Path(cache_root) / f"imap-corpus-f{FORMAT}-s{SEED}-n{n}"
    manifest = root / "manifest.json"
    if manifest.exists():
        return root
    cur = root / "cur"
    cur.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    vocab = _vocabulary(rng)
    pool = _paragraph_pool(rng, vocab)
    entries = []
    for i in range(n):
        text, date = make_message(i, rng, vocab, pool)
        data = text.encode()
        vsize = len(data) + data.count(b"\n")  # size with CRLF line ends (IMAP RFC822.SIZE)
        name = f"{FIRST_DATE + i}.M{i}P1.bench,S={len(data)},W={vsize}:2,"
        (cur / name).write_bytes(data)
        os.utime(cur / name, (date, date))  # Maildir INTERNALDATE is the file's mtime
        entries.append([name, date, RARE_WORD in text, f"{SUBJECT_WORD.capitalize()} " in text.split("\n\n")[0]])
    manifest.write_text(json.dumps({"n": n, "rare_word": RARE_WORD, "subject_word": SUBJECT_WORD,
                                    "messages": entries}))
    return root
