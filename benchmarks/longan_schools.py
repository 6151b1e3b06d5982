"""Long An by school: the bundled learners split among about 430 schools (a benchmark case).

SYNTHETIC, like the counts it splits: no list of Long An's schools or of their eligible learners
is bundled. Each district of ``data/longan/areas.csv`` gets schools in proportion to its 2019
population (at least one of each kind), about 430 in all [est]:

===========================  ======  ==============================================
kind (``type`` column)        count   teaches
===========================  ======  ==============================================
Trường Tiểu học               225     grades 1-5
Trường THCS                   135     grades 6-9
Trường THPT                    55     grades 10-12
Trung tâm GDNN-GDTX            15     grades 10-12 (continuing education), and the
                                      district's college and university students
===========================  ======  ==============================================

No school teaches college students; the district's GDNN-GDTX centre stands for their list.
Every school gets a size weight (a seeded gamma draw; a centre weighs a fifth of an upper
secondary school). Each row of ``data/longan/students.csv`` is split among the district's schools
that teach its grade by two multinomial draws (learners with and without internet at home), so the
schools' learners add up exactly to the district's, row by row.

The scenario is ``data/scenarios/baseline.yaml`` with the school tables; its earmark, given to a
district there, goes to the district's school with the most band-1 learners, since an earmark
serves one area.

    python benchmarks/longan_schools.py --out DIR [--seed 2023]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
DISTRICTS = ROOT / "data" / "longan" / "areas.csv"
STUDENTS = ROOT / "data" / "longan" / "students.csv"
BASELINE = ROOT / "data" / "scenarios" / "baseline.yaml"
DEFAULT_SEED = 2023
HIGHER = "higher"

# kind: (type, code tag, name prefix, schools in the province [est], grades taught, size weight)
KINDS = {
    "primary": ("Trường Tiểu học", "TH", "Tiểu học", 225, set(range(1, 6)), 1.0),
    "lower": ("Trường THCS", "THCS", "THCS", 135, set(range(6, 10)), 1.0),
    "upper": ("Trường THPT", "THPT", "THPT", 55, {10, 11, 12}, 1.0),
    "centre": ("Trung tâm GDNN-GDTX", "GDTX", "GDNN-GDTX", 15, {10, 11, 12, HIGHER}, 0.2),
}
STUDENT_COLUMNS = ["district", "grade", "status", "pupils", "without_internet"]


def schools_per_district(population: np.ndarray, total: int) -> np.ndarray:
    """At least one school per district, the rest by largest remainder of the population share."""
    rest = total - len(population)
    share = population / population.sum() * rest
    count = np.floor(share).astype(int)
    leftover = rest - count.sum()
    order = np.argsort(-(share - count), kind="stable")
    count[order[:leftover]] += 1
    return count + 1


def build_schools(districts: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per school: code, name, type, population (empty), lat, lon; plus district, kind, weight."""
    population = districts["population"].to_numpy(dtype=float)
    counts = {kind: schools_per_district(population, spec[3]) for kind, spec in KINDS.items()}
    rows = []
    for i, district in enumerate(districts.itertuples(index=False)):
        for kind, (kind_type, tag, prefix, _total, _grades, weight) in KINDS.items():
            n = int(counts[kind][i])
            for k in range(1, n + 1):
                numbered = n > 1
                rows.append({
                    "code": f"{district.code}-{tag}{k:02d}" if numbered else f"{district.code}-{tag}",
                    "name": f"{prefix} {district.name} {k}" if numbered else f"{prefix} {district.name}",
                    "type": kind_type,
                    "district": district.name,
                    "kind": kind,
                    "weight": weight * rng.gamma(4.0, 0.25),
                    "lat": round(district.lat + rng.uniform(-0.04, 0.04), 4),
                    "lon": round(district.lon + rng.uniform(-0.04, 0.04), 4),
                })
    schools = pd.DataFrame(rows)
    schools["population"] = ""
    return schools


def split_students(students: pd.DataFrame, schools: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Each district row shared among the district's schools teaching its grade (exact sums)."""
    teaching = {}
    for (district, kind), group in schools.groupby(["district", "kind"], sort=False):
        teaching[district, kind] = group
    kinds_for = {}
    for kind, spec in KINDS.items():
        for grade in spec[4]:
            kinds_for.setdefault(grade, []).append(kind)
    rows = []
    for row in students.itertuples(index=False):
        grade = HIGHER if str(row.grade) == HIGHER else int(row.grade)
        group = pd.concat([teaching[row.district, kind] for kind in kinds_for[grade]])
        p = group["weight"].to_numpy() / group["weight"].sum()
        offline = rng.multinomial(int(row.without_internet), p)
        online = rng.multinomial(int(row.pupils - row.without_internet), p)
        for name, on, off in zip(group["name"], online, offline):
            if on + off:
                rows.append((name, str(row.grade), row.status, int(on + off), int(off)))
    table = pd.DataFrame(rows, columns=STUDENT_COLUMNS)
    order = {name: i for i, name in enumerate(schools["name"])}
    grade_order = {str(g): g for g in range(1, 13)} | {HIGHER: 13}
    status_order = {"poor": 0, "near_poor": 1, "covid_orphan": 2}
    key = pd.DataFrame({"s": table["district"].map(order), "g": table["grade"].map(grade_order),
                        "t": table["status"].map(status_order)})
    return table.loc[key.sort_values(["s", "g", "t"], kind="stable").index].reset_index(drop=True)


def band_one(table: pd.DataFrame) -> pd.Series:
    """Band-1 learners (poor grades 9-12, near-poor grade 12) per school name."""
    exam = table["grade"].isin(["9", "10", "11", "12"])
    first = ((table["status"] == "poor") & exam) | ((table["status"] == "near_poor") & (table["grade"] == "12"))
    return table[first].groupby("district")["pupils"].sum()


def scenario_for(schools: pd.DataFrame, students: pd.DataFrame) -> dict:
    """The baseline scenario on the school tables; each earmark moves to one school of its district."""
    data = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    firsts = band_one(students)
    for mark in data.get("earmarks", []):
        names = schools.loc[schools["district"] == mark["district"], "name"]
        best = max(names, key=lambda n: (int(firsts.get(n, 0)), -list(names).index(n)))
        mark["note"] = f"{mark.get('note', '')}; the earmark for {mark['district']} given to one of its schools".lstrip("; ")
        mark["district"] = best
    data.update(name="longan_schools", areas="areas.csv", students="students.csv",
                description="Long An baseline by school (synthetic split; benchmarks/longan_schools.py).")
    return data


def build(seed: int = DEFAULT_SEED) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(areas, students, scenario) for the by-school case; the same seed gives the same tables."""
    rng = np.random.default_rng(seed)
    districts = pd.read_csv(DISTRICTS, dtype={"code": str}, encoding="utf-8")
    students = pd.read_csv(STUDENTS, dtype={"grade": str}, encoding="utf-8")
    schools = build_schools(districts, rng)
    split = split_students(students, schools, rng)
    areas = schools[["code", "name", "type", "population", "lat", "lon"]]
    return areas, split, scenario_for(schools, split)


def write(out: Path, seed: int = DEFAULT_SEED) -> Path:
    """Write areas.csv, students.csv and scenario.yaml into ``out``; return the scenario's path."""
    areas, students, scenario = build(seed)
    out.mkdir(parents=True, exist_ok=True)
    areas.to_csv(out / "areas.csv", index=False, lineterminator="\n", encoding="utf-8")
    students.to_csv(out / "students.csv", index=False, lineterminator="\n", encoding="utf-8")
    path = out / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write areas.csv, students.csv, scenario.yaml")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    path = write(args.out, args.seed)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
