"""DataStore.read: parallel callbacks asking for the same query read it once (issue 15)."""
import threading
import time

import flask
import pytest
from flask_caching import Cache
from sqlalchemy import create_engine, text

from data_access.store import DataStore


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE dataset_info (key TEXT PRIMARY KEY, value TEXT)"))
        conn.execute(text("INSERT INTO dataset_info VALUES ('data_version', '1')"))
    yield engine
    engine.dispose()


@pytest.mark.parametrize("cache_type", ["SimpleCache", "NullCache"])
def test_four_parallel_reads_of_one_query_run_it_once(engine, cache_type):
    store = DataStore(engine, Cache(flask.Flask("t"), config={"CACHE_TYPE": cache_type}))
    calls, answers = [], []

    def slow_query(conn, code):
        calls.append(code)
        time.sleep(0.3)
        return {"code": code}

    threads = [threading.Thread(target=lambda: answers.append(store.read(slow_query, "07"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == ["07"]
    assert answers == [{"code": "07"}] * 4


def test_a_failed_read_is_not_shared_and_the_next_caller_reads_again(engine):
    store = DataStore(engine, Cache(flask.Flask("t"), config={"CACHE_TYPE": "SimpleCache"}))
    attempts = []

    def flaky(conn):
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database went away")
        return 42

    with pytest.raises(RuntimeError):
        store.read(flaky)
    assert store.read(flaky) == 42 and len(attempts) == 2


def test_a_query_inside_another_shares_the_pages_cache_entry(engine):
    from data_access.store import read_through

    store = DataStore(engine, Cache(flask.Flask("t"), config={"CACHE_TYPE": "SimpleCache"}))
    calls = []

    def framework(conn, scope, period, project=None):
        calls.append((scope, period, project))
        return {"scope": scope, "period": period}

    def alerts(conn, scope, period):
        return {"alerts": read_through(conn, framework, scope, period)}

    assert store.read(alerts, "07", "2025-12") == {"alerts": {"scope": "07", "period": "2025-12"}}
    # The page's own read, with the default spelled out, is the entry the alerts made.
    assert store.read(framework, "07", "2025-12", None) == {"scope": "07", "period": "2025-12"}
    assert store.read(framework, "07", period="2025-12") == {"scope": "07", "period": "2025-12"}
    assert calls == [("07", "2025-12", None)]
    # Outside a store (a script, a test on a connection) it is a plain call.
    with engine.connect() as conn:
        assert alerts(conn, "02", "2025-11") == {"alerts": {"scope": "02", "period": "2025-11"}}
    assert calls[-1] == ("02", "2025-11", None)


def test_the_data_version_is_read_once_a_request_and_again_after_a_write_in_it(engine):
    from sqlalchemy import event

    from data_access.store import bump_data_version

    store = DataStore(engine, Cache(flask.Flask("t"), config={"CACHE_TYPE": "SimpleCache"}))
    asked = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: asked.append(statement) if "dataset_info" in statement else None)
    app = flask.Flask("request")
    with app.test_request_context("/_dash-update-component"):
        for code in ("01", "02", "03"):
            store.read(lambda conn, c: c, code)
        assert len(asked) == 1
        with engine.begin() as conn:
            bump_data_version(conn)  # an import in this request
        before = len(asked)
        assert store.data_version() == "2" and len(asked) == before + 1
    store.read(lambda conn, c: c, "04")  # outside a request: asked every time
    store.read(lambda conn, c: c, "05")
    assert len(asked) == before + 3
