"""Submission (RFC 6409 on 587 with STARTTLS, RFC 8314 on 465) against the
real server with smtplib: AUTH PLAIN / LOGIN / SCRAM-SHA-256, no AUTH in
clear, sender authorization (own, plus-address, granted role address),
header fixes, and the MX rule for our own domains."""

import base64
import smtplib

import pytest

from postern_harness import free_port, scram_login, unverified_context

USER = "demo@example.test"
OTHER = "bob@example.test"


@pytest.fixture
def sub(server_factory):
    s = server_factory(start=False, users=(USER, OTHER))
    s.sub_port, s.subs_port = free_port(), free_port()
    s.listeners.append({"protocol": "submission", "address": f"127.0.0.1:{s.sub_port}"})
    s.listeners.append({"protocol": "submissions", "address": f"127.0.0.1:{s.subs_port}"})
    s.write_config()
    s.start()
    return s


def submit(s, implicit=False):
    if implicit:
        c = smtplib.SMTP_SSL("127.0.0.1", s.subs_port, context=unverified_context(), timeout=15)
    else:
        c = smtplib.SMTP("127.0.0.1", s.sub_port, timeout=15)
        c.starttls(context=unverified_context())
    c.ehlo("client.example.org")
    return c


def message(frm, to, extra=""):
    return f"From: {frm}\r\nTo: {to}\r\nSubject: hello\r\n{extra}\r\nbody\r\n"


def test_no_auth_in_clear_and_auth_required_before_mail(sub):
    c = smtplib.SMTP("127.0.0.1", sub.sub_port, timeout=15)
    c.ehlo("x")
    assert not c.has_extn("auth")  # not offered before TLS (not dev mode)
    code, text = c.docmd("AUTH", "PLAIN " + base64.b64encode(f"\0{USER}\0x".encode()).decode())
    assert code == 538
    c.starttls(context=unverified_context())
    c.ehlo("x")
    assert "SCRAM-SHA-256" in c.esmtp_features["auth"]
    code, text = c.mail(USER)
    assert code == 530
    with pytest.raises(smtplib.SMTPAuthenticationError) as e:
        c.login(USER, "wrong password")
    assert e.value.smtp_code == 535
    c.quit()


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_submit_to_local_user_with_header_fixes(sub, mechanism):
    c = submit(sub, implicit=(mechanism == "LOGIN"))
    c.user, c.password = USER, sub.passwords[USER]
    code, _ = c.auth(mechanism, getattr(c, "auth_" + mechanism.lower()), initial_response_ok=True)
    assert code == 235
    c.sendmail(USER, [OTHER], "From: Demo <demo@example.test>\r\nTo: bob@example.test\r\n"
                               "Bcc: hidden@example.org\r\nSubject: hi\r\n\r\nbody\r\n")
    c.quit()
    stored = sub.show(OTHER, 1)
    headers = stored.split(b"\r\n\r\n", 1)[0]
    assert b"Bcc:" not in headers and b"hidden@example.org" not in stored
    assert b"\r\nDate: " in headers and b"\r\nMessage-ID: <" in headers
    assert b"with ESMTPSA" in headers  # RFC 3848: authenticated over TLS


def test_sender_authorization(sub):
    c = submit(sub)
    c.login(USER, sub.passwords[USER])
    with pytest.raises(smtplib.SMTPSenderRefused) as e:
        c.sendmail(OTHER, [OTHER], message(OTHER, OTHER))
    assert e.value.smtp_code == 553 and b"5.7.1" in e.value.smtp_error
    with pytest.raises(smtplib.SMTPDataError) as e:
        c.sendmail(USER, [OTHER], message("Mallory <bob@example.test>", OTHER))
    assert e.value.smtp_code == 553
    c.sendmail("demo+lists@example.test", [OTHER], message("demo+lists@example.test", OTHER))
    with pytest.raises(smtplib.SMTPSenderRefused):
        c.sendmail("pr@example.test", [OTHER], message("pr@example.test", OTHER))
    sub.cli("sendas", "grant", "pr@example.test", USER)
    c.sendmail("pr@example.test", [OTHER], message("PR <pr@example.test>", OTHER))
    c.quit()
    assert len(sub.messages(OTHER)) == 2


def test_scram_sha256(sub):
    c = submit(sub)
    assert scram_login(c, USER, "not the password")[0] == 535
    code, verified = scram_login(c, USER, sub.passwords[USER])
    assert code == 235 and verified
    c.sendmail(USER, [OTHER], message(USER, OTHER))
    c.quit()
    # An unknown user fails the same way (no account enumeration).
    c = submit(sub)
    assert scram_login(c, "nobody@example.test", "x")[0] == 535
    c.quit()


def test_mx_refuses_our_domain_from_untrusted_clients(sub, server_factory):
    with smtplib.SMTP("127.0.0.1", sub.smtp_port, timeout=15) as c:
        with pytest.raises(smtplib.SMTPSenderRefused) as e:
            c.sendmail(USER, [OTHER], message(USER, OTHER))
        assert e.value.smtp_code == 550
        with pytest.raises(smtplib.SMTPDataError):
            c.sendmail("someone@example.org", [OTHER], message(USER, OTHER))
        c.sendmail("someone@example.org", [OTHER], message("someone@example.org", OTHER))
    trusted = server_factory(start=False, smtp={"trusted_networks": ["127.0.0.0/8", "::1"]})
    trusted.write_config()
    trusted.start()
    with smtplib.SMTP("127.0.0.1", trusted.smtp_port, timeout=15) as c:
        c.sendmail(USER, [USER], message(USER, USER))
