"""Provinces and communes of 2025, read offline from two packages.

- ``vietnam-provinces``: the 34 provinces and 3,321 communes, wards and special zones with the
  statistics office's codes (the codes an areas file written here uses);
- ``vietnamadminunits``: each new unit's coordinates, and the crosswalk from the 63 old
  provinces' communes (its data files are read directly: importing that package would load a
  geocoder this toolkit never uses).

The two packages do not always agree on codes, so they are joined by province and name.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.read.errors import input_error
from sim.read.names import ascii_fold, match_key, nearest

PACKAGES = ("vietnam-provinces", "vietnamadminunits")
TYPE_LABELS = {"xã": "Xã", "phường": "Phường", "đặc khu": "Đặc khu"}


def _join_key(name: object) -> str:
    """match_key, with the dashes and apostrophes the two packages write differently made equal."""
    text = str(name)
    for odd, plain in (("–", "-"), ("—", "-"), ("’", "'"), ("‘", "'")):
        text = text.replace(odd, plain)
    return match_key(text.replace(" - ", "-").replace("- ", "-").replace(" -", "-"))


@dataclass(frozen=True)
class Commune:
    """A commune-level unit of 2025."""

    code: str  # statistics office code, 5 digits
    name: str  # without its type: "Mỹ Hạnh"
    type: str  # "Xã", "Phường" or "Đặc khu"
    province_code: int
    lat: float | None
    lon: float | None

    @property
    def full_name(self) -> str:
        return f"{self.type} {self.name}"


@dataclass(frozen=True)
class ProvinceInfo:
    code: int
    name: str  # "Tây Ninh", "Thành phố Hồ Chí Minh"


def versions() -> dict[str, str]:
    """The unit lists' packages and versions (with vietnam-provinces' data date)."""
    import vietnam_provinces

    out = {}
    for package in PACKAGES:
        out[package] = importlib.metadata.version(package)
    out["vietnam-provinces"] += f" (data {vietnam_provinces.__data_version__})"
    return out


def provinces() -> list[ProvinceInfo]:
    from vietnam_provinces import Province

    return sorted((ProvinceInfo(int(p.code), p.name) for p in Province.iter_all()), key=lambda p: p.code)


def _short(name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def find_province(text: object, *, file: str = "", column: str | None = None) -> ProvinceInfo:
    """A province of 2025 by code or by name (any case, tone-mark placement, with or without
    'Tỉnh'/'Thành phố', or without marks at all). InputError with suggestions otherwise."""
    given = str(text).strip()
    every = provinces()
    if given.isdigit():
        for p in every:
            if p.code == int(given):
                return p
    keys: dict[str, ProvinceInfo] = {}
    for p in every:
        for form in (p.name, _short(p.name), f"Tỉnh {_short(p.name)}", f"TP {_short(p.name)}", f"TP. {_short(p.name)}"):
            keys[match_key(form)] = p
    if match_key(given) in keys:
        return keys[match_key(given)]
    folded = {ascii_fold(k): p for k, p in keys.items()}
    hits = {p.code: p for k, p in folded.items() if k == ascii_fold(given)}
    if len(hits) == 1:
        return next(iter(hits.values()))
    merged = former_province(given)
    if merged is not None:
        raise input_error(file or "province", "this is a province of before 1 July 2025", column=column, value=given,
                          expected="a province of 2025", hint=f"It is now part of {merged.name}: use '{merged.name}'")
    guess = nearest(_short(given), [_short(p.name) for p in every])
    listing = ", ".join(f"{p.code} {p.name}" for p in every)
    raise input_error(file or "province", "no province of 2025 has this name or code", column=column, value=given,
                      expected="one of the 34 provinces since 1 July 2025, by name or code",
                      hint=(f"Did you mean '{guess}'? " if guess else "") + "The 34: " + listing)


def _vau_data() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("vietnamadminunits is not installed: pip install -e . installs it")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@functools.cache
def crosswalk() -> dict:
    """vietnamadminunits' crosswalk: DICT_PROVINCE (new province key -> old province keys),
    DICT_PROVINCE_WARD_NO_DIVIDED (new province key -> new ward key -> old
    'province_district_ward' keys wholly in it) and DICT_PROVINCE_WARD_DIVIDED (new province key
    -> old key of a split commune -> its new wards)."""
    return json.loads((_vau_data() / "converter_2025.json").read_text(encoding="utf-8"))


def _dataset():
    """vietnamadminunits' database, read-only (sqlite3 imported here: ``sim run`` only asks whether
    the areas are communes, tests/test_imports.py)."""
    import sqlite3

    return sqlite3.connect(f"file:{_vau_data() / 'dataset.db'}?mode=ro", uri=True)


@functools.cache
def _province_keys() -> dict[int, str]:
    """New province code -> vietnamadminunits' province key ('tinhtayninh')."""
    with _dataset() as db:
        return {int(c): k for c, k in db.execute("SELECT DISTINCT provinceCode, provinceKey FROM admin_units")}


def province_key(province: ProvinceInfo) -> str:
    return _province_keys()[province.code]


@functools.cache
def old_units() -> pd.DataFrame:
    """Every commune of the 63 old provinces (before 1 July 2025), with its district and province."""
    with _dataset() as db:
        return pd.read_sql_query(
            "SELECT province, provinceShort, provinceKey, provinceCode, district, districtShort, districtType, "
            "districtKey, districtCode, ward, wardShort, wardType, wardKey, wardCode FROM admin_units_legacy", db)


def former_province(text: object) -> ProvinceInfo | None:
    """The 2025 province an old province's name (``Long An``) is now part of, or None."""
    old = old_units()
    names = {}
    for name, short, key in zip(old["province"], old["provinceShort"], old["provinceKey"]):
        names[match_key(name)] = names[match_key(short)] = key
        names[ascii_fold(short)] = key
    key = names.get(match_key(text)) or names.get(ascii_fold(text))
    if key is None:
        return None
    new_key = next((new for new, olds in crosswalk()["DICT_PROVINCE"].items() if key in olds), None)
    code = next((c for c, k in _province_keys().items() if k == new_key), None)
    return next((p for p in provinces() if p.code == code), None)


@functools.cache
def _coordinates() -> dict[tuple[int, str], tuple[float, float, str]]:
    """(province code, join key of the full name) -> (lat, lon, vietnamadminunits' ward key)."""
    with _dataset() as db:
        rows = db.execute("SELECT provinceCode, ward, wardLat, wardLon, wardKey FROM admin_units").fetchall()
    return {(int(p), _join_key(w)): (lat, lon, key) for p, w, lat, lon, key in rows}


@functools.cache
def communes(province_code: int) -> tuple[Commune, ...]:
    """The province's communes, wards and special zones, by code."""
    from vietnam_provinces import Ward

    coords = _coordinates()
    out = []
    for ward in Ward.iter_by_province(province_code):
        kind = TYPE_LABELS[ward.division_type.value]
        name = ward.name[len(kind) + 1:] if ward.name.startswith(kind + " ") else ward.name
        lat, lon, _ = coords.get((province_code, _join_key(ward.name)), (None, None, None))
        out.append(Commune(f"{int(ward.code):05d}", name, kind, province_code, lat, lon))
    return tuple(sorted(out, key=lambda c: c.code))


@functools.cache
def commune_by_vau_key(province_code: int) -> dict[str, Commune]:
    """vietnamadminunits' ward key ('xamyhanh') -> the commune, within one province."""
    coords = _coordinates()
    by_name = {_join_key(c.full_name): c for c in communes(province_code)}
    return {key: by_name[name] for (p, name), (_, _, key) in coords.items() if p == province_code and name in by_name}


def areas_table(province: ProvinceInfo) -> pd.DataFrame:
    """The areas file of a province's communes: code, name, type, population (empty: the
    packages do not have it), lat, lon."""
    rows = [{"code": c.code, "name": c.name, "type": c.type, "population": None, "lat": c.lat, "lon": c.lon}
            for c in communes(province.code)]
    table = pd.DataFrame(rows, columns=["code", "name", "type", "population", "lat", "lon"])
    table["population"] = table["population"].astype("Int64")
    return table


def write_areas(table: pd.DataFrame, path: str | Path) -> Path:
    from sim.results.write import write_atomic

    path = Path(path)
    text = table.to_csv(index=False, lineterminator="\n")
    write_atomic(path, text.encode("utf-8"))
    return path


UNIT_WORDS = tuple(_join_key(k) + " " for k in TYPE_LABELS.values())


def named_as_communes(areas: pd.DataFrame) -> bool:
    """Could the rows be 2025 communes? Every code is digits, and every name, or type and name,
    begins with Xã, Phường or Đặc khu: vietnam-provinces names every commune so (all 3,321;
    tests/test_imports.py checks it), so a table failing this is no province's communes."""
    for code, name, kind in zip(areas["code"], areas["name"], areas["type"]):
        if not str(code).strip().isdigit():
            return False
        if not (_join_key(name).startswith(UNIT_WORDS) or _join_key(f"{kind} {name}").startswith(UNIT_WORDS)):
            return False
    return True


def detect(areas: pd.DataFrame) -> ProvinceInfo | None:
    """The province whose 2025 communes an areas table lists (every row's code and name agree
    with one commune of one province), or None (districts of 2023, schools, anything else)."""
    if not len(areas) or not named_as_communes(areas):
        return None  # decided without loading vietnam-provinces (0.15-0.25 s): most tables are not communes
    from vietnam_provinces import Ward

    found = set()
    for code, name, kind in zip(areas["code"], areas["name"], areas["type"]):
        text = str(code).strip()
        if not text.isdigit():
            return None
        try:
            ward = Ward.from_code(int(text))
        except ValueError:
            return None
        if _join_key(ward.name) not in (_join_key(name), _join_key(f"{kind} {name}")):
            return None
        found.add(int(ward.province_code))
    if len(found) != 1:
        return None
    code = found.pop()
    return next(p for p in provinces() if p.code == code)


def units_provenance(areas: pd.DataFrame) -> dict | None:
    """For summary.json: the province and the unit lists' releases, when ``areas`` lists the 2025
    communes of one province; None otherwise (the Long An districts of 2023, for one)."""
    try:
        province = detect(areas)
    except ModuleNotFoundError:
        return None
    if province is None:
        return None
    return {"province": province.name, "province_code": province.code, "lists": versions()}
