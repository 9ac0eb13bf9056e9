"""The payment delay's parts and rule in words, in both languages, with missing said as missing."""
from i18n import t
from layouts.payment_delay import delay_parts, delay_rule

FULL = {"n_cycles": 24, "delay_days": 58.5, "n_open": 17, "beneficiaries_waiting": 11010, "longest_open_days": 103.0,
        "median_open_days": 46.0, "n_paid": 7, "median_paid_days": 85.0, "n_inconsistent": 0}
NOTHING = {"n_cycles": 0, "delay_days": None, "n_open": 0, "beneficiaries_waiting": None, "longest_open_days": None,
           "median_open_days": None, "n_paid": 0, "median_paid_days": None, "n_inconsistent": 0}


def test_both_parts_are_said_open_cycles_first():
    assert delay_parts(FULL, "2022-11", "en") == [
        "median over the cycles paid in November 2022 or still waiting (cycles: 24)",
        "Still waiting: cycles 17, beneficiaries 11,010, longest wait 103 days, median 46 days",
        "Paid in November 2022: cycles 7, median 85 days",
    ]


def test_no_cycle_says_so_instead_of_zero_days():
    parts = delay_parts(NOTHING, "2022-11", "en")
    assert parts == ["Still waiting: no cycle", "Paid in November 2022: no cycle"]
    assert not any("0 days" in part for part in parts)


def test_an_open_cycle_without_a_count_shows_no_data_for_the_people():
    parts = delay_parts(FULL | {"beneficiaries_waiting": None, "n_inconsistent": 2}, "2022-11", "en")
    assert parts[1].startswith("Still waiting: cycles 17, beneficiaries no data")
    assert parts[-1] == "Left out, paid before their verification date: cycles 2"


def test_lao_parts_and_rule_are_in_lao():
    parts = delay_parts(FULL, "2022-11", "lo")
    assert parts[1].startswith("ຍັງລໍຖ້າ") and parts[2].startswith("ຈ່າຍໃນ")
    rule = delay_rule("lo", "some-id")
    assert rule.id == "some-id"
    assert rule.children[1].children == t("payments.rule", "lo")
    assert "ໄລຍະເວລາລໍຖ້າການຈ່າຍເງິນ" in rule.children[1].children
