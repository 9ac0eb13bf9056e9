"""The Phase II proposal, pure parts: the score, households and costs, not-scored reasons, budget envelope, robustness."""
import math

import pandas as pd
import pytest

from data_access.phase2_proposal import (
    ProposalParameters,
    budget_fit,
    build_proposal,
    district_costs,
    phase1_comparison,
    proposal_parameters,
    selection_project_mix,
    selection_totals,
)
from data_access.phase2_score import need_scale, phase2_scores, select_top, selection_robustness, weight_grid



def test_need_scale_points_the_right_way_and_keeps_missing():
    values = pd.Series([20.0, 40.0, None, 30.0])
    assert list(need_scale(values, True).fillna(-1)) == [0.0, 100.0, -1, 50.0]
    assert list(need_scale(values, False).fillna(-1)) == [100.0, 0.0, -1, 50.0]
    assert list(need_scale(pd.Series([7.0, 7.0]), True)) == [50.0, 50.0]


DISTRICTS = pd.DataFrame({
    "district_code": ["A", "B", "C", "D"],
    "stunting": [50.0, 30.0, 40.0, 50.0],
    "poverty": [20.0, 60.0, None, 20.0],
    "coverage": [0.0, 100.0, 50.0, 0.0],
})
COMPONENTS = {"stunting": True, "poverty": True, "coverage": False}


def test_phase2_score_is_weighted_mean_of_need_components():
    scored = phase2_scores(DISTRICTS, COMPONENTS, {"stunting": 2, "poverty": 1, "coverage": 1}).set_index("district_code")
    # A: stunting need 100, poverty need 0, coverage gap 100 -> (200 + 0 + 100) / 4
    assert scored.loc["A", "score"] == pytest.approx(75.0)
    # B: 0, 100, 0 -> 100 / 4
    assert scored.loc["B", "score"] == pytest.approx(25.0)
    # C lacks poverty: scored on the rest, weights re-divided: (2*50 + 1*50) / 3
    assert scored.loc["C", "score"] == pytest.approx(50.0)
    assert bool(scored.loc["C", "partial"]) and not bool(scored.loc["A", "partial"])
    # the parts explain the score: they add up to it
    parts = scored[["part_stunting", "part_poverty", "part_coverage"]].sum(axis=1, min_count=1)
    assert parts.tolist() == pytest.approx(scored["score"].tolist())
    assert scored.loc["A", "part_stunting"] == pytest.approx(50.0) and pd.isna(scored.loc["C", "part_poverty"])
    assert scored.loc["C", "n_components"] == 2
    # A and D are identical: they share rank 1, B is last
    assert (scored.loc["A", "rank"], scored.loc["D", "rank"], scored.loc["C", "rank"], scored.loc["B", "rank"]) == (1, 1, 3, 4)


def test_equal_scores_from_different_sums_share_a_rank():
    frame = pd.DataFrame({"stunting": [0.0, 100.0, 87.39255, 87.39255], "poverty": [None] * 4,
                          "coverage": [100.0, 0.0, 100 - 87.39255, None]})
    scored = phase2_scores(frame, COMPONENTS, {"stunting": 50, "poverty": 0, "coverage": 25})
    assert scored.loc[2, "score"] == scored.loc[3, "score"]
    assert scored.loc[2, "rank"] == scored.loc[3, "rank"] == 2


def test_moving_a_weight_changes_the_order():
    stunting_only = phase2_scores(DISTRICTS, COMPONENTS, {"stunting": 1, "poverty": 0, "coverage": 0})
    poverty_only = phase2_scores(DISTRICTS, COMPONENTS, {"stunting": 0, "poverty": 1, "coverage": 0})
    by_code = stunting_only.set_index("district_code")
    assert by_code.loc["A", "rank"] == 1 and by_code.loc["B", "rank"] == 4
    by_code = poverty_only.set_index("district_code")
    assert by_code.loc["B", "rank"] == 1
    # with poverty the only weighted component, C has nothing to be scored on
    assert pd.isna(by_code.loc["C", "score"]) and pd.isna(by_code.loc["C", "rank"])
    # a zero weight does not make a district "partial"
    assert not stunting_only["partial"].any()


def test_all_weights_zero_gives_no_score_and_negative_weights_are_refused():
    scored = phase2_scores(DISTRICTS, COMPONENTS, {"stunting": 0, "poverty": 0, "coverage": 0})
    assert scored["score"].isna().all() and scored["rank"].isna().all()
    with pytest.raises(ValueError):
        phase2_scores(DISTRICTS, COMPONENTS, {"stunting": -1, "poverty": 1, "coverage": 1})


def test_select_top_ranks_only_eligible_units_and_keeps_ties():
    scored = phase2_scores(DISTRICTS, COMPONENTS, {"stunting": 2, "poverty": 1, "coverage": 1})
    top_two = select_top(scored, 2).set_index("district_code")
    # A and D tie for first: both are in, and nothing else fits
    assert set(top_two.index[top_two["selected"]]) == {"A", "D"}
    without_a = select_top(scored, 2, eligible=scored["district_code"] != "A").set_index("district_code")
    assert pd.isna(without_a.loc["A", "rank"]) and not without_a.loc["A", "selected"]
    assert without_a.loc["A", "score"] == pytest.approx(75.0)
    assert set(without_a.index[without_a["selected"]]) == {"D", "C"}
    assert select_top(scored, 0)["selected"].sum() == 0


# ------------------------------------------------------------------ households and costs

PARAMS = ProposalParameters(transfer_lak=100_000, take_up_pct=85, months=12, delivery_share_pct=10,
                            budget_usd=None, lak_per_usd=21_650, rate_period="2025-12", rate_source="table")


@pytest.mark.parametrize("poverty, population, households, beneficiaries, cost_lak, cost_usd", [
    # 1.5 households round half up to 2 (Python's round would give 2 here but 0 for 0.5)
    (50.0, 3.0, 2, 2, 2_640_000, 121.94),
    (10.0, 5.0, 1, 1, 1_320_000, 60.97),
    (33.3, 1000.0, 333, 283, 373_560_000, 17254.5),
    # a district nobody lives in costs nothing: 0, not an error and not missing
    (30.0, 0.0, 0, 0, 0, 0.0),
    (0.0, 5000.0, 0, 0, 0, 0.0),
    # missing is missing, never 0
    (None, 1000.0, None, None, None, None),
    (25.0, None, None, None, None, None),
])
def test_household_and_cost_arithmetic(poverty, population, households, beneficiaries, cost_lak, cost_usd):
    frame = pd.DataFrame({"poverty": [poverty], "population": [population]}, dtype="float64")
    row = district_costs(frame, PARAMS).iloc[0]
    for column, expected in (("eligible_households", households), ("beneficiaries", beneficiaries),
                             ("cost_lak", cost_lak), ("cost_usd", cost_usd)):
        if expected is None:
            assert pd.isna(row[column]), column
        else:
            assert row[column] == pytest.approx(expected), column
    if cost_lak is not None:
        # transfers x (1 + delivery share), in whole kip
        assert row["transfers_lak"] == beneficiaries * 100_000 * 12
        assert row["delivery_lak"] == round(row["transfers_lak"] * 0.10)


def test_delivery_share_rounds_to_whole_kip_half_up():
    params = ProposalParameters(transfer_lak=5, take_up_pct=100, months=1, delivery_share_pct=10, budget_usd=None,
                                lak_per_usd=None, rate_period=None, rate_source="none")
    row = district_costs(pd.DataFrame({"poverty": [100.0], "population": [1.0]}), params).iloc[0]
    # 10 % of 5 kip is 0.5 kip: half up to 1, total 6; no rate, no USD
    assert (row["delivery_lak"], row["cost_lak"]) == (1, 6) and pd.isna(row["cost_usd"])


@pytest.mark.parametrize("override, rate, expected", [
    (None, {"period": "2025-12", "lak_per_usd": 21650.0}, (21650.0, "2025-12", "table")),
    (20000.0, {"period": "2025-12", "lak_per_usd": 21650.0}, (20000.0, None, "override")),
    (None, {"period": "2018-11", "lak_per_usd": 8543.0}, (8543.0, "2018-11", "table")),
    (None, None, (None, None, "none")),
])
def test_costs_use_the_rate_of_the_period_unless_overridden(override, rate, expected):
    settings = pd.DataFrame({"key": ["transfer_lak", "take_up_pct", "months", "delivery_share_pct", "budget_usd",
                                     "lak_per_usd_override"],
                             "value": [100_000, 85, 12, 10, None, override]})
    params = proposal_parameters(settings, rate)
    assert (params.lak_per_usd, params.rate_period, params.rate_source) == expected
    assert params.months == 12 and params.budget_usd is None
    cost = district_costs(pd.DataFrame({"poverty": [100.0], "population": [1.0]}), params).iloc[0]
    assert (pd.isna(cost["cost_usd"]) if expected[0] is None
            else cost["cost_usd"] == pytest.approx(round(1_320_000 / expected[0], 2)))


# ------------------------------------------------------------------ the proposal

def _inputs(rows: list[dict]) -> dict:
    base = {"name_en": "x", "name_lo": "x", "province_code": "07", "province_name_en": "P", "province_name_lo": "P",
            "is_target": False, "stunting": 40.0, "poverty": 30.0, "coverage": 50.0, "population": 1000.0,
            "n_villages": 10.0, "stunting_level": "district", "poverty_level": "district"}
    frame = pd.DataFrame([base | row for row in rows])
    return {"districts": frame, "available": {"stunting": True, "poverty": True, "coverage": True}}


COMPONENTS_ALL = {"stunting": True, "poverty": True, "coverage": False}
WEIGHTS = {"stunting": 50, "poverty": 25, "coverage": 25}


def test_missing_poverty_or_population_means_not_scored_and_says_why():
    inputs = _inputs([
        {"district_code": "0701", "stunting": 50.0},
        {"district_code": "0702", "stunting": 60.0, "poverty": None},
        {"district_code": "0703", "stunting": 55.0, "population": None},
        {"district_code": "0704", "stunting": 45.0, "population": 0.0},
    ])
    proposal = build_proposal(inputs, PARAMS, COMPONENTS_ALL, WEIGHTS, n=4, exclude_phase1=False)
    frame = proposal["districts"].set_index("district_code")
    assert frame.loc["0702", "reason"] == "no_poverty" and frame.loc["0703", "reason"] == "no_population"
    assert pd.isna(frame.loc["0702", "score"]) and pd.isna(frame.loc["0702", "rank"])
    assert not frame.loc["0702", "selected"] and not frame.loc["0703", "selected"]
    # a district with nobody in the group is scored and selected, at no cost
    assert frame.loc["0704", "selected"] and frame.loc["0704", "eligible_households"] == 0
    assert proposal["totals"]["n_districts"] == 2
    assert proposal["totals"]["eligible_households"] == 300
    # ticking a district that cannot be costed does not put it in the selection
    ticked = build_proposal(inputs, PARAMS, COMPONENTS_ALL, WEIGHTS, n=4, exclude_phase1=False,
                            ticked=["0702", "0701"])
    assert ticked["mode"] == "hand" and list(ticked["selected"]["district_code"]) == ["0701"]


def test_ticking_by_hand_and_phase1_comparison():
    inputs = _inputs([
        {"district_code": "0701", "stunting": 60.0, "is_target": True},
        {"district_code": "0702", "stunting": 50.0},
        {"district_code": "0703", "stunting": 40.0},
        {"district_code": "0704", "stunting": 30.0, "is_target": True},
    ])
    top = build_proposal(inputs, PARAMS, COMPONENTS_ALL, WEIGHTS, n=2, exclude_phase1=False)
    assert list(top["selected"]["district_code"]) == ["0701", "0702"]
    assert phase1_comparison(top) == {"continuing": ["0701"], "new": ["0702"], "leaving": ["0704"]}
    excluded = build_proposal(inputs, PARAMS, COMPONENTS_ALL, WEIGHTS, n=2, exclude_phase1=True)
    assert list(excluded["selected"]["district_code"]) == ["0702", "0703"]
    hand = build_proposal(inputs, PARAMS, COMPONENTS_ALL, WEIGHTS, n=2, exclude_phase1=False,
                          ticked=["0701", "0702", "0704"])
    assert hand["totals"]["n_districts"] == 3
    # the cost of a selection is the sum of its districts' costs
    assert hand["totals"]["cost_lak"] == hand["selected"]["cost_lak"].sum()
    assert hand["totals"]["cost_usd"] == pytest.approx(hand["selected"]["cost_usd"].sum())


def test_totals_keep_unknown_villages_apart():
    selected = pd.DataFrame({"province_code": ["07", "09"], "n_villages": [12.0, None],
                             "eligible_households": [10.0, 5.0], "beneficiaries": [8.0, 4.0],
                             "transfers_lak": [1.0, 2.0], "delivery_lak": [0.0, 0.0], "cost_lak": [1.0, 2.0],
                             "cost_usd": [0.5, None]})
    totals = selection_totals(selected)
    assert totals["villages"] == 12 and totals["districts_without_villages"] == 1
    # one district without a USD cost makes the USD total unknown rather than too small
    assert totals["cost_usd"] is None and totals["cost_lak"] == 3


@pytest.mark.parametrize("budget, n_fit, marginal, over", [
    (350.0, 2, "C", 250.0),
    (300.0, 2, "C", 300.0),   # exactly the envelope fits
    (600.0, 3, None, None),
    (50.0, 0, "A", 50.0),
])
def test_budget_envelope_fits_districts_in_rank_order(budget, n_fit, marginal, over):
    ranked = pd.DataFrame({"district_code": ["A", "B", "C"], "cost_usd": [100.0, 200.0, 300.0]})
    result = budget_fit(ranked, budget)
    assert result["n_fit"] == n_fit
    if marginal is None:
        assert result["marginal"] is None
    else:
        assert result["marginal"]["district_code"] == marginal and result["marginal"]["over"] == pytest.approx(over)


def test_budget_stops_at_the_first_district_it_cannot_pay_even_if_a_cheaper_one_follows():
    ranked = pd.DataFrame({"district_code": ["A", "B", "C"], "cost_usd": [100.0, 500.0, 10.0]})
    result = budget_fit(ranked, 200.0)
    assert result["n_fit"] == 1 and result["marginal"]["district_code"] == "B"
    assert budget_fit(ranked, None) is None
    assert budget_fit(ranked.assign(cost_usd=[1.0, None, 1.0]), 200.0) is None


def test_project_mix_counts_villages_per_district_and_keeps_districts_without_villages():
    mix = pd.DataFrame({"district_code": ["0701", "0701", "0702"], "n_projects": [0, 5, 3], "n_villages": [2, 4, 1]})
    table = selection_project_mix(mix, ["0702", "0701", "0709"]).set_index("district_code")
    assert list(table.index) == ["0702", "0701", "0709"]
    assert table.loc["0701", "v0"] == 2 and table.loc["0701", "v5"] == 4 and table.loc["0701", "n_villages"] == 6
    assert table.loc["0709", "n_villages"] == 0


# ------------------------------------------------------------------ robustness

# A is all stunting, B all poverty, C middling, D tops both. The score of A is
# 100 ws / (ws + wp), of B 100 wp / (ws + wp), of C 40, of D 100.
ROBUST = pd.DataFrame({"district_code": ["A", "B", "C", "D"], "stunting": [100.0, 0.0, 40.0, 100.0],
                       "poverty": [0.0, 100.0, 40.0, 100.0]})
TWO = {"stunting": True, "poverty": True}


def test_weight_grid_moves_each_weight_and_clips_at_zero():
    grid = weight_grid({"stunting": 50, "poverty": 50}, ["stunting", "poverty"])
    assert len(grid) == 25
    clipped = weight_grid({"stunting": 5, "poverty": 0}, ["stunting", "poverty"])
    # stunting 0, 5, 10, 15 x poverty 0, 5, 10, less the all-zero choice
    assert len(clipped) == 11 and not ((clipped["stunting"] == 0) & (clipped["poverty"] == 0)).any()
    assert len(weight_grid({"stunting": 50, "poverty": 50}, ["stunting"])) == 5


def test_robustness_on_a_case_with_a_known_answer():
    result = selection_robustness(ROBUST, TWO, {"stunting": 50, "poverty": 50}, n=2).set_index(ROBUST["district_code"])
    # D is always in; A is second (ties included) when ws >= wp: 15 of the 25 choices
    assert result.loc["D", "robust_share"] == 100.0 and result.loc["D", "depends_on"] == ()
    assert result.loc["A", "robust_share"] == pytest.approx(60.0)
    assert result.loc["B", "robust_share"] == pytest.approx(60.0)
    assert result.loc["C", "robust_share"] == 0.0 and result.loc["C", "depends_on"] == ()
    # moving either weight alone by 5 points puts A (or B) out
    assert result.loc["A", "depends_on"] == ("stunting", "poverty")
    assert bool(result.loc["A", "selected_base"]) and bool(result.loc["B", "selected_base"])


def test_robustness_matches_select_top_at_the_weights_in_force():
    weights = {"stunting": 70, "poverty": 30}
    result = selection_robustness(ROBUST, TWO, weights, n=2)
    chosen = select_top(phase2_scores(ROBUST, TWO, weights), 2)
    assert list(result["selected_base"]) == list(chosen["selected"])
    # far from the tie, A stays in whatever the grid does (70 +- 10 against 30 +- 10)
    assert result.loc[0, "robust_share"] == 100.0 and result.loc[0, "depends_on"] == ()


def test_robustness_leaves_ineligible_units_out():
    eligible = pd.Series([True, True, True, False])
    result = selection_robustness(ROBUST, TWO, {"stunting": 50, "poverty": 50}, n=1, eligible=eligible)
    assert math.isnan(result.loc[3, "robust_share"])
    assert result.loc[0, "robust_share"] == pytest.approx(60.0)
    zero = selection_robustness(ROBUST, TWO, {"stunting": 0, "poverty": 0}, n=1, varied=[])
    assert zero["robust_share"].isna().all()
