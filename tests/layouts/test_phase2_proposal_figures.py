"""Phase II proposal builders on hand-made frames: the village mix figure, the grid, the panels, the workbook."""
import datetime as dt
import io

import flask
import openpyxl
import pandas as pd
import pytest

from callbacks.phase2 import can_edit_settings
from data_access.phase2_proposal import ProposalParameters, build_proposal
from layouts.figures.phase2 import phase2_map, project_mix_figure
from layouts.phase2 import ranking_grid, selection_from_query
from layouts.phase2_panels import budget_panel, costs_panel, district_names, robustness_panel
from layouts.phase2_workbook import file_name, proposal_workbook

PARAMS = ProposalParameters(transfer_lak=100_000, take_up_pct=85, months=12, delivery_share_pct=10,
                            budget_usd=100.0, lak_per_usd=21_650, rate_period="2025-12", rate_source="table")
COMPONENTS = {"stunting": True, "poverty": True, "coverage": False}
GEOJSON = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": code, "properties": {"code": code},
     "geometry": {"type": "Polygon", "coordinates": [[[x, 20], [x + 1, 20], [x + 1, 21], [x, 21], [x, 20]]]}}
    for x, code in ((101, "0201"), (102, "0202"), (103, "0101"))]}


def _proposal(ticked=None):
    frame = pd.DataFrame({
        "district_code": ["0201", "0202", "0101"], "name_en": ["Phongsaly", "May", "Chanthabuly"],
        "name_lo": ["ຜົ້ງສາລີ", "ໃໝ່", "ຈັນທະບູລີ"], "province_code": ["02", "02", "01"],
        "province_name_en": ["Phongsaly", "Phongsaly", "Vientiane Capital"],
        "province_name_lo": ["ຜົ້ງສາລີ", "ຜົ້ງສາລີ", "ນະຄອນຫຼວງວຽງຈັນ"], "is_target": [False, True, False],
        "stunting": [44.1, 41.3, 15.0], "stunting_level": ["province", "district", "province"],
        "stunting_period": ["2023", "2024", "2023"], "stunting_source": ["LSIS (demo)", "RRPM (demo)", "LSIS (demo)"],
        "poverty": [40.0, 30.0, None], "poverty_level": ["district"] * 3, "poverty_period": ["2019"] * 3,
        "poverty_source": ["Poverty map 2019 (demo)"] * 3,
        "population": [1000.0, 2000.0, 3000.0], "population_period": ["2020"] * 3,
        "population_source": ["Population projection (demo)"] * 3,
        "coverage": [0.0, 66.7, None], "n_villages": [6.0, None, None],
    })
    inputs = {"districts": frame, "available": {"stunting": True, "poverty": True, "coverage": True}}
    return build_proposal(inputs, PARAMS, COMPONENTS, {"stunting": 50, "poverty": 25, "coverage": 25}, 1,
                          exclude_phase1=False, ticked=ticked)


def test_project_mix_figure_stacks_villages_by_project_count():
    mix = pd.DataFrame({"district_code": ["0201", "0202"], "v0": [1, 0], "v1": [0, 0], "v2": [2, 0], "v3": [0, 0],
                        "v4": [0, 0], "v5": [3, 0], "n_villages": [6, 0]})
    figure = project_mix_figure(mix, {"0201": "Phongsaly", "0202": "May"}, "en")
    assert [trace.name for trace in figure.data] == [f"{k} projects" for k in range(6)]
    assert list(figure.data[5].x) == [3, 0] and list(figure.data[2].x) == [2, 0]
    assert list(figure.data[0].y) == ["Phongsaly", "May — no village list"]
    assert figure.layout.barmode == "stack" and figure.layout.xaxis.title.text == "Villages"
    assert "%{customdata[1]}" in figure.data[0].hovertemplate
    empty = project_mix_figure(mix.iloc[0:0], {}, "lo")
    assert "ບໍ່ມີເມືອງ" in empty.layout.annotations[0].text


def test_not_scored_district_says_why_on_the_map_and_in_the_grid():
    proposal = _proposal()
    figure = phase2_map(proposal["districts"], GEOJSON, "en", ["stunting", "poverty", "coverage"])
    unscored = figure.data[0]
    assert list(unscored.locations) == ["0101"] and "not scored: no poverty estimate" in unscored.hovertext[0]
    columns, rows = ranking_grid(proposal["districts"], ["stunting", "poverty", "coverage"], "en", 1)
    by_code = {row["district_code"]: row for row in rows}
    assert by_code["0101"]["score__text"] == "not scored: no poverty estimate"
    assert by_code["0201"]["selected"] == "☑" and by_code["0202"]["selected"] == "☐"
    # 1000 women x 40 % = 400 households; 340 beneficiaries x 100,000 x 12 x 1.1 / 21,650
    assert by_code["0201"]["eligible_households"] == 400
    assert by_code["0201"]["cost_usd__text"] == "20,730"
    assert [column["field"] for column in columns][:2] == ["selected", "rank"]
    assert any(column["headerName"].startswith("In the top 1 under") for column in columns)


def test_panels_show_cost_budget_and_robustness_in_both_languages():
    proposal = _proposal()
    names = district_names(proposal["districts"], "en")
    text = str(costs_panel(proposal, "en", True))
    assert "20,730 USD" in text and "448,800,000 LAK" in text and "Demo data" in text
    assert "December 2025" in text and "(+ 0 districts" not in text
    budget = str(budget_panel(proposal, names, "en"))
    # the envelope of 100 USD pays for no district; the first outside is the top-ranked one
    assert "first 0 districts" in budget and "Phongsaly" in budget
    assert "ງົບປະມານ" in str(budget_panel(proposal, district_names(proposal["districts"], "lo"), "lo"))
    robust = str(robustness_panel(proposal, names, "en"))
    assert "Phongsaly: in the top 1 under 100 % of weight choices" in robust


def test_workbook_holds_codes_as_text_and_the_page_totals():
    proposal = _proposal(ticked=["0201", "0202"])
    settings = pd.DataFrame({"key": ["transfer_lak", "take_up_pct"], "value": [100_000.0, 85.0],
                             "source": ["PAD2945", "Assumption (demo)"], "year": [2019, 2023]})
    content = proposal_workbook(proposal, settings, "2025-12", "en", True,
                                now=dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.timezone.utc))
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["proposal", "parameters", "costs", "notes"]
    sheet = book["proposal"]
    header = [cell.value for cell in sheet[1]]
    codes = [row[header.index("District code")] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in codes] == ["0201", "0202", "0101"]
    assert all(cell.data_type == "s" for cell in codes)
    assert header.count("Source") == 3 and "Women pregnant or with a child under two" in header
    last = [cell.value for cell in sheet[4]]
    assert last[header.index("Not scored because")] == "no poverty estimate"
    totals = {row[0].value: row[1].value for row in book["costs"].iter_rows(min_row=2)}
    assert totals["Cost a year (LAK)"] == proposal["totals"]["cost_lak"]
    assert totals["Cost a year (USD)"] == pytest.approx(proposal["totals"]["cost_usd"])
    parameters = {row[0].value: row[1].value for row in book["parameters"].iter_rows(min_row=2)}
    assert parameters["Exchange rate used (LAK per USD)"] == 21_650
    notes = [row[0].value for row in book["notes"].iter_rows(min_row=2)]
    assert notes[0].startswith("Demo data")
    assert any(note.startswith("Parameters: monthly transfer LAK 100,000, take-up 85 %, 12 months") and
               "LAK 21,650.00 per USD (2025-12)" in note and "stunting 50" in note for note in notes)
    # 20:00 UTC is 03:00 the next day in Vientiane (UTC+7)
    assert "Exported 2026-12-02 03:00 (Vientiane time)." in notes
    assert file_name("2025-12") == "phase2-proposal-2025-12.xlsx"
    lao = openpyxl.load_workbook(io.BytesIO(proposal_workbook(proposal, settings, "2025-12", "lo", False)))
    assert "ຂໍ້ສະເໜີ" in lao.sheetnames


@pytest.mark.parametrize("query, expected", [
    ({}, {"weights": {"stunting": 50, "poverty": 25, "coverage": 25}, "n": 12, "exclude": True, "ticked": None}),
    ({"w": "40,30,30", "n": "20", "x1": "0", "pick": "0201,0207"},
     {"weights": {"stunting": 40, "poverty": 30, "coverage": 30}, "n": 20, "exclude": False,
      "ticked": ["0201", "0207"]}),
    ({"w": "999,-5,x", "n": "lots", "pick": ""},
     {"weights": {"stunting": 50, "poverty": 25, "coverage": 25}, "n": 12, "exclude": True, "ticked": []}),
    ({"w": "999,-5,10", "n": "0", "pick": "0201,<script>,02011"},
     {"weights": {"stunting": 100, "poverty": 0, "coverage": 10}, "n": 1, "exclude": True, "ticked": ["0201"]}),
])
def test_a_shared_link_gives_back_the_selection(query, expected):
    assert selection_from_query(query) == expected


@pytest.mark.parametrize("address, headers, flag, allowed", [
    ("127.0.0.1", {}, "", True),
    ("::1", {}, "", True),
    ("10.0.0.5", {}, "", False),
    ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, "", False),
    ("10.0.0.5", {}, "true", True),
])
def test_settings_edits_only_from_this_machine_unless_the_flag_allows(address, headers, flag, allowed):
    """Accounts off (the demo database): the machine and the flag decide."""
    app = flask.Flask(__name__)
    app.config["SETTINGS"] = {"PHASE2_SETTINGS_EDITABLE": flag}
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": address}, headers=headers):
        flask.g.auth_on = False
        assert can_edit_settings() is allowed
    assert can_edit_settings() is False  # no request, no edit


@pytest.mark.parametrize("role, active, allowed", [
    (None, True, False), ("viewer", True, False), ("coordinator", True, False), ("admin", True, True),
    ("admin", False, False),
])
def test_with_accounts_on_only_an_active_admin_edits_settings_even_from_this_machine(role, active, allowed):
    from access import Account

    app = flask.Flask(__name__)
    app.config["SETTINGS"] = {"PHASE2_SETTINGS_EDITABLE": "true"}
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        flask.g.auth_on = True
        flask.g.account = None if role is None else Account(id=1, username="u", display_name="U", role=role,
                                                            active=active)
        assert can_edit_settings() is allowed
