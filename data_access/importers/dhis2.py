"""DHIS2 dataValueSets (JSON or CSV, as the Web API exports them) mapped to our indicators and places.

The mapping file is maintained by the user (CSV or .xlsx), one row per DHIS2 item:

    type,dhis2_id,category_option_combo,maps_to,part,comment
    data_element,fbfJHSPpUQD,,HANSA_ANC4,numerator,ANC 4th visit
    data_element,h0xKKjijTdI,,HANSA_ANC4,denominator,expected pregnancies
    org_unit,DiszpKrYNg8,,0703,,Xamneua district

A data element row without a category option combo matches every combo (their values
are added up, as DHIS2 totals do); a row with one matches only that combo and wins over
the blank row. Org units map to our admin codes; several org units may map to one place
(their values are added). Values whose data element or org unit is not in the mapping
are reported (one warning per unmapped item, with how many values it had), never
dropped silently.
"""
import re
from dataclasses import dataclass, field

from data_access.importers import fields
from data_access.importers.indicators import Candidate, validate_observations
from data_access.importers.lookup import Lookup
from data_access.importers.json_documents import JsonProblem, load_json
from data_access.importers.readers import Table, header_key, match_columns, read_table
from data_access.importers.report import ImportReport

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "data_element": ("dataelement", "de", "dataelementid", "data_element_id"),
    "period": ("pe",),
    "org_unit": ("orgunit", "ou", "organisationunit", "organisation_unit", "orgunitid"),
    "category_option_combo": ("categoryoptioncombo", "catoptcombo", "coc", "categoryoptioncomboid"),
    "attribute_option_combo": ("attributeoptioncombo", "attroptcombo", "aoc", "attributeoptioncomboid"),
    "value": (),
    "deleted": (),
    "stored_by": ("storedby",),
    "last_updated": ("lastupdated",),
    "created": (),
    "comment": (),
    "followup": (),
}
# Exports without a header row put the columns in this order.
HEADERLESS_ORDER = ("data_element", "period", "org_unit", "category_option_combo", "attribute_option_combo",
                    "value", "stored_by", "last_updated", "comment", "followup", "deleted")
JSON_KEYS = {"data_element": "dataElement", "period": "period", "org_unit": "orgUnit",
             "category_option_combo": "categoryOptionCombo", "attribute_option_combo": "attributeOptionCombo",
             "value": "value", "deleted": "deleted"}
_UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")

MAPPING_COLUMNS: dict[str, tuple[str, ...]] = {
    "type": ("kind", "item_type", "ປະເພດ"),
    "dhis2_id": ("dhis2_uid", "uid", "id", "dhis2"),
    "category_option_combo": ("categoryoptioncombo", "coc", "catoptcombo"),
    "maps_to": ("target", "code", "our_code", "indicator_or_admin_code", "ລະຫັດ"),
    "part": ("role", "ສ່ວນ"),
    "comment": ("note", "name", "description", "ໝາຍເຫດ"),
}
MAPPING_REQUIRED = ("type", "dhis2_id", "maps_to")
TYPE_WORDS = {"data_element": "data_element", "dataelement": "data_element", "de": "data_element",
              "org_unit": "org_unit", "orgunit": "org_unit", "ou": "org_unit", "organisation_unit": "org_unit"}
PARTS = ("value", "numerator", "denominator", "std_error")


def looks_like_dhis2_csv(header_keys: set[str]) -> bool:
    def has(column: str) -> bool:
        return bool({header_key(name) for name in (column, *CSV_COLUMNS[column])} & header_keys)

    return has("data_element") and has("org_unit")


@dataclass
class Mapping:
    data_elements: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (uid, coc) -> (indicator, part)
    org_units: dict[str, str] = field(default_factory=dict)  # uid -> admin code

    def data_element(self, uid: str, combo: str) -> tuple[str, str] | None:
        return self.data_elements.get((uid, combo)) or self.data_elements.get((uid, ""))


def read_mapping(data: bytes, file_name: str, lookup: Lookup, report: ImportReport) -> Mapping:
    """The user's mapping; each broken row is reported against the mapping file and left out."""
    from data_access.importers.indicators import candidates_from_table

    mapping = Mapping()
    table = read_table(data, file_name)
    candidates = candidates_from_table(table, report, MAPPING_COLUMNS, MAPPING_REQUIRED)
    seen: dict[tuple, int | None] = {}
    for candidate in candidates:
        cells, row = candidate.cells, candidate.row

        def problem(rule: str, column: str, value, **params) -> None:
            report.add(rule, file=file_name, row=row, column=candidate.header(column), value=value, **params)

        if any(isinstance(raw, fields.Formula) for raw in cells.values()):
            for column, raw in cells.items():
                if isinstance(raw, fields.Formula):
                    problem("formula_not_allowed", column, raw.text)
            continue
        missing = [column for column in MAPPING_REQUIRED if fields.is_blank(cells.get(column))]
        for column in missing:
            problem("missing_value", column, "")
        if missing:
            continue
        item_type = TYPE_WORDS.get(header_key(str(cells["type"])))
        uid = fields.clean_text(cells["dhis2_id"])
        combo = "" if fields.is_blank(cells.get("category_option_combo")) else fields.clean_text(
            cells["category_option_combo"])
        part = "value" if fields.is_blank(cells.get("part")) else header_key(str(cells["part"]))
        if item_type is None:
            problem("mapping_invalid_type", "type", cells["type"], types="data_element, org_unit")
            continue
        key = (item_type, uid, combo)
        if key in seen:
            problem("duplicate_key", "dhis2_id", uid, first_row=seen[key])
            continue
        seen[key] = row
        if item_type == "data_element":
            if part not in PARTS:
                problem("mapping_invalid_part", "part", cells["part"], parts=", ".join(PARTS))
                continue
            code = fields.indicator_code(cells["maps_to"])
            if code not in lookup.indicators:
                problem("unknown_indicator", "maps_to", cells["maps_to"])
                continue
            mapping.data_elements[(uid, combo)] = (code, part)
        else:
            code = fields.admin_code(cells["maps_to"])
            if code not in lookup.levels:
                problem("unknown_admin_code", "maps_to", cells["maps_to"])
                continue
            mapping.org_units[uid] = code
    return mapping


@dataclass
class DataValue:
    row: int
    cells: dict[str, object]
    headers: dict[str, str]


def _json_values(data: bytes, file_name: str, report: ImportReport) -> list[DataValue]:
    try:
        document = load_json(data)
    except JsonProblem as problem:
        report.add(problem.rule, **problem.params)
        return []
    if not isinstance(document, dict) or not isinstance(document.get("dataValues"), list):
        report.add("not_dhis2")
        return []
    # A data value set may give period / orgUnit / attributeOptionCombo once for all its values.
    defaults = {key: document.get(JSON_KEYS[key]) for key in ("period", "org_unit", "attribute_option_combo")}
    headers = dict(JSON_KEYS)
    values = []
    for number, item in enumerate(document["dataValues"], start=1):
        item = item if isinstance(item, dict) else {}
        cells = {key: item.get(json_key, defaults.get(key)) for key, json_key in JSON_KEYS.items()}
        values.append(DataValue(number, cells, headers))
    return values


def _csv_values(data: bytes, file_name: str, report: ImportReport) -> list[DataValue]:
    table: Table = read_table(data, file_name)
    report.extend(table.problems)
    if table.problems:
        return []
    if not table.headers:
        report.add("empty_file")
        return []
    matched = match_columns(table.headers, CSV_COLUMNS)
    rows = table.rows
    if "data_element" not in matched.positions and _UID.match(table.headers[0] or ""):
        positions = {column: index for index, column in enumerate(HEADERLESS_ORDER) if index < len(table.headers)}
        headers = {column: column for column in positions}
        rows = [(table.header_row, list(table.headers))] + rows
        width = len(table.headers)
        rows = [(number, list(cells[:width]) + [None] * (width - len(cells))) for number, cells in rows]
    else:
        positions = matched.positions
        headers = {column: table.headers[index] for column, index in positions.items()}
        for column in ("data_element", "period", "org_unit", "value"):
            if column not in positions:
                report.add("missing_column", column=column, alternatives=[column, *CSV_COLUMNS[column][:2]])
        if report.has_file_errors:
            return []
    return [DataValue(number, {column: cells[index] for column, index in positions.items()}, headers)
            for number, cells in rows]


def _deleted(raw) -> bool:
    return raw is True or (isinstance(raw, str) and raw.strip().lower() == "true")


def read_dhis2(data: bytes, file_name: str, mapping_data: bytes | None, mapping_name: str | None, lookup: Lookup,
               report: ImportReport) -> list[dict]:
    """Validate an export through the mapping; returns observation rows (values added up per place and period)."""
    is_json = file_name.lower().endswith(".json")
    values = _json_values(data, file_name, report) if is_json else _csv_values(data, file_name, report)
    if report.has_file_errors:
        return []
    if mapping_data is None:
        report.add("mapping_required")
        return []
    mapping = read_mapping(mapping_data, mapping_name or "mapping.csv", lookup, report)
    if report.has_file_errors:
        return []
    if not values:
        report.add("empty_file")
        return []
    report.rows_total = len(values)

    groups: dict[tuple[str, str, str], dict] = {}
    seen: dict[tuple, int] = {}
    unmapped_elements: dict[tuple[str, str], list] = {}
    unmapped_units: dict[str, list] = {}
    deleted: list[int] = []
    bad_rows: set[int] = set()
    for item in values:
        cells, row = item.cells, item.row

        def problem(rule: str, column: str, value, **params) -> None:
            report.add(rule, row=row, column=item.headers.get(column, column), value=value, **params)
            bad_rows.add(row)

        if _deleted(cells.get("deleted")):
            deleted.append(row)
            continue
        uid = fields.clean_text(cells.get("data_element") or "")
        unit = fields.clean_text(cells.get("org_unit") or "")
        combo = fields.clean_text(cells.get("category_option_combo") or "")
        for column in ("data_element", "period", "org_unit"):
            if fields.is_blank(cells.get(column)):
                problem("missing_value", column, "")
        if row in bad_rows:
            continue
        key = (uid, fields.clean_text(cells["period"]), unit, combo,
               fields.clean_text(cells.get("attribute_option_combo") or ""))
        if key in seen:
            problem("duplicate_key", "data_element", " / ".join(part for part in key if part), first_row=seen[key])
            continue
        seen[key] = row
        target = mapping.data_element(uid, combo)
        admin = mapping.org_units.get(unit)
        if target is None:
            unmapped_elements.setdefault((uid, combo), []).append(row)
        if admin is None:
            unmapped_units.setdefault(unit, []).append(row)
        if target is None or admin is None:
            continue
        indicator, part = target
        meta = lookup.indicators[indicator]
        try:
            period = fields.period(cells["period"], meta["period_type"])
        except fields.PeriodProblem as error:
            params = dict(error.params)
            if error.rule == "period_type_mismatch":
                params = {"expected": {"key": f"importer.period_type.{meta['period_type']}"},
                          "found": {"key": f"importer.period_type.{error.found}"}}
            problem(error.rule, "period", cells["period"], **params)
            continue
        try:
            number = fields.number(cells.get("value"))
        except fields.NotANumber:
            problem("not_a_number", "value", cells.get("value"))
            continue
        if number is None:
            problem("missing_value", "value", "")
            continue
        group = groups.setdefault((indicator, admin, period), {"parts": {}, "rows": []})
        group["parts"][part] = group["parts"].get(part, 0.0) + number
        group["rows"].append(row)

    for (uid, combo), rows in unmapped_elements.items():
        report.add("dhis2_unmapped_data_element", row=rows[0], column=values[0].headers.get("data_element"),
                   value=uid + (f" / {combo}" if combo else ""), count=len(rows))
    for unit, rows in unmapped_units.items():
        report.add("dhis2_unmapped_org_unit", row=rows[0], column=values[0].headers.get("org_unit"), value=unit,
                   count=len(rows))
    if deleted:
        report.add("dhis2_deleted_value", row=deleted[0], column=values[0].headers.get("deleted", "deleted"),
                   value="true", count=len(deleted))
    skipped = {row for rows in unmapped_elements.values() for row in rows}
    skipped |= {row for rows in unmapped_units.values() for row in rows}
    report.rows_skipped = len((skipped | set(deleted)) - bad_rows)

    candidates = []
    rows_of: dict[int, int] = {}
    for (indicator, admin, period), group in groups.items():
        first = min(group["rows"])
        rows_of[first] = len(group["rows"])
        candidates.append(Candidate(first, file_name, {"indicator_code": indicator, "admin_code": admin,
                                                       "period": period, **group["parts"]},
                                    {"indicator_code": values[0].headers.get("data_element", "dataElement"),
                                     "admin_code": values[0].headers.get("org_unit", "orgUnit"),
                                     "period": values[0].headers.get("period", "period"),
                                     **{part: values[0].headers.get("value", "value") for part in group["parts"]}}))
    records = validate_observations(sorted(candidates, key=lambda c: c.row), lookup, report)
    for record in records:
        record["n_rows"] = rows_of[record["row"]]
    return records
