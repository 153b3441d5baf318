"""DKIM keys and signatures through the real CLI, checked by outside tools.

`postern dkim keygen` makes the keys and prints the DNS records; `postern
dkim sign` signs a message with the library the server uses; dkimpy (Debian
python3-dkim) verifies the result against exactly the records Postern
printed, served by a dnsfunc instead of a DNS server. openssl reads the key
files. Nothing here needs the server to run: the CLI works on the data
directory directly.
"""

import base64
import re
import stat
import subprocess

import dkim
import pytest

from postern_harness import zone_records

DOMAIN = "example.test"

MESSAGE = (
    b"From: Demo <demo@example.test>\r\n"
    b"To: Friend <friend@elsewhere.example>\r\n"
    b"Subject: DKIM from Postern\r\n"
    b"Date: Thu, 09 Oct 2025 10:00:00 +0000\r\n"
    b"Message-ID: <dkim-1@example.test>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Hello,  this line has   odd spacing \r\n"
    b"\r\n"
    b"-- \r\n"
    b"demo\r\n"
)


@pytest.fixture
def env(server_factory):
    """A configured, not running server with domain example.test and an IMAPS listener."""
    s = server_factory(start=False, users=("demo@example.test",))
    s.listeners.append({"protocol": "imaps", "address": "127.0.0.1:10993"})
    s.write_config()
    return s


def fails(p, status=1):
    assert p.returncode == status, (p.returncode, p.stdout, p.stderr)
    assert p.stderr.startswith("postern: "), p.stderr
    assert p.stdout == ""
    return p.stderr


def dnsfunc_for(records):
    """A dkimpy dnsfunc answering TXT queries from `records` (strings joined, RFC 6376 §3.6.2.2)."""
    def dnsfunc(name, timeout=5):
        return "".join(records.get(name.decode().rstrip("."), [])).encode()
    return dnsfunc


def keygen(env, *args):
    out = env.cli("dkim", "keygen", DOMAIN, *args).stdout
    m = re.search(r"^created (rsa|ed25519) key (\S+) for example\.test \((\d+) bits\) in (\S+)$", out, re.M)
    assert m, out
    return {"algorithm": m.group(1), "selector": m.group(2), "bits": int(m.group(3)), "path": m.group(4),
            "records": zone_records(out), "output": out}


def verify_all(signed, records):
    """dkimpy's verdict for every DKIM-Signature of `signed`, with its selector."""
    d = dkim.DKIM(signed)
    count = len(re.findall(rb"^DKIM-Signature:", signed, re.M | re.I))
    results = []
    for i in range(count):
        try:
            ok = d.verify(idx=i, dnsfunc=dnsfunc_for(records))
        except dkim.ValidationError:  # dkimpy raises on a body hash mismatch
            ok = False
        results.append((d.signature_fields[b"s"].decode(), ok))
    return results


def test_keygen_both_algorithms_and_dkimpy_verifies(env):
    rsa = keygen(env)
    ed = keygen(env, "--algorithm", "ed25519")
    assert rsa["algorithm"] == "rsa" and rsa["bits"] == 2048
    assert re.fullmatch(r"rsa-\d{8}", rsa["selector"]), rsa
    assert ed["algorithm"] == "ed25519" and re.fullmatch(r"ed25519-\d{8}", ed["selector"]), ed
    for k in (rsa, ed):
        assert "active: mail from example.test is signed with it from now on" in k["output"]

    # The RSA record is longer than one TXT string: split at 255 octets.
    rsa_name = f"{rsa['selector']}._domainkey.{DOMAIN}"
    strings = rsa["records"][rsa_name]
    assert len(strings) == 2 and len(strings[0]) == 255, strings
    assert "".join(strings).startswith("v=DKIM1; k=rsa; p=MIIB")
    ed_name = f"{ed['selector']}._domainkey.{DOMAIN}"
    assert re.fullmatch(r"v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=", "".join(ed["records"][ed_name]))

    records = {**rsa["records"], **ed["records"]}
    signed = env.cli("dkim", "sign", input=MESSAGE).stdout_bytes
    assert signed.endswith(MESSAGE)
    results = verify_all(signed, records)
    assert sorted(results) == sorted([(rsa["selector"], True), (ed["selector"], True)]), results

    # Relaxed/relaxed: re-folding a header and adding a Received line on the
    # way is fine; changing a word of the body or the subject is not.
    refolded = b"Received: by relay.elsewhere.example\r\n" + signed.replace(
        b"Subject: DKIM from Postern", b"Subject:   DKIM from\r\n\tPostern")
    assert all(ok for _, ok in verify_all(refolded, records))
    for old, new in ((b"odd spacing", b"odd spocing"), (b"Subject: DKIM", b"Subject: DKIN")):
        tampered = signed.replace(old, new)
        assert verify_all(tampered, records) == [(s, False) for s, _ in results], old
    # Oversigned From: a second From field breaks both signatures.
    two_froms = signed.replace(b"\r\n\r\n", b"\r\nFrom: mallory@evil.example\r\n\r\n", 1)
    assert not any(ok for _, ok in verify_all(two_froms, records))


def test_key_files_private_and_readable_by_openssl(env):
    for algorithm in ("rsa", "ed25519"):
        k = keygen(env, "--algorithm", algorithm)
        key_file = env.data_dir / "dkim" / DOMAIN / (k["selector"] + ".key")
        assert k["path"] == str(key_file)
        mode = stat.S_IMODE(key_file.stat().st_mode)
        assert mode == 0o600, oct(mode)
        # The key file is ordinary PKCS#8 PEM: openssl derives the same public
        # key as the p= Postern printed.
        der = subprocess.run(["openssl", "pkey", "-in", k["path"], "-pubout", "-outform", "DER"],
                             check=True, capture_output=True, timeout=30).stdout
        p = re.search(r"p=([A-Za-z0-9+/=]+)", "".join(*k["records"].values())).group(1)
        expected = der if algorithm == "rsa" else der[-32:]  # RFC 8463 §4.2: the raw 32-byte key
        assert base64.b64decode(p) == expected
    for d in (env.data_dir / "dkim", env.data_dir / "dkim" / DOMAIN):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    assert stat.S_IMODE((env.data_dir / "dkim" / DOMAIN / "active").stat().st_mode) == 0o600


def test_rotation_list_activate_remove(env):
    old = keygen(env, "--algorithm", "ed25519", "--selector", "old")
    new = keygen(env, "--algorithm", "ed25519", "--selector", "new")
    assert "not active yet" in new["output"]
    assert f"postern dkim activate {DOMAIN} new" in new["output"]
    lines = env.cli("dkim", "list").stdout.splitlines()
    assert [l.split("  ")[:5] for l in lines] == [
        [DOMAIN, "new", "ed25519", "256", "inactive"],
        [DOMAIN, "old", "ed25519", "256", "active"],
    ], lines
    records = {**old["records"], **new["records"]}
    assert verify_all(env.cli("dkim", "sign", input=MESSAGE).stdout_bytes, records) == [("old", True)]

    assert env.cli("dkim", "activate", DOMAIN, "new").stdout == f"activated new for {DOMAIN}\n"
    assert verify_all(env.cli("dkim", "sign", input=MESSAGE).stdout_bytes, records) == [("new", True)]
    err = fails(env.cli("dkim", "remove", DOMAIN, "new", check=False))
    assert "activate another key first" in err
    assert env.cli("dkim", "remove", DOMAIN, "old").stdout == f"removed old for {DOMAIN}\n"
    assert [l.split("  ")[1] for l in env.cli("dkim", "list", DOMAIN).stdout.splitlines()] == ["new"]


def test_domain_dns_prints_every_record(env):
    rsa = keygen(env)
    out = env.cli("domain", "dns", DOMAIN).stdout
    lines = [l for l in out.splitlines() if l and not l.startswith(";")]
    assert f"{DOMAIN}. IN MX 10 mail.example.test." in lines
    assert f'{DOMAIN}. IN TXT "v=spf1 mx -all"' in lines
    assert f'_dmarc.{DOMAIN}. IN TXT "v=DMARC1; p=quarantine; rua=mailto:postmaster@{DOMAIN}"' in lines
    # The same DKIM record keygen printed.
    assert zone_records(out)[f"{rsa['selector']}._domainkey.{DOMAIN}"] == \
        rsa["records"][f"{rsa['selector']}._domainkey.{DOMAIN}"]
    # RFC 6186 / RFC 8314: configured services with their ports, the others "not offered".
    assert f"_imaps._tcp.{DOMAIN}. IN SRV 0 1 10993 mail.example.test." in lines
    assert f"_imap._tcp.{DOMAIN}. IN SRV 0 0 0 ." in lines
    assert f"_submissions._tcp.{DOMAIN}. IN SRV 0 0 0 ." in lines
    assert f"_submission._tcp.{DOMAIN}. IN SRV 0 0 0 ." in lines
    assert f"autoconfig.{DOMAIN}. IN CNAME mail.example.test." in lines


def test_domain_dns_without_key_says_how(env):
    out = env.cli("domain", "dns", DOMAIN).stdout
    assert f"; none yet: create one with `postern dkim keygen {DOMAIN}`" in out
    assert "_domainkey" not in out


def test_errors(env):
    err = fails(env.cli("dkim", "keygen", "nowhere.test", check=False))
    assert "unknown domain 'nowhere.test' (add it with: postern domain add nowhere.test)" in err
    err = fails(env.cli("domain", "dns", "nowhere.test", check=False))
    assert "unknown domain 'nowhere.test'" in err
    err = fails(env.cli("dkim", "keygen", DOMAIN, "--selector", "bad/selector", check=False))
    assert "invalid selector 'bad/selector'" in err
    err = fails(env.cli("dkim", "sign", input=MESSAGE, check=False))
    assert f"{DOMAIN} has no active DKIM key (create one with: postern dkim keygen {DOMAIN})" in err
    keygen(env, "--algorithm", "ed25519", "--selector", "s1")
    err = fails(env.cli("dkim", "keygen", DOMAIN, "--algorithm", "ed25519", "--selector", "S1", check=False))
    assert f"a key with selector s1 already exists for {DOMAIN}" in err
    err = fails(env.cli("dkim", "activate", DOMAIN, "nope", check=False))
    assert f"no DKIM key with selector nope for {DOMAIN}" in err
    err = fails(env.cli("dkim", "sign", input=b"Subject: no from\r\n\r\nx\r\n", check=False))
    assert "no From address; give --domain" in err
    err = fails(env.cli("dkim", "sign", "--domain", DOMAIN, input=b"Subject: no from\r\n\r\nx\r\n", check=False))
    assert "without a From header field" in err
    # CLI11 validates the algorithm before anything runs.
    p = env.cli("dkim", "keygen", DOMAIN, "--algorithm", "dsa", check=False)
    assert p.returncode != 0 and p.stdout == ""
