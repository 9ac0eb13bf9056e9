"""Writes the importer test corpus in tests/data/ (run once; the generated files are committed).

    .venv/bin/python tests/data/make_corpus.py

Every place code in the corpus exists in the test-scale demo dataset (the same one the
test fixtures build), and the village layers start from the demo's own village points.
One good and one bad file per failure kind; the expected problems are asserted in
tests/data_access/test_importers.py.
"""
import csv
import datetime as dt
import json
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import shapely

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from data_access.database import make_engine  # noqa: E402
from data_access.demo import DEMO_SEED, generate_demo  # noqa: E402
from geo.boundaries import load_boundaries  # noqa: E402
from geo.villages import generate_demo_villages  # noqa: E402

HEADER = ["indicator_code", "admin_code", "period", "value", "numerator", "denominator", "std_error", "source"]
FIXED_TIME = dt.datetime(2026, 1, 15, 9, 0, 0)


def write_csv(name: str, rows: list[list], header=HEADER, encoding="utf-8", delimiter=",") -> None:
    with (HERE / name).open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def save_workbook(workbook: openpyxl.Workbook, name: str) -> None:
    # Fixed document times so that re-running the script changes nothing.
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    workbook.save(HERE / name)


# ---------------------------------------------------------------- indicator files

GOOD = [
    ["CCT_COMPLY_ALL", "0703001", "2023-05", "", "41", "45", "", "RRPM MIS"],
    ["CCT_COMPLY_ALL", "0703002", "2023-05", "", "30", "40", "", "RRPM MIS"],
    ["CCT_PAID", "0703001", "2023-05", "38", "", "", "", "U-Money"],
    ["CCT_PAID", "0703002", "2023-05", "29", "", "", "", "U-Money"],
    ["GRIEVANCE_RESOLVED", "0703", "2023-Q2", "", "12", "15", "", "GRM log"],
    ["CCT_PAY_DELAY", "0703", "2023-05", "", "210", "3", "", "payment records"],
    ["STUNTING", "07", "2023", "44.1", "", "", "2.6", "LSIS III"],
    ["SUWASH_LATRINES_BUILT", "0707003", "2023-05", "4", "", "", "", "SUWASH MIS"],
]


def indicator_files() -> None:
    write_csv("indicators_good.csv", GOOD)
    corrected = [list(row) for row in GOOD if row[0] != "SUWASH_LATRINES_BUILT"]
    corrected[2][3] = "40"          # CCT_PAID 0703001: 38 -> 40
    corrected[0][4] = "43"          # CCT_COMPLY_ALL 0703001: 41/45 -> 43/45
    corrected[6][3] = "43.8"        # STUNTING 07: 44.1 -> 43.8
    write_csv("indicators_good_corrected.csv", corrected)

    # Lao headers and Lao values: Lao digits, Lao month names, a Lao quarter, Lao names and source.
    lao_header = ["ລະຫັດຕົວຊີ້ວັດ", "ລະຫັດສະຖານທີ່", "ຊື່ສະຖານທີ່", "ໄລຍະເວລາ", "ຄ່າ", "ຕົວເສດ", "ຕົວພູດ",
                  "ແຫຼ່ງຂໍ້ມູນ", "ໝາຍເຫດ"]
    write_csv("indicators_lao.csv", [
        ["CCT_COMPLY_ALL", "0706001", "ບ້ານນາຄຳ", "ພຶດສະພາ 2023", "", "໔໑", "໔໕", "ລະບົບ MIS ຂອງ ລພຊ", ""],
        ["CCT_PAID", "0706001", "ບ້ານນາຄຳ", "ເດືອນ ມິຖຸນາ 2023", "໓໘", "", "", "ບົດລາຍງານປະຈຳເດືອນ", "ກວດແລ້ວ"],
        ["GRIEVANCE_RESOLVED", "0706", "ເມືອງຊຳເໜືອ", "ໄຕມາດ 2 2023", "", "໗", "໙", "ປຶ້ມບັນທຶກຄຳຮ້ອງທຸກ", ""],
        ["STUNTING", "09", "ແຂວງຊຽງຂວາງ", "໒໐໒໓", "໔໒.໕", "", "", "ການສຳຫຼວດ LSIS III", ""],
    ], header=lao_header)

    # UTF-8 with a byte-order mark (as Excel saves "CSV UTF-8"), semicolons, LA p-codes.
    write_csv("indicators_bom.csv", [
        ["CCT_PAID", "LA0703003", "2023-05", "17", "", "", "", "Ban Nakham (ບ້ານນາຄຳ) list"],
        ["CCT_COMPLY_ANC", "LA0703003", "2023-05", "", "12", "14", "", "RRPM MIS"],
        ["FM_DISBURSEMENT", "LA07", "2023-Q2", "", "410000", "500000", "", "FM report"],
    ], encoding="utf-8-sig", delimiter=";")

    bad = {
        "bad_unknown_indicator.csv": [
            ["CCT_PAID", "0703001", "2023-05", "38", "", "", "", ""],
            ["CCT_COMPLY_ALLL", "0703001", "2023-05", "", "41", "45", "", ""],
            ["STUNTNG", "07", "2023", "44.1", "", "", "2.6", ""],
        ],
        "bad_unknown_admin_code.csv": [
            ["CCT_PAID", "0703001", "2023-05", "38", "", "", "", ""],
            ["CCT_PAID", "0799001", "2023-05", "12", "", "", "", ""],
            ["CCT_PAY_DELAY", "Xamneua", "2023-05", "", "210", "3", "", ""],
            ["CCT_PAID", "LA0703002", "2023-05", "29", "", "", "", ""],
            ["CCT_PAID", "0703099", "2023-05", "5", "", "", "", ""],
        ],
        "bad_period_type.csv": [
            ["CCT_PAID", "0703001", "2023-05", "38", "", "", "", ""],
            ["CCT_PAID", "0703002", "2023-Q2", "29", "", "", "", ""],
            ["STUNTING", "07", "2023-05", "44.1", "", "", "2.6", ""],
            ["GRIEVANCE_RESOLVED", "0703", "2023", "", "12", "15", "", ""],
            ["CCT_PAID", "0703003", "2023-13", "17", "", "", "", ""],
        ],
        "bad_numerator_gt_denominator.csv": [
            ["CCT_COMPLY_ALL", "0703001", "2023-05", "", "41", "45", "", ""],
            ["CCT_COMPLY_ALL", "0703002", "2023-05", "", "50", "45", "", ""],
            # Days per payment cycle: a ratio whose numerator may well exceed its denominator.
            ["CCT_PAY_DELAY", "0703", "2023-05", "", "210", "3", "", ""],
        ],
        "bad_negative_counts.csv": [
            ["CCT_PAID", "0703001", "2023-05", "38", "", "", "", ""],
            ["CCT_PAID", "0703002", "2023-05", "-5", "", "", "", ""],
            ["CCT_COMPLY_ALL", "0703003", "2023-05", "", "-3", "40", "", ""],
        ],
        "bad_out_of_range.csv": [
            ["SUWASH_ODF", "0707001", "2023-05", "1", "", "", "", ""],
            ["SUWASH_ODF", "0707002", "2023-05", "3", "", "", "", ""],
            ["CCT_PAY_DELAY", "0703", "2023-05", "", "2400", "3", "", ""],
            ["STUNTING", "07", "2023", "130", "", "", "2.6", ""],
            ["STUNTING", "09", "2023", "41.0", "", "", "-1", ""],
        ],
        "bad_duplicate_key.csv": [
            ["CCT_PAID", "0703001", "2023-05", "38", "", "", "", ""],
            ["CCT_PAID", "0703002", "2023-05", "29", "", "", "", ""],
            ["CCT_PAID", "0703001", "2023-05", "39", "", "", "", ""],
        ],
    }
    for name, rows in bad.items():
        write_csv(name, rows)


def excel_files() -> None:
    def workbook(with_formula: bool) -> openpyxl.Workbook:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "data"
        sheet.append(["indicator_code", "admin_code", "period", "value", "numerator", "denominator", "source"])
        rows = [
            # Excel date cells, and admin codes typed as numbers (Excel drops the leading zero).
            ["CCT_PAID", 703004, dt.datetime(2023, 5, 1), 21, None, None, "U-Money"],
            ["CCT_COMPLY_ALL", "0703004", dt.datetime(2023, 5, 31), None, 18, 20, "RRPM MIS"],
            ["GRIEVANCE_RESOLVED", 703, dt.datetime(2023, 4, 1), None, 9, 10, "GRM log"],
            ["CCT_PAID", "0703005", "2023-06", "=40+1" if with_formula else 41, None, None, "U-Money"],
        ]
        for row in rows:
            sheet.append(row)
        for cell in sheet["C"][1:]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "mmm-yyyy"
        if with_formula:
            assert sheet["D5"].data_type == "f"
        return book

    save_workbook(workbook(with_formula=False), "indicators_excel_dates.xlsx")
    save_workbook(workbook(with_formula=True), "bad_formula.xlsx")


# ---------------------------------------------------------------- targets

def target_files() -> None:
    header = ["indicator_code", "admin_code", "kind", "year", "value", "target_date"]
    write_csv("targets_good.csv", [
        ["CCT_REGISTERED", "00", "end_of_project", "2024", "42000", "2024-08-31"],
        ["CCT_COMPLY_ALL", "07", "annual", "2023", "85", ""],
        ["STUNTING", "02", "ຂໍ້ມູນພື້ນຖານ", "2019", "47.5", ""],
        ["HANSA_ANC4", "0703", "ຄາດໝາຍປະຈຳປີ", "2024", "70", ""],
    ], header=header)
    write_csv("bad_targets.csv", [
        ["CCT_REGISTERED", "00", "end_of_project", "2024", "42000", "2024-08-31"],
        ["CCT_COMPLY_ALL", "07", "someday", "2023", "85", ""],
        ["CCT_COMPLY_ALL", "0703001", "annual", "2023", "85", ""],
        ["STUNTING", "02", "baseline", "19", "47.5", ""],
        ["CCT_COMPLY_ALL", "09", "annual", "2023", "120", ""],
    ], header=header)


# ---------------------------------------------------------------- DHIS2

MAPPING = [
    ["data_element", "Anc4Visits1", "", "HANSA_ANC4", "numerator", "ANC 4th visits (all ages)"],
    ["data_element", "ExpPregnanc", "", "HANSA_ANC4", "denominator", "expected pregnancies"],
    ["data_element", "GmSessions1", "", "HANSA_GM_SESSIONS", "value", "growth-monitoring sessions"],
    ["org_unit", "HcNakham001", "", "0703001", "", "Nakham health centre -> its village"],
    ["org_unit", "HcHouaymai2", "", "0703002", "", "Houaymai health centre -> its village"],
]


def dhis2_files() -> None:
    write_csv("dhis2_mapping.csv", MAPPING,
              header=["type", "dhis2_id", "category_option_combo", "maps_to", "part", "comment"])
    values = [
        # ANC4 disaggregated by age: the two combos add up.
        ("Anc4Visits1", "202305", "HcNakham001", "AgeUnder20x", "11"),
        ("Anc4Visits1", "202305", "HcNakham001", "Age20Plusxx", "19"),
        ("ExpPregnanc", "202305", "HcNakham001", "HllvX50cXC0", "36"),
        ("Anc4Visits1", "202305", "HcHouaymai2", "Age20Plusxx", "12"),
        ("ExpPregnanc", "202305", "HcHouaymai2", "HllvX50cXC0", "20"),
        ("GmSessions1", "202305", "HcNakham001", "HllvX50cXC0", "2"),
        ("GmSessions1", "202305", "HcHouaymai2", "HllvX50cXC0", "1"),
        # Not in the mapping: reported, not silently dropped.
        ("MalariaCase", "202305", "HcNakham001", "HllvX50cXC0", "3"),
        ("GmSessions1", "202305", "HcElsewhere", "HllvX50cXC0", "4"),
    ]
    data_values = [
        {"dataElement": de, "period": pe, "orgUnit": ou, "categoryOptionCombo": coc,
         "attributeOptionCombo": "HllvX50cXC0", "value": value, "storedBy": "hmis_user",
         "lastUpdated": "2023-06-05T10:00:00.000+0000", "followup": False}
        for de, pe, ou, coc, value in values
    ]
    data_values.append({"dataElement": "GmSessions1", "period": "202304", "orgUnit": "HcNakham001",
                        "categoryOptionCombo": "HllvX50cXC0", "attributeOptionCombo": "HllvX50cXC0", "value": "9",
                        "deleted": True})
    export = {"dataSet": "HansaMonth1", "completeDate": "2023-06-05", "dataValues": data_values}
    (HERE / "dhis2_export.json").write_text(json.dumps(export, indent=2) + "\n", encoding="utf-8")
    write_csv("dhis2_export.csv", [
        [v["dataElement"], v["period"], v["orgUnit"], v["categoryOptionCombo"], v["attributeOptionCombo"], v["value"],
         v.get("storedBy", ""), v.get("lastUpdated", ""), "", "false", "true" if v.get("deleted") else ""]
        for v in data_values
    ], header=["dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo", "value", "storedby",
               "lastupdated", "comment", "followup", "deleted"])


# ---------------------------------------------------------------- village layers

def demo_villages() -> gpd.GeoDataFrame:
    """The test-scale demo's own villages (code, name_en, name_lo, point), read from a fresh demo database."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/demo.sqlite")
        generate_demo(engine, scale="test")
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT code, name_en, name_lo, lon, lat FROM admin_unit WHERE level = 'village' ORDER BY code").all()
        engine.dispose()
    return gpd.GeoDataFrame({"code": [r[0] for r in rows], "name_en": [r[1] for r in rows],
                             "name_lo": [r[2] for r in rows]},
                            geometry=gpd.points_from_xy([r[3] for r in rows], [r[4] for r in rows]), crs="EPSG:4326")


def _real_names(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    # A statistics-bureau layer names villages without our "(demo)" label.
    frame = frame.copy()
    frame["name_en"] = frame["name_en"].str.replace(" (demo)", "", regex=False)
    frame["name_lo"] = frame["name_lo"].str.replace(" (ຕົວຢ່າງ)", "", regex=False)
    return frame


def village_files() -> None:
    villages = demo_villages()
    districts = load_boundaries("district")

    # Shapefile in UTM zone 48N: the demo villages of 0703 (updated) and three new ones in 0705.
    existing = _real_names(villages[villages["code"].str.startswith("0703")])
    new = _real_names(generate_demo_villages(districts[districts["code"] == "0705"], {"0705": 3}, DEMO_SEED))
    layer = gpd.GeoDataFrame({
        "VILL_CODE": list(existing["code"]) + list(new["code"]),
        "VILL_NAME": list(existing["name_en"]) + list(new["name_en"]),
        "VILL_LAO": list(existing["name_lo"]) + list(new["name_lo"]),
    }, geometry=list(existing.geometry) + list(new.geometry), crs="EPSG:4326").to_crs("EPSG:32648")
    folder = HERE / "villages_utm48"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    layer.to_file(folder / "villages_utm48.shp", engine="pyogrio", encoding="utf-8")
    archive_path = HERE / "villages_utm48.zip"
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            info = zipfile.ZipInfo(f"villages_utm48/{path.name}", date_time=FIXED_TIME.timetuple()[:6])
            archive.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)

    # GeoPackage in Web Mercator with village polygons, two code-like fields (codes changed
    # between censuses: the user must name the one to use) and Lao names only.
    polygons = _real_names(villages[villages["code"].str.startswith("0707")]).to_crs("EPSG:3857")
    polygons["geometry"] = polygons.geometry.buffer(400, cap_style="square")
    gpkg = gpd.GeoDataFrame({
        "ban_id_2015": [f"0707{100 + i:03d}" for i in range(len(polygons))],
        "ban_id_2023": list(polygons["code"]),
        "ຊື່ບ້ານ": list(polygons["name_lo"]),
    }, geometry=list(polygons.geometry), crs="EPSG:3857")
    gpkg_path = HERE / "villages_0707.gpkg"
    gpkg_path.unlink(missing_ok=True)
    gpkg.to_file(gpkg_path, layer="ban_2023", engine="pyogrio")

    # GeoJSON with the data-quality problems a GIS unit must hear about.
    base = _real_names(villages[villages["code"].str.startswith("0706")]).head(2)
    inside_0707 = villages[villages["code"] == "0707004"].geometry.iloc[0]
    bad = gpd.GeoDataFrame({
        "code": list(base["code"]) + ["0706007", "0706008", "0799001", "07060X1"],
        "name_en": list(base["name_en"]) + ["Ban Phonsay", "Ban Nongkham", "Ban Somewhere", "Ban Typo"],
        "name_lo": list(base["name_lo"]) + ["ບ້ານໂພນໄຊ", "ບ້ານໜອງຄຳ", "ບ້ານບໍ່ມີເມືອງ", "ບ້ານພິມຜິດ"],
    }, geometry=list(base.geometry) + [inside_0707, shapely.Point(102.8, 17.4), shapely.Point(103.9, 20.3),
                                       shapely.Point(104.0, 20.2)], crs="EPSG:4326")
    bad_path = HERE / "bad_villages.geojson"
    bad_path.unlink(missing_ok=True)
    bad.to_file(bad_path, driver="GeoJSON", engine="pyogrio")


if __name__ == "__main__":
    indicator_files()
    excel_files()
    target_files()
    dhis2_files()
    village_files()
    print("corpus written to", HERE)
