"""One atomic write (sim.results.write.write_atomic): whole or not at all, bytes as given."""

import os
import stat

import pytest

from sim.results.write import write_atomic


def test_text_is_written_byte_for_byte_with_the_bom_and_no_newline_translation(tmp_path):
    target = write_atomic(tmp_path / "a.csv", "tên,số\r\nAn Bình,1\n", encoding="utf-8-sig")
    assert target.read_bytes() == b"\xef\xbb\xbf" + "tên,số\r\nAn Bình,1\n".encode("utf-8")
    assert write_atomic(tmp_path / "b.bin", b"\x00\x01").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.bin"]


def test_a_failed_check_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "s.yaml"
    target.write_text("old\n")
    seen = []

    def check(tmp):
        seen.append((tmp.parent, tmp.read_text()))
        raise ValueError("bad")

    with pytest.raises(ValueError):
        write_atomic(target, "new\n", check=check)
    assert seen == [(tmp_path, "new\n")]
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["s.yaml"]


def test_permissions_follow_the_umask_unless_a_mode_is_given(tmp_path):
    old = os.umask(0o027)
    try:
        plain = write_atomic(tmp_path / "plain.txt", "x")
        shared = write_atomic(tmp_path / "shared.txt", "x", mode=0o644)
    finally:
        os.umask(old)
    assert stat.S_IMODE(plain.stat().st_mode) == 0o640
    assert stat.S_IMODE(shared.stat().st_mode) == 0o644


def test_a_missing_folder_fails_without_leaving_anything(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "no" / "a.txt", "x")
    assert list(tmp_path.iterdir()) == []


# ---- csv_text's quick path (issue 15): the same bytes as pandas' to_csv of the safe table

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import pandas as pd  # noqa: E402

from sim.results.cells import _quick_csv, csv_text, safe_frame  # noqa: E402

_TEXT = st.text(alphabet=st.sampled_from(list("ab ,;\"'=+-@\t\r\n.0123456789eEĐứcHòa\u00a0")), max_size=8)


@st.composite
def _tables(draw):
    rows = draw(st.integers(1, 6))
    names = draw(st.lists(st.one_of(_TEXT, st.integers(-3, 3)), min_size=1, max_size=4, unique=True))
    columns = {}
    for i, name in enumerate(names):
        kind = draw(st.sampled_from(["int", "str", "object", "float"]))
        if kind == "int":
            values = pd.array(draw(st.lists(st.integers(-2**63, 2**63 - 1), min_size=rows, max_size=rows)), dtype="int64")
        elif kind == "float":
            values = pd.array(draw(st.lists(st.floats(allow_nan=True), min_size=rows, max_size=rows)), dtype="float64")
        else:
            texts = draw(st.lists(_TEXT, min_size=rows, max_size=rows))
            values = pd.Series(texts, dtype=object if kind == "object" else "str")
        columns[i] = list(values) if kind == "object" else values
    frame = pd.DataFrame(columns)
    frame.columns = names  # possibly formula-like, or numbers
    return frame


@settings(max_examples=300, deadline=None)
@given(_tables())
def test_csv_text_is_pandas_text_of_the_safe_table(frame):
    assert csv_text(frame) == safe_frame(frame).to_csv(index=False, lineterminator="\n")


def test_the_quick_path_takes_whole_numbers_and_texts_only():
    plain = pd.DataFrame({"district": ["Đức Hòa", "=cmd", "-3"], "devices": [1, -2, 3]})
    assert _quick_csv(plain) == "district,devices\nĐức Hòa,1\n'=cmd,-2\n-3,3\n" == csv_text(plain)
    for other in (pd.DataFrame({"x": [1.5]}), pd.DataFrame({"x": ["a", None]}), pd.DataFrame({"x": pd.array([1, None], dtype="Int64")}),
                  pd.DataFrame({"x": [True]}), pd.DataFrame(columns=["x"])):
        assert _quick_csv(other) is None
