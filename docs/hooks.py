"""MkDocs hook: input-column tables are made from the schema data the readers check against.

A page writes ``<!-- columns: students -->`` (areas, students, donations, deliveries, roster) and
the hook puts the table there, so the manual and the readers cannot drift apart. A Vietnamese page
(``X.md``) gets the table in Vietnamese, an English page (``X.en.md``) in English: the meanings in
Vietnamese are the schema modules' ``VIETNAMESE`` data, next to the English ones.
"""

from __future__ import annotations

import re

MARKER = re.compile(r"<!-- columns: (\w+) -->")
WORDS = {
    "vi": {"column": "cột", "required": "bắt buộc", "meaning": "ý nghĩa", "unit": "đơn vị", "yes": "có",
           "no": "không", "header": "tiêu đề cột", "name": "tên", "personal": "dữ liệu cá nhân",
           "values": "giá trị"},
    "en": {"column": "column", "required": "required", "meaning": "meaning", "unit": "unit", "yes": "yes", "no": "no",
           "header": "header", "name": "name", "personal": "personal data", "values": "values"},
}


def tables(language: str) -> dict[str, str]:
    """Every column table in ``language`` (``vi`` or ``en``), by the name a marker gives."""
    from sim.ledger import donations
    from sim.read import schema
    from sim.roster import schema as roster

    words = WORDS[language]

    def yes(flag: bool) -> str:
        return words["yes"] if flag else words["no"]

    def plain(name: str, columns, vietnamese: dict) -> str:
        rows = [f"| {words['column']} | {words['required']} | {words['meaning']} | {words['unit']} |", "|---|---|---|---|"]
        for c in columns:
            meaning, unit = vietnamese[name][c.name] if language == "vi" else (c.description, c.unit)
            rows.append(f"| `{c.name}` | {yes(c.required)} | {meaning} | {unit} |")
        return "\n".join(rows)

    rows = [f"| {words['header']} | {words['name']} | {words['required']} | {words['personal']} | {words['values']} |",
            "|---|---|---|---|---|"]
    for c in roster.ROSTER:
        accepted = roster.VIETNAMESE[c.name][1] if language == "vi" else c.accepted
        rows.append(f"| {c.header} | `{c.name}` | {yes(c.required)} | {yes(c.personal)} | {accepted} |")
    return {"areas": plain("areas", schema.AREAS, schema.VIETNAMESE),
            "students": plain("students", schema.STUDENTS, schema.VIETNAMESE),
            "donations": plain("donations", donations.DONATIONS, donations.VIETNAMESE),
            "deliveries": plain("deliveries", donations.DELIVERIES, donations.VIETNAMESE),
            "roster": "\n".join(rows)}


def page_language(page, config) -> str:
    """The language of the page's own text: mkdocs-static-i18n marks each file (``X.en.md`` is English)."""
    locale = getattr(page.file, "locale", None) or config["theme"].get("language") or "vi"
    return "en" if str(locale).startswith("en") else "vi"


def on_page_markdown(markdown: str, page, config, files) -> str:
    if "<!-- columns:" not in markdown:
        return markdown
    made = tables(page_language(page, config))

    def table(match: re.Match) -> str:
        name = match.group(1)
        if name not in made:
            raise ValueError(f"{page.file.src_path}: no column table named {name!r}; one of {', '.join(made)}")
        return made[name]

    return MARKER.sub(table, markdown)
