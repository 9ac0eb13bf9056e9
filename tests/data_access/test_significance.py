"""When a difference is larger than the noise: z-test of two estimates, shares of small
denominators, ranks and best/worst that tie within the uncertainty."""
import math

import pandas as pd
import pytest

from data_access.significance import (
    BETTER,
    NO_CHANGE,
    UNTESTED,
    WORSE,
    Z95,
    best_and_worst_within_uncertainty,
    change_verdict,
    proportion_std_error,
    ranking_within_uncertainty,
    ranks_within_uncertainty,
    significant,
    value_uncertainty,
    z_difference,
)

SE = 1 / math.sqrt(2)  # two such errors combine to 1, so the difference is the z value itself


@pytest.mark.parametrize("difference, expected", [
    (1.95, False),
    (1.959, False),
    (Z95 - 1e-9, False),
    (Z95, True),  # at the edge the difference counts as significant (p = 0.05)
    (1.96, True),
    (1.97, True),
    (-1.97, True),
    (-1.95, False),
    (0.0, False),
])
def test_significance_at_the_edge_of_1_96(difference, expected):
    assert significant(difference, 1.0, 0.0, 0.0) is expected
    # the same with two errors combining to 1 (away from the exact edge, where floats blur)
    if abs(abs(difference) - Z95) > 1e-6:
        assert significant(40.0 + difference, SE, 40.0, SE) is expected


@pytest.mark.parametrize("latest, se_latest, baseline, se_baseline, direction, verdict", [
    (29.8, 1.7, 33.1, 1.6, "lower", NO_CHANGE),  # national stunting 2017 -> 2023 in the demo: z = -1.41
    (41.4, 2.6, 48.6, 2.4, "lower", BETTER),  # down 7.2 points with errors of ~2.5: z = -2.03
    (52.0, 2.0, 46.0, 2.0, "lower", WORSE),
    (46.0, 2.0, 52.0, 2.0, "higher", WORSE),
    (58.0, 1.0, 52.0, 1.0, "higher", BETTER),
    (58.0, 1.0, 52.0, 1.0, "neutral", NO_CHANGE),  # no better side: no colour
    (29.8, None, 33.1, 1.6, "lower", UNTESTED),  # a baseline without its error cannot be tested
    (29.8, 1.7, 33.1, None, "lower", UNTESTED),
    (None, 1.7, 33.1, 1.6, "lower", UNTESTED),
    (float("nan"), 1.7, 33.1, 1.6, "lower", UNTESTED),
    (30.0, 0.0, 30.0, 0.0, "lower", NO_CHANGE),  # exact and equal
    (29.0, 0.0, 30.0, 0.0, "lower", BETTER),  # exact and different
])
def test_change_against_baseline_is_coloured_only_when_significant(latest, se_latest, baseline, se_baseline,
                                                                   direction, verdict):
    assert change_verdict(latest, se_latest, baseline, se_baseline, direction) == verdict


def test_z_of_two_exact_values():
    assert z_difference(3, 0, 3, 0) == 0
    assert z_difference(4, 0, 3, 0) == math.inf and z_difference(2, 0, 3, 0) == -math.inf


@pytest.mark.parametrize("numerator, denominator, expected", [
    (7, 9, 100 * math.sqrt((9 / 13) * (4 / 13) / 13)),
    (9, 9, 100 * math.sqrt((11 / 13) * (2 / 13) / 13)),  # 9 of 9 is not certain
    (0, 9, 100 * math.sqrt((2 / 13) * (11 / 13) / 13)),
    (700, 900, 100 * math.sqrt((702 / 904) * (202 / 904) / 904)),
    (10, 0, None),
    (10, 9, None),  # more than the whole is not a share
    (-1, 9, None),
    (None, 9, None),
])
def test_standard_error_of_a_share(numerator, denominator, expected):
    result = proportion_std_error(numerator, denominator)
    assert result == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize("std_error, numerator, denominator, is_share, expected", [
    (2.5, 7, 9, True, 2.5),  # a survey's own error wins
    (None, 7, 9, True, proportion_std_error(7, 9)),
    (None, 7, 9, False, 0.0),  # not a share (days): exact
    (None, None, None, True, 0.0),
    (float("nan"), None, None, False, 0.0),
])
def test_uncertainty_of_a_value(std_error, numerator, denominator, is_share, expected):
    assert value_uncertainty(std_error, numerator, denominator, is_share) == pytest.approx(expected)


def test_small_denominators_tie_instead_of_a_false_best_and_worst():
    # 7 of 9, 8 of 9 and 6 of 9 villages complying: nobody is significantly different.
    values = pd.Series({"a": 700 / 9, "b": 800 / 9, "c": 600 / 9})
    errors = pd.Series({code: proportion_std_error(n, 9) for code, n in (("a", 7), ("b", 8), ("c", 6))})
    assert ranks_within_uncertainty(values, errors, "higher").tolist() == [1, 1, 1]
    assert best_and_worst_within_uncertainty(values, errors, "higher") == (set(), set())
    # Without the uncertainty the same numbers would name b best and c worst.
    assert ranks_within_uncertainty(values, [0, 0, 0], "higher").tolist() == [2, 1, 3]


@pytest.mark.parametrize("values, errors, direction, ranks, best, worst", [
    # exact values: ordinary competition ranks with shared ties
    ([10, 20, 20, 5], [0, 0, 0, 0], "higher", [3, 1, 1, 4], {1, 2}, {3}),
    ([10, 20, 20, 5], [0, 0, 0, 0], "lower", [2, 3, 3, 1], {3}, {1, 2}),
    # survey estimates: 40 and 41 overlap, both clearly better (lower) than 50
    ([40, 41, 50], [1, 1, 1], "lower", [1, 1, 3], {0, 1}, {2}),
    # the middle one overlaps both ends: it is neither best nor worst
    ([40, 44, 48], [1.5, 1.5, 1.5], "lower", [1, 1, 2], {0}, {2}),
    # missing values are not ranked and do not count
    ([40, None, 50], [1, 1, 1], "lower", [1, None, 2], {0}, {2}),
    ([40, None], [1, 1], "lower", [1, None], set(), set()),
    ([], [], "higher", [], set(), set()),
])
def test_ranks_and_best_worst_within_uncertainty(values, errors, direction, ranks, best, worst):
    series = pd.Series(values, dtype="float64")
    result = ranks_within_uncertainty(series, errors, direction)
    assert [None if pd.isna(rank) else int(rank) for rank in result] == ranks
    assert best_and_worst_within_uncertainty(series, errors, direction) == (best, worst)
    together, best_too, worst_too = ranking_within_uncertainty(series, errors, direction)
    assert [None if pd.isna(rank) else int(rank) for rank in together] == ranks
    assert (best_too, worst_too) == (best, worst)


@pytest.mark.parametrize("direction", ["higher", "lower", "neutral"])
def test_rank_and_extremes_is_rank_values_and_best_and_worst(direction):
    from data_access.analytics import best_and_worst, rank_and_extremes, rank_values

    values = pd.Series([40.0, 44.0, None, 48.0, 30.0], index=[3, 5, 7, 9, 11])
    errors = pd.Series([1.5, 1.5, 0.0, 1.5, 0.2], index=values.index)
    ranks, best, worst = rank_and_extremes(values, direction, errors)
    assert ranks.equals(rank_values(values, direction, errors))
    expected = best_and_worst(values, direction, errors) if direction != "neutral" else (set(), set())
    assert (best, worst) == expected
    if direction != "neutral":
        assert best and worst
