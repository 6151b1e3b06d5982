"""Where a ledger record came from: stored as data in no language, shown in the reader's language.

The ledger's ``source`` columns (``donations``, ``deliveries``, ``events``) hold one of

* ``FILE:ROW``: a row of a file, numbered as a spreadsheet numbers it (the header is row 1):
  ``april.csv:3``;
* ``command-line``: ``python -m sim donations add``, ``deliveries add`` or ``donations status``;
* ``by-hand``: a record made in Python (``from_columns`` without a source of its own);
* any other text a program gave (``Sourced(record, "e-mail of 24/11")``), kept and shown as it is.

What a person reads is made when it is shown, by ``shown``: ``april.csv, dòng 3`` in Vietnamese,
``april.csv row 3`` in English. Ledgers written before this form hold English words
(``april.csv row 3``, ``command line``, ``added by hand``): ``shown`` reads them as the same places,
so they are shown in the reader's language too; nothing stored is rewritten (the source is in no
checksum and in no entry of the audit trail, so old ledgers verify as before).

>>> from sim.locale import get_language, set_language
>>> before = get_language()
>>> file_row("april.csv", 3), parse("april.csv:3"), parse("april.csv row 3")
('april.csv:3', ('file', 'april.csv', 3), ('file', 'april.csv', 3))
>>> set_language("vi"); shown("april.csv:3"), shown("april.csv row 3"), shown(COMMAND_LINE), shown("thư ngày 24/11")
('april.csv, dòng 3', 'april.csv, dòng 3', 'dòng lệnh', 'thư ngày 24/11')
>>> set_language("en"); shown("april.csv:3"), shown("command line"), shown(BY_HAND)
('april.csv row 3', 'the command line', 'added by hand')
>>> set_language(before)
"""

from __future__ import annotations

import re

COMMAND_LINE = "command-line"  # sim donations add / deliveries add / donations status
BY_HAND = "by-hand"  # from_columns in Python, with no source of its own

_FILE_ROW = re.compile(r"^(?P<file>.+):(?P<row>\d+)$", re.S)
# what ledgers written before the neutral form hold (English words)
_OLD_FILE_ROW = re.compile(r"^(?P<file>.+) row (?P<row>\d+)$", re.S)
_OLD_WORDS = {"command line": COMMAND_LINE, "added on the command line": COMMAND_LINE, "added by hand": BY_HAND}
_KEYS = {COMMAND_LINE: "source_command_line", BY_HAND: "source_by_hand"}


def file_row(file: str, row: int) -> str:
    """The stored source of a file's row: ``april.csv:3``."""
    return f"{file}:{int(row)}"


def parse(source: str) -> tuple[str, str, int | None]:
    """``("file", name, row)`` for a file's row (the neutral form or an old ledger's English one),
    ``(kind, "", None)`` for ``command-line`` and ``by-hand``, ``("text", source, None)`` otherwise."""
    text = str(source or "").strip()
    for pattern in (_FILE_ROW, _OLD_FILE_ROW):
        found = pattern.match(text)
        if found:
            return "file", found.group("file"), int(found.group("row"))
    kind = _OLD_WORDS.get(text, text)
    if kind in _KEYS:
        return kind, "", None
    return "text", text, None


def shown(source: str, language: str | None = None) -> str:
    """A stored source as the reader reads it, in ``language`` (default: the current one):
    ``april.csv, dòng 3`` / ``april.csv row 3``, ``dòng lệnh`` / ``the command line``; another
    text as it is. Every place that shows a source to a person goes through here."""
    from sim.locale import gettext

    kind, file, row = parse(source)
    if kind == "file":
        return gettext("source_file_row", language).format(file=file, row=row)
    if kind in _KEYS:
        return gettext(_KEYS[kind], language)
    return file
