"""Credentials: derived secrets and slow salted password hashes."""
from chalicelib.domain import secrets


def test_derived_secret_depends_on_key_owner_and_salt():
    a = secrets.derive_secret(b"k", "merchant", "m_1", "s1")
    assert a == secrets.derive_secret(b"k", "merchant", "m_1", "s1")
    assert a != secrets.derive_secret(b"k2", "merchant", "m_1", "s1")
    assert a != secrets.derive_secret(b"k", "merchant", "m_2", "s1")
    assert a != secrets.derive_secret(b"k", "merchant", "m_1", "s2")
    assert a != secrets.derive_secret(b"k", "channel", "m_1", "s1")


def test_password_hash_is_salted_and_verifies():
    one, two = secrets.hash_password("correct horse"), secrets.hash_password("correct horse")
    assert one != two and one.startswith("scrypt$")
    assert "correct horse" not in one
    assert secrets.password_matches("correct horse", one)
    assert not secrets.password_matches("wrong horse", one)
    assert not secrets.password_matches("x", "garbage")
