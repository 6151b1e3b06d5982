"""Every word the views show exists in Vietnamese and English, and one setting switches them."""

from __future__ import annotations

import os
import re
import string
import subprocess
import sys
import unicodedata

import pytest

from sim.views import i18n

# Keys whose English and Vietnamese texts are the same on purpose (numbers only).
SAME_IN_BOTH = {"covered_of"}
VIETNAMESE_LETTERS = re.compile("[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)


@pytest.fixture(autouse=True)
def _restore_language():
    before = i18n.get_language()
    yield
    i18n.set_language(before)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(i18n.MESSAGES))
def test_every_message_is_in_both_languages_with_the_same_placeholders(key):
    texts = i18n.MESSAGES[key]
    assert set(texts) == set(i18n.LANGUAGES)
    assert _fields(texts["vi"]) == _fields(texts["en"])
    assert unicodedata.is_normalized("NFC", texts["vi"])
    if key not in SAME_IN_BOTH:
        assert texts["vi"] != texts["en"], f"{key} is not translated"
        assert VIETNAMESE_LETTERS.search(texts["vi"]), f"{key}: no Vietnamese letter in {texts['vi']!r}"


def test_labels_of_groups_and_items_are_translated():
    i18n.set_language("vi")
    assert [i18n.band_label(b) for b in (1, 5)] == ["hộ nghèo lớp 9–12, hộ cận nghèo lớp 12", "mồ côi do Covid-19"]
    assert (i18n.item_label("tablet"), i18n.item_label("data_package"), i18n.item_label("máy chiếu")) == (
        "máy tính bảng", "gói dữ liệu di động", "máy chiếu")
    assert (i18n.status_label("near_poor"), i18n.grade_label("higher"), i18n.grade_label(9)) == ("hộ cận nghèo", "CĐ/ĐH", "9")
    i18n.set_language("en")
    assert (i18n.band_label(2), i18n.item_label("laptop"), i18n.grade_label("higher")) == ("poor, other grades", "laptop", "higher ed.")


def test_numbers_follow_the_language():
    i18n.set_language("vi")
    assert (i18n.number(2_000_000_000), i18n.number(3.5, 1), i18n.percent(0.303), i18n.signed(-12), i18n.signed(0)) == (
        "2.000.000.000", "3,5", "30,3%", "−12", "0")
    assert i18n.percent(None) == i18n.percent(float("nan")) == "–"
    i18n.set_language("en")
    assert (i18n.number(2_000_000_000), i18n.percent(0.303), i18n.signed(118)) == ("2,000,000,000", "30.3%", "+118")


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="expected one of vi, en"):
        i18n.set_language("fr")
    assert i18n.get_language() in i18n.LANGUAGES


@pytest.mark.parametrize(("value", "expected"), [(None, "vi"), ("en", "en"), ("VI", "vi")])
def test_the_environment_variable_chooses_the_language(value, expected):
    env = {k: v for k, v in os.environ.items() if k != i18n.ENV_VAR}
    if value:
        env[i18n.ENV_VAR] = value
    code = "from sim.views import i18n; print(i18n.get_language(), i18n.t('tab_results'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.split()[0] == expected
