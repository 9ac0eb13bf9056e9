"""Twenty visitors at once on the production command (`serve --prod`, gunicorn) with a Redis cache.

Starts the server as a child process on a free port, empties the Redis database first (a cold
start), replays the recorded page visits with scripts/load.py, and stops the server it started.
"""
import importlib.util
import os
import signal
import socket
import subprocess
from pathlib import Path
import sys
import time

from dashboard.config import REPO_ROOT

LOAD_SCRIPT = REPO_ROOT / "scripts" / "load.py"


def load_module():
    spec = importlib.util.spec_from_file_location("load_script", LOAD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flush_redis(cache_url: str) -> None:
    if cache_url.startswith("redis://"):
        import redis

        redis.Redis.from_url(cache_url).flushdb()


def _wait_healthy(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not answer /healthz in time")


def run(database_url: str, cache_url: str, users: int = 20, duration: float = 60, prod: bool = True,
        log_path=None) -> dict:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "CACHE_URL": cache_url, "PORT": str(port),
           "DEFAULT_LANGUAGE": "en"}
    _flush_redis(cache_url)
    command = [sys.executable, "-m", "dashboard", "serve"] + (["--prod"] if prod else [])
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)  # var/ does not exist in a fresh clone
    log = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        load = load_module()
        out = REPO_ROOT / "var" / "bench-concurrency.json"
        load.main(["run", "--url", url, "--users", str(users), "--duration", str(duration), "--out", str(out)])
        import json

        summary = json.loads(out.read_text(encoding="utf-8"))
    finally:
        # Only the server this function started (its own process group: gunicorn and its workers).
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
        if log_path:
            log.close()
    callbacks = summary.get("callbacks", {})
    return {"users": users, "duration_s": duration, "requests": summary.get("requests", 0),
            "callback_requests": callbacks.get("requests", 0), "callback_p50_ms": callbacks.get("p50_ms"),
            "callback_p95_ms": callbacks.get("p95_ms"), "all_p95_ms": summary.get("p95_ms"),
            "errors": summary.get("errors", 0), "error_samples": summary.get("error_samples", [])}
