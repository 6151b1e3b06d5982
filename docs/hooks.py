"""MkDocs hook: input-column tables are made from the schema data the readers check against.

A page writes ``<!-- columns: students -->`` (areas, students, donations, deliveries, roster) and
the hook puts the table there, so the manual and the readers cannot drift apart.
"""

from __future__ import annotations

import re

MARKER = re.compile(r"<!-- columns: (\w+) -->")


def _tables() -> dict[str, str]:
    from sim.ledger.donations import DELIVERIES, DONATIONS
    from sim.read.schema import AREAS, STUDENTS
    from sim.roster.schema import ROSTER

    def plain(columns) -> str:
        rows = ["| column | required | meaning | unit |", "|---|---|---|---|"]
        rows += [f"| `{c.name}` | {'yes' if c.required else 'no'} | {c.description} | {c.unit} |" for c in columns]
        return "\n".join(rows)

    roster = ["| header | name | required | personal data | values |", "|---|---|---|---|---|"]
    roster += [f"| {c.header} | `{c.name}` | {'yes' if c.required else 'no'} | {'yes' if c.personal else 'no'} | "
               f"{c.accepted} |" for c in ROSTER]
    return {"areas": plain(AREAS), "students": plain(STUDENTS), "donations": plain(DONATIONS),
            "deliveries": plain(DELIVERIES), "roster": "\n".join(roster)}


def on_page_markdown(markdown: str, page, config, files) -> str:
    if "<!-- columns:" not in markdown:
        return markdown
    tables = _tables()

    def table(match: re.Match) -> str:
        name = match.group(1)
        if name not in tables:
            raise ValueError(f"{page.file.src_path}: no column table named {name!r}; one of {', '.join(tables)}")
        return tables[name]

    return MARKER.sub(table, markdown)
