"""The demo's RRPM conditional cash transfers: enrolment, compliance, payment cycles and what villages report."""
import datetime as dt
from dataclasses import dataclass

import numpy as np

from data_access.demo_base import (
    CLOSING_MONTH,
    LOCKDOWN_MONTHS,
    MISSING_REPORT_SHARE,
    STALE_MONTHS,
    _ObservationSink,
    _rng,
    _World,
)
from data_access.periods import period_end

CCT_LAK_PER_MONTH = 100_000
CCT_MONTHS_PER_CYCLE = 2


@dataclass
class _Cct:
    start: np.ndarray              # village month index of first registration (large if none)
    district_start: dict[str, int]
    registered: np.ndarray
    new_reg: np.ndarray
    active: np.ndarray
    pregnant: np.ndarray
    mothers: np.ndarray
    comply_anc: np.ndarray
    comply_gmp: np.ndarray
    comply_sbcc: np.ndarray
    comply_all: np.ndarray
    sessions: np.ndarray
    expected_at_closing: np.ndarray  # per village, from parameters (sets the targets)


def _simulate_cct(world: _World) -> _Cct:
    rng = _rng(world.seed, "cct")
    V, T = world.n_villages, world.n_months
    tgt = world.villages["is_target"].to_numpy()
    district = world.villages["parent_code"].to_numpy()
    households = world.villages["households"].to_numpy()
    never = T + 1000

    # First registrations follow the PMT survey: Feb-Jun 2020 by district, then villages
    # join over the following months so enrolment ramps up through 2020-2021.
    district_start = {d: world.t("2020-02") + int(rng.integers(0, 5)) for d in world.target_districts}
    offsets = np.minimum(rng.geometric(0.2, V) - 1, 14)
    start = np.array([district_start.get(d, never) for d in district]) + offsets
    start = np.where(tgt, start, never)

    t_grid = np.arange(T)[None, :]
    started = t_grid >= start[:, None]
    # Registration campaign: the stock of poor pregnant women and mothers of under-twos
    # (~16 % of households) signs up over four months; then new pregnancies among poor
    # households (~0.63 % of households a month) register as they come. At scale "demo"
    # this gives ~26,000 registrations by closing against a 30,000 target.
    campaign_mean = households * 0.16
    flow_rate = households * 0.0063
    campaign_total = np.where(tgt, np.maximum(1, rng.poisson(campaign_mean)), 0)
    weights = np.array([0.45, 0.30, 0.15, 0.10])
    campaign_split = rng.multinomial(campaign_total, weights)
    campaign = np.zeros((V, T), dtype=np.int64)
    for k in range(len(weights)):
        cols = start + k
        ok = tgt & (cols < T)
        campaign[np.flatnonzero(ok), cols[ok]] += campaign_split[ok, k]
    flow = np.where(t_grid > start[:, None], rng.poisson(np.broadcast_to(flow_rate[:, None], (V, T))), 0)

    # Exits: the child turns two. Campaign entrants are anywhere in pregnancy or the first
    # two years (1-29 months left); new registrants are early in pregnancy (26-31 months).
    exits = np.zeros((V, T), dtype=np.int64)
    for counts, delays in ((campaign, np.arange(1, 30)), (flow, np.arange(26, 32))):
        split = rng.multinomial(counts, np.full(len(delays), 1.0 / len(delays)))
        for k, delay in enumerate(delays):
            if delay < T:
                exits[:, delay:] += split[:, : T - delay, k]
    new_reg = campaign + flow
    # A registered village must never show zero active beneficiaries while the program
    # runs there (zero would read as "CCT does not reach this village"); in a tiny
    # hamlet that gap is closed by the next pregnancy registering a month early.
    while True:
        active = np.cumsum(new_reg, axis=1) - np.cumsum(exits, axis=1)
        gap = started & (active <= 0)
        if not gap.any():
            break
        vi = np.flatnonzero(gap.any(axis=1))
        ti = gap[vi].argmax(axis=1)
        new_reg[vi, ti] += 1
        exit_at = ti + 28
        ok = exit_at < T
        exits[vi[ok], exit_at[ok]] += 1
    registered = np.cumsum(new_reg, axis=1)

    # Compliance: a persistent district effect, a condition effect per district, a small
    # village effect and a slow improvement over time; lockdowns hit the group conditions.
    district_codes = world.target_districts
    base = {d: rng.uniform(0.70, 0.90) for d in district_codes}
    cond_effect = {d: rng.normal([-0.06, 0.0, 0.04], 0.03) for d in district_codes}
    district_base = np.array([base.get(d, 0.8) for d in district])
    cond = np.array([cond_effect.get(d, np.zeros(3)) for d in district])
    village_effect = rng.normal(0, 0.03, V)
    years = (np.arange(T) - world.t("2020-01")) / 12.0
    trend = np.clip(-0.06 + 0.02 * years, -0.06, 0.04)[None, :]
    lockdown = np.array([m in LOCKDOWN_MONTHS for m in world.months])[None, :]
    common = district_base[:, None] + village_effect[:, None] + trend

    def rate(k: int, lockdown_penalty: float) -> np.ndarray:
        return np.clip(common + cond[:, k][:, None] - lockdown_penalty * lockdown, 0.55, 0.96)

    p_anc, p_gmp, p_sbcc = rate(0, 0.0), rate(1, 0.08), rate(2, 0.12)
    active = np.where(started, active, 0)
    pregnant = rng.binomial(active, 0.22)
    mothers = active - pregnant
    anc = rng.binomial(pregnant, p_anc)
    gmp = rng.binomial(mothers, p_gmp)
    # Attending SBCC is likelier for women who also meet their health condition, so
    # "all conditions" is below each single-condition rate, as in real programs.
    q_hi, q_lo = np.clip(p_sbcc + 0.05, 0, 0.99), np.clip(p_sbcc - 0.20, 0.2, 0.99)
    sb_anc, sb_gmp = rng.binomial(anc, q_hi), rng.binomial(gmp, q_hi)
    sbcc = sb_anc + sb_gmp + rng.binomial(pregnant - anc, q_lo) + rng.binomial(mothers - gmp, q_lo)
    comply_all = sb_anc + sb_gmp

    held_p = np.where(lockdown, 0.5, 0.92)
    held = rng.random((V, T)) < held_p
    sessions = np.where(started, held.astype(np.int64) + (held & (rng.random((V, T)) < 0.04)), 0)

    t_close = world.t(CLOSING_MONTH)
    months_after = np.clip(t_close - start, -1, None)
    expected = np.where(tgt & (months_after >= 0), campaign_mean + flow_rate * months_after, 0.0)
    return _Cct(start, district_start, registered, new_reg, active, pregnant, mothers, anc, gmp,
                sbcc, comply_all, sessions, expected)


def _approval_delay(verified: dt.date, severity: float, slow_end: bool, rng: np.random.Generator) -> int:
    """Days from verification to MoF approval: the 2022 bottleneck, then recovery."""
    if verified < dt.date(2022, 1, 1):
        return int(rng.integers(5, 31))
    if verified < dt.date(2023, 1, 1):
        return int(np.clip(30 + 120 * severity * rng.uniform(0.55, 1.0), 30, 150))
    if verified < dt.date(2023, 7, 1):
        return int(rng.uniform(20, 70) * (0.7 + 0.6 * severity))
    if verified < dt.date(2024, 1, 1):
        return int(rng.integers(15, 51))
    if verified < dt.date(2025, 1, 1):
        return int(rng.integers(10, 36))
    if slow_end and verified >= dt.date(2025, 9, 1):
        return int(rng.integers(55, 96))
    return int(rng.integers(7, 29))


def _cct_reporting(world: _World, cct: _Cct) -> tuple[np.ndarray, np.ndarray]:
    """Which village x month cells have a monthly verification report, and which a registry count.

    Compliance is verified from the monthly village reports, so this mask decides both what
    the villages report and who can be verified (and so paid) in a payment cycle.
    """
    rng = _rng(world.seed, "cct-reporting")
    V, T = world.n_villages, world.n_months
    district = world.villages["parent_code"].to_numpy()
    started = np.arange(T)[None, :] >= cct.start[:, None]
    present = started & (rng.random((V, T)) >= MISSING_REPORT_SHARE)
    # Registry counts come from the MIS, which has every enrolled village every month; only the
    # monthly verification reports go missing now and then. Random gaps in a stock would make
    # the summed "registered to date" dip in months when a few villages did not report.
    registry_present = started.copy()
    # One district's village reports stop arriving for the last months: a stale district.
    present[district == world.stale_district, T - STALE_MONTHS:] = False
    registry_present[district == world.stale_district, T - STALE_MONTHS:] = False
    return present, registry_present


def _payment_cycles(world: _World, cct: _Cct, present: np.ndarray,
                    batch_id: int) -> tuple[list[dict], list[tuple[str, int, int]]]:
    """Cycles per target district, and the (district, compliance month, paid month) of each paid one.

    A cycle pays the beneficiaries whose compliance was verified from their village's
    report for the cycle's month: a village without that report has nobody verified, and a
    district without any report for the month has no cycle for it.
    """
    rng = _rng(world.seed, "payments")
    district = world.villages["parent_code"].to_numpy()
    severity = {d: float(rng.beta(2.0, 2.0)) for d in world.target_districts}
    slow_end = set(rng.choice(world.target_districts, size=min(3, len(world.target_districts)), replace=False).tolist())
    verified_compliers = np.where(present, cct.comply_all, 0)
    cycles, payments = [], []
    for d in world.target_districts:
        rows_d = district == d
        first = cct.district_start[d]
        previous = {"approved_on": None, "funds_sent_on": None, "paid_on": None}
        cycle_no = 0
        for t in range(first, world.n_months - 1, CCT_MONTHS_PER_CYCLE):
            period = world.months[t]
            covered_end = period_end(world.months[t + 1])
            # Dates are drawn for every cycle (kept or not) so the stream does not depend
            # on the emitted window or on which reports arrived.
            verified = covered_end + dt.timedelta(days=int(rng.integers(5, 21)))
            delay = _approval_delay(verified, severity[d], d in slow_end, rng)
            transfer, cash_out = int(rng.integers(2, 11)), int(rng.integers(1, 8))
            if not present[rows_d, t].any():
                # Nothing to verify (no village reported the month, e.g. before the first
                # villages enrolled or after a district's reports stopped): no cycle.
                continue
            cycle_no += 1
            # MoF approves and U-Money pays cycles in order: a late cycle holds up the next.
            approved = max(verified + dt.timedelta(days=delay), previous["approved_on"] or verified)
            funds = max(approved + dt.timedelta(days=transfer), previous["funds_sent_on"] or approved)
            paid = max(funds + dt.timedelta(days=cash_out), previous["paid_on"] or funds)
            previous = {"approved_on": approved, "funds_sent_on": funds, "paid_on": paid}
            dates: list[dt.date | None] = [verified, approved, funds, paid]
            for k, day in enumerate(dates):
                if day > world.data_end or (k and dates[k - 1] is None):
                    dates[k] = None
            beneficiaries = int(verified_compliers[rows_d, t].sum()) if dates[0] is not None else None
            if t < world.emit_from:
                continue
            if dates[3] is not None:
                payments.append((d, t, world.t(f"{dates[3].year:04d}-{dates[3].month:02d}")))
            cycles.append({
                "district_code": d, "cycle_no": cycle_no, "period": period,
                "verified_on": dates[0], "approved_on": dates[1], "funds_sent_on": dates[2],
                "paid_on": dates[3], "beneficiaries": beneficiaries,
                "amount_lak": None if beneficiaries is None
                else float(beneficiaries * CCT_LAK_PER_MONTH * CCT_MONTHS_PER_CYCLE),
                "batch_id": batch_id,
            })
    return cycles, payments


def _emit_cct(world: _World, sink: _ObservationSink, cct: _Cct, present: np.ndarray,
              registry_present: np.ndarray, payments: list[tuple[str, int, int]]) -> None:
    V, T = world.n_villages, world.n_months
    district = world.villages["parent_code"].to_numpy()
    # Beneficiaries paid, per village and month paid: the U-Money records of the cycles in
    # payment_cycle, so that their sum over a district's villages is the cycles' own count.
    verified_compliers = np.where(present, cct.comply_all, 0)
    paid = np.zeros((V, T), dtype=np.int64)
    for d, t_period, t_paid in payments:
        rows_d = district == d
        paid[rows_d, t_paid] += verified_compliers[rows_d, t_period]
    src = "RRPM MIS (demo)"
    world.emit(sink, "CCT_REGISTERED", registry_present, value=cct.registered, source=src)
    world.emit(sink, "CCT_ACTIVE", registry_present, value=cct.active, source=src)
    world.emit(sink, "CCT_NEW_REG", registry_present, value=cct.new_reg, source=src)
    world.emit(sink, "CCT_COMPLY_ALL", present, numerator=cct.comply_all, denominator=cct.active,
               multiplier=100, source=src)
    world.emit(sink, "CCT_COMPLY_ANC", present, numerator=cct.comply_anc, denominator=cct.pregnant,
               multiplier=100, source=src)
    world.emit(sink, "CCT_COMPLY_GMP", present, numerator=cct.comply_gmp, denominator=cct.mothers,
               multiplier=100, source=src)
    world.emit(sink, "CCT_COMPLY_SBCC", present, numerator=cct.comply_sbcc, denominator=cct.active,
               multiplier=100, source=src)
    # A payment record exists whether or not the village's monthly report came in.
    world.emit(sink, "CCT_PAID", present | (paid > 0), value=paid, source="RRPM MIS / U-Money (demo)")
    world.emit(sink, "SBCC_SESSIONS", present, value=cct.sessions, source=src)
    # No CCT_PAY_DELAY observations: the payment delay is derived from the payment cycles
    # (data_access.payment_delay), so there is one figure, not a second one to disagree.
