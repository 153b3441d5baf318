"""TLS graded by an outside scanner: Debian's testssl.sh against every kind
of TLS listener (implicit TLS on submissions and imaps, STARTTLS on
submission and imap). The four scans run at once (each mostly waits on the
network), bounded by a timeout.

Required of each: no SSLv2/SSLv3/TLS 1.0/TLS 1.1, TLS 1.2 and 1.3 offered,
none of the NULL/anonymous/export/LOW/3DES/CBC cipher categories, only
strong (AEAD) ciphers, and no finding above INFO (DEBUG notes are informational) except those accepted in
docs/security.md (none today with these checks: the certificate checks,
which would flag the test's self-signed certificate, are not run).
"""

import json
import shutil
import subprocess

import pytest

from postern_harness import free_port

# testssl ids whose finding must say "not offered".
NOT_OFFERED = ["SSLv2", "SSLv3", "TLS1", "TLS1_1", "cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT",
               "cipherlist_LOW", "cipherlist_3DES_IDEA", "cipherlist_AVERAGE"]
OFFERED = ["TLS1_2", "TLS1_3", "cipherlist_STRONG"]
# Findings above INFO that docs/security.md accepts (id -> why). Empty: none.
ACCEPTED = {}


@pytest.mark.skipif(shutil.which("testssl") is None, reason="testssl.sh not installed (scripts/install-deps)")
def test_testssl_grades_every_tls_listener(server_factory, tmp_path):
    s = server_factory(start=False)
    ports = {name: free_port() for name in ("submissions", "imaps", "submission", "imap")}
    for name, port in ports.items():
        s.listeners.append({"protocol": name, "address": f"127.0.0.1:{port}"})
    s.write_config()
    s.start()
    starttls = {"submission": ["-t", "smtp"], "imap": ["-t", "imap"]}
    scans = {}
    for name, port in ports.items():
        out = tmp_path / f"{name}.json"
        cmd = ["testssl", "--quiet", "--color", "0", "--warnings", "off", "--connect-timeout", "10",
               "--openssl-timeout", "10", "-p", "-s", "-U", "-oj", str(out), *starttls.get(name, []),
               f"127.0.0.1:{port}"]
        scans[name] = (subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True), out)
    problems = []
    for name, (proc, out) in scans.items():
        try:
            text, _ = proc.communicate(timeout=900)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail(f"testssl on {name} did not finish within 15 minutes")
        findings = {f["id"]: f for f in json.loads(out.read_text())}
        for id in NOT_OFFERED:
            if not findings.get(id, {}).get("finding", "").startswith("not offered"):
                problems.append(f"{name}: {id}: {findings.get(id)}")
        for id in OFFERED:
            if not findings.get(id, {}).get("finding", "").startswith("offered"):
                problems.append(f"{name}: {id}: {findings.get(id)}")
        for f in findings.values():
            if f["severity"] not in ("OK", "INFO", "DEBUG") and f["id"] not in ACCEPTED:
                problems.append(f"{name}: {f['id']} {f['severity']}: {f['finding']}")
        if len(findings) < 25:
            problems.append(f"{name}: only {len(findings)} findings, the scan did not run:\n{text[-2000:]}")
    assert not problems, "\n".join(problems)
