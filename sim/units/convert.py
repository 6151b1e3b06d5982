"""Old units (before 1 July 2025) to the communes of 2025, one to one or not at all.

A row names an old unit by commune + district (+ province), or by a district alone. It is
*converted* when the old unit lies wholly inside one new commune (several old communes merged
into one is still one to one for the row). It is *listed, not converted* when:

- ``split``: the old commune was divided among several new communes (Resolution 1656/NQ-UBTVQH15);
- ``many_communes``: a district alone, whose communes went to several new communes;
- ``ambiguous``: the name fits units of several old provinces (Châu Thành was a district of both
  Long An and Tây Ninh): name the province;
- ``unknown``: no old unit of the province has that name.

Listed rows keep their old text behind the mark ``[chọn xã mới]`` ("choose the new commune"), so
that reading the file against a commune areas file stops on them until the analyst writes the
chosen commune (the old district "Đức Hòa" must not pass for the new "Xã Đức Hòa"): nothing is
guessed, nothing is dropped.

>>> from sim.units.catalogue import find_province
>>> walk = Crosswalk(find_province("Tây Ninh"))
>>> m = walk.lookup("Mỹ Hạnh Nam", "Đức Hòa", "Long An")
>>> m.status, m.new.code, m.new.full_name
('converted', '27976', 'Xã Mỹ Hạnh')
>>> m = walk.lookup("Đức Hòa Thượng", "Đức Hòa", "Long An")
>>> m.status, [c.full_name for c in m.candidates]
('split', ['Xã Mỹ Hạnh', 'Xã Đức Lập'])
>>> walk.lookup("", "Châu Thành", "").status
'ambiguous'
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.read.errors import input_error
from sim.read.names import match_key, nearest
from sim.read.tables import RawTable, read_raw
from sim.units.catalogue import (Commune, ProvinceInfo, commune_by_vau_key, communes, crosswalk, find_province,
                                 old_units, province_key)

CONVERTED, UNCHANGED, BLANK = "converted", "unchanged", "blank"
SPLIT, MANY, AMBIGUOUS, UNKNOWN = "split", "many_communes", "ambiguous", "unknown"
LISTED = (SPLIT, MANY, AMBIGUOUS, UNKNOWN)
CHOOSE = "[chọn xã mới] "  # written before the old text of a listed row ("choose the new commune")

# kind -> the column naming the area (the roster's is found through its header aliases)
AREA_COLUMN = {"students": "district", "deliveries": "district", "donations": "earmark_district", "roster": None}
KINDS = tuple(AREA_COLUMN)
COMMUNE_HEADERS = ("commune", "ward", "xã", "xã/phường", "phường/xã", "xã, phường", "old_commune")
PROVINCE_HEADERS = ("province", "tỉnh", "tỉnh/thành phố", "old_province")

TEXT = {
    "title": {"vi": "Chuyển đơn vị hành chính cũ sang xã/phường năm 2025 ({province})",
              "en": "Old administrative units to the communes of 2025 ({province})"},
    "rows": {"vi": "{file}: {rows} dòng", "en": "{file}: {rows} rows"},
    CONVERTED: {"vi": "đã chuyển sang xã/phường mới", "en": "converted to a new commune"},
    UNCHANGED: {"vi": "đã là xã/phường mới, giữ nguyên", "en": "already a new commune, kept"},
    BLANK: {"vi": "để trống, giữ nguyên", "en": "blank, kept"},
    SPLIT: {"vi": "xã cũ bị chia cho nhiều xã mới: cần chọn", "en": "old commune split among new communes: choose"},
    MANY: {"vi": "chỉ ghi huyện, huyện nay thuộc nhiều xã mới: cần chọn",
           "en": "a district alone, now many new communes: choose"},
    AMBIGUOUS: {"vi": "tên có ở nhiều tỉnh cũ: ghi rõ tỉnh", "en": "the name fits several old provinces: name the province"},
    UNKNOWN: {"vi": "không tìm thấy đơn vị cũ", "en": "no such old unit"},
    "listed": {"vi": "{n} dòng chưa chuyển, ghi '[chọn xã mới] tên cũ': chọn xã/phường mới (xem cột candidates trong {report})",
               "en": "{n} rows not converted, written '[chọn xã mới] old name': choose their new commune (see the candidates column of {report})"},
    "examples": {"vi": "Ví dụ", "en": "For example"},
}


def _t(key: str, **values: object) -> str:
    from sim.views.i18n import get_language

    texts = TEXT[key]
    return texts.get(get_language(), texts["vi"]).format(**values)


@dataclass(frozen=True)
class Mapping:
    """What one old unit becomes."""

    status: str
    old: str = ""  # the old unit as recognised: "Xã Mỹ Hạnh Nam, Huyện Đức Hòa, Tỉnh Long An"
    new: Commune | None = None
    candidates: tuple[Commune, ...] = ()
    note: str = ""


class Crosswalk:
    """Old communes and districts of the provinces merged into ``province`` -> its new communes."""

    def __init__(self, province: ProvinceInfo, old_province: str | None = None):
        self.province = province
        new_key = province_key(province)
        data = crosswalk()
        by_key = commune_by_vau_key(province.code)
        self.whole: dict[str, Commune] = {}  # old key -> new commune it lies wholly in
        for ward_key, olds in data["DICT_PROVINCE_WARD_NO_DIVIDED"].get(new_key, {}).items():
            for old in olds:
                self.whole[old] = by_key[ward_key]
        self.split: dict[str, tuple[Commune, ...]] = {
            old: tuple(sorted((by_key[w["newWardKey"]] for w in parts), key=lambda c: match_key(c.name)))
            for old, parts in data["DICT_PROVINCE_WARD_DIVIDED"].get(new_key, {}).items()}
        old_keys = data["DICT_PROVINCE"][new_key]
        units = old_units()
        units = units[units["provinceKey"].isin(old_keys)]
        self.units = units
        self.provinces: dict[str, str] = {}  # match key / code -> old province key
        self.districts: dict[str, dict[str, str]] = {}  # old province key -> match key / code -> district key
        self.wards: dict[tuple[str, str], dict[str, str]] = {}  # (province, district) -> match key / code -> ward key
        self.label: dict[tuple, str] = {}
        for r in units.itertuples():
            for form in (r.province, r.provinceShort):
                self.provinces[match_key(form)] = r.provinceKey
            self.label[(r.provinceKey,)] = r.province
            names = self.districts.setdefault(r.provinceKey, {})
            for form in (r.district, r.districtShort, str(r.districtCode).lstrip("0")):
                names[match_key(form)] = r.districtKey
            self.label[(r.provinceKey, r.districtKey)] = r.district
            if isinstance(r.wardKey, str) and r.wardKey:
                wards = self.wards.setdefault((r.provinceKey, r.districtKey), {})
                for form in (r.ward, r.wardShort, r.wardCode):
                    if isinstance(form, str) and form:
                        wards[match_key(form.lstrip("0") if form.isdigit() else form)] = r.wardKey
                self.label[(r.provinceKey, r.districtKey, r.wardKey)] = r.ward
        self.new_names: dict[str, Commune] = {}
        for c in communes(province.code):
            for form in (c.name, c.full_name, c.code, str(int(c.code))):
                self.new_names[match_key(form)] = c
        self.default_province = self._old_province(old_province) if old_province else None

    def _old_province(self, text: str) -> str:
        key = self.provinces.get(match_key(text))
        if key is None:
            olds = sorted({self.label[(k,)] for k in self.provinces.values()})
            raise input_error("--old-province", f"not an old province now part of {self.province.name}", value=text,
                              expected=" or ".join(olds))
        return key

    def _where(self, *keys: str) -> str:
        parts = [self.label[tuple(keys[:i])] for i in range(len(keys), 0, -1)]
        return ", ".join(parts)

    def lookup(self, commune: str, district: str, province: str = "") -> Mapping:
        """The new commune of an old unit; ``commune`` may be empty (a district alone)."""
        commune, district, province = (" ".join(str(x or "").split()) for x in (commune, district, province))
        if not district and not commune:
            return Mapping(BLANK)
        asked = ", ".join(x for x in (commune, district, province) if x)
        if province:
            key = self.provinces.get(match_key(province))
            if key is None:
                return Mapping(UNKNOWN, note=f"'{province}' is not an old province now part of {self.province.name}")
            keys = [key]
        else:
            keys = [self.default_province] if self.default_province else sorted(self.districts)
        found = [(p, self.districts[p][match_key(district)]) for p in keys if match_key(district) in self.districts[p]]
        if not found:
            if not commune and match_key(district) in self.new_names:
                return Mapping(UNCHANGED, new=self.new_names[match_key(district)])
            every = sorted({self.label[(p, d)] for p in keys for d in self.districts[p].values()})
            guess = nearest(district, every)
            return Mapping(UNKNOWN, note=f"no old district '{district}'" + (f"; did you mean '{guess}'?" if guess else ""))
        if len(found) > 1:
            return Mapping(AMBIGUOUS, note=f"'{district}' was a district of " +
                           " and of ".join(self._where(p) for p, _ in found) + ": add the old province")
        (pk, dk), = found
        if not commune:
            return self._district(pk, dk)
        wards = self.wards.get((pk, dk), {})
        wk = wards.get(match_key(commune))
        if wk is None:
            guess = nearest(commune, sorted({self.label[(pk, dk, w)] for w in wards.values()}))
            return Mapping(UNKNOWN, note=f"no old commune '{commune}' in {self._where(pk, dk)}" +
                           (f"; did you mean '{guess}'?" if guess else ""))
        old = f"{pk}_{dk}_{wk}"
        where = self._where(pk, dk, wk)
        if old in self.whole:
            return Mapping(CONVERTED, where, self.whole[old])
        if old in self.split:
            return Mapping(SPLIT, where, candidates=self.split[old], note="divided by Resolution 1656/NQ-UBTVQH15")
        return Mapping(UNKNOWN, where, note=f"the crosswalk has no new commune for {asked}")

    def _district(self, pk: str, dk: str) -> Mapping:
        prefix = f"{pk}_{dk}_"
        news = {old: c for old, c in self.whole.items() if old.startswith(prefix)}
        splits = {old: cs for old, cs in self.split.items() if old.startswith(prefix)}
        targets = {c.code: c for c in news.values()} | {c.code: c for cs in splits.values() for c in cs}
        where = self._where(pk, dk)
        note = ""
        also = self.new_names.get(match_key(self.label[(pk, dk)].split(" ", 1)[-1]))
        if also is not None:
            note = f"'{also.full_name}' is also a commune of 2025: if the row means it, the file is already in new units"
        if len(targets) == 1 and not splits:
            return Mapping(CONVERTED, where, next(iter(targets.values())), note=note)
        ordered = tuple(sorted(targets.values(), key=lambda c: match_key(c.name)))
        return Mapping(MANY, where, candidates=ordered, note=note)


def _find_header(header: list[str], names: tuple[str, ...]) -> str | None:
    keys = {match_key(n) for n in names}
    return next((h for h in header if match_key(h) in keys), None)


def _area_header(table: RawTable, kind: str) -> str:
    if kind not in AREA_COLUMN:
        raise input_error(table.path, "unknown kind of file", value=kind, expected=" or ".join(KINDS))
    wanted = AREA_COLUMN[kind]
    if wanted is None:
        from sim.roster.schema import HEADER_ALIASES, header_key

        found = next((h for h in table.header if HEADER_ALIASES.get(header_key(h)) == "district"), None)
    else:
        found = wanted if wanted in table.header else None
    if found is None:
        raise input_error(table.path, "the column naming the old district is missing", row=1, column=wanted or "district",
                          expected=f"the {kind} file's district column", hint=f"Found: {','.join(table.header)}")
    return found


@dataclass
class Converted:
    """A table with its old units converted, and the report of every row.

    ``header``: the column names the rows' cells are keyed by (as read: trimmed, lower case);
    ``written``: the same columns as the file wrote them, the header row of the converted file, so
    that it keeps the school's headers exactly (spelling, case, order): only the area column's
    values change, and no column is added."""

    path: Path
    province: ProvinceInfo
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    report: pd.DataFrame
    column: str = ""
    counts: Counter = field(default_factory=Counter)
    written: list[str] = field(default_factory=list)

    @property
    def listed(self) -> int:
        return sum(self.counts[s] for s in LISTED)

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.written if len(self.written) == len(self.header) else self.header)
        for _, cells in self.rows:
            writer.writerow([cells.get(h, "") for h in self.header])
        return out.getvalue()

    def write(self, out: str | Path, report: str | Path | None = None) -> list[Path]:
        from sim.results.write import write_atomic

        out = Path(out)
        if out.suffix.casefold() != ".csv":
            raise input_error(out, "the converted file is written as CSV", value=out.name, expected="a name ending in .csv")
        written = [write_atomic(out, self.csv_text())]
        if report is not None:
            written.append(write_atomic(Path(report), report_csv(self.report)))
        return written

    def text(self, report_name: str = "report") -> str:
        """A few lines for the analyst, Vietnamese first (SIM_LANG=en for English)."""
        lines = [_t("title", province=self.province.name), _t("rows", file=self.path.name, rows=len(self.rows))]
        for status in (CONVERTED, UNCHANGED, BLANK, *LISTED):
            if self.counts[status]:
                lines.append(f"  {self.counts[status]:>6}  {_t(status)}")
        moved = self.report[self.report["status"] == CONVERTED]
        if len(moved):
            lines.append(_t("examples") + ":")
            pairs = moved.drop_duplicates(["old_unit", "new_commune"]).head(5)
            lines += [f"  {o} -> {n}" for o, n in zip(pairs["old_unit"], pairs["new_commune"])]
        if self.listed:
            lines.append(_t("listed", n=self.listed, report=report_name))
        return "\n".join(lines)


REPORT_COLUMNS = ["row", "column", "status", "given", "old_unit", "new_code", "new_commune", "candidates", "note"]


def report_csv(report: pd.DataFrame) -> str:
    """A conversion report as the analyst opens it: the format's columns and status codes, the
    ``note`` of each row in the current language (Vietnamese unless ``SIM_LANG=en``)."""
    from sim.locale import translate_error

    notes = report["note"].map(lambda note: translate_error(note) if isinstance(note, str) and note else note)
    return report.assign(note=notes).to_csv(index=False, lineterminator="\n")


def convert_table(table: RawTable, kind: str, province: ProvinceInfo | str, *,
                  old_province: str | None = None, walk: Crosswalk | None = None) -> Converted:
    """Convert a table read by ``sim.read.tables.read_raw``: the area column gets the new commune's
    name (as ``sim areas`` writes it) where the old unit maps to one commune; other rows keep
    their text and are listed in the report with their candidates."""
    province = province if isinstance(province, ProvinceInfo) else find_province(province)
    walk = walk or Crosswalk(province, old_province)
    area = _area_header(table, kind)
    shown = dict(zip(table.header, table.written_header))[area]  # the area column as the file names it, for the report
    commune_col = _find_header(table.header, COMMUNE_HEADERS)
    province_col = _find_header(table.header, PROVINCE_HEADERS)
    rows, report, counts = [], [], Counter()
    for number, cells in table.rows:
        given = [cells.get(commune_col, "") if commune_col else "", cells.get(area, ""),
                 cells.get(province_col, "") if province_col else ""]
        m = walk.lookup(*given)
        counts[m.status] += 1
        new_cells = dict(cells)
        if m.status in (CONVERTED, UNCHANGED):
            new_cells[area] = m.new.name
            if commune_col:
                new_cells[commune_col] = ""
        elif m.status in LISTED:  # marked, so that it can match no area: "Đức Hòa" the old district is not Xã Đức Hòa
            new_cells[area] = f"{CHOOSE}{cells.get(area, '')}"
        rows.append((number, new_cells))
        if m.status != BLANK:
            report.append({"row": number, "column": shown, "status": m.status,
                           "given": ", ".join(x for x in given if x), "old_unit": m.old,
                           "new_code": m.new.code if m.new else "", "new_commune": m.new.full_name if m.new else "",
                           "candidates": "; ".join(f"{c.full_name} ({c.code})" for c in m.candidates), "note": m.note})
    return Converted(table.path, province, list(table.header), rows, pd.DataFrame(report, columns=REPORT_COLUMNS),
                     area, counts, table.written_header)


def convert_file(path: str | Path, kind: str, province: ProvinceInfo | str, *, old_province: str | None = None) -> Converted:
    """``convert_table`` of a CSV or XLSX file."""
    return convert_table(read_raw(path), kind, province, old_province=old_province)


class OldUnits:
    """Places records that name a former district (a ledger's deliveries) on the 2025 commune of
    an areas file, when that district lies wholly in one commune; lists the rest. ``rows`` is the
    conversion report."""

    def __init__(self, walk: Crosswalk, index):
        self.walk, self.index = walk, index
        self.rows: list[dict] = []

    @classmethod
    def for_areas(cls, areas: pd.DataFrame, index) -> "OldUnits | None":
        """None unless ``areas`` lists the 2025 communes of one province."""
        from sim.units.catalogue import detect

        province = detect(areas)
        return None if province is None else cls(Crosswalk(province), index)

    def place(self, record_id: str, column: str, district: str, quantity: int = 0):
        """(area code, None) when placed; (None, (message, expected, hint)) otherwise."""
        m = self.walk.lookup("", district, "")
        area = self.index.find(m.new.code) if m.new is not None else None
        self.rows.append({"record": record_id, "column": column, "given": district, "quantity": quantity,
                          "status": m.status if m.status != UNCHANGED else CONVERTED, "old_unit": m.old,
                          "new_code": m.new.code if m.new else "", "new_commune": m.new.full_name if m.new else "",
                          "candidates": "; ".join(f"{c.full_name} ({c.code})" for c in m.candidates), "note": m.note})
        if area is not None:
            return area, None
        if m.candidates:
            return None, (f"'{district}' is a former unit that is now several communes ({_t(m.status)})",
                          "one of " + ", ".join(c.full_name for c in m.candidates),
                          "Write the commune that received the devices (sim convert-units lists every row)")
        return None, ("unknown district", "a commune of the areas file or a former district of the province", m.note or None)

    def clash(self, text: str):
        """(message, expected, hint) when a bare name is both a 2025 commune and a former district."""
        if match_key(text) not in {match_key(c.name) for c in communes(self.walk.province.code)}:
            return None  # "Xã Đức Hòa" or a code says which
        m = self.walk.lookup("", text, "")
        if m.status not in (CONVERTED, MANY, AMBIGUOUS):
            return None
        return (f"'{text}' names both a commune of 2025 and a former district ({m.old or text})",
                f"'{self.walk.new_names[match_key(text)].full_name}' or the code for the commune, "
                "or the commune that received them", "A bare name is not guessed")

    def report(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["record", "column", "given", "quantity", "status", "old_unit", "new_code",
                                                "new_commune", "candidates", "note"])
