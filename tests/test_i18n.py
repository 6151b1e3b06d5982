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


# ---- the gettext catalogues (sim/locale/*/LC_MESSAGES/sim.po) -----------------------------------------

from sim import locale as sim_locale  # noqa: E402
from sim.read.errors import Problem  # noqa: E402

ROOT = sim_locale.LOCALE_DIR.parents[1]
KEY_USE = re.compile(r"""(?<![\w.])(?:i18n\.)?t\(\s*["']([a-z][a-z0-9_]*)["']""")


def _entries(language: str):
    return [m for m in sim_locale.catalogue(language) if m.id]


def _key(message) -> str:
    """A message's key: its msgid, or the msgid (not msgid_plural) of a plural entry."""
    return message.id[0] if message.pluralizable else message.id


def _forms(message) -> tuple[str, ...]:
    """Every text of a message: its msgstr, or each msgstr[i] of a plural entry."""
    return tuple(message.string) if message.pluralizable else (message.string,)


def _untranslated(messages) -> list[str]:
    """Keys with an empty text, or a plural entry with an empty form (Babel pads the forms a
    plural entry lacks with '' up to the catalogue's nplurals: gettext would show the key there)."""
    return [_key(m) for m in messages if not all(form.strip() for form in _forms(m))]


def test_every_vietnamese_entry_is_translated():
    empty = _untranslated(_entries("vi"))
    assert not empty, f"no Vietnamese translation in sim/locale/vi/LC_MESSAGES/sim.po for: {empty}"
    assert all(unicodedata.is_normalized("NFC", form) for m in _entries("vi") for form in _forms(m))


def test_the_two_catalogues_have_the_same_keys_and_english_has_every_text():
    vi = {_key(m) for m in _entries("vi") if not m.context}
    en = {_key(m) for m in _entries("en") if not m.context}
    assert vi == en, f"only in vi: {sorted(vi - en)}; only in en: {sorted(en - vi)}"
    assert not _untranslated(_entries("en"))
    plural = {lang: {_key(m) for m in _entries(lang) if m.pluralizable} for lang in ("vi", "en")}
    assert plural["vi"] == plural["en"] and plural["vi"], "a plural entry in one catalogue is a plain one in the other"


def _read_po(language: str, text: str):
    from babel.messages.pofile import read_po
    import io

    return read_po(io.BytesIO(text.encode("utf-8")), locale=language)


PLURAL_HEADER = {"vi": "nplurals=1; plural=0;", "en": "nplurals=2; plural=(n != 1);"}


def _po(language: str, body: str) -> str:
    return ('msgid ""\nmsgstr ""\n"Language: %s\\n"\n"Plural-Forms: %s\\n"\n'
            '"Content-Type: text/plain; charset=utf-8\\n"\n\n%s' % (language, PLURAL_HEADER[language], body))


def test_a_plural_entry_missing_a_form_is_found_untranslated():
    """The checks above see into plural entries: an English entry without its msgstr[1], or a
    Vietnamese one with an empty msgstr[0], is untranslated."""
    english = _read_po("en", _po("en", 'msgid "items_x"\nmsgid_plural "items_x"\nmsgstr[0] "{count} x"\n\n'
                                        'msgid "items_y"\nmsgid_plural "items_y"\nmsgstr[0] "{count} y"\nmsgstr[1] "{count} ys"\n'))
    assert _untranslated([m for m in english if m.id]) == ["items_x"]
    vietnamese = _read_po("vi", _po("vi", 'msgid "items_x"\nmsgid_plural "items_x"\nmsgstr[0] ""\n'))
    assert _untranslated([m for m in vietnamese if m.id]) == ["items_x"]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_catalogues_plural_forms_are_read_as_declared(language):
    """Babel reads the Plural-Forms header of each .po as the project loads it, and Python's gettext
    (the catalogue compiled in memory) picks the form from it: one form in Vietnamese, two in English."""
    read = sim_locale.catalogue(language)
    assert read.plural_forms == PLURAL_HEADER[language]
    assert read.num_plurals == {"vi": 1, "en": 2}[language]
    for key in i18n.PLURALS:
        assert len(read.get(key).string) == read.num_plurals, key
    texts = [sim_locale.ngettext("items_tablet", n, language) for n in (0, 1, 2, 800, 2.5)]
    assert texts == {"vi": ["{count} máy tính bảng"] * 5,
                     "en": ["{count} tablets", "{count} tablet", "{count} tablets", "{count} tablets", "{count} tablets"]}[language]
    with pytest.raises(KeyError, match="not in"):
        sim_locale.ngettext("items_no_such_thing", 2, language)
    with pytest.raises(KeyError, match="not in"):  # a plain message is not a plural entry
        sim_locale.ngettext("covered", 2, language)


@pytest.mark.parametrize("key", sorted(i18n.PLURALS))
def test_every_plural_entry_is_in_both_languages_with_the_same_placeholders(key):
    forms = i18n.PLURALS[key]
    assert set(forms) == set(i18n.LANGUAGES)
    assert {len(forms["vi"]), len(forms["en"])} == {1, 2} and len(forms["en"]) == 2
    assert len({frozenset(_fields(form)) for lang in forms for form in forms[lang]}) == 1, forms
    assert all(unicodedata.is_normalized("NFC", form) for form in forms["vi"])
    assert VIETNAMESE_LETTERS.search(forms["vi"][0]) and forms["vi"][0] not in forms["en"], forms
    assert forms["en"][0] != forms["en"][1], f"{key}: the English plural is the singular"


def test_a_count_of_items_is_plural_in_english_and_has_no_plural_in_vietnamese():
    i18n.set_language("vi")
    assert [i18n.item_count(n, "tablet") for n in (1, 800)] == ["1 máy tính bảng", "800 máy tính bảng"]
    assert i18n.item_count(1200, "data_package") == "1.200 gói dữ liệu di động"
    i18n.set_language("en")
    assert [i18n.item_count(n, "tablet") for n in (0, 1, 800)] == ["0 tablets", "1 tablet", "800 tablets"]
    assert [i18n.item_count(n, "data_package") for n in (1, 300)] == ["1 data package", "300 data packages"]
    assert (i18n.item_count(1, "laptop"), i18n.item_count(40, "laptop"), i18n.item_count(2, "desktop")) == (
        "1 laptop", "40 laptops", "2 desktops")
    assert (i18n.item_count(1200, "tablet"), i18n.item_count(12.5, "tablet", 1)) == ("1,200 tablets", "12.5 tablets")
    assert i18n.item_count(3, "máy chiếu") == "3 máy chiếu"  # a device the scenario made up: as written
    for language in i18n.LANGUAGES:  # the same words as the item's label (tables, chart ticks)
        i18n.set_language(language)
        for item in i18n.ITEM_LABELS:
            assert i18n.item_count(7, item).startswith("7 " + i18n.item_label(item)), (language, item)


def test_error_translations_keep_their_placeholders():
    for message in _entries("vi"):
        if message.context == sim_locale.ERROR_CONTEXT:
            assert _fields(message.id) == _fields(message.string), message.id


def _keys_used() -> dict[str, str]:
    found = {}
    for path in [*sorted((ROOT / "sim").rglob("*.py")), *sorted((ROOT / "notebooks").glob("*.ipynb"))]:
        for key in KEY_USE.findall(path.read_text(encoding="utf-8").replace('\\"', '"')):
            found.setdefault(key, str(path.relative_to(ROOT)))
    return found


def test_every_key_the_code_uses_is_in_the_catalogue():
    used = _keys_used()
    assert len(used) > 100  # the search finds the calls (a broken pattern would find none)
    missing = {key: where for key, where in used.items()
               if key not in i18n.MESSAGES and not key.endswith("_")  # a prefix: t("mode_" + mode)
               and key != "key"}  # the docstring's example
    assert not missing, f"keys used but not in sim/locale/*/LC_MESSAGES/sim.po: {missing}"


def test_a_missing_key_is_an_error_not_a_silent_fallback():
    with pytest.raises(KeyError, match="not in"):
        i18n.t("no_such_message_key")


def test_dates_follow_the_language():
    import datetime

    i18n.set_language("vi")
    assert i18n.date(datetime.date(2023, 12, 4)) == i18n.date("2023-12-04") == "04/12/2023"
    i18n.set_language("en")
    assert i18n.date(datetime.date(2023, 12, 4)) == "4 Dec 2023"


def test_problems_are_vietnamese_by_default_and_english_on_request():
    problem = Problem("students.csv", "unknown district", 7, "district", "Duc Hue", "a name or code from the areas file",
                      "Did you mean 'Đức Huệ'?")
    i18n.set_language("vi")
    assert str(problem) == ("students.csv, dòng 7, cột 'district': huyện không có trong tệp địa bàn (giá trị: 'Duc Hue'); "
                            "cần: một tên hoặc mã trong tệp địa bàn. Có phải ý bạn là 'Đức Huệ'?")
    i18n.set_language("en")
    assert str(problem) == ("students.csv, row 7, column 'district': unknown district (found 'Duc Hue'); "
                            "expected a name or code from the areas file. Did you mean 'Đức Huệ'?")
    i18n.set_language("vi")  # a text the catalogue lacks stays English, with the fixed words Vietnamese
    assert str(Problem("x.csv", "something new", 2)) == "x.csv, dòng 2: something new"


def _cli(*args: str, language: str | None):
    env = {k: v for k, v in os.environ.items() if k != i18n.ENV_VAR}
    if language:
        env[i18n.ENV_VAR] = language
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, env=env)


def test_the_command_line_speaks_vietnamese_unless_told(tmp_path):
    missing = str(tmp_path / "none.yaml")
    vi, en = _cli("run", missing, "--out", str(tmp_path), language=None), _cli("run", missing, "--out", str(tmp_path), language="en")
    assert vi.returncode == en.returncode == 2
    assert vi.stderr.startswith("lỗi: dữ liệu đầu vào không đúng quy định\nnone.yaml: không tìm thấy tệp; cần: một ")
    assert en.stderr.startswith("error: bad input\nnone.yaml: file not found; expected an existing ")


def test_the_summary_text_uses_one_number_format(tmp_path):
    from sim.views.text import summary_text

    summary = {"scenario": "s", "status": "optimal", "solver": {"name": "highs", "lp_solves": 3}, "seconds": 1.25,
               "pupils_by_band": {str(b): 1071 * b for b in range(1, 6)}, "covered_by_band": {str(b): 1040 for b in range(1, 6)},
               "pupils": 16065, "covered": 5200, "spent_vnd": 2_000_000, "spent_general_vnd": 1_500_000,
               "spent_earmarked_vnd": 500_000, "cash_left_vnd": 0, "earmark_left_vnd": {"Đức Huệ": 0, "Cần Đước": 1, "Bến Lức": 2},
               "bought": {"tablet": 1200}, "stock_left": {"data_package": 1616}}
    i18n.set_language("vi")
    text = summary_text(summary, timing=True)
    assert "1.040 trên   1.071" in text and "16.065" in text and "1,2 giây" in text and "1.616 gói dữ liệu di động" in text
    assert not re.search(r"\d,\d{3}\b", text), "an English thousands separator in the Vietnamese summary"
    earmarks = [line.split(":")[0].split(" cho ")[1] for line in text.splitlines() if "tài trợ riêng cho" in line]
    assert earmarks == ["Bến Lức", "Cần Đước", "Đức Huệ"]
    i18n.set_language("en")
    text = summary_text(summary, timing=True)
    assert "1,040 of   1,071" in text and "1.2 s" in text and not re.search(r"\d\.\d{3}\b", text)
    assert "Bought: 1,200 tablets" in text and "Stock left: 1,616 data packages" in text


# ---- Vietnamese alphabetical order ---------------------------------------------------------------------

def test_d_with_stroke_comes_after_every_d():
    assert i18n.vietnamese_sorted(["Đức Hòa", "Dương", "Duy", "Đa", "Em"]) == ["Duy", "Dương", "Đa", "Đức Hòa", "Em"]


def test_letters_with_marks_follow_their_base_letter():
    assert i18n.vietnamese_sorted(["ơ", "ô", "o", "ư", "u", "ê", "e", "â", "ă", "a", "b"]) == [
        "a", "ă", "â", "b", "e", "ê", "o", "ô", "ơ", "u", "ư"]
    assert sorted(["Ân", "Anh", "An", "Ăn"], key=i18n.sort_key) == ["An", "Anh", "Ăn", "Ân"]


def test_tones_decide_only_where_the_letters_are_equal():
    assert i18n.vietnamese_sorted(["mạ", "mã", "mả", "má", "mà", "ma"]) == ["ma", "mà", "má", "mả", "mã", "mạ"]
    assert i18n.vietnamese_sorted(["mác", "mạ", "man"]) == ["mạ", "mác", "man"]  # letters first: ma < mac < man


def test_the_long_an_districts_in_vietnamese_order():
    names = ["Thạnh Hóa", "Tân An", "Đức Huệ", "Châu Thành", "Cần Đước", "Cần Giuộc", "Bến Lức", "Đức Hòa", "Tân Trụ",
             "Tân Thạnh", "Thủ Thừa", "Tân Hưng", "Vĩnh Hưng", "Mộc Hóa", "Kiến Tường"]
    assert i18n.vietnamese_sorted(names) == [
        "Bến Lức", "Cần Đước", "Cần Giuộc", "Châu Thành", "Đức Hòa", "Đức Huệ", "Kiến Tường", "Mộc Hóa", "Tân An",
        "Tân Hưng", "Tân Thạnh", "Tân Trụ", "Thạnh Hóa", "Thủ Thừa", "Vĩnh Hưng"]
    assert i18n.vietnamese_sorted(unicodedata.normalize("NFD", n) for n in names)[4] == unicodedata.normalize("NFD", "Đức Hòa")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_translation_belongs_to_a_message(language):
    """A catalogue entry is comments, maybe msgctxt, one msgid, one msgstr: a second msgstr left by
    a merge is a syntax error for gettext's own tools (msgfmt) that Babel silently drops."""
    import re

    from sim.locale import po_path

    text = po_path(language).read_text(encoding="utf-8")
    wrong = _misshapen_entries(text, sim_locale.catalogue(language).num_plurals)
    assert not wrong, "\n\n".join(wrong)


def _misshapen_entries(text: str, plurals: int) -> list[str]:
    """Entries that are not comments, maybe msgctxt, one msgid and one msgstr, or, for a count of
    things, one msgid, one msgid_plural and exactly ``plurals`` forms msgstr[0], msgstr[1]… in order."""
    plain = ["msgid", "msgstr"]
    plural = ["msgid", "msgid_plural", *(f"msgstr[{i}]" for i in range(plurals))]
    wrong = []
    for entry in re.split(r"\n\s*\n", text):
        lines = [line for line in entry.strip().splitlines() if not line.startswith("#")]
        if not lines:
            continue
        starts = [line.split(" ", 1)[0] for line in lines if not line.startswith('"')]
        if starts not in (plain, ["msgctxt", *plain], plural, ["msgctxt", *plural]):
            wrong.append(entry)
    return wrong


def test_a_stray_or_missing_msgstr_is_found_in_plain_and_plural_entries():
    good = ('msgid "a"\nmsgstr "A"\n\nmsgid "items_x"\nmsgid_plural "items_x"\nmsgstr[0] "{count} x"\n'
            'msgstr[1] "{count} xs"\n')
    assert _misshapen_entries(good, 2) == []
    assert _misshapen_entries(good, 1) != []  # two forms in a one-form (Vietnamese) catalogue
    stray = 'msgid "a"\nmsgstr "A"\nmsgstr "B"\n'
    short = 'msgid "items_x"\nmsgid_plural "items_x"\nmsgstr[0] "{count} x"\n'
    mixed = 'msgid "items_x"\nmsgid_plural "items_x"\nmsgstr "{count} x"\n'
    assert [len(_misshapen_entries(t, 2)) for t in (stray, short, mixed)] == [1, 1, 1]


# ---- the Vietnamese words ----------------------------------------------------------------------------

def _vietnamese_texts() -> dict[str, str]:
    """Every Vietnamese text a user reads, each with its white space made single spaces (a phrase
    may be split between two lines): the catalogue, the notebooks' cells, the Vietnamese pages of
    docs/, README.md, data/README.md, the scenario files and the code's own Vietnamese strings."""
    import json

    texts = {f"sim.po {_key(m)!r}": " ".join(_forms(m)) for m in _entries("vi")}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        texts[str(path.relative_to(ROOT))] = "\n".join("".join(cell["source"]) for cell in cells)
    pages = [p for p in sorted((ROOT / "docs").glob("*.md")) if not p.name.endswith(".en.md")]
    for path in [*pages, ROOT / "README.md", ROOT / "data" / "README.md", *sorted((ROOT / "data" / "scenarios").glob("*.yaml")),
                 *sorted((ROOT / "sim").rglob("*.py"))]:
        texts[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    return {where: re.sub(r"\s+", " ", text) for where, text in texts.items()}


def test_a_donation_is_called_khoan_tai_tro_in_every_vietnamese_text():
    """One word for a donation: "khoản tài trợ", not "khoản tặng" or "khoản ủng hộ" ("tặng", to
    donate, stays where it is a verb: "máy được tặng")."""
    other = re.compile(r"khoản[\s_]+(?:tặng|ủng[\s_]+hộ)\b", re.I)
    found = {where: other.findall(text) for where, text in _vietnamese_texts().items()}
    assert not {where: words for where, words in found.items() if words}
    assert "khoản tài trợ" in _vietnamese_texts()["sim.po 'help_donations'"]


def test_the_vietnamese_catalogue_leaves_no_english_solver_word():
    """A Vietnamese analyst may not know "LP", "MILP", "solver" or "data": the catalogue writes
    "bài toán tuyến tính" (as docs/fairness.md), "bộ giải", "dữ liệu" ("CSV", "YAML" are file kinds,
    and names in code quotes or paths are the files' own)."""
    english = re.compile(r"(?<![\w/.`'_-])(?:MILPs?|LPs?|[Ss]olvers?|data)(?![\w/.`'_-])")
    left = {_key(m): form for m in _entries("vi") for form in _forms(m) if english.search(re.sub(r"\{[^}]*\}", "", form))}
    assert not left, left


def test_the_first_line_of_a_run_says_how_many_linear_programs_in_words_of_the_language():
    summary = {"scenario": "s", "status": "optimal", "solver": {"name": "highs", "lp_solves": 15}, "seconds": 0.5,
               "pupils_by_band": {str(b): 0 for b in range(1, 6)}, "covered_by_band": {str(b): 0 for b in range(1, 6)},
               "pupils": 0, "covered": 0, "spent_vnd": 0, "spent_general_vnd": 0, "spent_earmarked_vnd": 0, "cash_left_vnd": 0,
               "earmark_left_vnd": {}, "bought": {}, "stock_left": {}}
    from sim.views.text import summary_text

    i18n.set_language("vi")
    assert summary_text(summary, timing=True).splitlines()[0] == "Kế hoạch “s”: tối ưu, highs, giải 15 bài toán tuyến tính, 0,5 giây"
    i18n.set_language("en")
    assert summary_text(summary, timing=True).splitlines()[0] == "Plan 's': optimal, highs, 15 LPs, 0.5 s"
    summary["solver"]["lp_solves"] = 1
    assert summary_text(summary, timing=False).splitlines()[0] == "Plan 's': optimal, highs, 1 LP"


def test_counts_of_problems_runs_and_donations_are_plural_in_english():
    from sim.read.errors import InputError, Problems

    problems = Problems("students.csv")
    for row in range(21):  # one more than a message lists
        problems.add("not a number", row + 2, "pupils", "x", "a whole number")
    before = i18n.get_language()
    try:
        i18n.set_language("en")
        shown = str(InputError(list(problems)))
        assert "... and 1 more problem" in shown and "more problems" not in shown
        assert sim_locale.ngettext("sweep_more_failed", 1).startswith("... and {count} more run not planned")
        assert sim_locale.ngettext("sweep_more_failed", 4).startswith("... and {count} more runs not planned")
        assert "{count:>4} donation:" in sim_locale.ngettext("cli_donations_by_status", 1)
        assert "{count:>4} donations:" in sim_locale.ngettext("cli_donations_by_status", 2)
        assert "1 donation," in sim_locale.ngettext("show_ledger", 1).format(last="-", donations=1, counted=1, count="")
        i18n.set_language("vi")
        assert "... và 1 lỗi khác" in str(InputError(list(problems)))
        assert sim_locale.ngettext("show_ledger", 1) == sim_locale.ngettext("show_ledger", 5)  # one form
    finally:
        i18n.set_language(before)
