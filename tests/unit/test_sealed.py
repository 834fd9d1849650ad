"""Sealed secrets: they open with the same key and owner only."""
import pytest

from chalicelib.domain import sealed


def test_seal_round_trip_and_binding():
    value = sealed.seal(b"k1", "erp", "m_1", "Authorization: Bearer abc")
    assert "abc" not in value
    assert sealed.open_sealed(b"k1", "erp", "m_1", value) == "Authorization: Bearer abc"
    for key, purpose, owner in [(b"k2", "erp", "m_1"), (b"k1", "other", "m_1"), (b"k1", "erp", "m_2")]:
        with pytest.raises(sealed.SealBroken):
            sealed.open_sealed(key, purpose, owner, value)
    assert sealed.seal(b"k1", "erp", "m_1", "x") != sealed.seal(b"k1", "erp", "m_1", "x")


def test_a_value_bound_to_an_origin_opens_for_that_origin_only():
    value = sealed.seal(b"k1", "erp", "m_1", "Authorization: Bearer abc", bound_to="https://erp.example:443")
    assert sealed.open_sealed(b"k1", "erp", "m_1", value, bound_to="https://erp.example:443") == "Authorization: Bearer abc"
    for elsewhere in ("https://evil.example:443", "http://erp.example:443", "https://erp.example:8443", ""):
        with pytest.raises(sealed.SealBroken):
            sealed.open_sealed(b"k1", "erp", "m_1", value, bound_to=elsewhere)
    with pytest.raises(sealed.SealBroken):          # owner and binding cannot be shifted into each other
        sealed.open_sealed(b"k1", "erp", "m_1\nhttps://erp.example:443", value)


def test_an_owner_only_value_does_not_open_where_a_binding_is_required():
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    import base64
    nonce = b"\0" * 12
    old = "v1:" + base64.urlsafe_b64encode(
        nonce + AESGCM(sealed._key(b"k1", "erp")).encrypt(nonce, b"secret", b"m_1")).decode()
    assert sealed.open_sealed(b"k1", "erp", "m_1", old) == "secret"
    with pytest.raises(sealed.SealBroken):
        sealed.open_sealed(b"k1", "erp", "m_1", old, bound_to="https://erp.example:443")
    with pytest.raises(sealed.SealBroken):
        sealed.open_sealed(b"k1", "erp", "m_1", "v2:not base64 at all!")
