"""Our DKIM signer, verified by dkimpy (an independent implementation), on awkward input."""

from __future__ import annotations

import dkim
import pytest

from newswire.channels.dkim import DkimSigner, relaxed_body, relaxed_header

MESSAGE = (
    b"From: Newswire <releases@wire.example.com>\r\n"
    b"To: =?utf-8?b?5bGx55SwIOWkqumDjg==?= <yamada@shimbun.example>\r\n"
    b"Subject: A subject that is folded\r\n"
    b"\tover   two lines\r\n"
    b"Date: Tue, 03 Mar 2026 09:00:00 GMT\r\n"
    b"Message-ID: <d-1@bounces.wire.example.com>\r\n"
    b"List-Unsubscribe: <https://wire.example.com/u/1>\r\n"
    b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Body with  double spaces and trailing space \r\n"
    b"\ttabbed line\r\n"
    b"\r\n\r\n"
)


def lookup(signer: DkimSigner):  # type: ignore[no-untyped-def]
    return lambda name, timeout=5: signer.dns_record().encode()


def test_signature_verifies_with_dkimpy(dkim_signer: DkimSigner) -> None:
    signed = dkim_signer.sign_message(MESSAGE)
    assert signed.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;")
    assert dkim.verify(signed, dnsfunc=lookup(dkim_signer))


def test_relaxed_canonicalization_survives_whitespace_changes_in_transit(
    dkim_signer: DkimSigner,
) -> None:
    signed = dkim_signer.sign_message(MESSAGE)
    mangled = signed.replace(b"Subject: A subject", b"Subject:   A   subject").replace(
        b"trailing space \r\n", b"trailing space\r\n"
    )
    assert dkim.verify(mangled + b"\r\n", dnsfunc=lookup(dkim_signer))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"Body with", b"Body without"),
        (b"List-Unsubscribe: <https://wire.example.com/u/1>", b"List-Unsubscribe: <https://evil>"),
    ],
)
def test_tampering_breaks_it(dkim_signer: DkimSigner, old: bytes, new: bytes) -> None:
    signed = dkim_signer.sign_message(MESSAGE)
    assert not dkim.verify(signed.replace(old, new), dnsfunc=lookup(dkim_signer))


def test_oversigned_headers_cannot_be_added(dkim_signer: DkimSigner) -> None:
    signed = dkim_signer.sign_message(MESSAGE)
    head, _, body = signed.partition(b"\r\n\r\n")
    extra = head + b"\r\nFrom: Someone Else <ceo@wire.example.com>\r\n\r\n" + body
    assert not dkim.verify(extra, dnsfunc=lookup(dkim_signer))
    received = b"Received: from mx by mx2; Tue, 03 Mar 2026 09:00:01 +0000\r\n" + signed
    assert dkim.verify(received, dnsfunc=lookup(dkim_signer))  # unsigned headers may be added


def test_canonicalization_helpers() -> None:
    assert relaxed_header(b"SUBJECT ", b" a\r\n\t b  c \r\n") == b"subject:a b c\r\n"
    assert relaxed_body(b"a  b \r\n\r\n\r\n") == b"a b\r\n"
    assert relaxed_body(b"\r\n\r\n") == b""
    assert relaxed_body(b"x \t") == b"x\r\n"


def test_rejects_keys_it_cannot_use() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError):
        DkimSigner("wire.example.com", "s", pem)
