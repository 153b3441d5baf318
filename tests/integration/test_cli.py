"""The `postern` admin CLI: happy paths and every class of error message."""

import re
import subprocess

import pytest

from postern_harness import postern_bin


@pytest.fixture
def env(server_factory):
    """A configured, not running server: domain example.test, user demo@."""
    return server_factory(start=False, users=("demo@example.test",))


def fails(p, status=1):
    """Asserts a clean CLI failure: exit status, `postern: ` message, nothing on stdout."""
    assert p.returncode == status, (p.returncode, p.stdout, p.stderr)
    assert p.stderr.startswith("postern: "), p.stderr
    assert p.stdout == ""
    return p.stderr


# --- domains ------------------------------------------------------------------

def test_domain_add_list_remove(env):
    assert env.cli("domain", "add", "Second.TEST").stdout == "added domain second.test\n"
    out = env.cli("domain", "list").stdout.splitlines()
    assert out == ["example.test  users=1 aliases=0", "second.test  users=0 aliases=0"]
    assert env.cli("domain", "remove", "second.test").stdout == "removed domain second.test\n"
    assert env.cli("domain", "list").stdout.splitlines() == ["example.test  users=1 aliases=0"]


def test_domain_errors(env):
    err = fails(env.cli("domain", "add", "example.test", check=False))
    assert "domain example.test already exists" in err
    err = fails(env.cli("domain", "add", "bad..name", check=False))
    assert "domain" in err or "label" in err
    err = fails(env.cli("domain", "remove", "nowhere.test", check=False))
    assert "unknown domain 'nowhere.test'" in err
    # still has users: refused, and says what to do
    err = fails(env.cli("domain", "remove", "example.test", check=False))
    assert "domain example.test still has 1 user" in err
    env.cli("alias", "add", "info@example.test", "demo@example.test")
    err = fails(env.cli("domain", "remove", "example.test", check=False))
    assert "1 user and 1 alias" in err
    assert env.cli("domain", "list").stdout.startswith("example.test")


# --- users --------------------------------------------------------------------

def test_user_add_list_passwd_remove(env):
    p = env.cli("user", "add", "Alice@Example.TEST", input="s3cret-pass\n")
    assert p.stdout == "added user alice@example.test\n"
    p = env.cli("user", "add", "bob@example.test", "--generate-password")
    lines = p.stdout.splitlines()
    assert lines[0] == "added user bob@example.test"
    m = re.fullmatch(r"password: ([A-Za-z0-9_-]{20})", lines[1])
    assert m, lines
    assert env.cli("user", "list").stdout.splitlines() == [
        "alice@example.test", "bob@example.test", "demo@example.test"]
    env.cli("domain", "add", "other.test")
    env.cli("user", "add", "zed@other.test", input="pw-zed-123\n")
    assert env.cli("user", "list", "other.test").stdout == "zed@other.test\n"
    p = env.cli("user", "passwd", "alice@example.test", input="another-pass\n")
    assert p.stdout == "changed password of alice@example.test\n"
    p = env.cli("user", "passwd", "alice@example.test", "--generate-password")
    assert re.search(r"^password: \S{20}$", p.stdout, re.M)
    p = env.cli("user", "remove", "alice@example.test", "--yes")
    assert p.stdout == "removed user alice@example.test\n"
    assert "alice@example.test" not in env.cli("user", "list").stdout


def test_user_errors(env):
    err = fails(env.cli("user", "add", "x@nowhere.test", input="pw-long-enough\n", check=False))
    assert "unknown domain 'nowhere.test'" in err and "postern domain add nowhere.test" in err
    err = fails(env.cli("user", "add", "demo@example.test", input="pw-long-enough\n", check=False))
    assert "user demo@example.test already exists" in err
    err = fails(env.cli("user", "add", "not-an-address", input="pw-long-enough\n", check=False))
    assert "@" in err or "address" in err
    err = fails(env.cli("user", "add", "a b@example.test", input="pw-long-enough\n", check=False))
    assert "local part" in err or "address" in err
    err = fails(env.cli("user", "add", "new@example.test", input="", check=False))
    assert "no password on standard input" in err
    err = fails(env.cli("user", "add", "new@example.test", input="\n", check=False))
    assert "empty password" in err
    assert "new@example.test" not in env.cli("user", "list").stdout
    err = fails(env.cli("user", "passwd", "ghost@example.test", input="pw-long-enough\n", check=False))
    assert "unknown user 'ghost@example.test'" in err
    err = fails(env.cli("user", "remove", "ghost@example.test", "--yes", check=False))
    assert "unknown user 'ghost@example.test'" in err
    # remove without --yes: refused, tells the exact command, user kept
    err = fails(env.cli("user", "remove", "demo@example.test", check=False))
    assert "postern user remove demo@example.test --yes" in err
    assert "demo@example.test" in env.cli("user", "list").stdout
    # an alias address cannot become a user
    env.cli("alias", "add", "info@example.test", "demo@example.test")
    err = fails(env.cli("user", "add", "info@example.test", input="pw-long-enough\n", check=False))
    assert "already an alias" in err


def test_user_remove_notes_dangling_alias(env):
    env.cli("user", "add", "alice@example.test", input="pw-alice-123\n")
    env.cli("alias", "add", "team@example.test", "alice@example.test", "demo@example.test")
    p = env.cli("user", "remove", "alice@example.test", "--yes")
    assert "note: alias team@example.test still points to alice@example.test" in p.stderr


# --- aliases ------------------------------------------------------------------

def test_alias_add_list_remove(env):
    env.cli("user", "add", "alice@example.test", input="pw-alice-123\n")
    p = env.cli("alias", "add", "Team@example.test", "demo@example.test", "alice@example.test")
    assert p.stdout == ("added alias team@example.test -> demo@example.test\n"
                        "added alias team@example.test -> alice@example.test\n")
    p = env.cli("alias", "add", "@example.test", "demo@example.test")
    assert p.stdout == "added alias @example.test -> demo@example.test\n"
    p = env.cli("alias", "add", "fwd@example.test", "someone@elsewhere.example")
    assert p.stdout == "added alias fwd@example.test -> someone@elsewhere.example\n"
    lines = env.cli("alias", "list").stdout.splitlines()
    for l in ("team@example.test -> demo@example.test", "team@example.test -> alice@example.test",
              "@example.test -> demo@example.test", "fwd@example.test -> someone@elsewhere.example"):
        assert l in lines, lines
    assert len(lines) == 4
    env.cli("domain", "add", "other.test")
    assert env.cli("alias", "list", "other.test").stdout == ""
    assert len(env.cli("alias", "list", "example.test").stdout.splitlines()) == 4
    p = env.cli("alias", "remove", "team@example.test", "alice@example.test")
    assert p.stdout == "removed alias team@example.test -> alice@example.test\n"
    p = env.cli("alias", "remove", "@example.test")
    assert p.stdout == "removed alias @example.test\n"
    lines = env.cli("alias", "list").stdout.splitlines()
    assert sorted(lines) == ["fwd@example.test -> someone@elsewhere.example",
                             "team@example.test -> demo@example.test"]


def test_alias_errors(env):
    env.cli("alias", "add", "team@example.test", "demo@example.test")
    err = fails(env.cli("alias", "add", "team@example.test", "demo@example.test", check=False))
    assert "alias team@example.test -> demo@example.test already exists" in err
    err = fails(env.cli("alias", "add", "x@nowhere.test", "demo@example.test", check=False))
    assert "unknown domain 'nowhere.test'" in err
    err = fails(env.cli("alias", "add", "demo@example.test", "other@example.org", check=False))
    assert "is a user account" in err
    err = fails(env.cli("alias", "add", "loop@example.test", "loop@example.test", check=False))
    assert "cannot point to itself" in err
    err = fails(env.cli("alias", "add", "x@example.test", "not an address", check=False))
    assert err
    err = fails(env.cli("alias", "remove", "ghost@example.test", check=False))
    assert "unknown alias 'ghost@example.test'" in err
    err = fails(env.cli("alias", "remove", "team@example.test", "bob@example.test", check=False))
    assert "alias team@example.test has no target bob@example.test" in err
    p = env.cli("alias", "add", "team@example.test", check=False)
    assert p.returncode != 0  # a target is required (CLI11 usage error)


# --- send-as ------------------------------------------------------------------

def test_sendas_grant_list_revoke_and_errors(env):
    env.cli("user", "add", "alice@example.test", input="pw-alice-123\n")
    p = env.cli("sendas", "grant", "info@example.test", "alice@example.test")
    assert p.stdout == "alice@example.test may now send as info@example.test\n"
    env.cli("sendas", "grant", "sales@example.test", "demo@example.test")
    assert sorted(env.cli("sendas", "list").stdout.splitlines()) == [
        "info@example.test -> alice@example.test", "sales@example.test -> demo@example.test"]
    assert env.cli("sendas", "list", "info@example.test").stdout == "info@example.test -> alice@example.test\n"
    err = fails(env.cli("sendas", "grant", "info@example.test", "alice@example.test", check=False))
    assert "alice@example.test may already send as info@example.test" in err
    err = fails(env.cli("sendas", "grant", "info@example.test", "ghost@example.test", check=False))
    assert "unknown user 'ghost@example.test'" in err
    err = fails(env.cli("sendas", "grant", "alice@example.test", "alice@example.test", check=False))
    assert "may always send as itself" in err
    err = fails(env.cli("sendas", "grant", "nonsense", "alice@example.test", check=False))
    assert err
    p = env.cli("sendas", "revoke", "info@example.test", "alice@example.test")
    assert p.stdout == "alice@example.test may no longer send as info@example.test\n"
    err = fails(env.cli("sendas", "revoke", "info@example.test", "alice@example.test", check=False))
    assert "has no grant to send as info@example.test" in err
    assert env.cli("sendas", "list").stdout == "sales@example.test -> demo@example.test\n"


# --- mailbox / message inspection ---------------------------------------------

def test_mailbox_and_message_on_empty_account(env):
    out = env.cli("mailbox", "list", "demo@example.test").stdout
    assert re.search(r"^INBOX\t\S+\tmessages=0\tbytes=0\tuidnext=1$", out, re.M), out
    assert env.cli("message", "list", "demo@example.test").stdout == ""
    err = fails(env.cli("message", "list", "ghost@example.test", check=False))
    assert "unknown user" in err
    err = fails(env.cli("message", "show", "demo@example.test", "7", check=False))
    assert err


# --- config check -------------------------------------------------------------

def run_bin(*args):
    return subprocess.run([str(postern_bin()), *args], capture_output=True, text=True, timeout=30)


def test_config_check_ok(env):
    p = env.cli("config", "check")
    assert p.stdout == f"config OK: {env.config_path} (1 listener)\n"


def test_config_check_unknown_key_did_you_mean(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[server]\nhostname = "mail.example.test"\ndata_dri = "data"\n')
    p = run_bin("--config", str(cfg), "config", "check")
    err = fails(p, status=2)
    assert f"{cfg}:3:1: unknown key 'server.data_dri' (did you mean 'server.data_dir'?)" in err, err


def test_config_check_unknown_key_lists_known(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[smtp]\ncompletely_wrong = 1\n')
    err = fails(run_bin("--config", str(cfg), "config", "check"), status=2)
    assert re.search(rf"^postern: {re.escape(str(cfg))}:2:1: unknown key 'smtp.completely_wrong' "
                     r"\(known keys here: .*max_message_size", err), err


def test_config_check_wrong_type_and_range(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[server]\nthreads = "two"\n\n[smtp]\nmax_recipients = 0\n')
    err = fails(run_bin("--config", str(cfg), "config", "check"), status=2)
    assert re.search(rf"{re.escape(str(cfg))}:2:\d+: server.threads must be an integer", err), err
    assert re.search(rf"{re.escape(str(cfg))}:5:\d+: smtp.max_recipients = 0 is out of range", err), err


def test_config_check_bad_listener_and_syntax(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[[listener]]\nprotocol = "smtp"\naddress = "localhost:25"\n')
    err = fails(run_bin("--config", str(cfg), "config", "check"), status=2)
    assert re.search(rf"{re.escape(str(cfg))}:3:\d+: listener.address \"localhost:25\" must be IP:PORT", err), err
    cfg.write_text('[server\nhostname = 1\n')
    err = fails(run_bin("--config", str(cfg), "config", "check"), status=2)
    assert re.search(rf"{re.escape(str(cfg))}:1:\d+: TOML syntax error", err), err


def test_config_check_listener_needs_tls_cert(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[[listener]]\nprotocol = "smtp"\naddress = "127.0.0.1:2525"\n')
    err = fails(run_bin("--config", str(cfg), "config", "check"), status=2)
    assert "needs TLS but [tls] certificate/key are not set" in err


def test_missing_config_file(tmp_path):
    p = run_bin("--config", str(tmp_path / "nope.toml"), "domain", "list")
    assert p.returncode != 0
    assert "nope.toml" in p.stderr


# --- help ---------------------------------------------------------------------

@pytest.mark.parametrize("group,words", [
    ([], ["serve", "config", "domain", "user", "alias", "sendas", "mailbox", "message"]),
    (["serve"], ["SIGTERM"]),
    (["config"], ["check"]),
    (["domain"], ["add", "list", "remove"]),
    (["user"], ["add", "passwd", "list", "remove"]),
    (["alias"], ["add", "remove", "list"]),
    (["sendas"], ["grant", "revoke", "list"]),
    (["mailbox"], ["list"]),
    (["message"], ["list", "show"]),
    (["user", "add"], ["--generate-password", "ADDRESS"]),
])
def test_help(group, words):
    p = run_bin(*group, "--help")
    assert p.returncode == 0, p.stderr
    for w in words:
        assert w in p.stdout, (w, p.stdout)


def test_no_subcommand_is_an_error():
    p = run_bin("domain")
    assert p.returncode != 0
    assert "subcommand" in (p.stdout + p.stderr).lower()
