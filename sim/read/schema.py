"""The input tables' columns as data: the reader, its error messages and the README use this."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | integer | number | grade | status | area
    required: bool  # must a value be given in every row?
    description: str
    unit: str = ""


AREAS = (
    Column("code", "text", True, "unique code of the area (GSO code for a district)"),
    Column("name", "text", True, "Vietnamese name, as the students file and scenarios spell it"),
    Column("type", "text", False, "kind of unit, e.g. Huyện, Thị xã, Thành phố, Xã, Phường"),
    Column("population", "integer", False, "population (for maps and context only)", "people"),
    Column("lat", "number", False, "latitude of the area's centre (for maps)", "degrees"),
    Column("lon", "number", False, "longitude of the area's centre (for maps)", "degrees"),
)

STUDENTS = (
    Column("district", "area", True, "name or code of an area in the areas file"),
    Column("grade", "grade", True, "1-12, or `higher` for college and university students"),
    Column("status", "status", True, "poor, near_poor or covid_orphan (highest priority the learner qualifies for)"),
    Column("pupils", "integer", True, "eligible learners with no computer", "learners"),
    Column("without_internet", "integer", True, "how many of those have no internet at home (0 to pupils)", "learners"),
)


def column_names(columns: tuple[Column, ...]) -> list[str]:
    return [c.name for c in columns]


# The columns' meanings and units in Vietnamese, for the manual's column tables (docs/hooks.py):
# column name -> (description, unit). Every column of AREAS and STUDENTS has one (tests/test_docs.py).
VIETNAMESE = {
    "areas": {
        "code": ("mã duy nhất của địa bàn (mã đơn vị hành chính của Tổng cục Thống kê đối với huyện)", ""),
        "name": ("tên tiếng Việt, viết như trong tệp học sinh và các kịch bản", ""),
        "type": ("loại đơn vị, ví dụ Huyện, Thị xã, Thành phố, Xã, Phường", ""),
        "population": ("dân số (chỉ để vẽ bản đồ và tham khảo)", "người"),
        "lat": ("vĩ độ của tâm địa bàn (để vẽ bản đồ)", "độ"),
        "lon": ("kinh độ của tâm địa bàn (để vẽ bản đồ)", "độ"),
    },
    "students": {
        "district": ("tên hoặc mã của một địa bàn trong tệp địa bàn", ""),
        "grade": ("lớp 1–12, hoặc `higher` cho sinh viên cao đẳng, đại học", ""),
        "status": ("poor (hộ nghèo), near_poor (hộ cận nghèo) hoặc covid_orphan (mồ côi do Covid-19): "
                   "diện ưu tiên cao nhất mà người học thuộc về", ""),
        "pupils": ("số người học đủ điều kiện chưa có máy tính", "người học"),
        "without_internet": ("trong số đó, bao nhiêu em chưa có internet ở nhà (từ 0 đến pupils)", "người học"),
    },
}


# The columns' short Vietnamese names, which messages show after the identifier the file's header
# uses: "cột 'district' (huyện)" (sim.read.errors.column_words). Every column has one (tests/test_i18n_read.py).
VIETNAMESE_NAMES = {
    "areas": {"code": "mã địa bàn", "name": "tên địa bàn", "type": "loại đơn vị", "population": "dân số",
              "lat": "vĩ độ", "lon": "kinh độ"},
    "students": {"district": "huyện", "grade": "lớp", "status": "đối tượng", "pupils": "số người học",
                 "without_internet": "số em chưa có internet"},
}
