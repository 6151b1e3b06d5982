"""Seeded fuzzer: mutated input files through the command line, in process.

    python benchmarks/fuzz.py --runs 5000 --seed 1 [--timeout 5] [--show 5]

Each run takes one small input of one kind (scenario YAML, areas, students, donations, deliveries,
sweep YAML, roster), mutates it (byte flips, truncation, deleted or duplicated columns, swapped
delimiters, huge and odd numbers, Unicode oddities, YAML anchors, aliases, tags, deep nesting,
duplicate keys ...) and calls ``sim.cli.main.main`` on it, as a user would on the command line.

A run is *clean* when it exits 0 (the mutation happened to be valid) or with 2 or 3 and a
one-screen message; a *traceback* when an exception escapes ``main``; a *hang* when it takes
longer than ``--timeout`` seconds; *messy* when the message is longer than a screen or a line of
it longer than 300 characters; *wrote* when a failing run left an output file behind.
The same seed gives the same inputs. tests/test_fuzz.py runs a few hundred of them in `make test`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import re
import signal
import sys
import tempfile
import time
import traceback
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the project's root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MAX_LINES, MAX_WIDTH = 25, 300

# ---------------------------------------------------------------- the inputs mutated

AREAS = """code,name,type,population,lat,lon
794,Tân An,Thành phố,145120,10.54,106.41
795,Kiến Tường,Thị xã,43674,10.78,105.93
801,Đức Huệ,Huyện,63000,10.87,106.26
"""
STUDENTS = """district,grade,status,pupils,without_internet
Tân An,1,poor,7,0
Tân An,1,near_poor,36,6
Kiến Tường,10,covid_orphan,3,1
Đức Huệ,higher,poor,12,4
Đức Huệ,5,near_poor,20,5
"""
SCENARIO = """name: fuzz
description: a small scenario for the fuzzer
sources: ["made up"]
areas: areas.csv
students: students.csv
budget_vnd: 100000000
devices:
  tablet: {unit_cost_vnd: 3500000, grades: [1, 9], in_stock: 10}
  laptop: {unit_cost_vnd: 10500000}
data_package: {monthly_cost_vnd: 70000, months: 12, in_stock: 5}
earmarks:
  - {district: Đức Huệ, budget_vnd: 30000000, note: "local gift"}
policy: {mode: strict, within_band: equal_rate}
"""
SWEEP = """description: a small grid
grid:
  budget_vnd: [50000000, 100000000]
monte_carlo:
  runs: 2
  seed: 7
  prices:
    devices.laptop.unit_cost_vnd: {uniform: [10000000, 12000000]}
"""
DONATIONS = """donation_id,date,donor,kind,device,quantity,amount_vnd,earmark_district,earmark_band,status
LA23-001,04/09/2023,Quỹ Khuyến học tỉnh,cash,,,600.000.000,,,received
LA23-002,11/09/2023,Doanh nghiệp A,device,tablet,1200,,,,pledged
LA23-003,2023-09-15,Hội Chữ thập đỏ,data_package,,300,21000000,Tân An,2,received
LA23-004,20/09/2023,Công ty B,cash,,,50 000 000đ,Đức Huệ,,pledged
"""
DELIVERIES = """delivery_id,date,district,device,quantity,note
GIAO-01,25/10/2023,Tân An,laptop,40,bàn giao tại các trường trong huyện
GIAO-02,21/11/2023,Đức Huệ,tablet,150,Bàn giao đợt đầu máy tính bảng
"""
ROSTER_HEADER = ("Mã học sinh,Họ và tên,Ngày sinh,Trường,Quận/Huyện,Lớp,Hộ (nghèo/cận nghèo),Số chứng nhận hộ nghèo,"
                 "Mồ côi do Covid-19,Có máy tính,Có internet,Số điện thoại,Ghi chú")
ROSTER = ROSTER_HEADER + """
8087826877,Ngô Kim Yến Hà,09/02/2011,Trường THCS Trần Phú,Tân An,7B3,cận nghèo,808-2022-25417,0,0,0,0819078429,
7974428174,Trần Yến Thư,04/05/2009,Trường THCS Hùng Vương,Đức Huệ,9,poor,797-2022-49297,không,0,0,,
7000000001,Lê Văn An,01/01/2012,Trường TH Kiến Tường,Kiến Tường,5,nghèo,795-2022-00001,có,0,1,,ghi chú
"""


@dataclass(frozen=True)
class Target:
    """One kind of input: its file name, its text, and the command that reads it."""

    name: str
    file: str
    text: str
    yaml: bool = False


TARGETS = (
    Target("scenario", "scenario.yaml", SCENARIO, yaml=True),
    Target("areas", "areas.csv", AREAS),
    Target("students", "students.csv", STUDENTS),
    Target("donations", "donations.csv", DONATIONS),
    Target("deliveries", "deliveries.csv", DELIVERIES),
    Target("sweep", "grid.yaml", SWEEP, yaml=True),
    Target("roster", "roster.csv", ROSTER),
)


def command(target: Target, folder: Path) -> list[str]:
    """The command line that reads the target's file, writing into ``folder/out``."""
    out = str(folder / "out")
    if target.name in ("scenario", "areas", "students"):
        return ["run", str(folder / "scenario.yaml"), "--out", out, "--quiet"]
    if target.name in ("donations", "deliveries"):
        return [target.name, "import", str(folder / target.file), "--db", str(folder / "out" / "ledger.sqlite")]
    if target.name == "sweep":
        return ["sweep", str(folder / "scenario.yaml"), "--grid", str(folder / "grid.yaml"), "--out", out,
                "--workers", "0", "--quiet"]
    return ["roster", "check", str(folder / target.file), "--areas", str(folder / "areas.csv"),
            "--out", str(folder / "out" / "report.csv")]


# ---------------------------------------------------------------- mutations

HUGE = ["1" + "0" * 400, str(2 ** 64), "1e30", "9223372036854775807", "-9223372036854775809", "1e309", "-1",
        "0x7fffffffffffffff", "nan", "inf", "-inf", "1_000", "²", "٣", "1.5", "0", "-0", "1e-400", "9" * 400,
        "18446744073709551616.0", "1,5", "1.000.000.000.000.000.000.000", ".", "+", "e3", "0o777", "True"]
ODD = ["\u0000", "\u200b", "\u202e", "\ufeff", "\u00a0", "\u2028", "\r", "\x1b[31m", "\x7f", "\ud7ff", "😀",
       "'", '"', "\\", "${HOME}", "=1+1", "null", "~", "- x", "? x", "*a", "&a", "!!str", "%TAG", "@", "`"]
YAML_BITS = [
    "!!float abc", "!!timestamp 2001-13-99x", "!!int 0x", "!!binary ###", "!!python/object:os.system x",
    "!!set {a, b}", "!!omap [a: 1]", "!!bool maybe", "!!null x", "!!merge x", "<<: *nope", "*nope",
    "&a [*a]", "0x7fffffffffffffff", "1e400", ".inf", ".nan", "0b101", "0o17", "1_000_000", "2001-12-14t21:59:43.10-05:00",
    "[" * 1000 + "]" * 1000, "{a: " * 600 + "1" + "}" * 600, "|\n  block", ">-\n  folded", '"\\x00"', '"\\ud800"',
]


def billion_laughs(depth: int = 7) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, depth + 1):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _spans(text: str) -> list[tuple[int, int]]:
    """Places that hold one value: CSV cells, YAML scalars after ': ' or '- ' or in flow lists."""
    return [m.span() for m in re.finditer(r"[^,;\t\n:{}\[\]]+", text) if m.group().strip()]


def _replace_value(rng: random.Random, text: str, values: list[str]) -> str:
    spans = _spans(text)
    if not spans:
        return text
    start, end = rng.choice(spans)
    value = rng.choice(values)
    if rng.random() < 0.3:  # inside the old value rather than instead of it
        at = rng.randint(start, end)
        return text[:at] + value + text[at:]
    lead = " " if text[start:end].startswith(" ") else ""
    return text[:start] + lead + value + text[end:]


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return max([",", ";", "\t"], key=first.count)


def _columns(rng: random.Random, text: str, duplicate: bool) -> str:
    sep = _delimiter(text)
    rows = [line.split(sep) for line in _lines(text)]
    width = max(len(r) for r in rows)
    i = rng.randrange(width)
    out = []
    for cells in rows:
        if i < len(cells):
            cells = cells[:i + 1] + cells[i:] if duplicate else cells[:i] + cells[i + 1:]
        out.append(sep.join(cells))
    return "\n".join(out)


def mutate_text(rng: random.Random, target: Target, text: str) -> str:
    """One text-level mutation, chosen at random among those that suit the kind of file."""
    lines = _lines(text)
    choices = ["value_huge", "value_odd", "unicode", "line_dup", "line_drop", "blank", "crlf", "long_value"]
    if target.yaml:
        choices += ["yaml_bit", "yaml_bit", "yaml_dup_key", "yaml_alias", "yaml_laughs", "yaml_deep", "yaml_indent",
                    "yaml_hex"]
    else:
        choices += ["col_drop", "col_dup", "swap_delim", "extra_cell", "quote", "long_cell", "header_case"]
    kind = rng.choice(choices)
    if kind == "value_huge":
        return _replace_value(rng, text, HUGE)
    if kind == "value_odd":
        return _replace_value(rng, text, ODD)
    if kind == "unicode":
        form = rng.choice(["NFD", "NFKD", "zw", "rtl", "nul", "bom"])
        if form in ("NFD", "NFKD"):
            return unicodedata.normalize(form, text)
        mark = {"zw": "\u200b", "rtl": "\u200f", "nul": "\x00", "bom": "\ufeff"}[form]
        at = rng.randrange(len(text) + 1)
        return text[:at] + mark + text[at:]
    if kind == "line_dup":
        i = rng.randrange(len(lines))
        return "\n".join(lines[:i + 1] + lines[i:])
    if kind == "line_drop":
        i = rng.randrange(len(lines))
        return "\n".join(lines[:i] + lines[i + 1:])
    if kind == "blank":
        i = rng.randrange(len(lines))
        return "\n".join(lines[:i] + [rng.choice(["", "   ", ",,,,", "\t"])] + lines[i:])
    if kind == "crlf":
        return text.replace("\n", rng.choice(["\r\n", "\r", "\n\n"]))
    if kind == "long_value":
        return _replace_value(rng, text, ["x" * rng.choice([400, 5000, 140_000]), "9" * 200_000])
    if kind == "yaml_bit":
        return _replace_value(rng, text, YAML_BITS)
    if kind == "yaml_dup_key":
        key = rng.choice([m.group(1) for m in re.finditer(r"^([a-z_]+):", text, re.M)] or ["name"])
        return text + f"{key}: {rng.choice(['0', 'x', '[]', '{}'])}\n"
    if kind == "yaml_alias":
        return text + rng.choice(["sources: &s [*s]\n", "x: &x {a: *x}\n", "description: *undefined\n",
                                  "<<: &m {budget_vnd: 1}\n"])
    if kind == "yaml_laughs":
        return text + billion_laughs(rng.choice([4, 7, 9]))
    if kind == "yaml_deep":
        depth = rng.choice([100, 1000, 5000])
        return text + rng.choice([f"description: {'[' * depth}{']' * depth}\n",
                                  "description:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(depth // 10))])
    if kind == "yaml_indent":
        i = rng.randrange(len(lines))
        lines[i] = rng.choice(["  ", "\t", ""]) + lines[i].lstrip()
        return "\n".join(lines)
    if kind == "yaml_hex":
        return re.sub(r"budget_vnd: \d+", "budget_vnd: " + rng.choice(["0x7fffffffffffffff", "1e400", "!!float 1e30",
                                                                     "99999999999999999999999"]), text, count=1)
    if kind == "col_drop":
        return _columns(rng, text, duplicate=False)
    if kind == "col_dup":
        return _columns(rng, text, duplicate=True)
    if kind == "swap_delim":
        sep = _delimiter(text)
        other = rng.choice([c for c in (",", ";", "\t", "|") if c != sep])
        if rng.random() < 0.5:
            return text.replace(sep, other)
        i = rng.randrange(len(lines))
        lines[i] = lines[i].replace(sep, other)
        return "\n".join(lines)
    if kind == "extra_cell":
        i = rng.randrange(1, max(2, len(lines)))
        if i < len(lines) and lines[i]:
            lines[i] += _delimiter(text) + rng.choice(["x", "", "cut note"])
        return "\n".join(lines)
    if kind == "quote":
        at = rng.randrange(len(text) + 1)
        return text[:at] + '"' + text[at:]
    if kind == "long_cell":
        return _replace_value(rng, text, ["y" * 140_000, '"' + "z" * 131_073 + '"'])
    if kind == "header_case":
        return lines[0].upper() + "\n" + "\n".join(lines[1:])
    return text


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    kind = rng.choice(["flip", "truncate", "latin1", "insert", "nul"])
    data = bytearray(data)
    if kind == "flip" and data:
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == "truncate":
        del data[rng.randrange(len(data) + 1):]
    elif kind == "latin1":
        data += rng.choice([b"# caf\xe9\n", b"\xff\xfe", b"\x80"])
    elif kind == "insert":
        at = rng.randrange(len(data) + 1)
        data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    elif kind == "nul":
        at = rng.randrange(len(data) + 1)
        data[at:at] = b"\x00"
    return bytes(data)


def mutate(rng: random.Random, target: Target) -> bytes:
    """The target's text with one to three mutations, as bytes (mostly UTF-8)."""
    text = target.text
    steps = rng.choice([1, 1, 1, 2, 3])
    data = None
    for _ in range(steps):
        if rng.random() < 0.25:
            data = mutate_bytes(rng, (data if data is not None else text.encode("utf-8")))
        else:
            base = data.decode("utf-8", "replace") if data is not None else text
            text, data = mutate_text(rng, target, base), None
    return data if data is not None else text.encode("utf-8")


# ---------------------------------------------------------------- running one

class Hang(BaseException):
    """Raised by the alarm when one run takes too long (BaseException: no `except Exception` hides it)."""


@dataclass
class Outcome:
    target: str
    verdict: str  # ok | clean | traceback | hang | messy | wrote
    code: int | None
    detail: str = ""
    seconds: float = 0.0
    data: bytes = field(default=b"", repr=False)


def _on_alarm(signum, frame):  # noqa: ARG001
    raise Hang()


def _written(folder: Path) -> list[str]:
    out = folder / "out"
    return sorted(str(p.relative_to(folder)) for p in out.rglob("*") if p.is_file()) if out.exists() else []


def run_one(target: Target, data: bytes, folder: Path, timeout: float = 5.0) -> Outcome:
    """Write the inputs to ``folder`` (the target's file mutated) and run its command in process."""
    from sim.cli.main import main

    for other in TARGETS:
        if other.name not in ("roster",):
            (folder / other.file).write_bytes(other.text.encode("utf-8"))
    (folder / "roster.csv").write_bytes(ROSTER.encode("utf-8"))
    (folder / target.file).write_bytes(data)
    argv = command(target, folder)
    stdout, stderr = io.StringIO(), io.StringIO()
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    started = time.perf_counter()
    code, verdict, detail = None, "", ""
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(argv)
    except Hang:
        verdict, detail = "hang", f"over {timeout:g} s"
    except SystemExit as exc:  # argparse
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException as exc:  # noqa: BLE001 - what the fuzzer looks for
        frames = traceback.extract_tb(exc.__traceback__)
        where = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames) if "/sim/" in f.filename), "?")
        verdict, detail = "traceback", f"{type(exc).__name__} at {where}: {str(exc)[:200]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    seconds = time.perf_counter() - started
    if not verdict:
        message = stderr.getvalue() or (stdout.getvalue() if target.name == "roster" else "")
        lines = message.splitlines()
        if code == 0:
            verdict = "ok"
        elif code not in (2, 3) and not (target.name == "roster" and code == 2):
            verdict, detail = "traceback", f"exit {code}: {message[:200]}"
        elif (len(lines) > MAX_LINES and stderr.getvalue()  # roster check's report on stdout may list every row to fix
              or any(len(line) > MAX_WIDTH for line in lines) or not message.strip()):
            verdict = "messy"
            detail = f"{len(lines)} lines, longest {max(map(len, lines), default=0)}: {message[:200]!r}"
        elif target.name != "roster" and _written(folder):
            verdict, detail = "wrote", ", ".join(_written(folder))
        else:
            verdict = "clean"
    return Outcome(target.name, verdict, code, detail, seconds, data)


def _clear(folder: Path) -> None:
    import shutil

    for path in folder.iterdir():
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def fuzz(runs: int, seed: int, timeout: float = 5.0, targets: tuple[Target, ...] = TARGETS):
    """Yield the outcome of ``runs`` mutated inputs, the same ones for the same seed."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="sim-fuzz-") as tmp:
        folder = Path(tmp)
        for i in range(runs):
            target = targets[i % len(targets)]
            data = mutate(rng, target)
            _clear(folder)
            yield run_one(target, data, folder, timeout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds before a run counts as a hang")
    parser.add_argument("--show", type=int, default=10, help="how many distinct failures to describe")
    parser.add_argument("--save", type=Path, help="folder to keep the failing inputs in")
    args = parser.parse_args(argv)
    import logging
    logging.disable(logging.CRITICAL)
    counts: Counter = Counter()
    per_target: Counter = Counter()
    failures: dict[str, Outcome] = {}
    started = time.perf_counter()
    for n, outcome in enumerate(fuzz(args.runs, args.seed, args.timeout), start=1):
        counts[outcome.verdict] += 1
        if outcome.verdict not in ("ok", "clean"):
            per_target[outcome.target] += 1
            key = outcome.verdict + " " + re.sub(r"'.*", "", outcome.detail)[:80]
            failures.setdefault(key, outcome)
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"{n:05d}-{outcome.target}-{outcome.verdict}").write_bytes(outcome.data)
    bad = sum(v for k, v in counts.items() if k not in ("ok", "clean"))
    print(f"runs {args.runs}, seed {args.seed}, {time.perf_counter() - started:.0f} s")
    print(f"clean errors {counts['clean']}, valid (exit 0) {counts['ok']}, tracebacks {counts['traceback']}, "
          f"hangs {counts['hang']}, messy messages {counts['messy']}, output written on failure {counts['wrote']}")
    print(f"failures {bad} ({100 * bad / max(args.runs, 1):.1f}%)" + (f" by input: {dict(per_target)}" if bad else ""))
    for key, outcome in list(failures.items())[:args.show]:
        print(f"  [{outcome.target}] {outcome.verdict}: {outcome.detail[:240]}")
    if len(failures) > args.show:
        print(f"  ... {len(failures) - args.show} more kinds of failure")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
