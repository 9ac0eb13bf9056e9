"""The carried-forward note beside a stock value, in both languages."""
import math

import pytest

from layouts.carried import carried_note, carried_rule


def _row(value, carried_value, carried_units, oldest, n_units):
    return {"value": value, "carried_value": carried_value, "carried_units": carried_units,
            "oldest_carried_period": oldest, "n_units": n_units}


@pytest.mark.parametrize("row, en, lo", [
    (_row(7165, 1759, 47, "2025-08", 139), "1,759 of 7,165 carried from Aug 2025", "1.759 ໃນຈຳນວນ 7.165 ຍົກມາຈາກລາຍງານ ສ.ຫ. 2025"),
    (_row(15, 15, 2, "2023-01", 0), "no report this month: carried from earlier reports (oldest Jan 2023)",
     "ເດືອນນີ້ບໍ່ມີລາຍງານ"),
    # A carried zero is a carried value, not "nothing carried".
    (_row(6, 0, 1, "2023-01", 1), "0 of 6 carried from Jan 2023", "0 ໃນຈຳນວນ 6"),
    (_row(17, None, 0, None, 2), "", ""),
    (_row(17, math.nan, math.nan, None, 2), "", ""),
    (_row(None, None, 0, None, 0), "", ""),
    # Missing value: nothing to annotate, even if the row says units were carried.
    (_row(math.nan, 3, 1, "2023-01", 0), "", ""),
])
def test_carried_note(row, en, lo):
    assert carried_note(row, "en") == en
    if lo:
        assert carried_note(row, "lo").startswith(lo)
    else:
        assert carried_note(row, "lo") == ""


def test_carried_rule_names_the_cap():
    assert "12 months" in carried_rule(12, "en")
    assert "12 ເດືອນ" in carried_rule(12, "lo")
    assert carried_rule(None, "en") == ""
