"""Is a difference larger than the noise? Survey estimates and small-denominator shares.

Pure functions on numbers (no database), used by the Overview (latest survey against its
baseline) and the district comparison (ranks, best and worst), so both pages draw the line in
the same place.

Rules:
- Two independent estimates a and b with standard errors differ significantly when
  |a - b| / sqrt(se_a² + se_b²) >= Z95 (two-sided test at the 95 % level). An estimate
  without a standard error cannot be tested: the verdict is "untested", never a colour.
- A share reported as numerator of denominator (7 of 9 villages) has the standard error of a
  proportion, with the Agresti-Coull adjustment (two successes and two failures added) so
  that 9 of 9 is not taken as certain: se = sqrt(p~(1 - p~) / (n + 4)), p~ = (x + 2) / (n + 4).
- A value with neither (a count, a number of days) is taken as exact.
- Rank within the uncertainty = 1 + the number of units significantly better; units with no
  unit significantly better share rank 1. Best = rank 1, worst = no unit significantly worse;
  a unit that is both (it overlaps everyone) is neither, and when every unit overlaps every
  other there is no best and no worst.
"""
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

# Two-sided 95 % quantile of the standard normal distribution.
Z95 = 1.959963984540054

BETTER = "better"
WORSE = "worse"
NO_CHANGE = "no_change"
UNTESTED = "untested"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def z_difference(a: float, se_a: float | None, b: float, se_b: float | None) -> float | None:
    """(a - b) / sqrt(se_a² + se_b²); None when a number or an error is missing.

    Two exact values (both errors 0) give 0 when equal and ±inf when not.
    """
    if any(_missing(value) for value in (a, se_a, b, se_b)):
        return None
    spread = math.sqrt(float(se_a) ** 2 + float(se_b) ** 2)
    difference = float(a) - float(b)
    if spread == 0:
        return 0.0 if difference == 0 else math.copysign(math.inf, difference)
    return difference / spread


def significant(a: float, se_a: float | None, b: float, se_b: float | None) -> bool | None:
    """True when a and b differ at the 95 % level; None when it cannot be tested."""
    z = z_difference(a, se_a, b, se_b)
    return None if z is None else abs(z) >= Z95


def change_verdict(latest: float | None, se_latest: float | None, baseline: float | None,
                   se_baseline: float | None, direction: str) -> str:
    """BETTER / WORSE when latest differs significantly from baseline in that sense,
    NO_CHANGE when it does not, UNTESTED when an estimate or its error is missing.
    direction: "lower" (lower is better, stunting) or "higher"; any other direction has no
    better side and gives NO_CHANGE or UNTESTED."""
    z = z_difference(latest, se_latest, baseline, se_baseline)
    if z is None:
        return UNTESTED
    if abs(z) < Z95 or direction not in ("higher", "lower"):
        return NO_CHANGE
    went_up = z > 0
    return BETTER if went_up == (direction == "higher") else WORSE


def proportion_std_error(numerator: float | None, denominator: float | None, multiplier: float = 100.0) -> float | None:
    """Agresti-Coull standard error of numerator/denominator, in the units of the value
    (multiplier 100 for percentages). None unless 0 <= numerator <= denominator, denominator > 0."""
    if _missing(numerator) or _missing(denominator):
        return None
    x, n = float(numerator), float(denominator)
    if n <= 0 or x < 0 or x > n:
        return None
    p = (x + 2.0) / (n + 4.0)
    return math.sqrt(p * (1.0 - p) / (n + 4.0)) * multiplier


def value_uncertainty(std_error: float | None, numerator: float | None, denominator: float | None,
                      is_share: bool, multiplier: float = 100.0) -> float:
    """The standard error to compare a value with: its own, else a share's from its counts,
    else 0 (exact)."""
    if not _missing(std_error):
        return float(std_error)
    if is_share:
        share = proportion_std_error(numerator, denominator, multiplier)
        if share is not None:
            return share
    return 0.0


def _clean(values: Sequence, std_errors: Sequence) -> tuple[pd.Series, pd.Series]:
    values = pd.to_numeric(pd.Series(values), errors="coerce").astype("float64")
    errors = pd.to_numeric(pd.Series(list(std_errors), index=values.index), errors="coerce").astype("float64")
    return values, errors.fillna(0.0)


def _significantly_better(values: pd.Series, errors: pd.Series, direction: str) -> pd.DataFrame:
    """better.loc[i, j]: unit j is significantly better than unit i (reported units only)."""
    reported = values.dropna().index
    sign = -1.0 if direction == "lower" else 1.0
    # z_difference(values[j], errors[j], values[i], errors[i]) for every pair at once (row i, column j).
    value = values[reported].to_numpy(dtype=float)
    error = errors[reported].to_numpy(dtype=float)
    difference = value[None, :] - value[:, None]
    spread = np.sqrt(error[None, :] ** 2 + error[:, None] ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(spread == 0, np.where(difference == 0, 0.0, np.copysign(np.inf, difference)), difference / spread)
    better = (sign * z >= Z95) & ~np.eye(len(reported), dtype=bool)
    return pd.DataFrame(better, index=reported, columns=list(reported), dtype=bool)


def ranks_within_uncertainty(values: Sequence, std_errors: Sequence, direction: str) -> pd.Series:
    """1 + the number of units significantly better (rule in the module docstring); missing
    values get <NA>. With all errors 0 this is the usual competition rank (1, 2, 2, 4)."""
    return ranking_within_uncertainty(values, std_errors, direction)[0]


def best_and_worst_within_uncertainty(values: Sequence, std_errors: Sequence, direction: str) -> tuple[set, set]:
    """Index labels of the units no unit is significantly better than (best) and of those no
    unit is significantly worse than (worst); a unit in both is in neither; fewer than two
    reported values, or no significant difference at all, give two empty sets."""
    _ranks, best, worst = ranking_within_uncertainty(values, std_errors, direction)
    return best, worst


def ranking_within_uncertainty(values: Sequence, std_errors: Sequence, direction: str) -> tuple[pd.Series, set, set]:
    """(ranks_within_uncertainty, *best_and_worst_within_uncertainty) from one comparison of every pair:
    the district comparison asks both for each of its indicators."""
    values, errors = _clean(values, std_errors)
    ranks = pd.Series(pd.NA, index=values.index, dtype="Int64")
    better = _significantly_better(values, errors, direction)
    ranks[better.index] = 1 + better.sum(axis=1).astype(int)
    if len(better) < 2 or not better.to_numpy().any():
        return ranks, set(), set()
    best = set(better.index[~better.any(axis=1).to_numpy()])
    worst = set(better.columns[~better.any(axis=0).to_numpy()])
    both = best & worst
    return ranks, best - both, worst - both
