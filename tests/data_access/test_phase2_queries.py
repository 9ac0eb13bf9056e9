"""Phase II proposal inputs on the test-scale demo and the program settings table, on SQLite and PostgreSQL."""
import datetime as dt

import pytest
from alembic import command
from sqlalchemy import inspect, text

from data_access.database import _alembic_config
from data_access.phase2_proposal import build_proposal, proposal_parameters
from data_access.program_settings import (
    SETTING_SPECS,
    SettingError,
    program_settings,
    save_program_settings,
    validate_settings,
)
from data_access.queries.convergence import convergence_by_district
from data_access.queries.phase2 import (
    COMPONENTS,
    district_latest,
    phase2_inputs,
    phase2_settings,
    village_project_mix,
)
from data_access.store import current_data_version

AS_OF = "2025-12"


def test_inputs_carry_population_and_the_source_and_year_of_each_input(demo_engine):
    with demo_engine.connect() as conn:
        result = phase2_inputs(conn, AS_OF)
    frame = result["districts"]
    assert len(frame) == 148 and result["available"]["population"]
    assert frame["population"].notna().all() and (frame["population"] > 0).all()
    assert set(frame["population_period"]) == {"2020"}
    assert frame["population_source"].str.contains("demo").all()
    assert frame["poverty_source"].str.contains("Poverty map 2019").all()
    # stunting's source is the survey the district's (or its province's) estimate comes from
    assert frame["stunting_source"].notna().all()


def test_population_before_its_year_is_missing_not_zero(demo_engine):
    with demo_engine.connect() as conn:
        early = district_latest(conn, "POP_PREG_U2", "2019-06")
        late = district_latest(conn, "POP_PREG_U2", AS_OF)
    assert early.empty and len(late) == 148


def test_project_mix_adds_up_to_the_convergence_village_counts(demo_engine):
    with demo_engine.connect() as conn:
        mix = village_project_mix(conn, AS_OF)
        convergence = convergence_by_district(conn, AS_OF)
    totals = mix.groupby("district_code")["n_villages"].sum()
    assert totals.to_dict() == convergence.set_index("district_code")["n_villages"].to_dict()
    assert mix["n_projects"].between(0, 5).all()
    five = mix[mix["n_projects"] == 5].groupby("district_code")["n_villages"].sum()
    assert five.to_dict() == {code: n for code, n in convergence.set_index("district_code")["n_all"].items() if n}


@pytest.mark.parametrize("as_of, period", [("2025-12", "2025-12"), ("2023-06", "2023-06"), ("2010-01", "2025-12")])
def test_the_rate_is_the_latest_up_to_as_of(demo_engine, as_of, period):
    with demo_engine.connect() as conn:
        rate = phase2_settings(conn, as_of)["rate"]
        expected = conn.execute(text("SELECT lak_per_usd FROM exchange_rate WHERE period = :p"), {"p": period}).scalar()
    assert rate == {"period": period, "lak_per_usd": pytest.approx(expected)}


def test_the_proposal_on_the_demo_is_costed_at_the_table_rate(demo_engine):
    with demo_engine.connect() as conn:
        inputs = phase2_inputs(conn, AS_OF)
        settings = phase2_settings(conn, AS_OF)
    params = proposal_parameters(settings["settings"], settings["rate"])
    assert params.rate_source == "table" and params.rate_period == AS_OF and params.transfer_lak == 100_000
    proposal = build_proposal(inputs, params, COMPONENTS, {"stunting": 50, "poverty": 25, "coverage": 25}, 12)
    assert proposal["totals"]["n_districts"] == 12
    assert proposal["totals"]["cost_usd"] == pytest.approx(proposal["totals"]["cost_lak"] / params.lak_per_usd,
                                                           abs=0.06)
    assert proposal["budget"]["n_fit"] >= 1 and proposal["districts"]["reason"].isna().all()


# ------------------------------------------------------------------ program settings


def test_a_new_database_holds_the_code_defaults(empty_engine):
    with empty_engine.connect() as conn:
        settings = program_settings(conn).set_index("key")
    assert list(settings.index) == [spec.key for spec in SETTING_SPECS]
    assert not settings["is_default"].any()
    assert settings.loc["transfer_lak", "value"] == 100_000 and settings.loc["transfer_lak", "year"] == 2019
    assert "PAD2945" in settings.loc["transfer_lak", "source"]


def test_saving_settings_writes_them_and_bumps_the_data_version(empty_engine):
    with empty_engine.connect() as conn:
        before = current_data_version(conn)
    written = save_program_settings(
        empty_engine, {"transfer_lak": {"value": "120,000", "source": "Phase II design note", "year": "2023"},
                       "lak_per_usd_override": {"value": "21000", "source": "MoF budget circular", "year": 2023}},
        by="admin", now=dt.datetime(2026, 12, 1, 12, 0))
    with empty_engine.connect() as conn:
        settings = program_settings(conn).set_index("key")
        after = current_data_version(conn)
    assert written == 2 and after != before
    assert settings.loc["transfer_lak", "value"] == 120_000 and settings.loc["transfer_lak", "updated_by"] == "admin"
    assert settings.loc["lak_per_usd_override", "value"] == 21_000
    params = proposal_parameters(settings.reset_index(), {"period": "2025-12", "lak_per_usd": 21650.0})
    assert params.rate_source == "override" and params.lak_per_usd == 21_000
    # the form sends every input: those unchanged are not rewritten and nothing is bumped
    unchanged = {"transfer_lak": {"value": 120000, "source": "Phase II design note", "year": 2023},
                 "months": {"value": "12", "source": settings.loc["months", "source"],
                            "year": settings.loc["months", "year"]}}
    assert save_program_settings(empty_engine, unchanged, by="someone else") == 0
    with empty_engine.connect() as conn:
        assert current_data_version(conn) == after
        assert program_settings(conn).set_index("key").loc["transfer_lak", "updated_by"] == "admin"


def test_a_bad_edit_leaves_every_setting_unchanged(empty_engine):
    with empty_engine.connect() as conn:
        before = program_settings(conn)
    with pytest.raises(SettingError) as error:
        save_program_settings(empty_engine, {"months": {"value": "10", "source": "x", "year": 2023},
                                             "take_up_pct": {"value": "140", "source": "x", "year": 2023}})
    assert (error.value.code, error.value.key) == ("out_of_range", "take_up_pct")
    with empty_engine.connect() as conn:
        assert program_settings(conn)[["key", "value"]].equals(before[["key", "value"]])


@pytest.mark.parametrize("key, change, code", [
    ("transfer_lak", {"value": "abc", "source": "s"}, "not_a_number"),
    ("transfer_lak", {"value": "", "source": "s"}, "required"),
    ("transfer_lak", {"value": "100000.5", "source": "s"}, "not_whole"),
    ("months", {"value": "13", "source": "s"}, "out_of_range"),
    ("months", {"value": "0", "source": "s"}, "out_of_range"),
    ("take_up_pct", {"value": "-1", "source": "s"}, "out_of_range"),
    ("take_up_pct", {"value": "nan", "source": "s"}, "not_a_number"),
    ("budget_usd", {"value": "1e400", "source": "s"}, "not_a_number"),
    ("take_up_pct", {"value": "80", "source": "  "}, "no_source"),
    ("take_up_pct", {"value": "80", "source": "s", "year": "23"}, "bad_year"),
    ("take_up_pct", {"value": "80", "source": "s", "year": "2023.5"}, "bad_year"),
    ("drop_table", {"value": "1", "source": "s"}, "unknown"),
])
def test_invalid_settings_name_the_rule(key, change, code):
    with pytest.raises(SettingError) as error:
        validate_settings({key: change})
    assert error.value.code == code and error.value.key == key


def test_optional_settings_may_be_cleared():
    clean = validate_settings({"budget_usd": {"value": "", "source": ""},
                               "lak_per_usd_override": {"value": None, "source": None, "year": None}})
    assert clean["budget_usd"]["value"] is None and clean["lak_per_usd_override"]["value"] is None


def test_migration_0006_creates_and_seeds_the_table_on_a_0001_database(empty_engine):
    with empty_engine.begin() as conn:
        conn.execute(text("DROP TABLE program_setting"))
        command.stamp(_alembic_config(conn), "0001")
    with empty_engine.connect() as conn:
        # before the migration runs the page still works, on the code's defaults
        defaults = program_settings(conn)
    assert defaults["is_default"].all() and defaults.set_index("key").loc["months", "value"] == 12
    with empty_engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    assert inspect(empty_engine).has_table("program_setting")
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM program_setting")).scalar() == len(SETTING_SPECS)


def test_places_without_data_are_all_not_scored_and_cost_nothing(empty_engine):
    from data_access.reference import load_reference_data

    with empty_engine.begin() as conn:
        load_reference_data(conn)
    with empty_engine.connect() as conn:
        inputs = phase2_inputs(conn, AS_OF)
        settings = phase2_settings(conn, AS_OF)
    assert settings["rate"] is None and not inputs["available"]["population"]
    params = proposal_parameters(settings["settings"], settings["rate"])
    proposal = build_proposal(inputs, params, COMPONENTS, {"stunting": 50, "poverty": 25, "coverage": 25}, 12)
    assert len(proposal["districts"]) == 148
    assert set(proposal["districts"]["reason"]) == {"no_poverty"}
    assert proposal["totals"]["n_districts"] == 0 and proposal["budget"] is None
