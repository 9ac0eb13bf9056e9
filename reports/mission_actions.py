"""The mission report's "Agreed actions and their status": the /actions page's register (same query,
same texts) as of the review month, as HTML and as a sheet."""
from collections.abc import Callable
from html import escape

import pandas as pd

from data_access.queries.actions import action_register
from data_access.queries.alerts import action_day
from i18n import format_day, format_number, t
from layouts.actions import STATUSES, action_text, due_text, latest_text, place_text
from reports.actions_excel import register_table
from reports.exports import Column


def collect_actions(read: Callable, scope: str | None, as_of: str) -> dict:
    """The actions agreed by the review day for the place, each with its status on that day."""
    day = action_day(as_of)
    register = read(action_register, scope, as_of, None, None, None, "all")
    agreed = register[register["status_then"].notna()] if not register.empty else register
    # The report tells the state on the review day, not today's.
    agreed = agreed.assign(status=agreed["status_then"]) if not agreed.empty else agreed
    return {"register": agreed.reset_index(drop=True), "day": day}


def counts(register: pd.DataFrame) -> dict[str, int]:
    found = {status: int((register["status"] == status).sum()) if not register.empty else 0 for status in STATUSES}
    found["overdue"] = int((register["due_state"] == "overdue").sum()) if not register.empty else 0
    found["total"] = len(register)
    return found


def section(actions: dict, lang: str) -> str:
    """Heading, what "overdue" means, the counts by status, then one row per action (overdue first)."""
    register = actions["register"]
    parts = [f'<section class="break actions"><h2>{escape(t("actions.report_section", lang))}</h2>',
             f'<p class="muted">{escape(t("actions.report_intro", lang, day=format_day(actions["day"], lang)))}</p>']
    if register.empty:
        parts.append(f'<p>{escape(t("actions.report_none", lang))}</p></section>')
        return "".join(parts)
    numbers = {key: format_number(value, lang) for key, value in counts(register).items()}
    parts.append(f'<p>{escape(t("actions.report_counts", lang, **numbers))}</p>')
    headers = [t("actions.col_mission", lang), t("actions.col_text", lang), t("actions.col_responsible_unit", lang),
               t("actions.col_due_date", lang), t("actions.col_status", lang), t("actions.col_due_state", lang),
               t("actions.col_place_name", lang), t("actions.col_indicator_name", lang) + " · "
               + t("actions.col_latest_value", lang)]
    ordered = register.assign(_overdue=register["due_state"] != "overdue").sort_values(
        ["_overdue", "due_date", "id"], kind="stable")
    rows = []
    for row in ordered.to_dict("records"):
        indicator = ""
        if row.get("indicator_code"):
            indicator = f'{row.get("indicator_name_lo" if lang == "lo" else "indicator_name_en") or ""}: ' \
                        f'{latest_text(row, lang)}'
        rows.append([row["mission"], action_text(row, lang), row["responsible_unit"], format_day(row["due_date"], lang),
                     t(f"actions.status_{row['status']}", lang), due_text(row, lang), place_text(row, lang),
                     indicator])
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    parts.append(f'<table class="data actions"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
    parts.append("</section>")
    return "".join(parts)


def actions_sheet(actions: dict, lang: str) -> tuple[pd.DataFrame, list[Column]]:
    """The same actions as the export's columns (codes as text), status as on the review day."""
    return register_table(actions["register"], lang)
