"""The signature rules of contract section 2, and that the SDK signs the way the server checks."""
import hashlib

from chalicelib import sdk
from chalicelib.domain import signing


def test_canonical_query_sorts_by_name_then_value_and_encodes_rfc3986():
    params = {"b": ["2", "1"], "a": ["x y"], "省": ["广东省"], "t": ["a~b-c_d.e"]}
    assert signing.canonical_query(params) == (
        "a=x%20y&b=1&b=2&t=a~b-c_d.e&%E7%9C%81=%E5%B9%BF%E4%B8%9C%E7%9C%81")


def test_empty_query_is_empty_string():
    assert signing.canonical_query({}) == ""


def test_string_to_sign_has_six_lines_ending_in_body_hash():
    text = signing.string_to_sign("post", "/v1/orders", "", "1700000000", "n" * 16, b'{"a":1}')
    lines = text.split("\n")
    assert lines[:5] == ["POST", "/v1/orders", "", "1700000000", "n" * 16]
    assert lines[5] == hashlib.sha256(b'{"a":1}').hexdigest()


def test_sdk_signature_verifies_on_the_server_side():
    body = '{"name":"门店"}'.encode()
    headers = sdk.signed_headers("m_1", "sk_secret", "PUT", "http://h/v1/x?b=2&a=%E5%B9%BF", body,
                                 timestamp=1700000000, nonce="abcdefghijklmnop")
    message = signing.string_to_sign("PUT", "/v1/x", signing.canonical_query({"a": ["广"], "b": ["2"]}),
                                     "1700000000", "abcdefghijklmnop", body)
    assert signing.signature_matches("sk_secret", message, headers["X-Onceship-Signature"])
    assert not signing.signature_matches("sk_other", message, headers["X-Onceship-Signature"])


def test_timestamp_window_is_300_seconds_either_way():
    assert signing.timestamp_fresh("1000", 1300)
    assert signing.timestamp_fresh("1300", 1000)
    assert not signing.timestamp_fresh("1000", 1301)
    assert not signing.timestamp_fresh("abc", 1000)


def test_nonce_shape():
    assert signing.nonce_well_formed("A" * 16)
    assert signing.nonce_well_formed("a-b_c" * 12 + "abcd")
    assert not signing.nonce_well_formed("short")
    assert not signing.nonce_well_formed("x" * 65)
    assert not signing.nonce_well_formed("has space in it!")


GOOD = {"X-Onceship-Key": "m_0123456789abcdef", "X-Onceship-Timestamp": "1700000000",
        "X-Onceship-Nonce": "abcdefghijklmnop", "X-Onceship-Signature": "ab" * 32}


def test_well_formed_headers_have_no_problems():
    assert signing.malformed(GOOD) == []
    assert signing.malformed(dict(GOOD, **{"X-Onceship-Signature": "AB" * 32})) == []


def test_each_header_is_checked_whole_in_ascii():
    for timestamp in (" 1700000000", "1700000000 ", "1700000000\n", "²³", "１７００００００００", "+1700000000",
                      "-0", "1_700_000_000", "1.7e9", "9" * 13, ""):
        problems = signing.malformed(dict(GOOD, **{"X-Onceship-Timestamp": timestamp}))
        assert len(problems) == 1 and problems[0].startswith("X-Onceship-Timestamp"), timestamp
        assert not signing.timestamp_fresh(timestamp, 1700000000)
    for nonce in ("abcdefghijklmnop\n", " abcdefghijklmnop", "abcdefghijklmnoé"):
        assert signing.malformed(dict(GOOD, **{"X-Onceship-Nonce": nonce})) == [
            "X-Onceship-Nonce is not 16-64 of A-Z a-z 0-9 _ -"]
    for signature in ("ab" * 32 + "\n", "ab" * 31 + "é1", "０" * 64):
        assert signing.malformed(dict(GOOD, **{"X-Onceship-Signature": signature})) == [
            "X-Onceship-Signature is not 64 hex digits"]
    assert signing.malformed({}) == [f"{name} is missing" for name in signing.FORMS]
