"""The benchmark's results as the section of docs/benchmarks.md between its two markers."""
import re
from pathlib import Path

from dashboard.bench.runner import GOALS

START = "<!-- bench:interactions:start -->"
END = "<!-- bench:interactions:end -->"


def _ms(value) -> str:
    return "–" if value is None else (f"{value:,.0f}" if value >= 10 else f"{value:.1f}")


def _mark(ok: bool) -> str:
    return "" if ok else " ✗"


def database_table(run: dict, history: dict | None) -> list[str]:
    size = run["size"]
    lines = [f"**{run['database']}** — {size['observations']:,} observations, {size['villages']:,} villages, "
             f"{size['months']} months ({size['first_month']} … {size['last_month']}), as of {run['as_of']}, "
             f"schema {size.get('schema') or 'unknown'}", "",
             "| interaction | callbacks | cold p50 / p95 ms | warm p50 / p95 ms | rebuilt p50 / p95 ms | response bytes | "
             "naive ms (indicators) | naive ÷ warm p50 | naive ÷ cold p50 | p95 with 2× history (cold / warm), and p50 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, result in run["results"].items():
        cold, warm = result["cold"], result["warm"]
        size_ok = not result.get("is_change") or result["bytes"] <= GOALS["change_bytes"]
        ratio = (history or {}).get(name)
        ratio_text = "–"
        if ratio:
            ratio_text = (f"{ratio['cold']:.2f}× / {ratio['warm']:.2f}×"
                          + _mark(max(ratio["cold"], ratio["warm"]) < GOALS["history_ratio"]))
            if "cold_p50" in ratio:
                ratio_text += f" (p50 {ratio['cold_p50']:.2f}× / {ratio['warm_p50']:.2f}×)"
        rebuilt = result.get("rebuilt") or {"p50": None, "p95": None}
        naive_text = (f"{_ms(result['naive_ms'])} ({result.get('naive_indicators', '?')})"
                      if result.get("naive_ms") is not None else "–")
        lines.append(
            f"| {name} | {result['callbacks']} | {_ms(cold['p50'])} / {_ms(cold['p95'])}"
            f"{_mark(cold['p95'] <= GOALS['cold_p95_ms'])} | {_ms(warm['p50'])} / {_ms(warm['p95'])}"
            f"{_mark(warm['p95'] <= GOALS['warm_p95_ms'])} | {_ms(rebuilt['p50'])} / {_ms(rebuilt['p95'])} | "
            f"{result['bytes']:,}{_mark(size_ok)} | {naive_text} | "
            f"{result.get('naive_ratio_warm', '–')}×{_mark(result.get('naive_ratio_warm', 1e9) >= GOALS['naive_ratio'])} | "
            f"{result.get('naive_ratio_cold', '–')}× | {ratio_text} |")
    return lines


def section(report: dict) -> str:
    lines = [START, "", f"Measured {report['when']} on {report['machine']}; load average (1/5/15 min) "
             f"{report['load_before']} at the start, {report['load_after']} at the end; Python reference loop "
             f"(`sum(range(10**6))`, best of 5) {report.get('cpu_reference_ms', '?')} ms, to compare hosts. "
             f"Cold: {report['cold']} runs, the query cache and the kept answers emptied before each; warm: "
             f"{report['warm']} runs after one more (the same request answered from the kept answers, "
             "dashboard/response_cache.py); rebuilt: the answers built again from the warm query cache (what "
             "another place or month costs once its queries are read; no goal). Times are server time (the "
             "app's own request handling, Flask test client, no network) summed over the callbacks of the "
             "action; bytes are the uncompressed JSON answers summed. Naive: every row of each indicator the "
             "action shows (their number in brackets) read into pandas and aggregated there, timed in the same "
             "run. ✗ marks a figure that misses the goal of issue 15 (warm p95 ≤ 50 ms, cold p95 ≤ 300 ms, "
             "naive ≥ 100×, 2× history < 1.2×, a change ≤ 50 kB).", "",
             "```bash", report["command"], "```", ""]
    for run in report["runs"]:
        lines += database_table(run, report.get("history", {}).get(run["database"])) + [""]
    for concurrency in report.get("concurrency", []):
        lines += [f"**{concurrency['users']} visitors at once** for {concurrency['duration_s']:.0f} s on "
                  f"`serve --prod` (gunicorn), {concurrency['database']} + Redis (emptied first): "
                  f"{concurrency['callback_requests']} callback requests, p50 {_ms(concurrency['callback_p50_ms'])} ms, "
                  f"p95 {_ms(concurrency['callback_p95_ms'])} ms"
                  f"{_mark((concurrency['callback_p95_ms'] or 1e9) <= 300)}, "
                  f"**{concurrency['errors']} errors** ({concurrency['requests']} requests in all, page loads included).", ""]
    for note in report.get("notes", []):
        lines += [note, ""]
    lines.append(END)
    return "\n".join(lines)


def write(path: Path, report: dict) -> None:
    """Replace the section between the markers (or append it under a heading)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    new = section(report)
    if START in text and END in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: new, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n## Interactions: server time per user action (`bench --interactions`)\n\n" + new + "\n"
    path.write_text(text, encoding="utf-8")
