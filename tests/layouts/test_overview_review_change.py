"""Overview cards: besides the change since last month, the change since the previous six-month review."""
import pytest

from data_access.queries.overview import headline_figures
from layouts.overview import headline_cards


@pytest.fixture(scope="module")
def figures(sqlite_demo_url):
    from data_access.database import make_engine

    engine = make_engine(sqlite_demo_url)
    with engine.connect() as conn:
        result = headline_figures(conn, None, "2022-11")
    engine.dispose()
    return result


def _ids(component, found):
    if isinstance(component, (list, tuple)):
        for child in component:
            _ids(child, found)
        return found
    if component is None or isinstance(component, (str, int, float)):
        return found
    if isinstance(getattr(component, "id", None), dict):
        found.append((component.id, str(getattr(component, "children", ""))))
    _ids(getattr(component, "children", None), found)
    return found


def test_a_card_shows_its_change_since_the_month_and_since_the_review(figures):
    month = {"registered": {"current": 1871, "previous": 1840, "change": 31, "verdict": "better"}}
    review = {"registered": {"current": 1871, "previous": 1665, "change": 206, "verdict": "better"}}
    row = headline_cards(figures, "Lao PDR", "en", "2022-11", month, {}, "2022-10", {}, review, "2022-05")
    texts = {identifier["type"]: text for identifier, text in _ids(row, []) if identifier.get("card") == "registered"}
    assert "31" in texts["overview-card-change"] and "October 2022" in texts["overview-card-change"]
    assert "206" in texts["overview-card-review-change"] and "May 2022" in texts["overview-card-review-change"]


def test_without_a_review_period_there_is_no_second_line(figures):
    month = {"registered": {"current": 1871, "previous": 1840, "change": 31, "verdict": "better"}}
    row = headline_cards(figures, "Lao PDR", "en", "2022-11", month, {}, "2022-10", {})
    assert not [i for i, _ in _ids(row, []) if i.get("type") == "overview-card-review-change"]


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_the_convergence_card_says_no_data_when_no_target_village_reported(figures, lang):
    from i18n import t

    missing = figures | {"convergence": {"n_target_villages": 72, "n_all": 0, "share": None, "reported": False}}
    row = headline_cards(missing, "Lao PDR", lang, "2022-11", {}, {}, "2022-10", {})
    (card,) = [column.children for column in row.children if column.children.id["card"] == "convergence"]
    value, *details = card.children.children[1:]
    assert value.children == t("common.no_data", lang)
    assert [detail.children for detail in details] == [t("overview.convergence_no_reports", lang, n_target="72")]
    reported = figures | {"convergence": {"n_target_villages": 72, "n_all": 0, "share": 0.0, "reported": True}}
    assert "0.0 %" in str(headline_cards(reported, "Lao PDR", "en", "2022-11", {}, {}, "2022-10", {}))
