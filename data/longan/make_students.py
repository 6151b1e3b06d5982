"""Build the synthetic, calibrated learner counts for Long An (``students.csv``).

The data made here is SYNTHETIC, CALIBRATED: it is not a list of real children.
No district-level counts of poor, near-poor or orphaned learners without a
computer were found in public sources, so this script spreads public
province-wide figures over the 15 district-level units of Long An (as they were
before the 1 July 2025 reorganisation) with stated assumptions, and draws
integer counts around the expected values with a seeded random generator, so
that the table looks like real counts rather than smooth fractions.

Method
------
1. Pupils (grades 1-12, including continuing-education learners in grades
   6-12) in school year 2022-23: ``TOTAL_PUPILS`` [est], split over grades with
   the 2019-20 level structure (primary / lower secondary / upper secondary),
   with grade 9 and grade 12 fixed at ``GRADE9_PUPILS`` and ``GRADE12_PUPILS``
   [est] and the remaining pupils shared by the other grades in proportion to
   the per-grade 2019-20 averages of their level.  Each grade is split over
   districts in proportion to the 2019 census population.
2. Poor and near-poor learners without a computer: the pupil count of each
   (district, grade) cell times the provincial rate (``POOR_RATE``,
   ``NEAR_POOR_RATE``, close to the 2022 household poverty rates) times a
   district weight [est] (x2.5 for the six Dong Thap Muoi districts, x0.55 for
   the four districts near Ho Chi Minh City, x1 otherwise).  The weights are
   renormalised so that the pupil-weighted provincial average equals the
   provincial rate.  Each cell count is a Poisson draw around that expected
   value.  All poor and near-poor learners are assumed to have no computer
   (the national programme treats them as the target group).
3. Covid-19 orphans without a computer (not already counted as poor or
   near-poor): a fixed total [est] for grades 1-12, placed on
   (district, grade) cells by one seeded multinomial draw with probabilities
   proportional to the cell's pupil count (so: districts in proportion to
   population, grades in proportion to pupils).
4. Higher education (``grade = "higher"``: college / university students from
   the province): expected totals [est] of poor, near-poor and orphan students
   spread over districts in proportion to population; Poisson draws for poor
   and near-poor, a multinomial draw for the orphans.
5. ``without_internet``: for each row a binomial draw from ``pupils`` with a
   status-specific share [est], x1.3 in the Dong Thap Muoi districts and x0.7
   in the four districts near Ho Chi Minh City, capped at 1.

Every learner is counted once, under one status.  Rows with zero pupils are
left out.  The output is sorted by district code, then grade (1..12, then
``higher``), then status (poor, near_poor, covid_orphan), and written as UTF-8
(no BOM) with LF line endings, so the same seed always gives a byte-identical
file.

Usage::

    python data/longan/make_students.py [--seed 2023] [--out PATH] [--areas PATH]

Only numpy and pandas are needed.
"""

from __future__ import annotations

import argparse
import os
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DEFAULT_AREAS = HERE / "areas.csv"
DEFAULT_OUT = HERE / "students.csv"
DEFAULT_SEED = 2023

# --------------------------------------------------------------------------
# Constants.  Sources are given per constant; [est] marks an estimate.
# --------------------------------------------------------------------------

# [est] Pupils in grades 1-12 (incl. continuing-education learners) in 2022-23.
# Extrapolated from the 2019-20 figures below; no official 2022-23 total found.
TOTAL_PUPILS = 285_000

# 2019-20 pupils by level, source:
# https://baolongan.vn/long-an-vang-hon-14-400-hoc-sinh-tieu-hoc-trong-ngay-dau-tro-lai-truong-a95191.html
PUPILS_2019_PRIMARY = 139_000  # grades 1-5
PUPILS_2019_LOWER_SECONDARY = 89_200  # grades 6-9
PUPILS_2019_UPPER_SECONDARY = 43_600  # grades 10-12

# [est] Province-wide pupils in the two exam grades, 2022-23.
GRADE9_PUPILS = 23_000
GRADE12_PUPILS = 15_000

GRADES = list(range(1, 13))
HIGHER = "higher"
GRADE_ORDER = [str(g) for g in GRADES] + [HIGHER]
STATUS_ORDER = ["poor", "near_poor", "covid_orphan"]

# Share of pupils in poor / near-poor households, taken equal to the household
# rates of the 2022 review (0.99% poor, 2.29% near-poor), source:
# https://kinhtedouong.vn/long-an-van-dung-thuc-hien-tot-ke-hoach-chuong-trinh-giam-ngheo-ben-vung-96801.html
# Rounded to 1.0% and 2.3%; "pupil share = household rate" is itself [est].
POOR_RATE = 0.010
NEAR_POOR_RATE = 0.023

# [est] District weights on the poverty rates (no district-level rates found).
# The six low-lying Dong Thap Muoi districts are poorer; the districts close to
# Ho Chi Minh City are richer.  Renormalised to keep the provincial average.
DONG_THAP_MUOI = frozenset(
    unicodedata.normalize("NFC", n)
    for n in ("Tân Hưng", "Vĩnh Hưng", "Mộc Hóa", "Tân Thạnh", "Thạnh Hóa", "Đức Huệ")
)
NEAR_HCMC = frozenset(
    unicodedata.normalize("NFC", n) for n in ("Tân An", "Đức Hòa", "Bến Lức", "Cần Giuộc")
)
WEIGHT_DONG_THAP_MUOI = 2.5  # [est] (CONTEXT range 2-3x)
WEIGHT_NEAR_HCMC = 0.55  # [est] (CONTEXT range 0.4-0.7x)
WEIGHT_OTHER = 1.0  # [est]

# [est] Covid-19 orphans without a computer, not otherwise counted as poor or
# near-poor.  Based on 84 orphans in an early count (2021,
# https://vn24h.vn/trao-kinh-phi-ho-tro-tre-em-mo-coi-do-covid-19-e31f8fa.html)
# and 95 at school among 127 supported in Sept 2024
# (https://thactrang.com/tin-tuc/trao-ho-tro-kinh-phi-cho-tre-mo-coi-do-covid-19-tai-long-an-163665.html).
# About 100 in total: 96 in grades 1-12 and 4 in higher education.
ORPHANS_SCHOOL = 96  # [est] grades 1-12, exact total (multinomial)
ORPHANS_HIGHER = 4  # [est] higher education, exact total (multinomial)

# [est] Expected college/university students from the province without a
# computer, by status (Poisson around these totals, spread by population).
HIGHER_POOR = 80  # [est]
HIGHER_NEAR_POOR = 180  # [est]

# [est] Share of eligible learners with no usable internet at home, by status.
NO_INTERNET_SHARE = {"poor": 0.35, "near_poor": 0.25, "covid_orphan": 0.20}
NO_INTERNET_MULT_DONG_THAP_MUOI = 1.3  # [est]
NO_INTERNET_MULT_NEAR_HCMC = 0.7  # [est]
NO_INTERNET_MULT_OTHER = 1.0  # [est]

OUTPUT_COLUMNS = ["district", "grade", "status", "pupils", "without_internet"]


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", str(text)).strip()


def grade_pupils() -> dict[int, float]:
    """Province-wide pupils per grade 1..12 (floats summing to TOTAL_PUPILS)."""
    base = {}
    for g in GRADES:
        if g <= 5:
            base[g] = PUPILS_2019_PRIMARY / 5
        elif g <= 9:
            base[g] = PUPILS_2019_LOWER_SECONDARY / 4
        else:
            base[g] = PUPILS_2019_UPPER_SECONDARY / 3
    fixed = {9: float(GRADE9_PUPILS), 12: float(GRADE12_PUPILS)}
    rest = TOTAL_PUPILS - sum(fixed.values())
    free = [g for g in GRADES if g not in fixed]
    scale = rest / sum(base[g] for g in free)
    out = {g: base[g] * scale for g in free}
    out.update(fixed)
    return {g: out[g] for g in GRADES}


def _district_group(name: str) -> str:
    if name in DONG_THAP_MUOI:
        return "dong_thap_muoi"
    if name in NEAR_HCMC:
        return "near_hcmc"
    return "other"


_RATE_WEIGHT = {
    "dong_thap_muoi": WEIGHT_DONG_THAP_MUOI,
    "near_hcmc": WEIGHT_NEAR_HCMC,
    "other": WEIGHT_OTHER,
}
_INTERNET_MULT = {
    "dong_thap_muoi": NO_INTERNET_MULT_DONG_THAP_MUOI,
    "near_hcmc": NO_INTERNET_MULT_NEAR_HCMC,
    "other": NO_INTERNET_MULT_OTHER,
}


def _prepare_areas(areas: pd.DataFrame) -> pd.DataFrame:
    needed = {"code", "name", "population"}
    missing = needed - set(areas.columns)
    if missing:
        raise ValueError(f"areas is missing columns: {sorted(missing)}")
    a = areas.loc[:, ["code", "name", "population"]].copy()
    a["name"] = a["name"].map(_nfc)
    a["population"] = pd.to_numeric(a["population"], errors="raise").astype(float)
    if (a["population"] < 0).any() or a["population"].sum() <= 0:
        raise ValueError("population must be non-negative with a positive total")
    if a["name"].duplicated().any():
        raise ValueError("area names must be unique")
    # Sort by code (numerically when every code is a number), stable.
    num = pd.to_numeric(a["code"], errors="coerce")
    key = num if num.notna().all() else a["code"].astype(str)
    a = a.assign(_key=key).sort_values("_key", kind="mergesort").drop(columns="_key")
    a = a.reset_index(drop=True)
    a["group"] = a["name"].map(_district_group)
    a["pop_share"] = a["population"] / a["population"].sum()
    return a


# --------------------------------------------------------------------------
# Main builder
# --------------------------------------------------------------------------


def build_students(areas: pd.DataFrame, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Return the synthetic learner table for ``areas`` (see module docstring).

    ``areas`` needs columns ``code``, ``name`` and ``population``.  The result
    has columns ``district, grade, status, pupils, without_internet``; ``grade``
    is an int 1..12 or the string ``"higher"``; rows with zero pupils are left
    out.  Same areas and seed give the same table.
    """
    rng = np.random.default_rng(seed)
    a = _prepare_areas(areas)
    n_d = len(a)
    pop_share = a["pop_share"].to_numpy()
    rate_w = a["group"].map(_RATE_WEIGHT).to_numpy(dtype=float)
    # Renormalise so the pupil-weighted (= population-weighted, since pupils
    # are spread by population) average weight is 1.
    rate_w = rate_w / float(np.dot(pop_share, rate_w))

    gp = grade_pupils()
    grade_vec = np.array([gp[g] for g in GRADES])  # (12,)
    pupils_dg = np.outer(pop_share, grade_vec)  # (n_d, 12) expected pupils

    counts: dict[str, np.ndarray] = {}  # status -> (n_d, 13) incl. higher

    # Poor and near-poor, grades 1-12 and higher education: Poisson draws.
    for status, rate, higher_total in (
        ("poor", POOR_RATE, HIGHER_POOR),
        ("near_poor", NEAR_POOR_RATE, HIGHER_NEAR_POOR),
    ):
        lam_school = pupils_dg * rate * rate_w[:, None]
        lam_higher = pop_share * higher_total
        school = rng.poisson(lam_school)
        higher = rng.poisson(lam_higher)
        counts[status] = np.column_stack([school, higher])

    # Covid-19 orphans: exact totals via multinomial draws.
    p_cells = (pupils_dg / pupils_dg.sum()).ravel()
    orphans_school = rng.multinomial(ORPHANS_SCHOOL, p_cells).reshape(n_d, len(GRADES))
    orphans_higher = rng.multinomial(ORPHANS_HIGHER, pop_share)
    counts["covid_orphan"] = np.column_stack([orphans_school, orphans_higher])

    grade_labels: list[object] = list(GRADES) + [HIGHER]
    rows = []
    for i, name in enumerate(a["name"]):
        for j, grade in enumerate(grade_labels):
            for status in STATUS_ORDER:
                n = int(counts[status][i, j])
                if n > 0:
                    rows.append((i, j, name, grade, status, n))

    df = pd.DataFrame(rows, columns=["_d", "_g", "district", "grade", "status", "pupils"])

    # without_internet: binomial draws, one per row, in output order.
    base = df["status"].map(NO_INTERNET_SHARE).to_numpy(dtype=float)
    mult = a["group"].map(_INTERNET_MULT).to_numpy(dtype=float)[df["_d"].to_numpy()]
    p = np.minimum(base * mult, 1.0)
    df["without_internet"] = rng.binomial(df["pupils"].to_numpy(), p)

    df = df.drop(columns=["_d", "_g"]).reset_index(drop=True)
    df["grade"] = df["grade"].astype(object)
    df["pupils"] = df["pupils"].astype("int64")
    df["without_internet"] = df["without_internet"].astype("int64")
    return df[OUTPUT_COLUMNS]


def write_students(df: pd.DataFrame, path: Path) -> None:
    """Write the table as UTF-8 (no BOM), LF line endings, no index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


# What the script prints, in Vietnamese unless SIM_LANG=en (as the sim command line); the script
# needs only numpy and pandas, so its few texts are here rather than in sim's catalogues.
TEXTS = {
    "wrote": ("Đã ghi {rows} dòng vào {out}", "wrote {rows} rows to {out}"),
    "totals": ("Tổng của tỉnh (dữ liệu tổng hợp, đã hiệu chỉnh):", "Province totals (synthetic, calibrated):"),
    "status": ("diện", "status"), "grades": ("lớp 1-12", "grades 1-12"), "higher": ("CĐ/ĐH", "higher"),
    "total": ("tổng", "total"), "no_internet": ("không internet", "no internet"), "all": ("tất cả", "all"),
    "poor": ("hộ nghèo", "poor"), "near_poor": ("hộ cận nghèo", "near_poor"), "covid_orphan": ("mồ côi Covid-19", "covid_orphan"),
    "groups": ("Các nhóm ưu tiên mặc định:", "Default priority groups:"),
    "poor_exam": ("hộ nghèo, lớp 9-12", "poor, grades 9-12"),
    "near_12": ("hộ cận nghèo, lớp 12", "near-poor, grade 12"),
    "poor_other": ("hộ nghèo, các lớp khác (1-8, CĐ/ĐH)", "poor, other grades (1-8, higher)"),
    "near_exam": ("hộ cận nghèo, lớp 9-11", "near-poor, grades 9-11"),
    "near_other": ("hộ cận nghèo, các lớp khác (1-8, CĐ/ĐH)", "near-poor, other grades (1-8, higher)"),
    "orphans": ("mồ côi do Covid-19, mọi lớp", "covid orphans, any grade"),
    "description": ("Tạo tệp students.csv tổng hợp, đã hiệu chỉnh cho Long An.",
                    "Generate the synthetic, calibrated students.csv for Long An."),
    "help_areas": ("tệp CSV địa bàn để đọc", "areas CSV to read"),
    "help_out": ("tệp CSV học sinh sẽ ghi", "students CSV to write"),
    "help_seed": ("hạt giống ngẫu nhiên", "random seed"),
}


def english() -> bool:
    return os.environ.get("SIM_LANG", "").strip().lower() == "en"


def say(key: str, **values: object) -> str:
    """A text of TEXTS in the language of SIM_LANG (Vietnamese by default)."""
    return TEXTS[key][english()].format(**values)


def count(n: int) -> str:
    """A count grouped by thousands as the language writes it: 2.856 / 2,856."""
    return f"{int(n):,}" if english() else f"{int(n):,}".replace(",", ".")


def summarise(df: pd.DataFrame) -> str:
    """Province totals per status and per priority-relevant group, as text."""
    g = df["grade"].astype(str)
    school = g != HIGHER
    exam = g.isin(["9", "10", "11", "12"])
    lines = [say("totals")]
    lines.append(f"  {say('status'):<16}{say('grades'):>12}{say('higher'):>8}{say('total'):>8}{say('no_internet'):>17}")
    for status in STATUS_ORDER:
        s = df["status"] == status
        lines.append(
            f"  {say(status):<16}{count(df.loc[s & school, 'pupils'].sum()):>12}"
            f"{count(df.loc[s & ~school, 'pupils'].sum()):>8}"
            f"{count(df.loc[s, 'pupils'].sum()):>8}"
            f"{count(df.loc[s, 'without_internet'].sum()):>17}"
        )
    lines.append(
        f"  {say('all'):<16}{count(df.loc[school, 'pupils'].sum()):>12}"
        f"{count(df.loc[~school, 'pupils'].sum()):>8}{count(df['pupils'].sum()):>8}"
        f"{count(df['without_internet'].sum()):>17}"
    )
    poor = df["status"] == "poor"
    near = df["status"] == "near_poor"
    orph = df["status"] == "covid_orphan"
    groups = [
        ("poor_exam", poor & exam),
        ("near_12", near & (g == "12")),
        ("poor_other", poor & ~exam),
        ("near_exam", near & g.isin(["9", "10", "11"])),
        ("near_other", near & ~exam),
        ("orphans", orph),
    ]
    lines.append(say("groups"))
    for label, m in groups:
        lines.append(f"  {say(label):<40}{count(df.loc[m, 'pupils'].sum()):>7}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=say("description"))
    parser.add_argument("--areas", type=Path, default=DEFAULT_AREAS, help=say("help_areas"))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=say("help_out"))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=say("help_seed"))
    args = parser.parse_args(argv)

    areas = pd.read_csv(args.areas, encoding="utf-8")
    df = build_students(areas, seed=args.seed)
    write_students(df, args.out)
    print(say("wrote", rows=count(len(df)), out=args.out))
    print(summarise(df))
    return 0


if __name__ == "__main__":
    sys.exit(main())
