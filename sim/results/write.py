"""Writing a file whole or not at all: the one way sim replaces an output file.

The rule: the data goes to a new temporary file in the same folder as ``path`` (so the rename
stays on one file system), is flushed to disk (``fsync``), optionally checked, and only then
renamed over ``path`` (``os.replace``, atomic). A reader sees the old file or the new one, never
half a file. On any failure, also Ctrl+C, the temporary file is removed and ``path`` is untouched.

Text is encoded exactly as given: no newline translation (callers choose their line ends), and
``encoding="utf-8-sig"`` puts the byte-order mark Excel needs for Vietnamese names. The new file
gets the permissions a plain ``open(path, "w")`` would give (0666 less the umask), unless ``mode``
says otherwise. ``sync=False`` leaves out the ``fsync`` (a few milliseconds a file on this
machine's disk) for files that may be lost to a power cut because they are made again, as a
sweep's run files are: the rename is still atomic, so an interrupted program leaves whole files.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

_TRIES = 100


def _new_temporary(path: Path) -> tuple[int, Path]:
    """A new file beside ``path`` (``.NAME.XXXXXXXX.tmp``), created with the umask applied."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_TRIES):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def write_atomic(path: str | Path, data: str | bytes, *, encoding: str = "utf-8", mode: int | None = None,
                 check: Callable[[Path], object] | None = None, sync: bool = True) -> Path:
    """Replace ``path`` with ``data`` whole or not at all; returns ``path``.

    ``data`` as text is encoded with ``encoding`` and written byte for byte (``"\\n"`` stays
    ``"\\n"``); bytes are written as they are. ``mode`` sets exact permissions (e.g. 0o644).
    ``check``, if given, is called with the temporary file once it is complete; if it raises,
    nothing is replaced and the error propagates.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> target = write_atomic(folder / "a.csv", "x,y\\n1,2\\n", encoding="utf-8-sig")
    >>> target.read_bytes()
    b'\\xef\\xbb\\xbfx,y\\n1,2\\n'
    >>> sorted(p.name for p in folder.iterdir())
    ['a.csv']
    >>> import shutil; shutil.rmtree(folder)
    """
    path = Path(path)
    payload = data.encode(encoding) if isinstance(data, str) else bytes(data)
    fd, tmp = _new_temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        if check is not None:
            check(tmp)
        os.replace(tmp, path)
    except OSError as exc:  # disk full, read-only, no permission: say which file (os.write and fsync do not)
        tmp.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
