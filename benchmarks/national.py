"""A national synthetic case: about 700 districts in 63 provinces, 2.2 million learners (benchmark).

SYNTHETIC: made to have the size and shape of the national programme, not its figures district by
district. Public figures it is scaled to: a survey of 56 provinces counted 2,215,863 pupils needing
support (570,051 poor, 467,314 near-poor, 1,178,498 other; thoidai.com.vn, see
data/README.en.md); Vietnam had 63 provinces and 705 district-level units in 2021. Everything else
is [est]:

- districts per province: 5 plus a multinomial share of the rest (gamma weights);
- district size: lognormal; province poverty: lognormal (poorer provinces have more poor learners
  and fewer homes with internet);
- learners: the survey's total, split poor : near-poor as 570,051 : 467,314 (its "other" learners
  shared the same way, since the plan knows only these statuses) plus ``ORPHANS`` Covid-19
  orphans; each status placed on district x grade cells by one multinomial draw (grade shares
  ``GRADE_SHARE``), so the totals are exact;
- without internet: a binomial draw per row.

The scenario has Long An's prices and tablets for grades 1-9, with money and stock scaled to the
learners so that several bands are covered only in part (the case that makes the LP work): the
budget pays desktops for about half of band 1's grades 10-12; the tablets cover band 1's grade 9,
band 2's grades 1-8 and about half of band 3's grade 9; a few districts have earmarks.

    python benchmarks/national.py --out DIR [--seed 2021] [--districts 705] [--learners 2215863]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

DEFAULT_SEED = 2021
PROVINCES = 63
DISTRICTS = 705
LEARNERS = 2_215_863
POOR, NEAR_POOR = 570_051, 467_314  # the survey's split between the two statuses
ORPHANS = 3_000  # [est] Covid-19 orphans without a computer, not counted as poor or near-poor
MIN_DISTRICTS = 5  # per province
GRADES = [str(g) for g in range(1, 13)] + ["higher"]
# [est] share of eligible learners per grade 1-12, then higher education (sums to 1).
GRADE_SHARE = np.array([0.088] * 5 + [0.075] * 4 + [0.07] * 3 + [0.05])
NO_INTERNET = {"poor": 0.35, "near_poor": 0.25, "covid_orphan": 0.20}  # [est], as for Long An
STATUSES = ("poor", "near_poor", "covid_orphan")
PRICES = {"tablet": 3_500_000, "laptop": 10_500_000, "desktop": 8_500_000}
PACKAGE = 70_000 * 12


def build_areas(rng: np.random.Generator, provinces: int, districts: int) -> pd.DataFrame:
    """code, name, type, population, lat, lon; plus province and the poverty weight of its province."""
    weights = rng.gamma(2.0, 1.0, provinces)
    per_province = MIN_DISTRICTS + rng.multinomial(districts - MIN_DISTRICTS * provinces, weights / weights.sum())
    province = np.repeat(np.arange(1, provinces + 1), per_province)
    number = np.concatenate([np.arange(1, n + 1) for n in per_province])
    poverty = rng.lognormal(0.0, 0.6, provinces)[province - 1]
    population = np.round(rng.lognormal(np.log(120_000), 0.6, len(province))).astype(np.int64)
    lat = 8.8 + 14.2 * (province - 1) / max(provinces - 1, 1) + rng.uniform(-0.2, 0.2, len(province))
    lon = 105.0 + 2.5 * np.sin(province / 9.0) + rng.uniform(-0.2, 0.2, len(province))
    codes = [f"P{p:02d}D{k:02d}" for p, k in zip(province, number)]
    return pd.DataFrame({
        "code": codes,
        "name": [f"Tỉnh {p:02d} Huyện {k:02d}" for p, k in zip(province, number)],
        "type": "Huyện",
        "population": population,
        "lat": np.round(lat, 4),
        "lon": np.round(lon, 4),
        "province": province,
        "poverty": poverty,
    })


def status_totals(learners: int) -> dict[str, int]:
    """Exact totals per status: the orphans, then poor : near-poor as in the survey."""
    orphans = min(ORPHANS, learners) if learners >= 100 * ORPHANS else learners // 100
    poor = round((learners - orphans) * POOR / (POOR + NEAR_POOR))
    return {"poor": poor, "near_poor": learners - orphans - poor, "covid_orphan": orphans}


def build_students(areas: pd.DataFrame, rng: np.random.Generator, learners: int) -> pd.DataFrame:
    """district, grade, status, pupils, without_internet; rows with no learners left out."""
    size = areas["population"].to_numpy(dtype=float) * rng.lognormal(0.0, 0.3, len(areas))
    poverty = areas["poverty"].to_numpy()
    frames = []
    for status, total in status_totals(learners).items():
        # Near-poor and orphans follow poverty less closely than poor learners.
        tilt = {"poor": 1.0, "near_poor": 0.5, "covid_orphan": 0.0}[status]
        weight = np.outer(size * poverty ** tilt, GRADE_SHARE)
        counts = rng.multinomial(total, (weight / weight.sum()).ravel()).reshape(weight.shape)
        frame = pd.DataFrame({
            "district": np.repeat(areas["name"].to_numpy(), len(GRADES)),
            "grade": np.tile(GRADES, len(areas)),
            "status": status,
            "pupils": counts.ravel(),
            "_d": np.repeat(np.arange(len(areas)), len(GRADES)),
            "_g": np.tile(np.arange(len(GRADES)), len(areas)),
        })
        share = np.minimum(NO_INTERNET[status] * np.sqrt(poverty), 0.9)
        frame["without_internet"] = rng.binomial(frame["pupils"].to_numpy(), share[frame["_d"].to_numpy()])
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table["_s"] = table["status"].map({s: i for i, s in enumerate(STATUSES)})
    table = table[table["pupils"] > 0].sort_values(["_d", "_g", "_s"], kind="stable")
    return table[["district", "grade", "status", "pupils", "without_internet"]].reset_index(drop=True)


def _band_counts(students: pd.DataFrame) -> dict[str, int]:
    grade, status, pupils = students["grade"], students["status"], students["pupils"]
    poor, near = status == "poor", status == "near_poor"
    upper = grade.isin(["10", "11", "12"])
    return {
        "band1_upper": int(pupils[(poor & upper) | (near & (grade == "12"))].sum()),
        "band1_grade9": int(pupils[poor & (grade == "9")].sum()),
        "band2_school": int(pupils[poor & grade.isin([str(g) for g in range(1, 9)])].sum()),
        "band3_grade9": int(pupils[near & (grade == "9")].sum()),
    }


def build_scenario(areas: pd.DataFrame, students: pd.DataFrame, rng: np.random.Generator) -> dict:
    """Money and stock scaled to the learners so that bands 1-3 are each covered only in part."""
    counts = _band_counts(students)
    tablets = counts["band1_grade9"] + counts["band2_school"] + counts["band3_grade9"] // 2
    budget = counts["band1_upper"] // 2 * (PRICES["desktop"] + PACKAGE // 3)
    picked = rng.choice(len(areas), size=min(6, len(areas)), replace=False)
    earmarks = [{"district": str(areas["name"].iat[i]), "budget_vnd": int(rng.integers(5, 40)) * 100_000_000,
                 "note": "illustrative provincial gift [est]"} for i in picked[:5]]
    if len(picked) > 5:
        earmarks.append({"district": str(areas["name"].iat[picked[5]]), "devices": {"laptop": 300},
                         "data_packages": 100, "note": "illustrative gift in kind [est]"})
    return {
        "name": "national_synthetic",
        "description": "Synthetic national case (benchmarks/national.py): about 2.2 million learners in 705 districts.",
        "areas": "areas.csv",
        "students": "students.csv",
        "budget_vnd": int(budget),
        "devices": {
            "tablet": {"unit_cost_vnd": PRICES["tablet"], "grades": [1, 9], "in_stock": int(tablets)},
            "laptop": {"unit_cost_vnd": PRICES["laptop"]},
            "desktop": {"unit_cost_vnd": PRICES["desktop"]},
        },
        "data_package": {"monthly_cost_vnd": 70_000, "months": 12, "in_stock": int(tablets)},
        "earmarks": earmarks,
        "policy": {"mode": "strict", "within_band": "equal_rate"},
    }


def build(seed: int = DEFAULT_SEED, districts: int = DISTRICTS, learners: int = LEARNERS,
          provinces: int = PROVINCES) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(areas, students, scenario); the same arguments give the same tables."""
    provinces = min(provinces, max(districts // MIN_DISTRICTS, 1))
    rng = np.random.default_rng(seed)
    areas = build_areas(rng, provinces, districts)
    students = build_students(areas, rng, learners)
    scenario = build_scenario(areas, students, rng)
    return areas.drop(columns=["province", "poverty"]), students, scenario


def write(out: Path, seed: int = DEFAULT_SEED, districts: int = DISTRICTS, learners: int = LEARNERS) -> Path:
    """Write areas.csv, students.csv and scenario.yaml into ``out``; return the scenario's path."""
    areas, students, scenario = build(seed, districts, learners)
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
    parser.add_argument("--districts", type=int, default=DISTRICTS)
    parser.add_argument("--learners", type=int, default=LEARNERS)
    args = parser.parse_args(argv)
    print(f"wrote {write(args.out, args.seed, args.districts, args.learners)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
