"""Words the views show, in Vietnamese (the default) or English, switched by one setting.

``set_language("en")`` in code, or ``SIM_LANG=en`` in the environment before Python starts,
switches every label, chart title, table header and message of the command line, the explorer, the
charts and the rendered reports. The texts are gettext catalogues, ``sim/locale/vi/LC_MESSAGES/sim.po``
and ``sim/locale/en/LC_MESSAGES/sim.po`` (see ``sim.locale``); ``t("key", name=...)`` looks a key up
and fills its ``{name}`` placeholders. Numbers follow the language too, formatted by Babel:
Vietnamese writes 1.234.567 and 46,4%. Plain data (tables written to disk, summary.json) never
changes with the language.

>>> before = get_language()
>>> set_language("vi"); t("covered"), number(2958), percent(0.4636)
('được hỗ trợ', '2.958', '46,4%')
>>> set_language("en"); t("covered"), number(2958), percent(0.4636)
('covered', '2,958', '46.4%')
>>> set_language(before)
"""

from __future__ import annotations

import unicodedata

from sim.core.rules import BAND_LABELS, BAND_LABELS_VI, BANDS, HIGHER, HIGHER_LABELS, STATUS_LABELS
from sim.locale import (DEFAULT_LANGUAGE, ENV_VAR, LANGUAGES, catalogue, date, get_language, gettext, item_count, number,
                        percent, set_language, signed, sort_key, translate_error, vietnamese_sorted)

__all__ = ["DEFAULT_LANGUAGE", "ENV_VAR", "LANGUAGES", "MESSAGES", "PLURALS", "band_label", "band_labels", "date",
           "get_language", "grade_label", "item_count", "item_label", "number", "percent", "set_language", "signed",
           "sort_key", "status_label", "t", "table", "translate_error", "vietnamese_sorted"]


def _messages(plural: bool = False) -> dict[str, dict]:
    """key -> {language: text}, read from the catalogues (the messages of the views; not the error
    texts); with ``plural``, the plural entries instead: key -> {language: (form, …)}."""
    found: dict[str, dict] = {}
    for language in LANGUAGES:
        for message in catalogue(language):
            if message.id and not message.context and message.pluralizable == plural:
                key = message.id[0] if plural else message.id
                found.setdefault(key, {})[language] = tuple(message.string) if plural else message.string
    return found


MESSAGES: dict[str, dict[str, str]] = _messages()
PLURALS: dict[str, dict[str, tuple[str, ...]]] = _messages(plural=True)  # items_tablet…: see sim.locale.item_count

ITEM_LABELS = {
    "tablet": {"vi": "máy tính bảng", "en": "tablet"},
    "laptop": {"vi": "máy tính xách tay", "en": "laptop"},
    "desktop": {"vi": "máy tính để bàn", "en": "desktop"},
    "data_package": {"vi": "gói dữ liệu di động", "en": "data package"},
}
HIGHER_LABEL = HIGHER_LABELS  # band, status and grade labels come with the plan's rules (plan_rules.yaml)


def t(key: str, **values: object) -> str:
    """The text for ``key`` in the current language, placeholders filled, in Unicode NFC."""
    text = gettext(key)
    return unicodedata.normalize("NFC", text.format(**values) if values else text)


def band_label(band: int | str) -> str:
    band = int(band)
    return BAND_LABELS_VI[band] if get_language() == "vi" else BAND_LABELS[band]


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, {}).get(get_language(), status)


def item_label(item: str) -> str:
    """A device or ``data_package`` in words; a device name the scenario made up is shown as it is."""
    return ITEM_LABELS.get(item, {}).get(get_language(), item)


def grade_label(grade: int | str) -> str:
    """``"9"`` stays ``"9"``; higher education becomes ``CĐ/ĐH`` (cao đẳng, đại học) or ``higher ed.``."""
    text = str(grade)
    return HIGHER_LABEL[get_language()] if text in (HIGHER, "13") else text


def band_labels() -> dict[int, str]:
    return {b: band_label(b) for b in BANDS}


def table(frame, columns: dict[str, str] | None = None, percents=(), decimals: dict[str, int] | None = None):
    """A pandas Styler of ``frame`` for a notebook: numbers and percentages formatted in the current
    language (the same ``number``/``percent`` as the charts), headers renamed by ``columns``
    (column -> message key) and the index hidden. ``percents`` lists the columns holding rates."""
    import numbers

    decimals = decimals or {}
    shown = frame.rename(columns={c: t(k) for c, k in (columns or {}).items()})
    renamed = {c: t(k) for c, k in (columns or {}).items()}
    rates = {renamed.get(c, c) for c in percents}
    places = {renamed.get(c, c): d for c, d in decimals.items()}

    def formatter(column):
        if column in rates:
            return lambda v: percent(v)
        return lambda v: (number(v, places.get(column, 0)) if isinstance(v, numbers.Number) and not isinstance(v, bool)
                          else v)

    return shown.style.format({c: formatter(c) for c in shown.columns}).hide(axis="index")
