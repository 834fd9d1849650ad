"""GB 32100-2015 check digit of the unified social credit code."""
import pytest

from chalicelib.domain import credit_code

VALID = ["91350100M000100Y43", "91110000600037341L", "91440300708461136T", "92371000MA3MXH0E3W"]


@pytest.mark.parametrize("code", VALID)
def test_published_codes_are_valid(code):
    assert credit_code.is_valid(code)


def test_lower_case_and_spaces_are_normalised():
    assert credit_code.is_valid(" 91350100m000100y43 ")
    assert credit_code.normalize(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize("code", [
    "91350100M000100Y44",       # wrong check character
    "91350100M000100Y4",        # 17 characters
    "91350100M000100Y433",      # 19 characters
    "91350100M000100I43",       # I is not in the alphabet
    "9135010OM000100Y43",       # the division code must be digits
    "", None,
])
def test_invalid_codes(code):
    assert not credit_code.is_valid(code)


def test_every_single_character_change_is_caught():
    code = VALID[0]
    for i in range(18):
        for c in credit_code.ALPHABET:
            if c != code[i]:
                assert not credit_code.is_valid(code[:i] + c + code[i + 1:])


def test_check_char_of_generated_codes():
    first17 = "91310000MA1FL0000"
    assert credit_code.is_valid(first17 + credit_code.check_char(first17))
