"""Build the synthetic, calibrated learner counts for the new Tây Ninh by commune (``students.csv``).

SYNTHETIC, CALIBRATED: not a list of real children. Since 1 July 2025 Tây Ninh is old Long An
plus old Tây Ninh, with 96 communes and wards (``areas.csv``, from the unit lists). No public
source gives learners by new commune, so this script does what ``data/longan/make_students.py``
does for the 15 old districts of Long An, one level down:

1. **Weight of each new commune** [est]: each old commune gets an equal share of its old
   district's 2019 census population (Long An districts: ``data/longan/areas.csv``) or of old Tây
   Ninh's 2019 population (``OLD_TAY_NINH_POPULATION``, spread equally over its 94 old communes:
   no district figures are bundled); an old commune split among several new communes
   (Resolution 1656/NQ-UBTVQH15) is shared equally among them. A new commune's weight is the
   sum of its old parts (the crosswalk of the package vietnamadminunits).
2. **Pupils** [est]: ``PUPILS_PER_PERSON`` (Long An's 285,000 pupils in 2022-23 over its
   1,688,547 people) times the weight, split over grades as in the Long An script.
3. **Poor and near-poor**: Long An's rates (1.0%, 2.3%) times a weight by the commune's main
   old district [est]: x2.5 Đồng Tháp Mười districts of Long An, x0.55 near Ho Chi Minh City,
   x1.5 the border districts of old Tây Ninh (Tân Biên, Tân Châu, Châu Thành, Bến Cầu), x1
   elsewhere; renormalised to keep the provincial rate. Poisson draws.
4. **Covid-19 orphans** [est]: ``ORPHANS_SCHOOL`` and ``ORPHANS_HIGHER`` (Long An's 100 scaled by
   population), one multinomial draw each. **Higher education** [est]: Long An's 80 poor and 180
   near-poor scaled by population, Poisson by weight.
5. **No internet** [est]: binomial draws with Long An's shares and multipliers (x1.3 where the
   rates are raised, x0.7 near Ho Chi Minh City).

Seeded (``numpy.random.default_rng(seed)``, fixed order): the same seed gives a byte-identical file.

Usage::

    python data/tayninh2025/make_students.py [--seed 2025] [--out PATH]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_SEED = 2025
DEFAULT_OUT = HERE / "students.csv"
LONG_AN_AREAS = ROOT / "data" / "longan" / "areas.csv"

# [est] old Tây Ninh's population at the census of 1 April 2019 (whole province, 9 districts).
OLD_TAY_NINH_POPULATION = 1_169_165
LONG_AN_POPULATION = 1_688_547  # census 2019, data/longan/areas.csv adds up to it
PUPILS_PER_PERSON = 285_000 / LONG_AN_POPULATION  # [est] Long An's 2022-23 pupils per person
SCALE = (LONG_AN_POPULATION + OLD_TAY_NINH_POPULATION) / LONG_AN_POPULATION
ORPHANS_SCHOOL = 163  # [est] Long An's 96 scaled by population
ORPHANS_HIGHER = 7  # [est] Long An's 4 scaled by population
HIGHER_POOR = round(80 * SCALE)  # [est]
HIGHER_NEAR_POOR = round(180 * SCALE)  # [est]
BORDER_TAY_NINH = ("huyentanbien", "huyentanchau", "huyenchauthanh", "huyenbencau")
WEIGHT_BORDER = 1.5  # [est]


def _longan_script():
    spec = importlib.util.spec_from_file_location("longan_make_students", ROOT / "data" / "longan" / "make_students.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def commune_weights() -> pd.DataFrame:
    """code, name, weight (estimated people) and group of each of the 96 new communes."""
    sys.path.insert(0, str(ROOT))
    from sim.read.names import match_key
    from sim.units.catalogue import communes, find_province
    from sim.units.convert import Crosswalk

    la = _longan_script()
    walk = Crosswalk(find_province("Tây Ninh"))
    units = walk.units[walk.units["wardKey"].notna()]
    la_pop = {match_key(n): p for n, p in pd.read_csv(LONG_AN_AREAS)[["name", "population"]].itertuples(index=False)}
    per_district = units.groupby(["provinceKey", "districtKey"]).size()
    n_tay_ninh = int((units["provinceKey"] == "tinhtayninh").sum())
    weight: dict[str, float] = {}
    group_votes: dict[str, dict[str, float]] = {}
    for r in units.itertuples():
        if r.provinceKey == "tinhlongan":
            people = la_pop[match_key(r.districtShort)] / per_district[(r.provinceKey, r.districtKey)]
            group = la._district_group(la._nfc(r.districtShort))
        else:
            people = OLD_TAY_NINH_POPULATION / n_tay_ninh
            group = "border" if r.districtKey in BORDER_TAY_NINH else "other"
        key = f"{r.provinceKey}_{r.districtKey}_{r.wardKey}"
        parts = [walk.whole[key]] if key in walk.whole else list(walk.split[key])
        for commune in parts:
            weight[commune.code] = weight.get(commune.code, 0.0) + people / len(parts)
            votes = group_votes.setdefault(commune.code, {})
            votes[group] = votes.get(group, 0.0) + people / len(parts)
    rows = [(c.code, c.name, weight[c.code], max(sorted(group_votes[c.code]), key=group_votes[c.code].get))
            for c in communes(80)]
    return pd.DataFrame(rows, columns=["code", "name", "weight", "group"])


def build_students(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    la = _longan_script()
    rng = np.random.default_rng(seed)
    a = commune_weights()
    share = (a["weight"] / a["weight"].sum()).to_numpy()
    rate_weight = {"dong_thap_muoi": la.WEIGHT_DONG_THAP_MUOI, "near_hcmc": la.WEIGHT_NEAR_HCMC,
                   "border": WEIGHT_BORDER, "other": la.WEIGHT_OTHER}
    internet = {"dong_thap_muoi": la.NO_INTERNET_MULT_DONG_THAP_MUOI, "near_hcmc": la.NO_INTERNET_MULT_NEAR_HCMC,
                "border": la.NO_INTERNET_MULT_DONG_THAP_MUOI, "other": la.NO_INTERNET_MULT_OTHER}
    rate_w = a["group"].map(rate_weight).to_numpy(dtype=float)
    rate_w = rate_w / float(np.dot(share, rate_w))
    grades = la.grade_pupils()
    total = PUPILS_PER_PERSON * a["weight"].sum()
    grade_vec = np.array([grades[g] for g in la.GRADES]) * (total / la.TOTAL_PUPILS)
    pupils = np.outer(share, grade_vec)
    counts = {}
    for status, rate, higher_total in (("poor", la.POOR_RATE, HIGHER_POOR), ("near_poor", la.NEAR_POOR_RATE, HIGHER_NEAR_POOR)):
        counts[status] = np.column_stack([rng.poisson(pupils * rate * rate_w[:, None]), rng.poisson(share * higher_total)])
    cells = (pupils / pupils.sum()).ravel()
    orphans = rng.multinomial(ORPHANS_SCHOOL, cells).reshape(len(a), len(la.GRADES))
    counts["covid_orphan"] = np.column_stack([orphans, rng.multinomial(ORPHANS_HIGHER, share)])
    labels = list(la.GRADES) + [la.HIGHER]
    rows = [(i, name, grade, status, int(counts[status][i, j]))
            for i, name in enumerate(a["name"]) for j, grade in enumerate(labels) for status in la.STATUS_ORDER
            if counts[status][i, j] > 0]
    df = pd.DataFrame(rows, columns=["_i", "district", "grade", "status", "pupils"])
    p = df["status"].map(la.NO_INTERNET_SHARE).to_numpy(dtype=float) * \
        a["group"].map(internet).to_numpy(dtype=float)[df["_i"].to_numpy()]
    df["without_internet"] = rng.binomial(df["pupils"].to_numpy(), np.minimum(p, 1.0))
    return df.drop(columns="_i")[la.OUTPUT_COLUMNS]


def main(argv=None) -> int:
    la = _longan_script()
    english = la.english()
    parser = argparse.ArgumentParser(description=(
        "Generate the synthetic, calibrated students.csv of Tây Ninh (2025 communes)." if english
        else "Tạo tệp students.csv tổng hợp, đã hiệu chỉnh của Tây Ninh (các xã, phường năm 2025)."))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=la.say("help_out"))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=la.say("help_seed"))
    args = parser.parse_args(argv)
    df = build_students(args.seed)
    la.write_students(df, args.out)
    print(la.say("wrote", rows=la.count(len(df)), out=args.out))
    print(la.summarise(df))
    return 0


if __name__ == "__main__":
    sys.exit(main())
