"""Languages, message catalogues, number formats and Vietnamese alphabetical order.

Everything a user reads is Vietnamese by default and English with ``SIM_LANG=en`` (read once, when
this module is imported) or ``set_language("en")``. The words live in gettext catalogues beside this
file, ``vi/LC_MESSAGES/sim.po`` and ``en/LC_MESSAGES/sim.po``, and are compiled in memory with Babel
when first used: there is no build step and no ``.mo`` file to forget.

Three kinds of entries:

* a message of the views and the command line: the msgid is a short key (``chart_band_title``),
  present in both catalogues; ``gettext(key)`` returns the text of the current language;
* a count of things (``msgid_plural``, ``msgstr[0]``, ``msgstr[1]``…): the msgid is a key, each
  catalogue has as many forms as its ``Plural-Forms`` header says (Vietnamese one, English two);
  ``ngettext(key, n)`` picks the form for ``n``, and ``item_count(n, item)`` writes a number of
  devices or data packages with it (``800 máy tính bảng``, ``1 tablet``, ``800 tablets``);
* a fixed text of an error message (``msgctxt "error"``): the msgid is the English text, with
  ``{name}`` for the parts that vary, and only the Vietnamese catalogue translates it;
  ``translate_error(text)`` finds the pattern the text matches and fills the translation in.

Numbers, percentages, dates and moments are formatted by Babel for the ``vi`` and ``en`` locales,
here and nowhere else: text, chart ticks and tables all call ``number``/``percent``/``date``/``datetime``,
so one page never mixes ``1,071`` and ``1.040``.

>>> before = get_language()
>>> set_language("vi"); number(2958), percent(0.4636), translate_error("Did you mean 'Đức Hòa'?")
('2.958', '46,4%', "Có phải ý bạn là 'Đức Hòa'?")
>>> set_language("en"); number(2958), percent(0.4636), translate_error("Did you mean 'Đức Hòa'?")
('2,958', '46.4%', "Did you mean 'Đức Hòa'?")
>>> set_language(before)
>>> sorted(["Đức Huệ", "Đức Hòa", "Cần Đước", "Cần Giuộc", "Bến Lức", "Tân An", "Tân Hưng", "Tân Thạnh"], key=sort_key)
['Bến Lức', 'Cần Đước', 'Cần Giuộc', 'Đức Hòa', 'Đức Huệ', 'Tân An', 'Tân Hưng', 'Tân Thạnh']
"""

from __future__ import annotations

import datetime as _dt
import gettext as _gettext
import io
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
ENV_VAR = "SIM_LANG"
DOMAIN = "sim"
LOCALE_DIR = Path(__file__).resolve().parent
ERROR_CONTEXT = "error"

_state = {"language": DEFAULT_LANGUAGE}


def _checked(language: str) -> str:
    code = str(language).strip().lower()
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    return code


def set_language(language: str) -> None:
    """Switch every message, table and chart to ``"vi"`` (Vietnamese) or ``"en"`` (English)."""
    _state["language"] = _checked(language)


def get_language() -> str:
    return _state["language"]


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def catalogue(language: str):
    """The language's catalogue as Babel reads it (``babel.messages.catalog.Catalog``)."""
    from babel.messages.pofile import read_po

    with open(po_path(_checked(language)), "rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


@lru_cache(maxsize=None)
def translations(language: str) -> _gettext.GNUTranslations:
    """The catalogue compiled in memory (``.po`` to ``.mo`` with Babel) and loaded by Python's gettext."""
    from babel.messages.mofile import write_mo

    compiled = io.BytesIO()
    write_mo(compiled, catalogue(language))
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def gettext(key: str, language: str | None = None) -> str:
    """The text of ``key`` in ``language`` (default: the current one), in Unicode NFC.

    A key missing from the catalogue raises ``KeyError``: every message must be translated
    (tests/test_i18n.py checks the catalogues against the code).
    """
    language = _checked(language or get_language())
    text = translations(language).gettext(key)
    if text == key and key not in catalogue(language):
        raise KeyError(f"message {key!r} is not in {po_path(language)}")
    return unicodedata.normalize("NFC", text)


def ngettext(key: str, count: float, language: str | None = None) -> str:
    """The text of the plural entry ``key`` (``msgid_plural``, ``msgstr[0]``, ``msgstr[1]``…) for
    ``count`` things in ``language``, chosen by the catalogue's ``Plural-Forms``: Vietnamese has one
    form (``nplurals=1``), English two, one thing and the others (``nplurals=2; plural=(n != 1)``).
    A count with a fraction (a share of a pledge: 0.5, 12.5) takes the form of the others, as English
    writes it (``1.5 tablets``). A key that is not a plural entry of the catalogue raises ``KeyError``.
    """
    language = _checked(language or get_language())
    message = catalogue(language).get(key)
    if message is None or not message.pluralizable:
        raise KeyError(f"plural message {key!r} is not in {po_path(language)}")
    whole = float(count).is_integer()
    text = translations(language).ngettext(key, key, abs(int(count)) if whole else 2)
    return unicodedata.normalize("NFC", text)


ITEM_COUNT = "items_"  # the plural entries of counted items: items_tablet, items_data_package…


def item_count(count: float, item: str, decimals: int = 0) -> str:
    """``count`` of a device or of data packages as a reader reads it, the one way every text writes
    it: ``800 máy tính bảng``, ``1 gói dữ liệu di động`` in Vietnamese (no plural), ``1 tablet``,
    ``800 tablets``, ``300 data packages`` in English (the catalogues' ``items_<item>`` plural
    entries); a device the scenario made up is its number and its name as written (``3 máy chiếu``).

    >>> before = get_language()
    >>> set_language("vi"); item_count(800, "tablet"), item_count(1, "data_package")
    ('800 máy tính bảng', '1 gói dữ liệu di động')
    >>> set_language("en"); item_count(1, "tablet"), item_count(1200, "laptop"), item_count(2.5, "desktop", 1)
    ('1 tablet', '1,200 laptops', '2.5 desktops')
    >>> item_count(3, "máy chiếu")
    '3 máy chiếu'
    >>> set_language(before)
    """
    shown = round(float(count), decimals)
    amount = number(shown, decimals)
    message = catalogue(get_language()).get(ITEM_COUNT + str(item))
    if message is None or not message.pluralizable:
        return f"{amount} {item}"
    # the form follows the number as written: with decimals ("1.0", "2.5") it is a fraction's
    return ngettext(ITEM_COUNT + str(item), shown if decimals <= 0 else 0.5).format(count=amount)


# ---- error messages: English text in, the current language out -------------------------------------

_FIELD = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=None)
def _error_patterns() -> list[tuple[re.Pattern, str]]:
    """(regular expression of the English text, Vietnamese template), longest texts first."""
    patterns = []
    for message in catalogue("vi"):
        if message.context != ERROR_CONTEXT or not message.id or not message.string:
            continue
        parts, last = [], 0
        for match in _FIELD.finditer(message.id):
            parts += [re.escape(message.id[last:match.start()]), f"(?P<{match.group(1)}>.+?)"]
            last = match.end()
        parts.append(re.escape(message.id[last:]))
        patterns.append((re.compile("".join(parts), re.S), message.string))
    return sorted(patterns, key=lambda p: -len(p[0].pattern))


def translate_error(text: str | None, language: str | None = None) -> str | None:
    """An error message's English ``text`` in ``language``: the whole text if the catalogue has it,
    else each sentence ("…; …", "…. …") that it has; what it lacks stays English."""
    if not text or _checked(language or get_language()) == "en":
        return text
    whole = _match_error(text)
    if whole is not None:
        return whole
    pieces = re.split(r"(; |\. )", text)
    return "".join(_match_error(piece) or piece for piece in pieces)


def _match_error(text: str) -> str | None:
    for pattern, template in _error_patterns():
        found = pattern.fullmatch(text)
        if found:
            return unicodedata.normalize("NFC", template.format(**found.groupdict()))
    return None


# ---- numbers, percentages and dates (Babel) ----------------------------------------------------------


def number(value: float, decimals: int = 0) -> str:
    """Digits grouped by thousands: ``1.234.567`` in Vietnamese, ``1,234,567`` in English."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(round(float(value), decimals), format=pattern, locale=get_language())


def signed(value: float, decimals: int = 0) -> str:
    """``+12``, ``−3`` (a real minus sign) or ``0``."""
    if round(value, decimals) == 0:
        return number(0, decimals)
    return ("+" if value > 0 else "−") + number(abs(value), decimals)


def percent(rate: float | None, decimals: int = 1) -> str:
    """``46,4%`` or ``46.4%``; a dash when there is nobody to cover (None or NaN)."""
    from babel.numbers import format_percent

    if rate is None or rate != rate:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    return format_percent(round(float(rate), decimals + 2), format=pattern, locale=get_language())


DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}


def date(value: _dt.date | _dt.datetime | str) -> str:
    """A day as people write it: ``05/03/2026`` in Vietnamese, ``5 Mar 2026`` in English."""
    from babel.dates import format_date

    if isinstance(value, str):
        value = _dt.date.fromisoformat(value[:10])
    return format_date(value, DATE_PATTERNS[get_language()], locale=get_language())


DATETIME_PATTERNS = {"vi": "dd/MM/yyyy HH:mm", "en": "d MMM yyyy, HH:mm"}


def datetime(value: _dt.datetime | str) -> str:
    """A moment as people write it, to the minute: ``30/11/2026 15:04`` in Vietnamese, ``30 Nov 2026,
    15:04`` in English. An ISO text (``2026-11-30T15:04:05+00:00``, as the ledger stores it) is read
    first; the time is shown in the zone it carries (the ledger's UTC), without converting it.
    Files keep ISO timestamps: this is for what a person reads.

    >>> before = get_language()
    >>> set_language("vi"); datetime("2026-11-30T15:04:05+00:00")
    '30/11/2026 15:04'
    >>> set_language("en"); datetime("2026-11-30T15:04:05")
    '30 Nov 2026, 15:04'
    >>> set_language(before)
    """
    from babel.dates import format_datetime

    if isinstance(value, str):
        value = _dt.datetime.fromisoformat(value.strip())
    return format_datetime(value, DATETIME_PATTERNS[get_language()], tzinfo=value.tzinfo, locale=get_language())


# ---- Vietnamese alphabetical order --------------------------------------------------------------------

# The Vietnamese alphabet; f j w z (loan words) are put where the Latin alphabet has them.
ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_LETTER_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}
_VOWEL_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve (ă), circumflex (â ê ô), horn (ơ ư): part of the letter
# ngang (none), huyền, sắc, hỏi, ngã, nặng
_TONE_RANK = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}


def sort_key(text: object) -> tuple:
    """A key that sorts Vietnamese words as a Vietnamese dictionary does (PyICU is not needed).

    Letters first, in the Vietnamese alphabet ``a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư
    v x y`` (so ``Đức Hòa`` comes after every ``D…``); where the letters are equal, the tones decide,
    syllable by syllable: ngang, huyền, sắc, hỏi, ngã, nặng (``ma má mà`` sort ``ma mà má``); then
    upper case before lower case. A space sorts before any letter, digits before letters, other
    characters after them by code point.
    """
    letters: list[int] = []
    tones: list[int] = []
    cases: list[int] = []
    for char in unicodedata.normalize("NFD", str(text)):
        if unicodedata.combining(char):
            if char in _VOWEL_MARKS and letters:
                base = ALPHABET[letters[-1] - 100] if 100 <= letters[-1] < 100 + len(ALPHABET) else None
                composed = unicodedata.normalize("NFC", (base or "") + char)
                if composed in _LETTER_RANK:
                    letters[-1] = 100 + _LETTER_RANK[composed]
                    continue
            if char in _TONE_RANK and tones:
                tones[-1] = _TONE_RANK[char]
            continue
        lower = char.lower()
        cases.append(0 if char != lower else 1)
        tones.append(0)
        if lower in _LETTER_RANK:
            letters.append(100 + _LETTER_RANK[lower])
        elif char.isspace():
            letters.append(0)
        elif char.isdigit():
            letters.append(1 + int(unicodedata.digit(char, 0)))
        else:
            letters.append(1000 + ord(lower))
    return tuple(letters), tuple(tones), tuple(cases), str(text)


def vietnamese_sorted(names, key=None) -> list:
    """``names`` in Vietnamese alphabetical order (``key`` picks the name out of each item)."""
    return sorted(names, key=(lambda item: sort_key(key(item))) if key else sort_key)


def _from_environment() -> None:
    wanted = os.environ.get(ENV_VAR)
    if wanted:
        set_language(wanted)


_from_environment()
