"""The manual (MkDocs, docs/): every page in Vietnamese (``X.md``, the default) and in English
(``X.en.md``) with the same structure, and the input-column tables made from the schema data in
the page's language."""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
VIETNAMESE_PAGES = sorted(p for p in DOCS.glob("*.md") if not p.name.endswith(".en.md"))
ENGLISH_PAGES = sorted(DOCS.glob("*.en.md"))
# Letters only Vietnamese writes (English never does): đ, ơ, ư, ă and the tone-marked vowels.
VIETNAMESE_LETTER = re.compile(r"[đơưăạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹàáèéìíòóùúýâêô]", re.I)
FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _prose(text: str) -> str:
    """The page's words: no code blocks, no inline code, no links' addresses, no HTML comments."""
    text = FENCE.sub("", text)
    text = re.sub(r"^(:::|    ).*$", "", text, flags=re.M)  # mkdocstrings' directives and their options
    text = re.sub(r"`[^`]*`", "", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


def _vietnamese_share(text: str) -> float:
    """The share of the prose's words that have a letter only Vietnamese writes."""
    words = re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", _prose(text)))
    return sum(bool(VIETNAMESE_LETTER.search(w)) for w in words) / max(len(words), 1)


def _structure(text: str) -> tuple:
    """What both languages must share: headings by level, code blocks, column markers, tables' count."""
    headings = [len(m) for m in re.findall(r"^(#+) ", FENCE.sub("", text), flags=re.M)]
    return (headings, len(FENCE.findall(text)), re.findall(r"<!-- columns: \w+ -->", text),
            len(re.findall(r"^\|[-| :]+\|$", FENCE.sub("", text), flags=re.M)), re.findall(r"^:::.*$", text, flags=re.M))


def test_every_page_has_a_vietnamese_and_an_english_version():
    vietnamese = {p.name[:-3] for p in VIETNAMESE_PAGES}
    english = {p.name[:-6] for p in ENGLISH_PAGES}
    assert len(vietnamese) >= 15
    assert vietnamese == english, {"Vietnamese only": sorted(vietnamese - english),
                                   "English only": sorted(english - vietnamese)}


def test_every_page_in_the_navigation_exists_in_both_languages():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!!python", "#"))

    def pages(items):
        for item in items:
            for value in (item.values() if isinstance(item, dict) else [item]):
                yield from (pages(value) if isinstance(value, list) else [value])

    listed = [p for p in pages(config["nav"]) if p.endswith(".md")]
    assert len(listed) >= 15
    for page in listed:
        assert (DOCS / page).is_file() and (DOCS / page.replace(".md", ".en.md")).is_file(), page


@pytest.mark.parametrize("page", VIETNAMESE_PAGES, ids=lambda p: p.name)
def test_the_default_page_is_written_in_vietnamese_and_the_english_page_in_english(page):
    english = page.with_name(page.name[:-3] + ".en.md")
    vietnamese_text = page.read_text(encoding="utf-8")
    english_text = english.read_text(encoding="utf-8")
    # Vietnamese prose has a marked letter in well over a third of its words; English prose
    # (with Vietnamese place names and terms) in few.
    assert _vietnamese_share(vietnamese_text) > 0.35, (page.name, _vietnamese_share(vietnamese_text))
    assert _vietnamese_share(english_text) < 0.15, (english.name, _vietnamese_share(english_text))


@pytest.mark.parametrize("page", VIETNAMESE_PAGES, ids=lambda p: p.name)
def test_both_languages_have_the_same_headings_code_blocks_tables_and_column_markers(page):
    english = page.with_name(page.name[:-3] + ".en.md")
    assert _structure(page.read_text(encoding="utf-8")) == _structure(english.read_text(encoding="utf-8"))


def test_the_data_folder_is_described_in_vietnamese_first_and_in_english():
    """data/README.md, what an analyst opening the bundled data reads first, is Vietnamese;
    data/README.en.md says the same in English, with the same headings and tables."""
    vietnamese, english = (ROOT / "data" / "README.md").read_text(encoding="utf-8"), \
        (ROOT / "data" / "README.en.md").read_text(encoding="utf-8")
    assert _vietnamese_share(vietnamese) > 0.35, _vietnamese_share(vietnamese)
    assert _vietnamese_share(english) < 0.15, _vietnamese_share(english)
    assert _structure(vietnamese) == _structure(english)
    assert "(README.en.md)" in vietnamese and "(README.md)" in english


def test_every_column_has_its_meaning_in_vietnamese():
    from sim.ledger import donations
    from sim.read import schema
    from sim.roster import schema as roster

    for name, columns, vietnamese in [("areas", schema.AREAS, schema.VIETNAMESE),
                                      ("students", schema.STUDENTS, schema.VIETNAMESE),
                                      ("donations", donations.DONATIONS, donations.VIETNAMESE),
                                      ("deliveries", donations.DELIVERIES, donations.VIETNAMESE)]:
        assert set(vietnamese[name]) == {c.name for c in columns}, name
        assert all(_vietnamese_share(meaning) > 0.2 for meaning, _ in vietnamese[name].values()), name
    assert set(roster.VIETNAMESE) == {c.name for c in roster.ROSTER}


@pytest.mark.parametrize("source, language", [("inputs.md", "vi"), ("inputs.en.md", "en"), ("ledger.md", "vi"),
                                              ("ledger.en.md", "en"), ("rosters.md", "vi"), ("rosters.en.md", "en")])
def test_the_column_tables_speak_the_language_of_their_page(source, language):
    hooks = _hooks()
    page = SimpleNamespace(file=SimpleNamespace(src_path=source, locale=language))
    markdown = (DOCS / source).read_text(encoding="utf-8")
    assert "<!-- columns:" in markdown
    made = hooks.on_page_markdown(markdown, page, {"theme": {"language": language}}, None)
    assert "<!-- columns:" not in made
    tables = [line for line in made.splitlines() if line.startswith("| `") or line.startswith("| Mã học sinh")]
    assert tables
    share = _vietnamese_share("\n".join(tables))
    assert (share > 0.3) if language == "vi" else (share < 0.1), (source, share)
    headers = {"vi": ("| cột | bắt buộc | ý nghĩa | đơn vị |", "| tiêu đề cột | tên | bắt buộc |"),
               "en": ("| column | required | meaning | unit |", "| header | name | required |")}[language]
    assert any(h in made for h in headers)


def test_an_unknown_column_table_stops_the_build():
    hooks = _hooks()
    page = SimpleNamespace(file=SimpleNamespace(src_path="x.md", locale="vi"))
    with pytest.raises(ValueError, match="no column table named 'pupil'"):
        hooks.on_page_markdown("<!-- columns: pupil -->", page, {"theme": {"language": "vi"}}, None)
