"""The one door callbacks use to read data: a connection per query, cached per data version."""
import functools
import inspect
import logging
import threading
from collections.abc import Callable
from contextvars import ContextVar

from sqlalchemy import Connection, Engine, select, text, update

from data_access.schema import DatasetInfo

log = logging.getLogger(__name__)

# The store whose read is running in this thread: a query that needs another query's result
# (the alerts need the results framework the Targets page and Overview cards read too) gets it
# from the same cache through read_through instead of computing it a second time.
_ACTIVE_STORE: ContextVar["DataStore | None"] = ContextVar("active_store", default=None)


class DataStore:
    """Runs `query(conn, *args)` functions on the engine, caching results per data version.

    The cache key includes the dataset's `data_version`, which every import bumps in the
    same transaction as its data: a new import is visible at once in every worker, with no
    cache to clear by hand and no restart.
    """

    # A follower waits at most this long for the thread already reading the same key.
    WAIT_SECONDS = 60

    def __init__(self, engine: Engine, cache=None, timeout: int = 3600):
        self.engine = engine
        self.cache = cache
        self.timeout = timeout
        # Keys being read now in this process: the browser fires a page's callbacks in parallel
        # and several read the same query (the Overview and the navbar both read the alerts);
        # the second waits for the first instead of running the query again.
        self._reading: dict[str, _Reading] = {}
        self._reading_lock = threading.Lock()

    def data_version(self) -> str:
        with self.engine.connect() as conn:
            return self._version(conn)

    def _version(self, conn: Connection) -> str:
        """The data version, read once per web request: a page's callback makes a dozen reads, each of
        which asked the database again (a round trip each on PostgreSQL). Within one request every read
        sees the version the request started with; outside a request (scripts, tests) it is read each time."""
        try:
            import flask
        except ImportError:  # pragma: no cover - flask comes with dash
            return current_data_version(conn)
        if not flask.has_request_context():
            return current_data_version(conn)
        kept = flask.g.get("_data_version")
        if kept is None:
            kept = flask.g._data_version = current_data_version(conn)
        return kept

    def read(self, query: Callable, *args, **kwargs):
        token = _ACTIVE_STORE.set(self)
        try:
            return self._read(query, *args, **kwargs)
        finally:
            _ACTIVE_STORE.reset(token)

    def _read(self, query: Callable, *args, **kwargs):
        if self.cache is None:
            with self.engine.connect() as conn:
                return query(conn, *args, **kwargs)
        with self.engine.connect() as conn:
            version = self._version(conn)
            key = f"{query.__module__}.{query.__qualname__}|{version}|{_arguments(query, args, kwargs)!r}"
            try:
                cached = self.cache.get(key)
            except Exception:  # Redis down: slower pages from the database, not broken ones
                log.warning("cache unreachable; reading %s from the database", query.__qualname__, exc_info=True)
                cached = None
            if cached is not None:
                return cached
            with self._reading_lock:
                reading = self._reading.get(key)
                if reading is None:
                    mine = self._reading[key] = _Reading()
            if reading is not None:
                if reading.done.wait(self.WAIT_SECONDS) and reading.ok:
                    return reading.result
                return query(conn, *args, **kwargs)  # the first reader failed or is stuck: read it here
            try:
                result = mine.result = query(conn, *args, **kwargs)
                mine.ok = True
                try:
                    self.cache.set(key, result, timeout=self.timeout)
                except Exception:  # a full or unreachable cache must not break a page
                    log.warning("could not cache %s", query.__qualname__, exc_info=True)
            finally:
                with self._reading_lock:
                    self._reading.pop(key, None)
                mine.done.set()
        return result


@functools.lru_cache(maxsize=512)
def _signature(query: Callable) -> inspect.Signature | None:
    try:
        return inspect.signature(query)
    except (TypeError, ValueError):
        return None


def _arguments(query: Callable, args: tuple, kwargs: dict) -> tuple:
    """The call's arguments by name with defaults filled in (the connection left out), so that
    progress_table(c, None, "2025-12") and progress_table(c, None, "2025-12", None) share one entry."""
    signature = _signature(query)
    if signature is None:
        return args, tuple(sorted(kwargs.items()))
    try:
        bound = signature.bind(None, *args, **kwargs)
    except TypeError:
        return args, tuple(sorted(kwargs.items()))
    bound.apply_defaults()
    return tuple(bound.arguments.items())[1:]


def read_through(conn: Connection, query: Callable, *args, **kwargs):
    """`query(conn, ...)` for a query called inside another: through the running store's cache when a
    callback's read is under way (same key as the pages' own reads), on `conn` otherwise (scripts, tests)."""
    store = _ACTIVE_STORE.get()
    if store is None or store.cache is None:
        return query(conn, *args, **kwargs)
    return store.read(query, *args, **kwargs)


class _Reading:
    """A query being read by one thread; the others wait for `done` and share `result`."""

    def __init__(self):
        self.done = threading.Event()
        self.ok = False
        self.result = None


def forget_request_version() -> None:
    """A write in this request (an import, a saved setting): the next read asks the database again."""
    try:
        import flask
    except ImportError:  # pragma: no cover
        return
    if flask.has_request_context():
        flask.g.pop("_data_version", None)


def current_data_version(conn: Connection) -> str:
    row = conn.execute(select(DatasetInfo.value).where(DatasetInfo.key == "data_version")).first()
    return row[0] if row else "0"


def bump_data_version(conn: Connection) -> str:
    """Increase data_version inside the caller's transaction; returns the new version."""
    forget_request_version()
    new_version = str(int(current_data_version(conn)) + 1)
    changed = conn.execute(
        update(DatasetInfo).where(DatasetInfo.key == "data_version").values(value=new_version)
    ).rowcount
    if not changed:
        conn.execute(text("INSERT INTO dataset_info (key, value) VALUES ('data_version', :v)"), {"v": new_version})
    return new_version
