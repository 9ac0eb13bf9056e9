"""The agreed-actions page's texts: overdue / due, the linked indicator's value, demo marks, history lines."""
import datetime as dt

import pandas as pd
import pytest

from layouts.actions import (action_detail, due_text, free_text_options, grid_columns, grid_rows, history_table,
                             latest_text, layout)
from reports.static_html import text_of


@pytest.mark.parametrize("state, days, lang, expected", [
    ("overdue", 61, "en", "Overdue by 61 days"), ("due", 0, "en", "Due today"), ("due", 1, "en", "Due in 1 days"),
    ("overdue", 3, "lo", "ກາຍກຳນົດ 3 ມື້"), (None, None, "en", ""),
])
def test_due_text(state, days, lang, expected):
    assert due_text({"due_state": state, "due_days": days}, lang) == expected


def test_latest_value_is_missing_not_zero():
    assert latest_text({"indicator_code": None}, "en") == ""
    assert latest_text({"indicator_code": "CCT_COMPLY_ALL", "latest_value": None}, "en") == "no data"
    assert latest_text({"indicator_code": "CCT_COMPLY_ALL", "latest_value": 70.16, "latest_period": "2022-11",
                        "indicator_unit": "percent"}, "en") == "70.2 % (November 2022)"


def test_grid_rows_mark_demo_actions_and_use_the_readers_language():
    register = pd.DataFrame([{
        "id": 5, "mission": "2022-11 supervision mission", "text_en": "Fix the shortcomings", "text_lo": "ແກ້ໄຂຂໍ້ບົກຜ່ອງ",
        "responsible_unit": "PAFO Houaphan", "due_date": dt.date(2022, 12, 15), "status": "in_progress",
        "due_state": "due", "due_days": 15, "indicator_code": None, "admin_code": "07", "admin_name_en": "Houaphan",
        "admin_name_lo": "ຫົວພັນ", "evidence": None, "is_demo": True}])
    (row,) = grid_rows(register, "lo")
    assert row["text"] == "ແກ້ໄຂຂໍ້ບົກຜ່ອງ (ຕົວຢ່າງ)" and row["place"] == "ຫົວພັນ"
    assert row["status_text"] == "ກຳລັງດຳເນີນການ" and row["due_date"] == "2022-12-15" and row["evidence"] == ""


def test_history_shows_who_when_and_old_to_new():
    history = pd.DataFrame([
        {"action_id": 1, "changed_at": dt.datetime(2023, 2, 20, 10), "changed_by": "kham", "field": "status",
         "old_value": "open", "new_value": "done"},
        {"action_id": 1, "changed_at": dt.datetime(2022, 11, 18, 17), "changed_by": "ana", "field": "created",
         "old_value": None, "new_value": "open"}])
    text = " ".join(text_of(history_table(history, "en")))
    assert "2023-02-20 10:00 UTC kham Status Open → Done" in text
    assert "ana Action added Open" in text


def test_the_page_opens_on_a_view_named_in_its_link():
    page = layout("en", view="overdue", status="open", province="07")
    found = {}

    def walk(node):
        if getattr(node, "id", None) in ("actions-view", "actions-status"):
            found[node.id] = node.value
        children = getattr(node, "children", None)
        for child in children if isinstance(children, (list, tuple)) else [children]:
            if child is not None and not isinstance(child, str):
                walk(child)
    walk(page)
    assert found == {"actions-view": "overdue", "actions-status": "open"}
    assert layout("en", view="nonsense").children  # a stray query argument opens the page anyway


def _spans_with_lang(node, found=None):
    """(text, lang) of every component carrying a lang attribute under node."""
    found = [] if found is None else found
    if getattr(node, "lang", None):
        found.append((node.children, node.lang))
    children = getattr(node, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, str):
            _spans_with_lang(child, found)
    return found


def test_typed_text_is_shown_as_written_and_marked_with_its_language():
    # Evidence notes, units and mission names are typed once by whoever updates the action and never
    # translated: the Lao page shows an English note as it is, marked lang="en" (and a Lao one lang="lo").
    register = pd.DataFrame([{
        "id": 5, "mission": "2022-11 supervision mission", "text_en": "Fix", "text_lo": "ແກ້ໄຂ",
        "responsible_unit": "PAFO Houaphan", "due_date": dt.date(2022, 12, 15), "status": "done",
        "due_state": None, "due_days": None, "indicator_code": None, "admin_code": None,
        "evidence": "ຈັດຝຶກອົບຮົມແລ້ວ (ຕົວຢ່າງ)", "is_demo": True}])
    (row,) = grid_rows(register, "en")
    assert row["evidence"] == "ຈັດຝຶກອົບຮົມແລ້ວ (ຕົວຢ່າງ)" and row["evidence_lang"] == "lo"
    assert row["responsible_unit_lang"] == "en" and row["mission_lang"] == "en"
    renderers = {column["field"]: column.get("cellRenderer") for column in grid_columns("lo")}
    assert {field for field, renderer in renderers.items() if renderer == "FreeText"} == {
        "mission", "responsible_unit", "evidence"}
    assert renderers["text"] is None  # the action itself is given in both languages

    history = pd.DataFrame([{"action_id": 5, "changed_at": dt.datetime(2023, 3, 15, 10), "changed_by": "kham",
                             "field": "evidence", "old_value": None, "new_value": "Training held (demo)."}])
    assert ("Training held (demo).", "en") in _spans_with_lang(history_table(history, "lo"))
    assert "Evidence note – → Training held (demo)." in " ".join(" ".join(text_of(history_table(history, "en"))).split())

    detail = action_detail(register.iloc[0].to_dict() | {"admin_name_en": None, "admin_name_lo": None}, "lo")
    assert ("2022-11 supervision mission", "en") in _spans_with_lang(detail)
    assert ("PAFO Houaphan", "en") in _spans_with_lang(detail)
    assert [label.lang for label in (option["label"] for option in free_text_options(["DRDC", "ແຂວງ"]))] == ["en", "lo"]
