"""The Phase II need-and-gap score, the top-N selection, and how robust that selection is to the weights (pure)."""
import itertools

import numpy as np
import pandas as pd

from data_access.analytics import rank_values

# The robustness grid: every weight moves by these many points (0-100 slider scale) around
# the weights in force, alone and together.
ROBUSTNESS_OFFSETS = (-10, -5, 0, 5, 10)


def need_scale(values: pd.Series, higher_is_need: bool) -> pd.Series:
    """Rescale to 0-100 across the units: 100 = the greatest need among them, 0 = the least.

    Missing stays missing. When every unit has the same value the component tells them
    apart not at all, and each gets the middle, 50.
    """
    numeric = pd.to_numeric(values, errors="coerce").astype("float64")
    low, high = numeric.min(), numeric.max()
    if numeric.notna().sum() == 0:
        return numeric
    if high == low:
        return numeric.where(numeric.isna(), 50.0)
    scaled = (numeric - low) / (high - low) * 100.0
    return scaled if higher_is_need else 100.0 - scaled


def phase2_scores(frame: pd.DataFrame, components: dict[str, bool], weights: dict[str, float]) -> pd.DataFrame:
    """Weighted need-and-gap score (0-100) per unit, ranked (1 = most in need).

    components: column -> True when a higher value means more need (stunting, poverty),
    False when a lower value does (convergence coverage: the gap is what is missing).
    weights: column -> weight >= 0 (any scale; they are divided by their sum).
    Adds need_<column> (0-100) per component, part_<column> (its share of the score: need x
    weight / the weights used, so that the parts add up to the score), score,
    n_components (components with data and weight), partial (some weighted component
    missing: the score uses the rest, with their weights re-divided), and rank (ties share
    a rank; no score, no rank).
    """
    if any(weight < 0 for weight in weights.values()):
        raise ValueError("weights must not be negative")
    result = frame.copy()
    weighted_sum = pd.Series(0.0, index=result.index)
    weight_used = pd.Series(0.0, index=result.index)
    active = [column for column in components if weights.get(column, 0) > 0]
    for column, higher_is_need in components.items():
        need = need_scale(result[column], higher_is_need)
        result[f"need_{column}"] = need
        if column in active:
            weight = float(weights[column])
            weighted_sum += need.fillna(0.0) * weight
            weight_used += need.notna() * weight
    # Rounded so that equal scores reached by different sums (a partial district against a
    # complete one) tie instead of differing in the 14th digit.
    result["score"] = (weighted_sum / weight_used).where(weight_used > 0).round(6)
    for column in components:
        weight = float(weights.get(column, 0)) if column in active else 0.0
        part = result[f"need_{column}"] * weight / weight_used.where(weight_used > 0)
        result[f"part_{column}"] = part if column in active else np.nan
    result["n_components"] = sum(result[f"need_{column}"].notna().astype(int) for column in active) if active else 0
    result["partial"] = result["n_components"] < len(active)
    result["rank"] = rank_values(result["score"], "higher")
    return result


def select_top(scored: pd.DataFrame, n: int, eligible: pd.Series | None = None) -> pd.DataFrame:
    """Rank the eligible units by score (1 = most need) and select the first n.

    Ineligible units (e.g. districts already in Phase I) keep their score but get no rank
    and are never selected. Units tied with the n-th are selected too: a tie cannot be
    broken by the data.
    """
    result = scored.copy()
    mask = pd.Series(True, index=result.index) if eligible is None else eligible.reindex(result.index).fillna(False)
    result["rank"] = rank_values(result["score"].where(mask.astype(bool)), "higher")
    result["selected"] = (result["rank"] <= n).fillna(False).astype(bool)
    return result




def weight_grid(weights: dict[str, float], varied: list[str],
                offsets: tuple[int, ...] = ROBUSTNESS_OFFSETS) -> pd.DataFrame:
    """Every combination of the varied weights moved by the offsets (others as given).

    Weights are clipped to 0-100; combinations that clipping makes equal count once, and the
    all-zero combination (nothing to score on) is left out. Columns: one per weight, plus
    `moved`: the names of the weights that differ from `weights` (a tuple).
    """
    names = list(weights)
    axes = [sorted({min(100.0, max(0.0, float(weights[name]) + offset)) for offset in offsets})
            if name in varied else [float(weights[name])] for name in names]
    rows = [dict(zip(names, combo)) for combo in itertools.product(*axes) if any(value > 0 for value in combo)]
    grid = pd.DataFrame(rows, columns=names)
    grid["moved"] = [tuple(name for name in names if row[name] != float(weights[name])) for row in rows]
    return grid


def _grid_scores(frame: pd.DataFrame, components: dict[str, bool], grid: pd.DataFrame) -> np.ndarray:
    """districts x grid matrix of scores, computed as phase2_scores does for each grid row."""
    names = list(components)
    need = np.column_stack([need_scale(frame[name], components[name]).to_numpy(dtype=float) for name in names])
    has = ~np.isnan(need)
    weights = grid[names].to_numpy(dtype=float).T  # components x combos
    weighted = np.nan_to_num(need) @ weights
    used = has.astype(float) @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(used > 0, weighted / used, np.nan)
    return np.round(scores, 6)


def selection_robustness(frame: pd.DataFrame, components: dict[str, bool], weights: dict[str, float], n: int,
                         eligible: pd.Series | None = None, varied: list[str] | None = None,
                         offsets: tuple[int, ...] = ROBUSTNESS_OFFSETS) -> pd.DataFrame:
    """How often each unit is in the top n over the grid of weights around `weights`.

    eligible: units that may be selected (others never are); varied: the weights that move
    (default: all of them). Ties with the n-th are in, as in select_top.
    Returns, index aligned with frame: robust_share (percent of weight choices under which
    the unit is in the top n; NaN when there is no grid), selected_base (in the top n at
    `weights`), and depends_on: the weights (a tuple, possibly empty) such that moving
    that weight alone, by at most the largest offset, puts the unit in or out.
    """
    varied = list(weights) if varied is None else list(varied)
    grid = weight_grid(weights, varied, offsets)
    result = pd.DataFrame(index=frame.index)
    if grid.empty or frame.empty:
        result["robust_share"] = np.nan
        result["selected_base"] = False
        result["depends_on"] = [() for _ in range(len(frame))]
        return result
    mask = np.ones(len(frame), dtype=bool) if eligible is None else eligible.reindex(frame.index).fillna(False).to_numpy(dtype=bool)
    scores = _grid_scores(frame, components, grid)
    scores[~mask, :] = np.nan
    ranks = pd.DataFrame(scores).rank(axis=0, method="min", ascending=False, na_option="keep").to_numpy()
    inside = np.nan_to_num(ranks, nan=np.inf) <= n
    base_column = grid.index[grid["moved"].map(len) == 0]
    if len(base_column):
        base = inside[:, base_column[0]]
    else:
        # The weights in force are all zero: nothing is selected at them.
        base = np.zeros(len(frame), dtype=bool)
    result["robust_share"] = np.where(mask, 100.0 * inside.mean(axis=1), np.nan)
    result["selected_base"] = base
    alone = {name: np.flatnonzero(grid["moved"].map(lambda moved, name=name: moved == (name,)).to_numpy())
             for name in varied}
    depends = []
    for row in range(len(frame)):
        depends.append(tuple(name for name, columns in alone.items()
                             if len(columns) and bool((inside[row, columns] != base[row]).any())))
    result["depends_on"] = depends
    return result
