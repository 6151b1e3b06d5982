"""The command line's own words in the current language: ours (help texts) and argparse's.

argparse writes "usage:", "positional arguments", "options", "show this help message and exit"
and its error lines through ``gettext.gettext`` of the default domain, which finds no catalogue
here. ``argparse_words()`` lends argparse our catalogue while the command line is parsed: the
Vietnamese catalogue translates argparse's English texts (``msgctxt "argparse"``); in English they
stay as argparse wrote them. Nothing outside ``sim.cli.main.main`` is changed, and only for the
time the parser is built and used.

``Parser`` gives the placeholders of the help (``--out OUT``) a word of the current language
(``msgctxt "metavar"``: ``--out THƯ_MỤC``).

>>> from sim.locale import get_language, set_language
>>> before = get_language(); set_language("vi")
>>> with argparse_words():
...     argparse._("usage: "), argparse._("options")
('cách dùng: ', 'tùy chọn')
>>> set_language("en")
>>> with argparse_words():
...     argparse._("usage: ")
'usage: '
>>> set_language(before)
"""

from __future__ import annotations

import argparse
import contextlib
import unicodedata

from sim.locale import get_language, translations

ARGPARSE_CONTEXT = "argparse"
METAVAR_CONTEXT = "metavar"


def _in_context(context: str, text: str) -> str:
    """``text`` translated in ``context`` for the current language; as it is in English or when missing."""
    if not text or get_language() == "en":
        return text
    return unicodedata.normalize("NFC", translations(get_language()).pgettext(context, text))


def _gettext(message: str) -> str:
    return _in_context(ARGPARSE_CONTEXT, message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    if get_language() == "en":
        return singular if count == 1 else plural
    return _in_context(ARGPARSE_CONTEXT, singular)  # Vietnamese nouns do not change with the number


_action_name = argparse._get_action_name


def _get_action_name(argument):
    """A sub-command's place in argparse's errors ("argument command: invalid choice") in words."""
    name = _action_name(argument)
    if isinstance(argument, argparse._SubParsersAction) and name == argument.dest:
        return _in_context(METAVAR_CONTEXT, name)
    return name


@contextlib.contextmanager
def argparse_words():
    """argparse speaks the current language inside the ``with`` block (see the module's doc)."""
    saved = argparse._, argparse.ngettext, argparse._get_action_name
    argparse._, argparse.ngettext, argparse._get_action_name = _gettext, _ngettext, _get_action_name
    try:
        yield
    finally:
        argparse._, argparse.ngettext, argparse._get_action_name = saved


class Parser(argparse.ArgumentParser):
    """The command line's parser (its sub-commands' parsers are Parsers too): an option or argument
    without a ``metavar`` gets the word of the current language for its placeholder, in the help
    and in argparse's errors ("the following arguments are required: kịch_bản")."""

    def _add_action(self, action):
        if action.metavar is None and action.choices is None and action.nargs != 0 and action.dest not in (None, argparse.SUPPRESS):
            word = action.dest.upper() if action.option_strings else action.dest
            if get_language() != "en":
                action.metavar = _in_context(METAVAR_CONTEXT, word)
        return super()._add_action(action)
