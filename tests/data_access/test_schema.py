"""The schema round-trips geometry and enforces its keys on both backends."""
from pathlib import Path

import pytest
import shapely
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from data_access.schema import AdminUnit, Observation


def test_geometry_round_trips_as_shapely(empty_engine):
    polygon = shapely.Polygon([(102.0, 20.0), (102.5, 20.0), (102.5, 20.5), (102.0, 20.0)])
    with empty_engine.begin() as conn:
        conn.execute(insert(AdminUnit), [{"code": "01", "level": "province", "name_en": "A", "name_lo": "ກ",
                                          "geometry": polygon, "is_demo": False}])
    with empty_engine.connect() as conn:
        stored = conn.execute(select(AdminUnit.geometry)).scalar_one()
    assert isinstance(stored, shapely.Polygon)
    assert stored.equals(polygon)


def test_observation_key_is_unique(empty_engine):
    import datetime as dt

    from data_access.schema import Indicator

    with empty_engine.begin() as conn:
        conn.execute(insert(AdminUnit), [{"code": "01", "level": "province", "name_en": "A", "name_lo": "ກ", "is_demo": False}])
        conn.execute(insert(Indicator), [{"code": "X", "name_en": "X", "name_lo": "X", "unit": "people",
                                          "period_type": "month", "level": "province", "direction": "higher",
                                          "aggregation": "sum", "multiplier": 1, "cumulative": False}])
    row = {"indicator_code": "X", "admin_code": "01", "period": "2023-01", "period_start": dt.date(2023, 1, 1), "value": 1}
    with pytest.raises(IntegrityError):
        with empty_engine.begin() as conn:
            conn.execute(insert(Observation), [row, row])
    with empty_engine.connect() as conn:
        assert conn.execute(select(Observation.id)).all() == []


def test_migrations_form_one_chain_from_the_baseline_to_one_head():
    """Migrations written on parallel branches must be re-chained: two heads break init_db."""
    from alembic.script import ScriptDirectory

    from data_access.database import _alembic_config, migration_head

    script = ScriptDirectory.from_config(_alembic_config(None))
    chain = list(script.walk_revisions("base", migration_head()))
    files = list((Path(__file__).resolve().parents[2] / "data_access" / "migrations" / "versions").glob("0*.py"))
    assert chain[-1].revision == "0001" and len(chain) == len(files)
