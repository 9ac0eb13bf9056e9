"""Demo agreed actions: the mid-term review (May 2022) and the November 2022 supervision mission.

DEMO: the wording follows what the Nov 2022 mission asked (CCT payments to follow the annual
plan so that people do not wait for months; central and local convergence plans aligned;
shortcomings fixed urgently), but the actions, units, dates and statuses are invented and
every row is marked is_demo. Evidence notes are free text, written once in the language of whoever
wrote them (one in Lao, the others in English here) and never translated. As of November 2022 two older actions are overdue and one is due
within the month; by the end of the demo data some are done, one dropped, others overdue.
"""
import datetime as dt

from sqlalchemy import Connection

from data_access.actions import apply_changes, insert_action

BY = "demo generator"
MTR = "2022-05 mid-term review mission"
NOV = "2022-11 supervision mission"

# (fields, [(day of a status change, new status, evidence note or None)])
DEMO_ACTIONS: list[tuple[dict, list[tuple[dt.date, str, str | None]]]] = [
    ({"mission": MTR, "mission_date": dt.date(2022, 5, 23),
      "text_en": "Complete the PMT household survey in the villages of Xiengkhuang not yet surveyed.",
      "text_lo": "ສຳເລັດການສຳຫຼວດ PMT ຄົວເຮືອນ ຢູ່ບັນດາບ້ານຂອງແຂວງຊຽງຂວາງ ທີ່ຍັງບໍ່ທັນໄດ້ສຳຫຼວດ.",
      "responsible_unit": "DRDC M&E unit", "due_date": dt.date(2022, 9, 30), "status": "in_progress",
      "indicator_code": "PMT_COVERAGE", "admin_code": "09"},
     [(dt.date(2023, 2, 10), "done", "Survey completed in all villages; data entered in the MIS (demo).")]),
    ({"mission": MTR, "mission_date": dt.date(2022, 5, 23),
      "text_en": "Train district staff of Phongsaly on the grievance redress mechanism.",
      "text_lo": "ຝຶກອົບຮົມພະນັກງານຂັ້ນເມືອງ ຂອງແຂວງຜົ້ງສາລີ ກ່ຽວກັບກົນໄກແກ້ໄຂຄຳຮ້ອງທຸກ.",
      "responsible_unit": "PAFO Phongsaly", "due_date": dt.date(2022, 10, 31), "status": "open",
      "indicator_code": "GRIEVANCE_RESOLVED", "admin_code": "02"},
     # The province office writes its note in Lao, the central units theirs in English: notes are
     # shown as written, each marked with its language (layouts/common.py free_text).
     [(dt.date(2023, 3, 15), "done", "ຈັດຝຶກອົບຮົມແລ້ວ ຢູ່ສາມເມືອງ, ພະນັກງານເຂົ້າຮ່ວມ 46 ຄົນ (ຕົວຢ່າງ).")]),
    ({"mission": NOV, "mission_date": dt.date(2022, 11, 18),
      "text_en": "CCT payments follow the annual plan so that people do not wait for months: approve and pay "
                 "each cycle within 30 days of compliance verification.",
      "text_lo": "ການຈ່າຍເງິນ CCT ໃຫ້ເປັນໄປຕາມແຜນປະຈຳປີ ເພື່ອບໍ່ໃຫ້ປະຊາຊົນລໍຖ້າເປັນເດືອນໆ: ອະນຸມັດ ແລະ "
                 "ຈ່າຍເງິນແຕ່ລະຮອບ ພາຍໃນ 30 ມື້ ນັບແຕ່ການກວດສອບເງື່ອນໄຂ.",
      "responsible_unit": "DRDC and MoF", "due_date": dt.date(2023, 3, 31), "status": "in_progress",
      "indicator_code": "CCT_PAY_DELAY", "admin_code": None},
     []),
    ({"mission": NOV, "mission_date": dt.date(2022, 11, 18),
      "text_en": "Align the central and local convergence plans (the one multisectoral plan) for 2023.",
      "text_lo": "ປະສານແຜນງານໜຶ່ງດຽວຫຼາຍຂະແໜງການ ລະຫວ່າງຂັ້ນສູນກາງ ແລະ ທ້ອງຖິ່ນ ໃຫ້ສອດຄ່ອງກັນ ສຳລັບປີ 2023.",
      "responsible_unit": "DRDC and provincial planning offices", "due_date": dt.date(2023, 1, 31),
      "status": "open", "indicator_code": None, "admin_code": None},
     [(dt.date(2023, 1, 10), "in_progress", None),
      (dt.date(2023, 2, 20), "done", "Joint plan signed by the four provinces (demo).")]),
    ({"mission": NOV, "mission_date": dt.date(2022, 11, 18),
      "text_en": "Fix urgently the shortcomings found in Houaphan: compliance verified late in the target districts.",
      "text_lo": "ແກ້ໄຂຂໍ້ບົກຜ່ອງ ທີ່ພົບເຫັນຢູ່ແຂວງຫົວພັນ ໂດຍດ່ວນ: ການກວດສອບເງື່ອນໄຂຊັກຊ້າ ໃນເມືອງເປົ້າໝາຍ.",
      "responsible_unit": "PAFO Houaphan", "due_date": dt.date(2022, 12, 15), "status": "open",
      "indicator_code": "CCT_COMPLY_ALL", "admin_code": "07"},
     []),
    ({"mission": NOV, "mission_date": dt.date(2022, 11, 18),
      "text_en": "Submit the Phase II target-area selection, activities and budget.",
      "text_lo": "ສົ່ງການຄັດເລືອກເຂດເປົ້າໝາຍ, ກິດຈະກຳ ແລະ ງົບປະມານ ຂອງແຜນການຂະຫຍາຍໂຄງການ ໄລຍະ II.",
      "responsible_unit": "DRDC", "due_date": dt.date(2023, 2, 28), "status": "open",
      "indicator_code": None, "admin_code": None},
     [(dt.date(2023, 2, 27), "done", "Sent to the World Bank on 27 Feb 2023 (demo).")]),
    ({"mission": NOV, "mission_date": dt.date(2022, 11, 18),
      "text_en": "Register the remaining eligible mothers and pregnant women in Oudomxay.",
      "text_lo": "ລົງທະບຽນແມ່ ແລະ ແມ່ຍິງຖືພາ ທີ່ມີສິດ ທີ່ຍັງເຫຼືອ ຢູ່ແຂວງອຸດົມໄຊ.",
      "responsible_unit": "PAFO Oudomxay", "due_date": dt.date(2023, 6, 30), "status": "open",
      "indicator_code": "CCT_REGISTERED", "admin_code": "04"},
     [(dt.date(2023, 5, 12), "dropped", "Moved to the Phase II registration round (demo).")]),
]


def add_demo_actions(conn: Connection, data_end: dt.date) -> int:
    """Write the demo actions with their history (status changes up to data_end) in the caller's transaction."""
    count = 0
    for fields, changes in DEMO_ACTIONS:
        if fields["mission_date"] > data_end:
            continue  # a dataset ending before the mission has none of its actions
        created = dt.datetime.combine(fields["mission_date"], dt.time(17, 0))
        action_id = insert_action(conn, fields, BY, at=created, is_demo=True)
        for day, status, evidence in changes:
            if day > data_end:
                break
            update = {"status": status} | ({"evidence": evidence} if evidence else {})
            apply_changes(conn, action_id, update, BY, at=dt.datetime.combine(day, dt.time(10, 0)))
        count += 1
    return count
