"""The Review page's two tables as files, from the same review_figures result the page shows."""
from collections.abc import Callable

import pandas as pd

from i18n import format_period, localized, t
from layouts.review import headline_rows, status_text, verdict_text
from reports.context import export_context
from reports.exports import Column

def _headers(review: dict, lang: str, first_key: str) -> dict:
    then = format_period(review["previous_window"]["code"], lang)
    now = format_period(review["window"]["code"], lang)
    return {"first": t(first_key, lang), "rule": t("review.col_rule", lang), "then": then, "now": now,
            "change": t("review.col_change", lang), "verdict": t("review.col_verdict", lang),
            "status_then": t("review.col_status", lang, period=then),
            "status_now": t("review.col_status", lang, period=now),
            "period_then": t("review.col_period_of_value", lang, period=then),
            "period_now": t("review.col_period_of_value", lang, period=now)}


def _context(read: Callable, review: dict, scope: str | None, lang: str, title_key: str, topic: str):
    window, previous = review["window"], review["previous_window"]
    notes = [t("review.export_periods", lang, period=format_period(window["code"], lang),
               previous=format_period(previous["code"], lang))]
    for w in (window, previous):
        notes.append(t("review.window_line", lang, period=format_period(w["code"], lang),
                       first=format_period(w["start"], lang), last=format_period(w["end"], lang),
                       as_of=format_period(w["as_of"], lang), rule=t(f"review.rule_as_of_{w['as_of_rule']}", lang)))
    notes += [t(f"review.rules_body_{n}", lang) for n in (1, 2, 3)]
    return export_context(read, scope, window["code"], lang, t(title_key, lang), topic, notes=notes,
                          with_completeness=False)


def _period_text(period, lang: str):
    return format_period(period, lang) if isinstance(period, str) and period else None


def headline_export(read: Callable, review: dict, scope: str | None, lang: str):
    """(frame, columns, context) of the headline table: numbers as numbers, missing as empty cells."""
    rows = headline_rows(review)
    frame = pd.DataFrame([{
        "card": row["card"], "figure": t(row["title_key"], lang), "rule": t(f"review.rule_{row['rule']}", lang),
        "then": row["value_then"], "now": row["value_now"], "change": row["change"],
        "verdict": verdict_text(row["verdict"], lang),
        "status_then": status_text(row["status_then"], lang), "status_now": status_text(row["status_now"], lang),
        "period_then": _period_text(row["period_then"], lang), "period_now": _period_text(row["period_now"], lang),
    } for row in rows])
    headers = _headers(review, lang, "review.col_figure")
    # One unit per column is not possible (people, %, days): values go out as plain numbers.
    columns = [Column("card", t("review.col_code", lang), "code"), Column("figure", headers["first"], "text", 40),
               Column("rule", headers["rule"], "text", 40), Column("then", headers["then"], "number"),
               Column("now", headers["now"], "number"), Column("change", headers["change"], "number"),
               Column("verdict", headers["verdict"]), Column("status_then", headers["status_then"]),
               Column("status_now", headers["status_now"]), Column("period_then", headers["period_then"]),
               Column("period_now", headers["period_now"])]
    return frame, columns, _context(read, review, scope, lang, "review.export_headline", "review-headline")


def framework_export(read: Callable, review: dict, scope: str | None, lang: str):
    """(frame, columns, context) of the results-framework table."""
    framework = review["framework"]
    frame = pd.DataFrame({
        "indicator_code": framework["indicator_code"],
        "indicator": [localized(row, lang) for row in framework.to_dict("records")],
        "project": framework["project_name_lo" if lang == "lo" else "project_name_en"],
        "unit": framework["unit"],
        "rule": [t(f"review.rule_{rule}", lang) for rule in framework["rule"]],
        "then": framework["value_then"], "now": framework["value_now"], "change": framework["change"],
        "verdict": [verdict_text(verdict, lang) for verdict in framework["verdict"]],
        "status_then": [status_text(status, lang) for status in framework["status_then"]],
        "status_now": [status_text(status, lang) for status in framework["status_now"]],
        "period_then": [_period_text(period, lang) for period in framework["period_then"]],
        "period_now": [_period_text(period, lang) for period in framework["period_now"]],
    })
    headers = _headers(review, lang, "review.col_indicator")
    columns = [Column("indicator_code", t("review.col_code", lang), "code"),
               Column("indicator", headers["first"], "text", 45), Column("project", t("review.col_project", lang)),
               Column("unit", t("targets.col_unit", lang)),
               Column("rule", headers["rule"], "text", 40), Column("then", headers["then"], "number"),
               Column("now", headers["now"], "number"), Column("change", headers["change"], "number"),
               Column("verdict", headers["verdict"]), Column("status_then", headers["status_then"]),
               Column("status_now", headers["status_now"]), Column("period_then", headers["period_then"]),
               Column("period_now", headers["period_now"])]
    return frame, columns, _context(read, review, scope, lang, "review.export_framework", "review-results-framework")

