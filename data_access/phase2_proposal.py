"""The Phase II proposal (pure): selection, eligible households, beneficiaries, yearly cost, budget envelope, robustness."""
import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from data_access.phase2_score import phase2_scores, select_top, selection_robustness

# Why a district has no score (message key suffixes: phase2.not_scored_<reason>).
NOT_SCORED_REASONS = ("no_poverty", "no_population", "no_components")


@dataclass(frozen=True)
class ProposalParameters:
    """The inputs of the cost: transfer (LAK a month), take-up and delivery share (percent),
    months a year, budget envelope (USD a year or None), and the exchange rate with its period
    (rate_source "table" for exchange_rate, "override" for the program office's own)."""

    transfer_lak: float
    take_up_pct: float
    months: int
    delivery_share_pct: float
    budget_usd: float | None
    lak_per_usd: float | None
    rate_period: str | None
    rate_source: str

    def as_dict(self) -> dict:
        return asdict(self)


def _setting(settings: pd.DataFrame, key: str):
    value = settings.set_index("key")["value"].get(key)
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def proposal_parameters(settings: pd.DataFrame, rate: dict | None) -> ProposalParameters:
    """ProposalParameters from program_settings() rows and the exchange_rate row of phase2_settings()."""
    override = _setting(settings, "lak_per_usd_override")
    if override:
        lak_per_usd, period, source = override, None, "override"
    elif rate:
        lak_per_usd, period, source = float(rate["lak_per_usd"]), rate["period"], "table"
    else:
        lak_per_usd, period, source = None, None, "none"
    return ProposalParameters(
        transfer_lak=_setting(settings, "transfer_lak"), take_up_pct=_setting(settings, "take_up_pct"),
        months=int(_setting(settings, "months")), delivery_share_pct=_setting(settings, "delivery_share_pct"),
        budget_usd=_setting(settings, "budget_usd"), lak_per_usd=lak_per_usd, rate_period=period,
        rate_source=source)


def _round_half_up(values: pd.Series) -> pd.Series:
    # Counts of people round half up (2.5 households -> 3), not to even as Python's round does.
    return np.floor(values + 0.5)


def district_costs(frame: pd.DataFrame, params: ProposalParameters) -> pd.DataFrame:
    """Adds eligible households, expected beneficiaries and the yearly cost to each district.

    frame: poverty (percent of people below the poverty line), population (women pregnant
    or with a child under two). eligible_households = population x poverty / 100, one
    household per woman, rounded half up; beneficiaries = eligible x take-up, rounded half
    up; transfers_lak = beneficiaries x transfer x months; delivery_lak = transfers x
    delivery share (whole kip); cost_lak = transfers + delivery; cost_usd = cost_lak at the
    rate (NaN without one). A population of 0 gives 0 households; a missing poverty or
    population gives missing, never 0.
    """
    result = frame.copy()
    poverty = pd.to_numeric(result["poverty"], errors="coerce").astype("float64")
    population = pd.to_numeric(result["population"], errors="coerce").astype("float64")
    result["eligible_households"] = _round_half_up(population * poverty / 100.0)
    result["beneficiaries"] = _round_half_up(result["eligible_households"] * params.take_up_pct / 100.0)
    result["transfers_lak"] = result["beneficiaries"] * params.transfer_lak * params.months
    result["delivery_lak"] = _round_half_up(result["transfers_lak"] * params.delivery_share_pct / 100.0)
    result["cost_lak"] = result["transfers_lak"] + result["delivery_lak"]
    result["cost_usd"] = (result["cost_lak"] / params.lak_per_usd).round(2) if params.lak_per_usd else np.nan
    return result


def not_scored_reason(frame: pd.DataFrame) -> pd.Series:
    """Per district: why it cannot be in the proposal (NOT_SCORED_REASONS), or None.

    Without poverty there are no eligible households to count; without population neither;
    without data for any weighted part there is no score.
    """
    reasons = np.select(
        [frame["poverty"].isna(), frame["population"].isna(), frame["score"].isna()],
        list(NOT_SCORED_REASONS), default="")
    return pd.Series(reasons, index=frame.index).replace("", None)


def selection_totals(selected: pd.DataFrame) -> dict:
    """Sums over the selected districts; villages is None when no selected district has a village count."""
    def total(column):
        values = selected[column].dropna()
        return float(values.sum()) if len(values) else None

    return {
        "n_districts": int(len(selected)),
        "n_provinces": int(selected["province_code"].nunique()) if len(selected) else 0,
        "villages": total("n_villages"),
        "districts_without_villages": int(selected["n_villages"].isna().sum()),
        "eligible_households": total("eligible_households") or 0.0,
        "beneficiaries": total("beneficiaries") or 0.0,
        "transfers_lak": total("transfers_lak") or 0.0,
        "delivery_lak": total("delivery_lak") or 0.0,
        "cost_lak": total("cost_lak") or 0.0,
        "cost_usd": float(selected["cost_usd"].sum()) if selected["cost_usd"].notna().all() else None,
    }


def budget_fit(ranked: pd.DataFrame, budget_usd: float | None) -> dict | None:
    """How many districts fit the envelope when they are taken in rank order, and the first that does not.

    ranked: the eligible, scored districts in rank order with cost_usd. Returns None without
    an envelope or without USD costs; else {"budget_usd", "n_fit", "cost_fit", "marginal"}
    where marginal is the first district outside (district_code, cost_usd, total_with: the
    cost with it, over: how far that is above the envelope), or None when all fit.
    """
    if budget_usd is None or ranked.empty or ranked["cost_usd"].isna().any():
        return None
    cumulative = ranked["cost_usd"].cumsum()
    fits = cumulative <= budget_usd + 1e-6
    # Taken in rank order: the envelope stops at the first district it cannot pay for.
    n_fit = int(fits.cummin().sum())
    marginal = None
    if n_fit < len(ranked):
        row = ranked.iloc[n_fit]
        total_with = float(cumulative.iloc[n_fit])
        marginal = {"district_code": row["district_code"], "cost_usd": float(row["cost_usd"]),
                    "total_with": total_with, "over": total_with - budget_usd}
    return {"budget_usd": float(budget_usd), "n_fit": n_fit,
            "cost_fit": float(cumulative.iloc[n_fit - 1]) if n_fit else 0.0, "marginal": marginal}


def build_proposal(inputs: dict, params: ProposalParameters, components: dict[str, bool],
                   weights: dict[str, float], n: int, exclude_phase1: bool = True,
                   ticked: list[str] | None = None) -> dict:
    """The whole proposal for one set of choices: what the page shows and the Excel holds.

    inputs: phase2_inputs(); weights already zero for unavailable components; ticked: the
    districts chosen by hand (None: the top n by score). Districts without poverty or
    population data, or without a score, are never ranked or selected (reason says why).
    Returns {"districts": one row per district with score, rank, selected, reason, the
    costs (district_costs) and robustness (selection_robustness), "selected": the selected
    rows in rank order, "totals": selection_totals, "budget": budget_fit over the ranking,
    "mode": "top" | "hand", "n", "weights", "parameters", "exclude_phase1"}.
    """
    scored = phase2_scores(inputs["districts"], components, weights)
    scored["reason"] = not_scored_reason(scored)
    scoreable = scored["reason"].isna()
    scored["score"] = scored["score"].where(scoreable)
    eligible = scoreable & (~scored["is_target"].astype(bool) if exclude_phase1 else True)
    scored = select_top(scored, n, eligible)
    mode = "top"
    if ticked is not None:
        mode = "hand"
        scored["selected"] = scored["district_code"].isin(ticked) & scoreable
    varied = [name for name, weight in weights.items() if name in components
              and inputs["available"].get(name, True)]
    robustness = selection_robustness(scored, components, weights, n, eligible, varied=varied)
    scored = scored.join(robustness[["robust_share", "depends_on"]])
    scored = district_costs(scored, params)
    ranked = scored[scored["rank"].notna()].sort_values(["rank", "district_code"])
    selected = scored[scored["selected"]].sort_values(["rank", "score", "district_code"],
                                                      ascending=[True, False, True], na_position="last")
    return {"districts": scored, "selected": selected, "totals": selection_totals(selected),
            "budget": budget_fit(ranked, params.budget_usd), "mode": mode, "n": int(n), "weights": dict(weights),
            "parameters": params, "exclude_phase1": bool(exclude_phase1)}


def phase1_comparison(proposal: dict) -> dict:
    """Phase I districts that continue (selected), new districts, Phase I districts left out (codes, rank order)."""
    districts = proposal["districts"]
    selected = proposal["selected"]
    is_target = districts["is_target"].astype(bool)
    return {"continuing": list(selected.loc[selected["is_target"].astype(bool), "district_code"]),
            "new": list(selected.loc[~selected["is_target"].astype(bool), "district_code"]),
            "leaving": sorted(districts.loc[is_target & ~districts["selected"], "district_code"])}


def selection_project_mix(mix: pd.DataFrame, selected_codes: list[str], n_projects: int = 5) -> pd.DataFrame:
    """Villages of each selected district by how many projects reach them: one column per count 0..n_projects.

    mix: village_project_mix() rows. Columns: district_code, v0..v<n>, n_villages (0 for a
    district with no village known: shown as "no villages known", not as villages with 0).
    """
    columns = [f"v{k}" for k in range(n_projects + 1)]
    chosen = mix[mix["district_code"].isin(selected_codes)]
    table = chosen.pivot_table(index="district_code", columns="n_projects", values="n_villages", aggfunc="sum",
                               fill_value=0)
    table = table.reindex(index=list(selected_codes), columns=range(n_projects + 1), fill_value=0)
    table.columns = columns
    table = table.fillna(0).astype(int).reset_index()
    table["n_villages"] = table[columns].sum(axis=1)
    return table
