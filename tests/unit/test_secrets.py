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


def test_a_derived_secret_is_derived_again_from_its_recipe():
    secret = secrets.derive_secret(b"k", "merchant", "m_1", "s1")
    assert secrets.rederive(b"k", secret.recipe) == secret
    shown = secret.with_prefix("whsec_", 3)
    assert shown == "whsec_" + secret[3:] and secrets.rederive(b"k", shown.recipe) == shown
    assert secrets.rederive(b"other", secret.recipe) != secret


def test_a_kept_answer_holds_recipes_not_secrets():
    import json
    from chalicelib.domain import replays
    secret = secrets.derive_secret(b"k", "channel", "ch_1", "s9")
    answer = {"channel_id": "ch_1", "secret": secret, "nested": [{"x": secret.with_prefix("whsec_", 3)}]}
    kept, recipes = replays.without_secrets(answer)
    text = json.dumps(kept)
    assert secret not in text and secret[3:] not in text and "s9" not in text
    assert kept == {"channel_id": "ch_1", "secret": None, "nested": [{"x": None}]}
    again = replays.with_secrets(json.loads(text), json.loads(json.dumps(recipes)),
                                 lambda r: secrets.rederive(b"k", r))
    assert again == answer


def test_session_tokens_and_fingerprints_are_keyed():
    import hashlib
    assert secrets.token_hash(b"k", "sess_x") != hashlib.sha256(b"sess_x").hexdigest()
    assert secrets.token_hash(b"k", "sess_x") != secrets.token_hash(b"k2", "sess_x")
    assert secrets.keyed_hash(b"k", "a", b"x") != secrets.keyed_hash(b"k", "b", b"x")
