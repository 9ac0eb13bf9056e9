"""District comparison downloads: the grid as district_comparison() returned it, the small multiples as an image."""
from dash import State

from callbacks.districts import chosen_districts
from callbacks.exporting import register_export, register_image_download
from data_access.queries.catalogue import target_districts
from data_access.queries.districts import all_districts, district_comparison
from i18n import t
from layouts.districts import DEFAULT_STALE_PERIODS, PICKER, REFERENCE, STALE_PERIODS, TABLE_COMPARISON, TRENDS_GRAPH
from reports.context import export_context, place_name, place_names
from reports.tables import comparison_table


def register(app, store, config) -> None:
    read = store.read

    def comparison(lang, scope, period, picked, stale_periods, reference):
        filters = {"province": (scope or "")[:2] or None, "district": scope if scope and len(scope) >= 4 else None}
        codes, mode = chosen_districts(picked, filters, read(target_districts))
        place_scope = None
        if mode.startswith("province:"):
            place_scope = mode.split(":", 1)[1]
            frame = read(all_districts)
            codes = list(frame.loc[frame["province_code"] == place_scope, "code"])
        stale_periods = int(stale_periods or DEFAULT_STALE_PERIODS)
        result = read(district_comparison, codes, period, stale_periods, reference or "auto")
        frame, columns = comparison_table(result, lang)
        chosen = (t("districts.note_province", lang, province=place_name(place_names(read, place_scope), lang))
                  if mode.startswith("province:")
                  else t(f"districts.note_{mode}", lang))
        context = export_context(
            read, place_scope, period, lang, t("districts.grid_card", lang), "district-comparison",
            filters=[(t("districts.pick_label", lang), chosen),
                     (t("districts.stale_label", lang), t("districts.stale_option", lang, n=stale_periods))],
            notes=[], with_completeness=True)
        return frame, columns, context

    register_export(app, TABLE_COMPARISON, comparison,
                    [State(PICKER, "value"), State(STALE_PERIODS, "value"), State(REFERENCE, "value")])
    register_image_download(app, store, TRENDS_GRAPH, "districts.trends_card")
