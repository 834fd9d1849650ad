"""Codes ERPs choose (domain/codes.py) and how they go into store keys (store/keys.py), property
style: many seeded random strings over an alphabet of the characters that make trouble."""
import random
import re
import string

import pytest

from chalicelib.domain import codes
from chalicelib.store import keys
from chalicelib.store.keys import MerchantScope

OLD_ALPHABET = string.ascii_letters + string.digits + "_.:-"
TRICKY = (OLD_ALPHABET + "#%|~+ /\\?&=*'\"<>!$@^`{}[]()" + "红色批次客户買家" + "é\u0301ＡＢ１２" + "\u3000\u00a0"
          + "\x00\x1f\x7f\x85\u200b\u202e\ufeff\ue000\u2028" + "😀🏴" + "%23%25%2F")


def strings(count: int, alphabet: str = TRICKY, max_length: int = 12, seed: int = 11) -> list:
    rng = random.Random(seed)
    made = ["", "#", "%", "%%", "%23", "A", "A#", "A#B", "A%23B", "A%2523B", "#A", "A##B", "A#2"]
    made += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, max_length))) for _ in range(count)]
    return made


@pytest.mark.parametrize("code", ["红色-XL 01", "A01 #2", "SKU+1", "A#B", "50%", "a\u3000b", "é", "😀", "x" * 64,
                                  "A?b=1&c", "<b>", "'; DROP"])
def test_what_a_code_may_be(code):
    assert codes.problem(code) is None and codes.check(code) == code


@pytest.mark.parametrize("value, reason", [
    ("", "1-64"), ("x" * 65, "1-64"), (" A", "whitespace"), ("A ", "whitespace"), ("\u3000A", "whitespace"),
    ("A\t", "whitespace"), ("A/B", "'/'"), ("A\\B", "'\\\\'"), ("A\x00B", "U+0000"), ("A\nB", "U+000A"),
    ("A\u200bB", "U+200B"), ("A\u202eB", "U+202E"), ("A\ufeff", "U+FEFF"), ("A\ue000", "U+E000"),
    ("A\u2028B", "U+2028"), ("A\ud800", "U+D800"), ("A\U000e0001", "U+E0001"), (5, "string"), (None, "string")])
def test_what_a_code_may_not_be(value, reason):
    assert reason in codes.problem(value)
    with pytest.raises(codes.CodeInvalid):
        codes.check(value)


def test_the_openapi_pattern_says_what_the_check_says_in_the_basic_plane():
    pattern = re.compile(codes.json_pattern())
    bmp = "".join(ch for ch in TRICKY if ord(ch) < 0x10000)
    for text in strings(3000, bmp, max_length=70) + ["x" * 64, "x" * 65, " x", "x ", "\u3000", "a\u3000b"]:
        assert bool(pattern.fullmatch(text)) == codes.is_code(text), repr(text)



def test_the_openapi_pattern_compiles_in_a_code_point_regex_engine():
    """jsonschema-rs (Rust's regex, like Go's) refuses a pattern naming lone surrogates; the
    document's validators and schemathesis use it. Surrogates are left to the server's check."""
    import jsonschema_rs
    validator = jsonschema_rs.validator_for({"type": "string", "pattern": codes.json_pattern()})
    assert validator.is_valid("红色-XL 01") and not validator.is_valid("a/b") and not validator.is_valid(" x")
    assert not codes.is_code("A\ud800")


def test_codes_of_the_first_alphabet_are_their_own_key_part():
    for text in strings(2000, OLD_ALPHABET, max_length=64) + [OLD_ALPHABET]:
        if set(text) <= set(OLD_ALPHABET):
            assert keys.code(text) == text
    assert keys.code("红色-XL 01") == "红色-XL 01"           # readable: only structure is escaped


def test_key_parts_round_trip_never_hold_the_separator_and_never_collide():
    made = set(strings(20000))
    encoded = {keys.code(text): text for text in made}
    assert len(encoded) == len(made)                        # one text, one key part
    for part, text in encoded.items():
        assert keys.SEPARATOR not in part and keys.code_of(part) == text
        assert not any(ord(ch) < 0x20 or ch == "\x7f" for ch in part)
    assert keys.code("A#B") == "A%23B" and keys.code("A%23B") == "A%2523B"


def test_product_partitions_are_distinct_and_no_one_is_a_prefix_of_another_s_parts():
    scope = MerchantScope("m_1")
    texts = sorted(set(strings(3000)) - {""})
    pks = {scope.product_pk(t): t for t in texts}
    assert len(pks) == len(texts)
    for pk, text in pks.items():
        assert scope.product_id_of(pk) == text
    ordered = sorted(pks)
    for a, b in zip(ordered, ordered[1:]):                  # a prefix would sort right before
        assert not b.startswith(a + keys.SEPARATOR)
    assert scope.product_pk("A") + keys.SEPARATOR + "2" != scope.product_pk("A#2")
    with pytest.raises(ValueError):
        scope.product_id_of(MerchantScope("m_2").product_pk("A"))


@pytest.mark.parametrize("build", [
    lambda s, c: s.product(c), lambda s, c: s.stock(c), lambda s, c: s.sync_product(c),
    lambda s, c: s.region_group(c), lambda s, c: s.customer_group(c), lambda s, c: s.customer(c),
    lambda s, c: s.buyer_link(c), lambda s, c: (s.products_index(), s.products_index_sk(c)),
    lambda s, c: (s.stock_index(0), s.stock_index_sk("2026-12-01T00:00:00.000Z", c)),
    lambda s, c: s.stock_bucket(c, 3),
    lambda s, c: keys.buyer(c), lambda s, c: keys.base_product(c),
    lambda s, c: ("BASEIDX", keys.base_index_member(c)),
    lambda s, c: ("CUSTCC", keys.customers_by_credit_code_sk(s.merchant_id, c))])
def test_every_key_that_holds_a_code_is_one_key_per_code(build):
    scope = MerchantScope("m_1")
    texts = sorted(set(strings(1500)) - {""})
    built = {build(scope, t) for t in texts}
    assert len(built) == len(texts)
    for pk, sk in built:
        assert sk.count(keys.SEPARATOR) == build(scope, "A")[1].count(keys.SEPARATOR)
        assert pk.count(keys.SEPARATOR) == build(scope, "A")[0].count(keys.SEPARATOR)


def test_prefix_queries_end_at_a_separator_so_no_code_reaches_another():
    scope = MerchantScope("m_1")
    for pk, prefix in (scope.region_groups(), scope.operators(), scope.order_tracking("o_1"), keys.carriers()):
        assert prefix.endswith(keys.SEPARATOR)
    assert not scope.region_group("A#2")[1].startswith(scope.region_group("A")[1] + keys.SEPARATOR)
    low, high = scope.stock_index_sk("2026-12-01T00:00:00.000Z", ""), "~"
    assert all(low <= scope.stock_index_sk("2026-12-01T00:00:01.000Z", t) < high for t in strings(500))


def test_a_stock_partition_names_its_product_and_no_product_partition():
    scope = MerchantScope("m_1")
    for text in sorted(set(strings(500)) - {""}):
        pk, _ = scope.stock(text)
        assert scope.stock_id_of(pk) == text
        assert pk not in {scope.product_pk(t) for t in (text, text + "#S")}
        assert scope.stock_bucket(text, 3)[0] != scope.stock(text + "#B#3")[0]
    with pytest.raises(ValueError):
        scope.stock_id_of(scope.product_pk("A"))
