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
