"""The 2025 units: `sim areas`, converting old units (one to one, or listed, never guessed), and
deliveries in former districts against a plan by commune."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.cli.main import main
from sim.ledger.donations import Delivery
from sim.ledger.replan import delivered_counts
from sim.read.errors import InputError, ScenarioError
from sim.read.tables import AreaIndex, read_areas, read_raw, read_students
from sim.units.catalogue import areas_table, detect, find_province
from sim.units.convert import CONVERTED, MANY, SPLIT, AMBIGUOUS, Crosswalk, OldUnits, convert_file, convert_table

ROOT = Path(__file__).resolve().parents[1]
TAY_NINH_AREAS = ROOT / "data" / "tayninh2025" / "areas.csv"


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_sim_areas_writes_the_96_communes_of_tay_ninh(tmp_path, capsys):
    assert main(["areas", "TAY NINH", "--out", str(tmp_path / "a.csv")]) == 0
    areas = read_areas(tmp_path / "a.csv")
    assert len(areas) == 96 and (areas["type"] == "Xã").sum() == 82 and (areas["type"] == "Phường").sum() == 14
    assert areas["population"].isna().all() and areas["lat"].notna().all()
    row = areas[areas["name"] == "Mỹ Hạnh"].iloc[0]
    assert (row["code"], row["lat"], row["lon"]) == ("27976", 10.8472, 106.482)
    assert "vietnam-provinces" in capsys.readouterr().out
    assert (tmp_path / "a.csv").read_bytes() == TAY_NINH_AREAS.read_bytes()  # the bundled file is this command's


def test_a_province_by_code_or_any_spelling():
    assert find_province("80") == find_province("tây ninh") == find_province("TAY NINH") == find_province("Tỉnh Tây Ninh")
    assert find_province("hồ chí minh").code == 79


@pytest.mark.parametrize("given, says", [("Long An", "now part of Tây Ninh"), ("Tay Nin", "Did you mean 'Tây Ninh'"),
                                         ("99", "34 provinces")])
def test_an_unknown_province_is_a_clear_error(tmp_path, capsys, given, says):
    assert main(["areas", given, "--out", str(tmp_path / "a.csv")]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert not (tmp_path / "a.csv").exists()


def test_the_areas_of_a_province_are_detected_and_the_long_an_districts_are_not():
    assert detect(read_areas(TAY_NINH_AREAS)).code == 80
    assert detect(read_areas(ROOT / "data" / "longan" / "areas.csv")) is None


def test_one_to_one_is_converted_and_a_split_commune_is_listed_not_guessed(tmp_path):
    path = _csv(tmp_path / "students.csv",
                "commune,district,province,grade,status,pupils,without_internet\n"
                "Xã Mỹ Hạnh Nam,Huyện Đức Hòa,Tỉnh Long An,9,poor,4,1\n"       # one to one: Xã Mỹ Hạnh
                "Đức Hòa Thượng,Đức Hòa,Long An,9,poor,3,0\n"                  # split: Đức Lập or Mỹ Hạnh
                ",Đức Hòa,Long An,9,poor,2,0\n"                                # a district alone
                ",Châu Thành,,9,poor,1,0\n")                                   # in Long An and in Tây Ninh
    done = convert_file(path, "students", "Tây Ninh")
    report = done.report.set_index("row")
    assert report.loc[2, "status"] == CONVERTED and report.loc[2, "new_code"] == "27976"
    assert report.loc[2, "old_unit"] == "Xã Mỹ Hạnh Nam, Huyện Đức Hòa, Tỉnh Long An"
    assert report.loc[3, "status"] == SPLIT and report.loc[3, "new_code"] == ""
    assert report.loc[3, "candidates"] == "Xã Mỹ Hạnh (27976); Xã Đức Lập (27964)"
    assert report.loc[4, "status"] == MANY and "Xã Hậu Nghĩa" in report.loc[4, "candidates"]
    assert report.loc[5, "status"] == AMBIGUOUS
    rows = dict(done.rows)
    assert rows[2]["district"] == "Mỹ Hạnh" and rows[3]["district"] == "[chọn xã mới] Đức Hòa"  # marked: Xã Đức Hòa is a 2025 commune
    assert done.listed == 3
    out, rep = tmp_path / "out.csv", tmp_path / "report.csv"
    done.write(out, rep)
    assert pd.read_csv(rep)["status"].tolist() == [CONVERTED, SPLIT, MANY, AMBIGUOUS]
    with pytest.raises(InputError, match="unknown district"):  # the plan stops until the analyst chooses
        read_students(out, read_areas(TAY_NINH_AREAS))
    rows[3]["district"] = "Đức Lập"  # the analyst's choice
    for r in (4, 5):
        rows[r]["district"] = "Hậu Nghĩa"
    done.write(out)
    students = read_students(out, read_areas(TAY_NINH_AREAS))
    assert students["pupils"].sum() == 10


def test_the_convert_units_command_writes_the_file_and_the_report(tmp_path, capsys):
    from sim.views import i18n

    i18n.set_language("vi")  # the report in Vietnamese, as an analyst sees it (conftest puts English back)
    path = _csv(tmp_path / "deliveries.csv", "delivery_id,date,district,device,quantity\n"
                "D1,2024-10-01,Đức Hòa,tablet,5\nD2,2024-10-02,Mỹ Hạnh,tablet,2\n")
    code = main(["convert-units", str(path), "--kind", "deliveries", "--province", "Tây Ninh", "--old-province", "Long An",
                 "--out", str(tmp_path / "out.csv"), "--report", str(tmp_path / "r.csv")])
    assert code == 0
    text = capsys.readouterr().out
    assert "1 dòng chưa chuyển" in text
    report = pd.read_csv(tmp_path / "r.csv", keep_default_na=False)
    assert report["status"].tolist() == [MANY, "unchanged"]  # codes, as the format says
    assert report["note"].tolist() == ["'Xã Đức Hòa' cũng là tên một đơn vị cấp xã từ năm 2025: nếu dòng này chỉ đơn vị "
                                       "đó thì tệp đã dùng đơn vị mới", ""]  # what the analyst reads: Vietnamese
    i18n.set_language("en")
    assert main(["convert-units", str(path), "--kind", "deliveries", "--province", "Tây Ninh", "--old-province", "Long An",
                 "--out", str(tmp_path / "out.csv"), "--report", str(tmp_path / "r.csv"), "--quiet"]) == 0
    assert pd.read_csv(tmp_path / "r.csv")["note"][0] == ("'Xã Đức Hòa' is also a commune of 2025: if the row means it, "
                                                          "the file is already in new units")


def test_a_delivery_to_a_former_district_is_placed_only_when_one_to_one():
    scenario = sim.load_scenario(ROOT / "data" / "scenarios" / "tayninh2025.yaml")
    areas = read_areas(TAY_NINH_AREAS)
    index = AreaIndex(areas)
    units = OldUnits.for_areas(areas, index)
    fine = [Delivery("D1", "2024-10-01", "Mỹ Hạnh", "tablet", 2, "")]
    assert delivered_counts(fine, [], scenario, index, Path("ledger"), units) == {("Mỹ Hạnh", "tablet"): 2}
    split = fine + [Delivery("D2", "2024-10-01", "Huyện Đức Hòa", "tablet", 5, "")]
    with pytest.raises(ScenarioError, match="D2: 'Huyện Đức Hòa' is a former unit") as caught:
        delivered_counts(split, [], scenario, index, Path("ledger"), units)
    assert "Xã Hậu Nghĩa" in str(caught.value)
    # a former district wholly in one 2025 unit is placed there, and reported
    quang_ngai = areas_table(find_province("Quảng Ngãi"))
    island = OldUnits.for_areas(quang_ngai, AreaIndex(quang_ngai))
    area, problem = island.place("D3", "district", "Huyện Lý Sơn", 4)
    assert problem is None and AreaIndex(quang_ngai).name_of[area] == "Lý Sơn"
    assert island.report()["status"].tolist() == [CONVERTED]


def test_a_bare_name_of_both_a_commune_and_a_former_district_is_not_guessed():
    scenario = sim.load_scenario(ROOT / "data" / "scenarios" / "tayninh2025.yaml")
    areas = read_areas(TAY_NINH_AREAS)
    index = AreaIndex(areas)
    units = OldUnits.for_areas(areas, index)
    bare = [Delivery("D1", "2024-10-01", "Đức Hòa", "tablet", 2, "")]
    with pytest.raises(ScenarioError, match="names both a commune of 2025 and a former district"):
        delivered_counts(bare, [], scenario, index, Path("ledger"), units)
    said = [Delivery("D1", "2024-10-01", "Xã Đức Hòa", "tablet", 2, "")]
    assert delivered_counts(said, [], scenario, index, Path("ledger"), units) == {("Đức Hòa", "tablet"): 2}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_converted_roster_keeps_the_headers_as_the_school_wrote_them(tmp_path, suffix):
    """Headers are matched in lower case, but the converted file is the school's: the same header
    text (spelling, case, order), the same cells, only the unit columns' values changed."""
    header = ["Mã học sinh", "Họ và tên", "Ngày sinh", "Trường", "Xã", "Quận/Huyện", "Lớp", "Hộ (nghèo/cận nghèo)",
              "Mồ côi do Covid-19", "Có máy tính", "Có internet", "SỐ ĐIỆN THOẠI", "Ghi chú"]
    rows = [["HS001", "Nguyễn Văn An", "01/02/2010", "THCS Mỹ Hạnh", "Mỹ Hạnh Nam", "Đức Hòa", "9", "nghèo", "không", "không",
             "có", "0901234567", "Lớp 9A"],
            ["HS002", "Trần Thị Bình", "03/04/2011", "THCS Đức Hòa", "", "Đức Hòa", "8", "cận nghèo", "không", "không",
             "không", "", ""]]
    path = tmp_path / f"roster{suffix}"
    if suffix == ".csv":
        _csv(path, "\n".join(",".join(r) for r in [header, *rows]) + "\n")
    else:
        from openpyxl import Workbook

        book = Workbook()
        for r in [header, *rows]:
            book.active.append(r)
        book.save(path)
    out, report = tmp_path / "roster_2025.csv", tmp_path / "report.csv"
    assert main(["convert-units", str(path), "--kind", "roster", "--province", "Tây Ninh", "--old-province", "Long An",
                 "--out", str(out), "--report", str(report), "--quiet"]) == 0
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(written.columns) == header
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(header)
    assert written["Quận/Huyện"].tolist() == ["Mỹ Hạnh", "[chọn xã mới] Đức Hòa"]  # converted; a district alone: listed
    assert written["Xã"].tolist() == ["", ""]  # the old commune is now the district column's new commune
    unchanged = [h for h in header if h not in ("Quận/Huyện", "Xã")]
    assert written[unchanged].values.tolist() == [[r[header.index(h)] for h in unchanged] for r in rows]
    assert pd.read_csv(report, dtype=str)["column"].tolist() == ["Quận/Huyện", "Quận/Huyện"]  # as the file names it
