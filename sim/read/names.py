"""Matching place names the way a Vietnamese reader would.

Two spellings match when they differ only in letter case, Unicode normal form (NFC from
most software, NFD from macOS and some Excel exports), spacing, or the old/new placement of the
tone mark ("Hoà" = "Hòa", "Thuỷ" = "Thủy"). Anything else is a different name; the nearest known
one is suggested, never silently taken.

A table repeats a few hundred names over many thousand rows: ``match_key`` works each distinct
spelling out once and remembers it (a name's key never changes).
"""

from __future__ import annotations

import difflib
import functools
import unicodedata

# The five tone marks as combining characters: grave, acute, hook above, tilde, dot below.
# Vowel-quality marks (circumflex, breve, horn) stay where they are: they change the letter.
TONE_MARKS = frozenset("\u0300\u0301\u0309\u0303\u0323")


def _syllable_key(syllable: str) -> str:
    """Letters without tone marks, followed by the tone marks: placement no longer matters."""
    letters = "".join(ch for ch in syllable if ch not in TONE_MARKS)
    tones = "".join(sorted(ch for ch in syllable if ch in TONE_MARKS))
    return letters + tones


def match_key(name: object) -> str:
    """The key under which two spellings of one name are equal.

    >>> match_key("Đức Hoà") == match_key("ĐỨC  HÒA") == match_key(unicodedata.normalize("NFD", "Đức Hòa"))
    True
    >>> match_key("Thủy") == match_key("Thuỷ")
    True
    """
    return _match_key(name if type(name) is str else str(name))


@functools.lru_cache(maxsize=1 << 16)
def _match_key(name: str) -> str:
    text = unicodedata.normalize("NFD", name).casefold()
    return " ".join(_syllable_key(word) for word in text.split())


def ascii_fold(name: object) -> str:
    """The name with every mark removed (Đ -> d): only for suggesting, never for matching."""
    text = unicodedata.normalize("NFD", str(name).replace("Đ", "D").replace("đ", "d"))
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).casefold().split())


def nearest(name: object, known: list[str], cutoff: float = 0.6) -> str | None:
    """The known name closest to ``name`` (ignoring marks and case), or None if none is close."""
    folded = {ascii_fold(k): k for k in known}
    hits = difflib.get_close_matches(ascii_fold(name), list(folded), n=1, cutoff=cutoff)
    return folded[hits[0]] if hits else None


def did_you_mean(name: object, known: list[str]) -> str | None:
    guess = nearest(name, known)
    return f"Did you mean '{guess}'?" if guess else None


def to_nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
