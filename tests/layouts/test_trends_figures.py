"""Trend figures and the Trends page's pure builders, on tiny hand-made frames."""
import datetime as dt

import pandas as pd
import pytest

from layouts.figures.trends import (
    backlog_timeline,
    compliance_figure,
    disbursement_figure,
    management_rates_figure,
    operations_figure,
    payments_figure,
    pipeline_heatmap,
    pipeline_steps_figure,
    survey_trend_figure,
)
from layouts.trends import backlog_table, pipeline_summary

STUNTING = {"code": "STUNTING", "name_en": "Stunting prevalence", "name_lo": "ອັດຕາເດັກເຕ້ຍ", "unit": "percent",
            "aggregation": "survey", "direction": "lower"}


def _survey_rows():
    rows = [
        ("scope", "0703", "Hiem", "ຫ້ຽມ", "district", 2020, 45.0, 4.0),
        ("scope", "0703", "Hiem", "ຫ້ຽມ", "district", 2024, 41.0, 3.0),
        ("province", "07", "Houaphan", "ຫົວພັນ", "province", 2020, 46.0, 2.0),
        ("national", "00", "Lao PDR", "ສປປ ລາວ", "national", 2023, 29.0, 1.5),
        ("target_area", "02", "Phongsaly", "ຜົ້ງສາລີ", "province", 2020, 47.5, 2.3),
    ]
    frame = pd.DataFrame(rows, columns=["role", "admin_code", "name_en", "name_lo", "level", "year", "value",
                                        "std_error"])
    frame["period"] = frame["year"].astype(str)
    frame["low"] = frame["value"] - 1.96 * frame["std_error"]
    frame["high"] = frame["value"] + 1.96 * frame["std_error"]
    return frame


def _names(figure):
    return [trace.name for trace in figure.data]


def test_survey_figure_band_is_estimate_plus_minus_1_96_se():
    figure = survey_trend_figure(_survey_rows(), STUNTING, "en", target={"value": 35.0, "year": 2025})
    upper, lower, line = figure.data[0], figure.data[1], figure.data[2]
    assert list(upper.y) == pytest.approx([45 + 1.96 * 4, 41 + 1.96 * 3])
    assert list(lower.y) == pytest.approx([45 - 1.96 * 4, 41 - 1.96 * 3])
    assert lower.fill == "tonexty" and lower.name == "95 % confidence interval"
    assert line.name == "Hiem" and list(line.y) == [45.0, 41.0]
    assert list(line.error_y.array) == pytest.approx([1.96 * 4, 1.96 * 3])
    assert "95 % confidence interval 37.2–52.8 %" in line.customdata[0]
    assert "district survey estimate" in line.customdata[0]
    assert "Houaphan" in _names(figure) and "Lao PDR" in _names(figure)
    target_area = next(trace for trace in figure.data if trace.name == "Phongsaly (target province)")
    assert target_area.visible == "legendonly"
    star = figure.data[-1]
    assert star.marker.symbol == "star" and list(star.y) == [35.0] and "end-of-project target" in star.name
    assert figure.layout.yaxis.title.text == "Stunting prevalence"


def test_survey_figure_labels_a_province_estimate_shown_for_a_district():
    rows = _survey_rows()
    rows = rows[rows["role"] != "scope"].copy()
    rows.loc[rows["role"] == "province", "role"] = "scope"
    figure = survey_trend_figure(rows, STUNTING, "lo", fallback_for="ຊຳເໜືອ")
    line = next(trace for trace in figure.data if trace.mode == "lines+markers" and "ຫົວພັນ" in trace.name)
    assert "ຊຳເໜືອ" in line.name and "ລະດັບແຂວງ" in line.name
    assert "ລະດັບແຂວງ" in line.customdata[0]


def test_survey_figure_without_rounds_says_so():
    figure = survey_trend_figure(_survey_rows().iloc[0:0], STUNTING, "en")
    assert not figure.data and "No survey estimate" in figure.layout.annotations[0].text


def _compliance_rows():
    rows = []
    for code, name, values in (("CCT_COMPLY_ALL", "All conditions", [70.0, None, 80.0]),
                               ("CCT_COMPLY_ANC", "ANC", [90.0, 85.0, 88.0])):
        for month, value in zip(("2023-01", "2023-02", "2023-03"), values):
            rows.append({"indicator_code": code, "name_en": name, "name_lo": name, "period": month,
                         "period_start": pd.Timestamp(month + "-01"), "value": value,
                         "numerator": None if value is None else value, "denominator": None if value is None else 100.0,
                         "n_units": 0 if value is None else 12})
    return pd.DataFrame(rows).dropna(subset=["value"])


def test_compliance_figure_overall_is_thick_and_months_without_report_are_gaps():
    figure = compliance_figure(_compliance_rows(), "en", target={"value": 80.0, "year": 2024})
    overall, anc, target = figure.data
    assert overall.name == "All conditions" and overall.line.width > anc.line.width
    assert list(overall.y) == [70.0, 80.0] and len(overall.x) == 2  # February absent, not zero
    assert "70 of 100 beneficiaries complied" in overall.customdata[0]
    assert "12 villages reporting" in overall.customdata[0]
    assert list(target.y) == [80.0, 80.0] and target.name == "end-of-project target 80.0 % (2024)"
    assert list(figure.layout.yaxis.range) == [0, 100]


def test_operations_figure_stocks_on_top_flows_below():
    rows = pd.DataFrame([
        {"indicator_code": code, "name_en": code, "name_lo": code, "period": "2023-01",
         "period_start": pd.Timestamp("2023-01-01"), "value": value, "n_units": 10}
        for code, value in (("CCT_REGISTERED", 1000.0), ("CCT_ACTIVE", 800.0), ("CCT_NEW_REG", 40.0),
                            ("CCT_PAID", 700.0))])
    figure = operations_figure(rows, "en")
    kinds = {trace.name: (trace.type, trace.yaxis) for trace in figure.data}
    assert kinds["CCT_REGISTERED"] == ("scatter", "y") and kinds["CCT_NEW_REG"] == ("bar", "y2")
    assert kinds["CCT_PAID"] == ("bar", "y2")


def _cycles():
    frame = pd.DataFrame([
        {"district_code": "0703", "name_en": "Hiem", "name_lo": "ຫ້ຽມ", "period": "2022-01", "stage": "paid",
         "verified_on": pd.Timestamp("2022-02-10"), "approved_on": pd.Timestamp("2022-04-01"),
         "funds_sent_on": pd.Timestamp("2022-04-05"), "paid_on": pd.Timestamp("2022-04-08"),
         "days_to_approval": 50.0, "days_approval_to_funds": 4.0, "days_funds_to_paid": 3.0,
         "days_since_verified": 57.0, "days_waiting": float("nan"), "beneficiaries": 60},
        {"district_code": "0703", "name_en": "Hiem", "name_lo": "ຫ້ຽມ", "period": "2022-03", "stage": "awaiting_funds",
         "verified_on": pd.Timestamp("2022-04-10"), "approved_on": pd.Timestamp("2022-06-01"),
         "funds_sent_on": pd.NaT, "paid_on": pd.NaT,
         "days_to_approval": 52.0, "days_approval_to_funds": float("nan"), "days_funds_to_paid": float("nan"),
         "days_since_verified": 81.0, "days_waiting": 29.0, "beneficiaries": 65},
        {"district_code": "0202", "name_en": "May", "name_lo": "ໃໝ່", "period": "2022-03",
         "stage": "awaiting_approval", "verified_on": pd.Timestamp("2022-05-15"), "approved_on": pd.NaT,
         "funds_sent_on": pd.NaT, "paid_on": pd.NaT, "days_to_approval": float("nan"),
         "days_approval_to_funds": float("nan"), "days_funds_to_paid": float("nan"),
         "days_since_verified": 46.0, "days_waiting": 46.0, "beneficiaries": 40},
    ])
    return frame


def test_pipeline_heatmap_marks_open_cycles_and_explains_the_steps():
    figure = pipeline_heatmap(_cycles(), "en")
    heatmap = figure.data[0]
    assert list(heatmap.y) == ["Hiem", "May"]  # sorted by code, top to bottom
    assert list(heatmap.x) == ["Jan 2022", "Mar 2022"]
    assert heatmap.z[0][0] == 57 and heatmap.text[0][0] == "57"
    assert heatmap.text[0][1] == "81+" and heatmap.text[1][1] == "46+"
    assert pd.isna(heatmap.z[1][0])
    assert "verification to approval: 50 days" in heatmap.customdata[0][0]
    assert "waiting for the funds transfer" not in heatmap.customdata[0][1]
    assert "funds transfer: 29 days" in heatmap.customdata[0][1]
    assert heatmap.zmax == 150


def test_backlog_timeline_draws_each_wait_up_to_the_as_of_day():
    backlog = _cycles()[lambda f: f["stage"] != "paid"]
    as_of = dt.date(2022, 6, 30)
    figure = backlog_timeline(backlog, as_of, "en")
    approval = next(trace for trace in figure.data if trace.name == "waiting for approval")
    funds = next(trace for trace in figure.data if trace.name == "waiting for the funds transfer")
    # May, never approved: its approval wait runs from verification to the as-of day
    may = list(approval.y).index("May, cycle Mar 2022")
    assert approval.x[may] == (pd.Timestamp(as_of) - pd.Timestamp("2022-05-15")).days * 86_400_000
    hiem = list(funds.y).index("Hiem, cycle Mar 2022")
    assert pd.Timestamp(funds.base[hiem]) == pd.Timestamp("2022-06-01")
    assert "65 beneficiaries waiting" in funds.customdata[hiem]
    assert not any(trace.name == "waiting for payment to the wallet" for trace in figure.data)
    assert figure.layout.xaxis.ticktext[-1] == "30 Jun 2022"


def test_backlog_timeline_with_nothing_waiting_says_so():
    figure = backlog_timeline(_cycles().iloc[0:0], dt.date(2022, 6, 30), "lo")
    assert "ບໍ່ມີຮອບການຈ່າຍເງິນໃດ" in figure.layout.annotations[0].text


def test_pipeline_steps_are_stacked_medians_with_the_target():
    by_period = pd.DataFrame({"period": ["2022-01", "2022-03"], "n_cycles": [12, 11],
                              "median_to_approval": [50.0, 80.0], "median_approval_to_funds": [4.0, 6.0],
                              "median_funds_to_paid": [3.0, None]})
    figure = pipeline_steps_figure(by_period, "en", target_days=30)
    assert figure.layout.barmode == "stack"
    assert _names(figure)[:3] == ["verification to approval", "approval to funds transfer", "funds transfer to payment"]
    assert list(figure.data[0].y) == [50.0, 80.0]
    target = figure.data[-1]
    assert target.name == "target: 30 days from verification to payment" and set(target.y) == {30}


def test_payments_figure_stacks_paid_and_waiting_and_shows_money_in_the_chosen_currency():
    payments = pd.DataFrame({"period": ["2022-01", "2022-03"], "n_cycles": [2, 2], "n_paid": [2, 0],
                             "beneficiaries_paid": [100.0, None], "beneficiaries_waiting": [None, 105.0],
                             "amount_lak_paid": [20_000_000.0, None], "amount_usd_paid": [2000.0, None]})
    lak = payments_figure(payments, "en", "LAK")
    assert _names(lak) == ["paid", "still waiting"] and lak.layout.barmode == "stack"
    assert "20,000,000 LAK" in lak.data[0].customdata[0]
    usd = payments_figure(payments, "en", "USD")
    assert "2,000 USD" in usd.data[0].customdata[0]
    assert list(usd.data[1].y)[1] == 105.0


def test_disbursement_figure_shows_both_parts_and_the_rate():
    frame = pd.DataFrame({"period": ["2023-Q1"], "planned_usd": [100_000.0], "disbursed_usd": [87_000.0],
                          "rate": [87.0], "lak_per_usd": [18_000.0], "planned_lak": [1.8e9],
                          "disbursed_lak": [1.566e9]})
    usd = disbursement_figure(frame, "en", "USD")
    planned, disbursed = usd.data
    assert (planned.name, disbursed.name) == ("planned budget", "disbursed")
    assert list(disbursed.y) == [87_000.0] and list(disbursed.text) == ["87 %"]
    lak = disbursement_figure(frame, "en", "LAK")
    assert list(lak.data[1].y) == [1.566e9] and "exchange rate 18,000 LAK per USD" in lak.data[1].customdata[0]
    assert lak.layout.yaxis.title.text == "LAK"


def test_management_rates_name_the_place_they_were_read_at():
    rates = pd.DataFrame([
        {"indicator_code": "ES_COMPLIANCE", "name_en": "E&S", "name_lo": "E&S", "period": "2023-Q1",
         "period_start": pd.Timestamp("2023-01-01"), "value": 90.0, "numerator": 18.0, "denominator": 20.0,
         "shown_code": "07", "shown_name_en": "Houaphan", "shown_name_lo": "ຫົວພັນ"},
        {"indicator_code": "PMT_COVERAGE", "name_en": "PMT", "name_lo": "PMT", "period": "2023-01",
         "period_start": pd.Timestamp("2023-01-01"), "value": 95.0, "numerator": 95.0, "denominator": 100.0,
         "shown_code": "0703", "shown_name_en": "Hiem", "shown_name_lo": "ຫ້ຽມ"},
    ])
    figure = management_rates_figure(rates, "en", "0703")
    assert _names(figure) == ["E&S (Houaphan)", "PMT"]
    assert figure.data[0].line.shape == "hv"


def test_pipeline_summary_counts_the_waiting():
    backlog = pd.DataFrame({"district_code": ["0703", "0202"], "awaiting_approval": [0, 1],
                            "awaiting_funds": [1, 0], "awaiting_payment": [0, 0], "approved_unpaid": [1, 0],
                            "n_open": [1, 1], "beneficiaries_waiting": [65.0, 40.0], "longest_wait_days": [81.0, 46.0]})
    overall = pd.DataFrame({"longest_open_days": [81.0]})
    delay = {"n_cycles": 3, "delay_days": 57.0, "n_open": 2, "beneficiaries_waiting": 105, "longest_open_days": 81.0,
             "median_open_days": 63.5, "n_paid": 1, "median_paid_days": 12.0, "n_inconsistent": 0}
    summary = pipeline_summary(overall, backlog, delay, dt.date(2022, 6, 30), "2022-06", "en")
    text = str(summary)
    assert "'1'" in text and "'105'" in text and "'81 days'" in text and "'57 days'" in text
    assert "30 Jun 2022" in text
    assert "Still waiting: cycles 2, beneficiaries 105, longest wait 81 days, median 64 days" in text
    assert "Paid in June 2022: cycles 1, median 12 days" in text
    assert "still unpaid" in text  # the rule, beside the figure


def test_backlog_table_lists_open_cycles_in_lao():
    table = backlog_table(_cycles()[lambda f: f["stage"] != "paid"], "lo")
    text = str(table)
    assert "ການໂອນເງິນ" in text and "ການອະນຸມັດ" in text and "ຫ້ຽມ" in text


def _legend_is_above_the_plot(figure) -> bool:
    legend = figure.layout.legend
    return legend.orientation == "h" and legend.yanchor == "bottom" and legend.y >= 1 and (legend.x or 0) <= 0.01


def test_every_trends_legend_sits_above_its_plot_never_over_the_dates():
    # Below the plot (y = -0.15) the compliance legend hid the x axis's dates; beside it (x = 1.02)
    # the survey legend left a phone a third of its width for the data.
    operations = pd.DataFrame([
        {"indicator_code": code, "name_en": code, "name_lo": code, "period": "2023-01",
         "period_start": pd.Timestamp("2023-01-01"), "value": 10.0, "n_units": 10}
        for code in ("CCT_REGISTERED", "CCT_NEW_REG")])
    payments = pd.DataFrame({"period": ["2022-01"], "n_cycles": [2], "n_paid": [2], "beneficiaries_paid": [100.0],
                             "beneficiaries_waiting": [5.0], "amount_lak_paid": [2.0e7], "amount_usd_paid": [2000.0]})
    figures = {
        "survey": survey_trend_figure(_survey_rows(), STUNTING, "en", target={"value": 28.0, "year": 2025}),
        "compliance": compliance_figure(_compliance_rows(), "en", target={"value": 80.0, "year": 2024}),
        "operations": operations_figure(operations, "en"),
        "payments": payments_figure(payments, "en", "LAK"),
    }
    wrong = {name: figure.layout.legend.to_plotly_json() for name, figure in figures.items()
             if not _legend_is_above_the_plot(figure)}
    assert not wrong
