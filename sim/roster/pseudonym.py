"""Pseudonyms and the tie-break inside a group: a keyed hash of the pupil id.

``digest = HMAC-SHA256(key, "sim-roster-v1:" + pupil id)``, the id compared without case or
spaces. The pseudonym is ``HS-`` and the digest's first 12 hex digits; inside a group of learners
the plan cannot tell apart, learners are taken in the order of their digest. Without the key
nobody can work out a pseudonym from an id, nor choose ids that come first; with the key, the
order can be checked by anyone who holds it. The same key gives the same pseudonyms and the same
order on every run, so keep it: a new key reshuffles who comes first.

The key lives outside the repository and the outputs. It is looked up in this order:
``--key-file PATH`` (the ``key_file`` argument); the environment variable ``SIM_PSEUDONYM_KEY``
(the key itself); the file ``pseudonym.key`` in the user's configuration folder
(``$XDG_CONFIG_HOME/sim`` or ``~/.config/sim``; ``%APPDATA%\\sim`` on Windows), created with
permissions 0600 and 32 random bytes on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from sim.read.errors import input_error
from sim.roster.values import id_key

KEY_ENV = "SIM_PSEUDONYM_KEY"
KEY_FILE_NAME = "pseudonym.key"
MIN_KEY_CHARS = 32
_DOMAIN = b"sim-roster-v1:"


def default_key_path() -> Path:
    """``pseudonym.key`` in the user's configuration folder (not in the project, not in outputs)."""
    if os.name == "nt" and os.environ.get("APPDATA"):
        base = Path(os.environ["APPDATA"])
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "sim" / KEY_FILE_NAME


def pseudonym_of(digest: str) -> str:
    return "HS-" + digest[:12]


@dataclass(frozen=True)
class PseudonymKey:
    """A secret key and where it came from; ``repr`` never shows the key."""

    secret: bytes = field(repr=False)
    source: str  # a path, or the environment variable's name
    path: Path | None = None
    created: bool = False

    def digest(self, pupil_id: str) -> str:
        return hmac.new(self.secret, _DOMAIN + id_key(pupil_id).encode("utf-8"), hashlib.sha256).hexdigest()

    def pseudonym(self, pupil_id: str) -> str:
        """``HS-`` and 12 hex digits: shareable, and the same for the same id and key.

        >>> PseudonymKey(b"k" * 32, "test").pseudonym("AB 12") == PseudonymKey(b"k" * 32, "test").pseudonym("ab12")
        True
        """
        return pseudonym_of(self.digest(pupil_id))

    @property
    def key_id(self) -> str:
        """8 hex digits that tell keys apart without revealing them (printed in shared outputs)."""
        return hmac.new(self.secret, b"sim-key-id", hashlib.sha256).hexdigest()[:8]


def new_key_file(path: str | Path) -> Path:
    """Write a new random key to ``path`` (which must not exist), readable by its owner only."""
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path


def _checked(secret: str, source: str) -> bytes:
    secret = secret.strip()
    if len(secret) < MIN_KEY_CHARS:
        raise input_error(source, "the pseudonym key is too short", expected=f"at least {MIN_KEY_CHARS} characters",
                          hint="Make a new key with: python -m sim roster new-key PATH")
    return secret.encode("utf-8")


def load_key(key_file: str | Path | None = None, *, create: bool = True) -> PseudonymKey:
    """The key from ``key_file``, else ``$SIM_PSEUDONYM_KEY``, else the default key file.

    Only the default file is created when missing (``create``); a ``key_file`` that does not
    exist is an error, so that a mistyped path never silently gives everyone new pseudonyms.
    """
    if key_file is None and os.environ.get(KEY_ENV):
        return PseudonymKey(_checked(os.environ[KEY_ENV], KEY_ENV), f"environment variable {KEY_ENV}")
    created = False
    if key_file is not None:
        path = Path(key_file).expanduser()
        if not path.is_file():
            raise input_error(path, "pseudonym key file not found", expected="an existing key file",
                              hint="Make one with: python -m sim roster new-key PATH")
    else:
        path = default_key_path()
        if not path.is_file():
            if not create:
                raise input_error(path, "no pseudonym key yet", expected=f"a key file or the variable {KEY_ENV}")
            new_key_file(path)
            created = True
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise input_error(path, f"cannot read the pseudonym key ({exc.__class__.__name__})",
                          expected="a text file holding the key") from None
    return PseudonymKey(_checked(text, str(path)), str(path), path.resolve(), created)


def key_warnings(key: PseudonymKey) -> list[str]:
    """Things about where the key is kept that the analyst should fix (none is fatal)."""
    if key.path is None:
        return []
    found = []
    if os.name != "nt" and stat.S_IMODE(key.path.stat().st_mode) & 0o077:
        found.append(f"the key file {key.path} can be read by other users: chmod 600 it")
    if any((parent / ".git").exists() for parent in key.path.parents):
        found.append(f"the key file {key.path} is inside a git repository: move it out, it must never be committed")
    return found
