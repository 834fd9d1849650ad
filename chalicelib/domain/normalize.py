"""Text normalisation for matching: full-width to half-width, case, and spaces."""
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def ident(text) -> str:
    """An identifier as compared: NFKC (full-width → half-width), lower case, no spaces."""
    if text is None:
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text))).lower()
