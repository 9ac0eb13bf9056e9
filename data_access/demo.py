"""Deterministic demo dataset: synthetic villages, observations, CCT payment cycles and targets."""
import datetime as dt
import hashlib
import json
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from sqlalchemy import Connection, Engine, ForeignKeyConstraint, UniqueConstraint, insert, text
from sqlalchemy.schema import AddConstraint, DropConstraint

from data_access.database import drop_db, init_db
from data_access.demo_actions import add_demo_actions
from data_access.demo_base import (  # noqa: F401  (STALE_MONTHS: part of this module's interface)
    MISSING_REPORT_SHARE,
    STALE_MONTHS,
    _month_index,
    _ObservationSink,
    _quarters,
    _rng,
    _smoothstep,
    _World,
)
from data_access.demo_cct import _cct_reporting, _Cct, _emit_cct, _payment_cycles, _simulate_cct
from data_access.periods import month_range, period_end, period_start
from data_access.reference import load_reference_data
from data_access.rollup import rebuild_rollups
from data_access.stocks import DEFAULT_CARRY_FORWARD_MONTHS
from data_access.schema import (
    NATIONAL_CODE,
    AdminUnit,
    DatasetInfo,
    ExchangeRate,
    ImportBatch,
    Observation,
    PaymentCycle,
    SurveyRound,
    Target,
)
from geo.boundaries import load_boundaries
from geo.villages import demo_village_counts, generate_demo_villages

# RRPM effectiveness was 21 Jun 2019: a seed that reads as a date is easy to remember.
DEMO_SEED = 20190621
SCALES = ("test", "demo", "national")
GENERATOR_VERSION = "1"
GENERATED_FROM = (
    "data_access.demo v1: synthetic demo data (seeded). Villages and figures are invented, "
    "except national stunting 2017 (LSIS II) and the LAK/USD rates of Nov 2018 and Feb 2025"
)
RRPM_PROVINCES = ("02", "04", "07", "09")
# The program's models start at effectiveness whatever window is emitted, so stocks
# (cumulative registrations, ODF villages) are right even when first_month is later.
MODEL_FIRST_MONTH = "2019-07"
CLOSING_DATE = dt.date(2024, 8, 31)
TEST_VILLAGES_PER_DISTRICT = 6
DEMO_VILLAGES = 2100  # the four RRPM provinces have roughly this many villages
NATIONAL_VILLAGES = 8500
# Targets for counts are set this much above what the model expects to reach.
TARGET_AMBITION = 1.12


@dataclass(frozen=True)
class _ProjectPlan:
    start: str
    target_reach: float
    source: str
    # Provinces outside the RRPM four where the project works at national scale.
    other_provinces: int


# The convergence approach sends every project to the RRPM target districts first;
# elsewhere each reaches about half as many villages.
_CONVERGENCE = {
    "HANSA": _ProjectPlan("2020-01", 0.85, "HANSA DHIS2 (demo)", 14),
    "SUWASH": _ProjectPlan("2019-07", 0.65, "SUWASH MIS (demo)", 8),
    "AFN": _ProjectPlan("2020-07", 0.55, "AFN M&E (demo)", 5),
    "ECE": _ProjectPlan("2021-01", 0.45, "ECE EMIS (demo)", 9),
}
_NON_TARGET_REACH = 0.5
# How strongly reach by one project predicts reach by another (a shared latent
# "accessibility" of the village); 0 would make the five projects independent.
_REACH_CORRELATION = 0.55

# LAK per USD anchors: Nov 2018 and Feb 2025 are published; the path between them follows
# the kip's 2021-2023 depreciation in shape. Not seeded: it is context, not demo noise.
_EXCHANGE_ANCHORS = (
    ("2018-11", 8543), ("2019-07", 8660), ("2020-01", 8900), ("2020-07", 9080),
    ("2021-01", 9300), ("2021-07", 9550), ("2021-12", 11000), ("2022-03", 11700),
    ("2022-06", 14300), ("2022-09", 16500), ("2022-12", 17250), ("2023-06", 18800),
    ("2023-12", 20500), ("2024-06", 21300), ("2024-12", 21900), ("2025-02", 21734),
    ("2025-12", 21650),
)

# Stunting (%) by province in 2017, demo values; only the national 33.1 is published (LSIS II).
_STUNTING_2017 = {
    "01": 15.6, "02": 49.5, "03": 35.5, "04": 46.0, "05": 37.0, "06": 40.2, "07": 47.5,
    "08": 26.0, "09": 43.0, "10": 24.0, "11": 27.5, "12": 30.5, "13": 34.0, "14": 41.0,
    "15": 43.5, "16": 25.0, "17": 33.0, "18": 38.5,
}
NATIONAL_STUNTING_2017 = 33.1
_SURVEY_SOURCES = {
    2017: "LSIS II 2017 (national stunting published; rest demo)",
    2020: "RRPM baseline survey 2020 (demo)",
    2022: "RRPM midline survey 2022 (demo)",
    2023: "LSIS III-like survey 2023 (demo)",
    2024: "RRPM endline survey 2024 (demo)",
}
# The day each round's estimates are taken as known (fieldwork end or release; demo dates):
# a round is not "the latest survey" from 1 January of its year.
_SURVEY_KNOWN_ON = {
    2017: dt.date(2017, 11, 30), 2020: dt.date(2020, 12, 15), 2022: dt.date(2022, 10, 31),
    2023: dt.date(2024, 1, 31), 2024: dt.date(2024, 7, 31),
}



def _nice_round(value: float) -> float:
    """Two significant figures, as results-framework targets are written."""
    if value <= 0:
        return 0.0
    digits = int(math.floor(math.log10(value))) - 1
    return float(round(value, -digits))


def _phi(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))



def _pchip(x: np.ndarray, y: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Monotone cubic interpolation (Fritsch-Carlson): smooth, passes every anchor, no overshoot."""
    h = np.diff(x)
    delta = np.diff(y) / h
    slopes = np.zeros_like(y)
    for k in range(1, len(x) - 1):
        if delta[k - 1] * delta[k] > 0:
            w1, w2 = 2 * h[k] + h[k - 1], h[k] + 2 * h[k - 1]
            slopes[k] = (w1 + w2) / (w1 / delta[k - 1] + w2 / delta[k])
    slopes[0], slopes[-1] = delta[0], delta[-1]
    xs = np.clip(xs, x[0], x[-1])
    k = np.clip(np.searchsorted(x, xs, side="right") - 1, 0, len(h) - 1)
    s = (xs - x[k]) / h[k]
    h00, h10 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s
    h01, h11 = -2 * s**3 + 3 * s**2, s**3 - s**2
    return h00 * y[k] + h10 * h[k] * slopes[k] + h01 * y[k + 1] + h11 * h[k] * slopes[k + 1]



@contextmanager
def _observation_indexes_deferred(conn: Connection) -> Iterator[None]:
    """Drop the observation table's secondary indexes (and on PostgreSQL its unique and
    foreign-key constraints) for the bulk load and build them once afterwards.

    Maintaining them row by row is most of the load time (PostgreSQL, scale demo: COPY
    20.7 s with them, 1.7 s + 3.3 s rebuild without; SQLite 6.4 s against 4.8 s). The
    same transaction holds the drop and the rebuild, and the rebuild re-checks every row,
    so nothing unchecked can be committed.
    """
    table = Observation.__table__
    indexes = sorted(table.indexes, key=lambda index: index.name)
    constraints = []
    if conn.dialect.name == "postgresql":
        # SQLite cannot drop a table constraint; there only the indexes are deferred.
        constraints = sorted(
            (c for c in table.constraints if isinstance(c, (ForeignKeyConstraint, UniqueConstraint))),
            key=lambda c: str(c.name),
        )
    for constraint in constraints:
        conn.execute(DropConstraint(constraint))
    for index in indexes:
        index.drop(conn)
    yield
    for index in indexes:
        index.create(conn)
    for constraint in constraints:
        # isolate_from_table=False: the default would mark the shared metadata's constraint
        # as "not part of CREATE TABLE", and every later init_db would silently lack it.
        conn.execute(AddConstraint(constraint, isolate_from_table=False))




def _in_stored_polygon(polygon, xs: np.ndarray, ys: np.ndarray, anchor) -> tuple[np.ndarray, np.ndarray]:
    """Round points to 6 decimals and keep them inside the polygon as stored (WKT, 6 decimals).

    A point within a metre of the border could otherwise fall outside once both are
    rounded; such rare points are pulled a little towards a point well inside.
    """
    stored = shapely.from_wkt(shapely.to_wkt(polygon, rounding_precision=6))
    shapely.prepare(stored)
    xs, ys = np.round(xs, 6), np.round(ys, 6)
    for _ in range(60):
        outside = ~shapely.contains_xy(stored, xs, ys)
        if not outside.any():
            return xs, ys
        xs[outside] = np.round(xs[outside] + 0.1 * (anchor.x - xs[outside]), 6)
        ys[outside] = np.round(ys[outside] + 0.1 * (anchor.y - ys[outside]), 6)
    raise RuntimeError("could not place a demo village inside its district")


def _build_villages(scale: str, seed: int, districts: gpd.GeoDataFrame,
                    target_districts: list[str]) -> tuple[gpd.GeoDataFrame, list[str]]:
    if scale == "national":
        provinces = sorted(districts["code"].str[:2].unique())
        in_scope = districts
        counts = demo_village_counts(in_scope, NATIONAL_VILLAGES, seed)
    else:
        provinces = list(RRPM_PROVINCES)
        in_scope = districts[districts["code"].str[:2].isin(provinces)]
        if scale == "demo":
            counts = demo_village_counts(in_scope, DEMO_VILLAGES, seed)
        else:
            # The 12 target districts plus each province's lowest-coded other district
            # (usually the provincial capital), so comparisons with non-target areas exist.
            chosen = set(target_districts)
            for province in provinces:
                others = sorted(c for c in in_scope["code"] if c[:2] == province and c not in chosen)
                chosen.add(others[0])
            in_scope = in_scope[in_scope["code"].isin(chosen)]
            counts = {code: TEST_VILLAGES_PER_DISTRICT for code in sorted(chosen)}
    villages = generate_demo_villages(in_scope, counts, seed)
    by_code = dict(zip(in_scope["code"], in_scope.geometry))
    xs = villages.geometry.x.to_numpy().copy()
    ys = villages.geometry.y.to_numpy().copy()
    for district, idx in villages.groupby("parent_code").indices.items():
        polygon = by_code[district]
        xs[idx], ys[idx] = _in_stored_polygon(polygon, xs[idx], ys[idx], polygon.representative_point())
    villages = villages.set_geometry(gpd.points_from_xy(xs, ys, crs=villages.crs))
    villages = villages.sort_values("code").reset_index(drop=True)
    villages["province_code"] = villages["code"].str[:2]
    villages["is_target"] = villages["parent_code"].isin(target_districts)
    rng = _rng(seed, "households")
    # Northern Lao villages: mostly 40-120 households, a long tail of small hamlets.
    villages["households"] = np.clip(np.round(rng.lognormal(np.log(65), 0.5, len(villages))), 15, 400).astype(int)
    return villages, provinces


def _village_rows(villages: gpd.GeoDataFrame) -> list[dict]:
    return [
        {
            "code": row.code, "level": "village", "parent_code": row.parent_code,
            "province_code": row.province_code, "district_code": row.parent_code,
            "name_en": row.name_en, "name_lo": row.name_lo,
            "lon": float(row.geometry.x), "lat": float(row.geometry.y),
            "geometry": row.geometry, "is_demo": True,
        }
        for row in villages.itertuples(index=False)
    ]


# --------------------------------------------------------------------------- CCT (RRPM)




def _emit_district_operations(world: _World, sink: _ObservationSink, cct: _Cct) -> None:
    """PMT survey progress (monthly) and grievance redress (quarterly) per target district."""
    rng = _rng(world.seed, "district-operations")
    district = world.villages["parent_code"].to_numpy()
    households = world.villages["households"].to_numpy()
    T = world.n_months
    t_from = max(world.t("2019-10"), world.emit_from)
    admin, t_list, num, den = [], [], [], []
    for d in world.target_districts:
        planned = int(households[district == d].sum())
        begin = world.t("2019-10") + int(rng.integers(0, 3))
        end = world.t("2020-05") + int(rng.integers(0, 5))
        done = rng.uniform(0.95, 1.0)
        for t in range(t_from, T):
            share = done * _smoothstep(np.array((t - begin + 1) / (end - begin + 1)))
            admin.append(d)
            t_list.append(t)
            num.append(int(planned * float(share)))
            den.append(planned)
    if admin:
        t_idx, num_a, den_a = np.array(t_list), np.array(num), np.array(den)
        sink.add("PMT_COVERAGE", np.array(admin, dtype=object), world.month_codes[t_idx],
                 world.month_starts[t_idx], value=num_a / den_a * 100, numerator=num_a,
                 denominator=den_a, source="RRPM PMT survey (demo)")

    first_month = world.months[world.emit_from]
    last_month = world.months[-1]
    admin, periods, num, den = [], [], [], []
    for d in world.target_districts:
        base = rng.uniform(0.75, 0.92)
        rows_d = district == d
        for quarter in _quarters(first_month, last_month):
            q_start = world.t(period_start(quarter).strftime("%Y-%m"))
            if q_start + 2 < cct.district_start[d]:
                continue
            beneficiaries = cct.active[rows_d, q_start:q_start + 3].sum(axis=0).mean()
            received = 1 + int(rng.poisson(beneficiaries * 0.012))
            year = int(quarter[:4])
            # The 2022 backlog reached the grievance desk too: payment complaints piled up.
            p = base + (-0.10 if year == 2020 else -0.12 if year == 2022 else 0.0) + rng.normal(0, 0.04)
            admin.append(d)
            periods.append(quarter)
            den.append(received)
            num.append(int(rng.binomial(received, float(np.clip(p, 0.4, 0.99)))))
    _add_quarterly(sink, "GRIEVANCE_RESOLVED", admin, periods, num, den, "RRPM GRM log (demo)")


def _add_quarterly(sink: _ObservationSink, indicator: str, admin: list[str], periods: list[str],
                   num: list[int], den: list[int], source: str) -> None:
    if not admin:
        return
    num_a, den_a = np.array(num), np.array(den)
    sink.add(indicator, np.array(admin, dtype=object), np.array(periods, dtype=object),
             np.array([period_start(p).isoformat() for p in periods], dtype=object),
             value=np.where(den_a > 0, num_a / np.maximum(den_a, 1) * 100, np.nan),
             numerator=num_a, denominator=den_a, source=source)


def _emit_project_management(world: _World, sink: _ObservationSink) -> None:
    """FM disbursement and E&S compliance per RRPM province, procurement nationally (quarterly)."""
    rng = _rng(world.seed, "project-management")
    quarters = _quarters(world.months[world.emit_from], world.months[-1], not_before="2019-07")

    def year_effect(year: int) -> float:
        # Start-up, COVID, the 2022 kip crisis, then catching up before and after closing.
        return {2019: -0.35, 2020: -0.15, 2021: 0.0, 2022: -0.22}.get(year, 0.05)

    admin, periods, num, den = [], [], [], []
    for province in RRPM_PROVINCES:
        effect = rng.uniform(-0.08, 0.08)
        planned_level = rng.uniform(80_000, 180_000)
        for quarter in quarters:
            planned = int(round(planned_level * rng.uniform(0.8, 1.2), -2))
            share = np.clip(0.9 + effect + year_effect(int(quarter[:4])) + rng.normal(0, 0.07), 0.40, 1.10)
            admin.append(province)
            periods.append(quarter)
            den.append(planned)
            num.append(int(round(planned * share)))
    _add_quarterly(sink, "FM_DISBURSEMENT", admin, periods, num, den, "RRPM interim financial reports (demo)")

    admin, periods, num, den = [], [], [], []
    for quarter in quarters:
        contracts = 2 + int(rng.poisson(5))
        year = int(quarter[:4])
        p = 0.82 + (-0.2 if year == 2020 else -0.15 if year == 2022 else 0.0)
        admin.append(NATIONAL_CODE)
        periods.append(quarter)
        den.append(contracts)
        num.append(int(rng.binomial(contracts, p)))
    _add_quarterly(sink, "PROCUREMENT_ON_TIME", admin, periods, num, den, "RRPM STEP procurement plan (demo)")

    admin, periods, num, den = [], [], [], []
    for province in RRPM_PROVINCES:
        base = rng.uniform(0.82, 0.95)
        for quarter in quarters:
            reviewed = 8 + int(rng.poisson(12))
            admin.append(province)
            periods.append(quarter)
            den.append(reviewed)
            num.append(int(rng.binomial(reviewed, base)))
    _add_quarterly(sink, "ES_COMPLIANCE", admin, periods, num, den, "RRPM ESF monitoring (demo)")


# --------------------------------------------------------------------------- convergence


@dataclass
class _ProjectData:
    reached: np.ndarray  # village reached at some point
    start: np.ndarray    # village month index where reach starts
    odf_month: np.ndarray | None = None
    garden_final: np.ndarray | None = None


def _convergence(world: _World, sink: _ObservationSink) -> tuple[dict[str, _ProjectData], str | None]:
    rng = _rng(world.seed, "convergence")
    V, T = world.n_villages, world.n_months
    tgt = world.villages["is_target"].to_numpy()
    province = world.villages["province_code"].to_numpy()
    district = world.villages["parent_code"].to_numpy()
    households = world.villages["households"].to_numpy().astype(float)
    t_grid = np.arange(T)[None, :]
    latent = rng.normal(0, 1, V)
    other_provinces = [p for p in world.provinces_in_scope if p not in RRPM_PROVINCES]
    # A HANSA village that never sends its reports although HANSA works there.
    hansa_silent_district = None
    out: dict[str, _ProjectData] = {}

    for code, plan in _CONVERGENCE.items():
        prng = _rng(world.seed, f"convergence-{code}")
        operating = set(RRPM_PROVINCES) | set(
            prng.choice(other_provinces, size=min(plan.other_provinces, len(other_provinces)), replace=False).tolist()
            if other_provinces else []
        )
        reach = np.where(tgt, plan.target_reach, plan.target_reach * _NON_TARGET_REACH)
        score = _phi(_REACH_CORRELATION * latent + math.sqrt(1 - _REACH_CORRELATION**2) * prng.normal(0, 1, V))
        reached = (score < reach) & np.isin(province, list(operating))
        # Rollout: target villages first (mean ~5 months after launch), others later (~10).
        delay = np.minimum(prng.geometric(np.where(tgt, 0.2, 0.1)) - 1, 36)
        start = np.where(reached, world.t(plan.start) + delay, T + 1000)
        months_in = t_grid - start[:, None]
        present = (months_in >= 0) & (prng.random((V, T)) >= MISSING_REPORT_SHARE)
        progress = np.clip(months_in / 48.0, 0, 1)
        data = _ProjectData(reached, start)
        source = plan.source

        if code == "HANSA":
            # In another district than the stale one, so the two gaps are told apart.
            candidates = np.flatnonzero(reached & tgt & (district != world.stale_district))
            if len(candidates):
                silent = int(prng.choice(candidates))
                present[silent, :] = False
                hansa_silent_district = district[silent]
            dist_effect = _district_effect(prng, district, 0.07)
            births = prng.poisson(np.broadcast_to(households[:, None] * 0.0114, (V, T)))
            infants = prng.poisson(np.broadcast_to(households[:, None] * 0.011, (V, T)))
            bonus = 0.05 * tgt[:, None]
            p_anc4 = np.clip(0.35 + 0.30 * progress + dist_effect[:, None] + bonus, 0.2, 0.95)
            p_fac = np.clip(0.30 + 0.35 * progress + dist_effect[:, None] + bonus, 0.15, 0.95)
            p_penta = np.clip(0.68 + 0.20 * progress + 0.5 * dist_effect[:, None], 0.4, 0.97)
            world.emit(sink, "HANSA_ANC4", present, numerator=prng.binomial(births, p_anc4),
                       denominator=births, multiplier=100, source=source)
            world.emit(sink, "HANSA_FACILITY_DELIVERY", present, numerator=prng.binomial(births, p_fac),
                       denominator=births, multiplier=100, source=source)
            world.emit(sink, "HANSA_PENTA3", present, numerator=prng.binomial(infants, p_penta),
                       denominator=infants, multiplier=100, source=source)
            # At least one session: a positive coverage indicator is what "reached" means.
            sessions = 1 + (prng.random((V, T)) < 0.12)
            world.emit(sink, "HANSA_GM_SESSIONS", present, value=sessions.astype(np.int64), source=source)
        elif code == "SUWASH":
            decay = np.exp(-np.clip(months_in, 0, None) / 14.0)
            latrines = 1 + prng.poisson(households[:, None] * 0.04 * decay)
            world.emit(sink, "SUWASH_LATRINES_BUILT", present, value=latrines.astype(np.int64), source=source)
            certified = prng.random(V) < 0.75
            odf_month = np.where(certified, start + 6 + prng.geometric(1 / 18, V), T + 1000)
            world.emit(sink, "SUWASH_ODF", present, value=(t_grid >= odf_month[:, None]).astype(np.int64),
                       source=source)
            initial = prng.uniform(0.30, 0.65, V)
            scheme = np.where(prng.random(V) < 0.7, start + prng.integers(6, 37, V), T + 1000)
            after = prng.uniform(0.85, 0.98, V)
            cover = np.where(t_grid >= scheme[:, None], after[:, None],
                             np.minimum(initial[:, None] + 0.002 * np.clip(months_in, 0, None), 0.84))
            hh = np.broadcast_to(households[:, None].astype(np.int64), (V, T))
            world.emit(sink, "SUWASH_IMPROVED_WATER", present,
                       numerator=np.floor(households[:, None] * cover).astype(np.int64), denominator=hh,
                       multiplier=100, source=source)
            data.odf_month = odf_month
        elif code == "AFN":
            final = households * prng.uniform(0.3, 0.7, V)
            expected = final[:, None] * (1 - np.exp(-(np.clip(months_in, -1, None) + 1) / 10.0))
            increments = prng.poisson(np.diff(expected, axis=1, prepend=0.0).clip(0))
            stock = np.where(months_in >= 0, np.maximum(np.cumsum(increments, axis=1), 1), 0)
            stock = np.maximum.accumulate(stock, axis=1)
            world.emit(sink, "AFN_HOME_GARDEN_HH", present, value=stock, source=source)
            fns = prng.poisson(np.where(months_in < 24, 0.9, 0.4))
            world.emit(sink, "AFN_FNS_SESSIONS", present, value=fns, source=source)
            data.garden_final = final
        elif code == "ECE":
            children = np.maximum(1, np.round(households * 0.42 * prng.normal(1, 0.08, V))).astype(np.int64)
            dist_effect = _district_effect(prng, district, 0.08)
            # Enrolment dips over the July-August school holidays.
            holiday = np.array([m[5:] in ("07", "08") for m in world.months])[None, :]
            p_enrol = np.clip(0.30 + 0.35 * progress + dist_effect[:, None] - 0.12 * holiday, 0.05, 0.95)
            den = np.broadcast_to(children[:, None], (V, T))
            world.emit(sink, "ECE_ENROLMENT", present, numerator=prng.binomial(den, p_enrol), denominator=den,
                       multiplier=100, source=source)
            world.emit(sink, "ECE_PLAYGROUP_SESSIONS", present, value=1 + prng.poisson(2.0, (V, T)), source=source)
        out[code] = data
    return out, hansa_silent_district


def _district_effect(rng: np.random.Generator, district: np.ndarray, sd: float) -> np.ndarray:
    codes, inverse = np.unique(district, return_inverse=True)
    return rng.normal(0, sd, len(codes))[inverse]


# --------------------------------------------------------------------------- surveys


# Standard-error ranges (percentage points) by level and indicator: district samples are
# smaller than province samples, and rarer outcomes (wasting) have smaller errors.
_SURVEY_SE = {
    "national": {"STUNTING": (1.5, 1.8), "WASTING": (1.5, 1.6), "UNDERWEIGHT": (1.5, 1.7)},
    "province": {"STUNTING": (1.9, 2.8), "WASTING": (1.5, 2.0), "UNDERWEIGHT": (1.7, 2.5)},
    "district": {"STUNTING": (3.0, 4.5), "WASTING": (2.0, 2.8), "UNDERWEIGHT": (2.6, 4.0)},
}


def _emit_surveys(world: _World, sink: _ObservationSink) -> dict[tuple[str, int], float]:
    """Stunting, wasting, underweight estimates with standard errors; returns stunting by (unit, year)."""
    rng = _rng(world.seed, "surveys")
    # Surveys are context for the whole window (the 2017 LSIS is the stunting baseline), so
    # every round up to last_month is kept even when it predates first_month.
    last_year = int(world.months[-1][:4])
    rows: list[tuple[int, str, str, float, float]] = []  # year, indicator, unit, value, se
    stunting: dict[tuple[str, int], float] = {}

    def true_stunting(p2017: float, year: int, rrpm: bool) -> float:
        # ~0.5 point a year before the program, ~1 point a year in RRPM provinces after 2020.
        slope_after = 1.0 if rrpm else 0.65
        return p2017 - 0.5 * (min(year, 2020) - 2017) - slope_after * max(0, year - 2020)

    def estimates(unit: str, level: str, year: int, st_true: float, published: float | None = None) -> None:
        se = {code: rng.uniform(*bounds) for code, bounds in _SURVEY_SE[level].items()}
        # An estimate misses the truth by its sampling error (here a fraction of an SE, less
        # for the large national sample so the national trend reads cleanly).
        noise = 0.25 if level == "national" else 0.5
        st = published if published is not None else st_true + rng.normal(0, se["STUNTING"] * noise)
        wasting_true = np.clip(8.0 + (st_true - 35) * 0.12 - 0.2 * (year - 2017), 5.0, 11.0)
        ws = wasting_true + rng.normal(0, se["WASTING"] * 0.4)
        uw = np.clip(0.55 * st_true + rng.normal(0, 1.2), 8.0, 32.0)
        for code, value in (("STUNTING", st), ("WASTING", ws), ("UNDERWEIGHT", uw)):
            rows.append((year, code, unit, round(float(value), 1), round(float(se[code]), 2)))
        stunting[(unit, year)] = round(float(st), 1)

    district_effect = {d: rng.normal(0, 3.5) for d in world.target_districts}
    district_slope = {d: rng.uniform(0.6, 1.4) for d in world.target_districts}
    for year in (2017, 2020, 2022, 2023, 2024):
        if year > last_year:
            continue
        if year in (2017, 2023):
            national_true = NATIONAL_STUNTING_2017 - 0.55 * (year - 2017)
            estimates(NATIONAL_CODE, "national", year, national_true,
                      NATIONAL_STUNTING_2017 if year == 2017 else None)
            for p in sorted(_STUNTING_2017):
                estimates(p, "province", year, true_stunting(_STUNTING_2017[p], year, p in RRPM_PROVINCES))
        else:
            # Program rounds were designed for the RRPM provinces and target districts only.
            for p in RRPM_PROVINCES:
                estimates(p, "province", year, true_stunting(_STUNTING_2017[p], year, True))
            for d in world.target_districts:
                p_true = true_stunting(_STUNTING_2017[d[:2]], 2020, True)
                d_true = np.clip(p_true + district_effect[d], 38, 60) - district_slope[d] * (year - 2020)
                estimates(d, "district", year, float(d_true))
    for code in ("STUNTING", "WASTING", "UNDERWEIGHT"):
        for year in sorted({r[0] for r in rows}):
            sel = sorted((r for r in rows if r[1] == code and r[0] == year), key=lambda r: r[2])
            n = len(sel)
            sink.add(code, np.array([r[2] for r in sel], dtype=object), np.array([str(year)] * n, dtype=object),
                     np.array([f"{year}-01-01"] * n, dtype=object), value=np.array([r[3] for r in sel]),
                     std_error=np.array([r[4] for r in sel]), source=_SURVEY_SOURCES[year])
    return stunting


def _emit_poverty(world: _World, sink: _ObservationSink) -> int:
    """District poverty headcount (%) from a 2019 expenditure-survey-like poverty map, every district.

    Poorer where stunting is high (the northern uplands), with district variation; demo values.
    """
    rng = _rng(world.seed, "poverty")
    codes = sorted(load_boundaries("district")["code"])
    values = [float(np.clip(8.0 + 0.65 * (_STUNTING_2017[code[:2]] - 15.0) + rng.normal(0, 6.0), 3.0, 65.0))
              for code in codes]
    errors = [float(rng.uniform(2.0, 5.0)) for _ in codes]
    n = len(codes)
    sink.add("POVERTY_HEADCOUNT", np.array(codes, dtype=object), np.array(["2019"] * n, dtype=object),
             np.array(["2019-01-01"] * n, dtype=object), value=np.round(np.array(values), 1),
             std_error=np.round(np.array(errors), 2), source="Poverty map 2019 (demo)")
    return n


POPULATION_YEAR = "2020"
POPULATION_SOURCE = "Population projection 2020 from the 2015 census (demo)"


def _emit_population(sink: _ObservationSink, seed: int) -> int:
    """Women pregnant or with a child under two per district (demo): about 6 % of ~50,000 people.

    Lognormal around 3,000 so that small upland districts have a few hundred and the big
    lowland ones several thousand; the Phase II proposal turns it into eligible households.
    """
    rng = _rng(seed, "population")
    codes = sorted(load_boundaries("district")["code"])
    values = np.round(np.clip(rng.lognormal(np.log(3000), 0.5, len(codes)), 300, 20000))
    n = len(codes)
    sink.add("POP_PREG_U2", np.array(codes, dtype=object), np.array([POPULATION_YEAR] * n, dtype=object),
             np.array([f"{POPULATION_YEAR}-01-01"] * n, dtype=object), value=values.astype(float),
             source=POPULATION_SOURCE)
    return n


# --------------------------------------------------------------------------- money, targets


def _exchange_rates(first_month: str, last_month: str) -> list[dict]:
    anchor_months = [m for m, _ in _EXCHANGE_ANCHORS]
    x = np.array([_month_index(anchor_months, m) for m in anchor_months], dtype=float)
    y = np.array([rate for _, rate in _EXCHANGE_ANCHORS], dtype=float)
    months = month_range(first_month, last_month)
    xs = np.array([_month_index(anchor_months, m) for m in months], dtype=float)
    return [{"period": m, "lak_per_usd": round(float(r), 2)} for m, r in zip(months, _pchip(x, y, xs))]


def _target_rows(world: _World, cct: _Cct, projects: dict, stunting: dict, batch_id: int) -> list[dict]:
    rows: list[dict] = []

    def add(indicator: str, admin: str, kind: str, year: int, value: float, when: dt.date | None = None) -> None:
        rows.append({"indicator_code": indicator, "admin_code": admin, "kind": kind, "year": year,
                     "target_date": when, "value": float(value), "batch_id": batch_id})

    def annual_date(year: int) -> dt.date:
        return CLOSING_DATE if year == CLOSING_DATE.year else dt.date(year, 12, 31)

    def framework(indicator: str, admin: str, baseline: float | None, annual: dict[int, float], eop: float) -> None:
        if baseline is not None:
            add(indicator, admin, "baseline", 2019, baseline)
        for year, value in annual.items():
            add(indicator, admin, "annual", year, value, annual_date(year))
        add(indicator, admin, "end_of_project", CLOSING_DATE.year, eop, CLOSING_DATE)

    # The registration target is set ~12 % above what the model expects by closing, so the
    # projection shows "at risk" (30,000 at scale demo); it scales with the target villages.
    expected = cct.expected_at_closing
    eop = _nice_round(TARGET_AMBITION * expected.sum())
    path = {2020: 0.25, 2021: 0.55, 2022: 0.75, 2023: 0.90, 2024: 1.0}
    province = world.villages["province_code"].to_numpy()
    district = world.villages["parent_code"].to_numpy()
    shares = {p: expected[province == p].sum() / max(expected.sum(), 1) for p in RRPM_PROVINCES}
    province_eop = {p: float(round(eop * s, -1)) for p, s in shares.items()}
    # Rounding must not make the provinces disagree with the national target.
    biggest = max(province_eop, key=province_eop.get)
    province_eop[biggest] += eop - sum(province_eop.values())
    province_annual = {p: {y: float(round(province_eop[p] * s, -1)) for y, s in path.items()}
                       for p in RRPM_PROVINCES}
    province_annual = {p: annual | {CLOSING_DATE.year: province_eop[p]} for p, annual in province_annual.items()}
    national_annual = {y: sum(province_annual[p][y] for p in RRPM_PROVINCES) for y in path}
    framework("CCT_REGISTERED", NATIONAL_CODE, 0, national_annual, eop)
    for p in RRPM_PROVINCES:
        framework("CCT_REGISTERED", p, 0, province_annual[p], province_eop[p])
    # District targets exist for the first target district of each province only: the
    # dashboard must cope with targets at some scopes and not others.
    for p in RRPM_PROVINCES:
        districts_p = [d for d in world.target_districts if d[:2] == p]
        if districts_p:
            d = districts_p[0]
            add("CCT_REGISTERED", d, "end_of_project", CLOSING_DATE.year,
                float(round(TARGET_AMBITION * expected[district == d].sum(), -1)), CLOSING_DATE)

    framework("CCT_COMPLY_ALL", NATIONAL_CODE, 0, {2020: 60, 2021: 65, 2022: 70, 2023: 75, 2024: 80}, 80)
    framework("CCT_PAY_DELAY", NATIONAL_CODE, 45, {2020: 45, 2021: 40, 2022: 35, 2023: 30, 2024: 30}, 30)
    framework("PMT_COVERAGE", NATIONAL_CODE, 0, {2020: 100}, 100)
    framework("GRIEVANCE_RESOLVED", NATIONAL_CODE, None, {2020: 70, 2021: 75, 2022: 80, 2023: 85, 2024: 90}, 90)
    n_target = int(world.villages["is_target"].sum())
    # SBCC: one session a month in ~90 % of target villages; 2020 and 2024 are part years.
    add("SBCC_SESSIONS", NATIONAL_CODE, "baseline", 2019, 0)
    for year, months in {2020: 8, 2021: 12, 2022: 12, 2023: 12, 2024: 8}.items():
        add("SBCC_SESSIONS", NATIONAL_CODE, "annual", year, float(round(n_target * months * 0.9, -1)),
            annual_date(year))

    # Other projects' targets are national only ("national target only" in the dashboard);
    # they run to the end of 2025.
    end_2025 = dt.date(2025, 12, 31)
    last_t = world.n_months - 1
    odf_expected = float(((projects["SUWASH"].odf_month <= last_t) & projects["SUWASH"].reached).sum())
    garden_expected = float(projects["AFN"].garden_final[projects["AFN"].reached].sum())
    for indicator, baseline, baseline_year, target in (
        ("HANSA_ANC4", 40, 2019, 65),
        ("HANSA_PENTA3", 72, 2019, 90),
        ("SUWASH_ODF", 0, 2019, _nice_round(TARGET_AMBITION * odf_expected)),
        ("AFN_HOME_GARDEN_HH", 0, 2020, _nice_round(TARGET_AMBITION * garden_expected)),
        ("ECE_ENROLMENT", 35, 2021, 70),
    ):
        add(indicator, NATIONAL_CODE, "baseline", baseline_year, baseline)
        add(indicator, NATIONAL_CODE, "end_of_project", 2025, target, end_2025)

    if (NATIONAL_CODE, 2017) in stunting:
        add("STUNTING", NATIONAL_CODE, "baseline", 2017, NATIONAL_STUNTING_2017)
    add("STUNTING", NATIONAL_CODE, "end_of_project", 2025, 28.0, end_2025)
    for p in RRPM_PROVINCES:
        base = stunting.get((p, 2020))
        if base is not None:
            add("STUNTING", p, "baseline", 2020, base)
            add("STUNTING", p, "end_of_project", 2025, round(base - 7.0, 1), end_2025)
    return rows


# --------------------------------------------------------------------------- entry point


def generate_demo(engine: Engine, scale: str = "demo", seed: int = DEMO_SEED,
                  first_month: str = "2019-07", last_month: str = "2025-12",
                  stop_reporting: dict[str, str] | None = None,
                  carry_forward_months: int = DEFAULT_CARRY_FORWARD_MONTHS) -> dict:
    """Replace the database with the seeded demo dataset and return a summary of what was made.

    Drops and recreates the schema, then writes everything (reference data, villages,
    observations, payment cycles, exchange rates, targets, dataset facts, rollups) in one
    transaction, so a failure leaves an empty schema rather than half a dataset. The same
    scale, seed and months give byte-for-byte the same rows.
    stop_reporting {district code: "YYYY-MM"} drops every report of those districts (their
    villages and the district itself) from that month on, as if they had stopped reporting;
    carry_forward_months is the stock carry-forward cap the rollup is built with.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, not {scale!r}")
    if period_start(first_month) > period_start(last_month):
        raise ValueError(f"first_month {first_month} is after last_month {last_month}")
    for district, month in (stop_reporting or {}).items():
        if len(str(district)) != 4 or not str(district).isdigit():
            raise ValueError(f"stop_reporting: {district!r} is not a 4-digit district code")
        period_start(month)  # raises PeriodError on a month that is not YYYY-MM
    began = time.perf_counter()
    drop_db(engine)
    init_db(engine)
    model_first = min(first_month, MODEL_FIRST_MONTH)
    months = month_range(model_first, last_month)
    checksum = hashlib.sha256(
        f"demo|{scale}|{seed}|{first_month}|{last_month}|v{GENERATOR_VERSION}".encode()
        + (f"|stop={json.dumps(stop_reporting, sort_keys=True)}".encode() if stop_reporting else b"")
    ).hexdigest()
    with engine.begin() as conn:
        load_reference_data(conn)
        target_districts = sorted(
            code for (code,) in conn.execute(
                text("SELECT admin_code FROM target_area WHERE project_code = 'RRPM' ORDER BY admin_code"))
        )
        districts = load_boundaries("district")
        villages, provinces = _build_villages(scale, seed, districts, target_districts)
        world = _World(
            seed=seed, months=months, emit_from=months.index(first_month),
            month_codes=np.array(months, dtype=object),
            month_starts=np.array([f"{m}-01" for m in months], dtype=object),
            data_end=period_end(last_month), villages=villages, target_districts=target_districts,
            provinces_in_scope=provinces,
            stale_district=str(_rng(seed, "stale").choice(target_districts)) if target_districts else None,
        )
        conn.execute(insert(AdminUnit), _village_rows(villages))
        batch_id = conn.execute(
            insert(ImportBatch).values(
                kind="demo", file_name=f"demo:{scale}:{seed}", checksum=checksum,
                # A fixed time (end of the data) rather than now(): the dataset must be reproducible.
                imported_at=dt.datetime.combine(world.data_end, dt.time(23, 59)),
                imported_by="demo generator", status="applied",
            )
        ).inserted_primary_key[0]

        sink = _ObservationSink(conn, batch_id, stop_reporting)
        cct = _simulate_cct(world)
        present, registry_present = _cct_reporting(world, cct)
        cycles, payments = _payment_cycles(world, cct, present, batch_id)
        with _observation_indexes_deferred(conn):
            _emit_cct(world, sink, cct, present, registry_present, payments)
            _emit_district_operations(world, sink, cct)
            _emit_project_management(world, sink)
            projects, hansa_silent_district = _convergence(world, sink)
            stunting = _emit_surveys(world, sink)
            _emit_poverty(world, sink)
            _emit_population(sink, world.seed)
        if cycles:
            conn.execute(insert(PaymentCycle), cycles)
        rates = _exchange_rates(first_month, last_month)
        conn.execute(insert(ExchangeRate), rates)
        targets = _target_rows(world, cct, projects, stunting, batch_id)
        conn.execute(insert(Target), targets)
        rounds = [{"indicator_code": code, "period": str(year), "available_on": _SURVEY_KNOWN_ON[year],
                   "batch_id": batch_id}
                  for year in sorted({year for _, year in stunting}) for code in ("STUNTING", "WASTING", "UNDERWEIGHT")]
        if rounds:
            conn.execute(insert(SurveyRound), rounds)

        survey_rows = sum(sink.counts.get(c, 0) for c in ("STUNTING", "WASTING", "UNDERWEIGHT"))
        report = {
            "scale": scale, "seed": seed, "villages": world.n_villages,
            "observations": sink.total, "observations_by_indicator": dict(sorted(sink.counts.items())),
            "payment_cycles": len(cycles), "targets": len(targets), "survey_estimates": survey_rows,
            "exchange_rates": len(rates), "stale_district": world.stale_district,
            "hansa_silent_district": hansa_silent_district,
            "stop_reporting": dict(sorted((stop_reporting or {}).items())),
        }
        report["agreed_actions"] = add_demo_actions(conn, world.data_end)
        conn.execute(
            ImportBatch.__table__.update().where(ImportBatch.id == batch_id).values(
                rows_total=sink.total, rows_inserted=sink.total,
                report_json=json.dumps(report, sort_keys=True),
            )
        )
        info = {
            "is_demo": "1", "scale": scale, "seed": str(seed), "first_month": first_month,
            "last_month": last_month, "generated_from": GENERATED_FROM,
        }
        conn.execute(insert(DatasetInfo), [{"key": k, "value": v} for k, v in info.items()])
        if conn.dialect.name == "postgresql":
            # The planner has no statistics right after a bulk COPY; the rollup joins need them.
            conn.execute(text("ANALYZE observation"))
            conn.execute(text("ANALYZE admin_unit"))
        report["rollup_rows"] = rebuild_rollups(conn, carry_forward_months=carry_forward_months)
    if engine.dialect.name == "postgresql":
        # Fresh tables have no visibility map: without a VACUUM, PostgreSQL cannot read the covering
        # indexes alone (index-only scans) until autovacuum gets round to them, minutes to hours later.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    report["seconds"] = round(time.perf_counter() - began, 2)
    return report
