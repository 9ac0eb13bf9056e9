"""The Overview stunting card: the baseline named by its source, colour only for a significant change."""
import pytest

from i18n import format_value, t
from layouts.overview import stunting_card

LATEST = {"period": "2024", "value": 41.4, "std_error": 2.6}
FRAMEWORK = {"value": 46.2, "year": 2020, "period": "2020", "std_error": 2.2, "source": "framework"}
OLDEST = {"value": 48.6, "year": 2017, "period": "2017", "std_error": 2.4, "source": "survey"}


@pytest.mark.parametrize("base, change, tone, baseline_key, change_key", [
    (FRAMEWORK, "no_change", None, "overview.baseline_framework", "overview.change_no_change"),
    (FRAMEWORK, "better", "better", "overview.baseline_framework", "overview.change_better"),
    (FRAMEWORK, "worse", "worse", "overview.baseline_framework", "overview.change_worse"),
    (FRAMEWORK, "untested", None, "overview.baseline_framework", "overview.change_untested"),
    (OLDEST, "better", "better", "overview.baseline_oldest_round", "overview.change_better"),
])
@pytest.mark.parametrize("lang", ["en", "lo"])
def test_baseline_is_named_and_only_a_significant_change_is_coloured(base, change, tone, baseline_key, change_key, lang):
    value, details, shown_tone = stunting_card(
        {"level_code": "07", "latest": LATEST, "baseline": base, "change": change}, lang)
    assert shown_tone == tone
    assert t(baseline_key, lang, value=format_value(base["value"], "percent", lang), year=base["year"]) in details
    assert t(change_key, lang) in details


def test_english_names_the_results_framework_baseline():
    _, details, _ = stunting_card({"level_code": "07", "latest": LATEST, "baseline": FRAMEWORK, "change": "no_change"}, "en")
    assert "baseline 46.2 % (2020, results framework)" in details
    assert "no significant change since the baseline (95\u00a0%)" in details


def test_latest_round_is_the_baseline_itself():
    _, details, tone = stunting_card({"level_code": "00", "latest": {"period": "2017", "value": 33.1, "std_error": 1.6},
                                      "baseline": {**OLDEST, "value": 33.1, "source": "framework"}, "change": None}, "en")
    assert tone is None
    assert t("overview.change_no_round_since", "en", year=2017) in details


def test_no_estimate_is_no_data():
    assert stunting_card({"level_code": None, "latest": None, "baseline": None, "change": None}, "lo") == (
        t("common.no_data", "lo"), [], None)
