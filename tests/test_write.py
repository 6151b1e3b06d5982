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
