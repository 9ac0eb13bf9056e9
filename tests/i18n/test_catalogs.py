"""The message catalogs: every key the code uses exists in both languages, in real Lao, in the program's words."""
import csv
import textwrap
from pathlib import Path

import pytest

import i18n
from i18n import check
from i18n.glossary import GlossaryTerm, glossary, read_glossary

REPO = Path(__file__).resolve().parents[2]
CATALOG_DIR = REPO / "i18n" / "catalogs"
SOURCE_PACKAGES = ("dashboard", "callbacks", "access", "reports", "layouts", "data_access", "geo", "i18n")


@pytest.fixture(scope="module")
def catalog_files() -> dict:
    return check.load_catalog_files(CATALOG_DIR)


@pytest.fixture(scope="module")
def catalog(catalog_files) -> dict:
    return check.merge_catalogs(catalog_files)


def _listing(items) -> str:
    return "\n  " + "\n  ".join(str(item) for item in items)


# ---------------------------------------------------------------- the real catalogs


def test_every_key_the_code_uses_is_in_a_catalog(catalog):
    uses = check.keys_used_in_code([REPO / package for package in SOURCE_PACKAGES], relative_to=REPO)
    assert len(uses) > 20, "the scan found almost no keys: is it still looking at the code?"
    missing = check.missing_keys(uses, catalog)
    assert not missing, "keys used in the code but defined in no i18n/catalogs/*.toml:" + _listing(missing)


def test_no_key_is_defined_in_two_catalog_files(catalog_files):
    duplicates = check.duplicate_keys(catalog_files)
    assert not duplicates, "keys defined in more than one catalog file:" + _listing(duplicates.items())


def test_the_translation_layer_loads_every_catalog(catalog):
    i18n.catalog.cache_clear()
    assert set(i18n.catalog()) == set(catalog)


def test_every_entry_has_english_and_lao(catalog):
    problems = check.incomplete_entries(catalog)
    assert not problems, "catalog entries without both languages:" + _listing(problems)


def test_lao_text_is_written_in_lao(catalog):
    untranslated = check.untranslated_entries(catalog)
    assert not untranslated, "Lao texts without Lao script (English left untranslated):" + _listing(
        f"{key}: lo = {catalog[key]['lo']!r}" for key in untranslated)


def test_lao_text_keeps_no_english_words(catalog):
    half_translated = check.latin_words_in_lao(catalog)
    assert not half_translated, "Lao texts with English words left in them:" + _listing(
        f"{key}: {words} in {catalog[key]['lo']!r}" for key, words in half_translated)


def test_both_languages_take_the_same_parameters(catalog):
    mismatches = check.placeholder_mismatches(catalog)
    assert not mismatches, "en and lo expect different {parameters}:" + _listing(mismatches)


def test_each_page_keeps_its_messages_in_its_own_file(catalog_files):
    misplaced = check.misplaced_keys(catalog_files)
    assert not misplaced, "keys outside their file's namespace (<page>.toml holds <page>.* and nav.<page>):" + _listing(
        misplaced)


def test_the_glossary_is_well_formed():
    terms = glossary()
    assert len(terms) >= 60
    problems = check.glossary_problems(terms)
    assert not problems, "i18n/glossary.csv:" + _listing(problems)


# The program's own words (DOMAIN.md, "Lao vocabulary used by the program", and the issue):
# the glossary may grow, but these pairs must stay as the program writes them.
PROGRAM_VOCABULARY = {
    "beneficiary": "ຜູ້ໄດ້ຮັບຜົນປະໂຫຍດ",
    "compliance with conditions": "ການປະຕິບັດຕາມເງື່ອນໄຂ",
    "target (value to reach)": "ຄາດໝາຍ",
    "target area": "ເຂດເປົ້າໝາຍ",
    "baseline": "ຂໍ້ມູນພື້ນຖານ",
    "province": "ແຂວງ",
    "district": "ເມືອງ",
    "village": "ບ້ານ",
    "multisectoral convergence plan": "ແຜນງານໜຶ່ງດຽວຫຼາຍຂະແໜງການ",
    "implementation progress": "ຄວາມຄືບໜ້າການຈັດຕັ້ງປະຕິບັດ",
    "registration": "ການລົງທະບຽນ",
    "PMT survey": "ການສຳຫຼວດ PMT",
    "budget": "ງົບປະມານ",
    "aide-memoire": "ບົດບັນທຶກຊ່ວຍຈຳ",
    "indicator": "ຕົວຊີ້ວັດ",
    "no data": "ບໍ່ມີຂໍ້ມູນ",
    "stunting": "ອັດຕາເດັກເຕ້ຍ",
    "survey": "ການສຳຫຼວດ",
}


def test_the_glossary_keeps_the_programs_own_words():
    by_english = {term.en: term.lo for term in glossary()}
    differing = {en: (by_english.get(en), lo) for en, lo in PROGRAM_VOCABULARY.items() if by_english.get(en) != lo}
    assert not differing, "glossary rows changed or lost (glossary, program):" + _listing(differing.items())


def test_catalogs_use_the_glossary_terms(catalog):
    violations = check.glossary_violations(catalog, glossary())
    assert not violations, (
        "Lao texts that do not use the program's term (fix the Lao, or add a justified entry to "
        "i18n.check.GLOSSARY_EXCEPTIONS):" + _listing(violations))


def test_glossary_exceptions_still_excuse_something(catalog):
    stale = check.unused_exceptions(catalog, glossary())
    assert not stale, "remove these entries from i18n.check.GLOSSARY_EXCEPTIONS:" + _listing(stale)


@pytest.mark.parametrize("path, columns", [
    ("data_access/reference/indicators.csv", [("name_en", "name_lo")]),
    ("data_access/reference/projects.csv", [("name_en", "name_lo"), ("sector_en", "sector_lo"),
                                            ("ministry_en", "ministry_lo")]),
])
def test_bundled_reference_names_use_the_glossary_terms(path, columns):
    with (REPO / path).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    names = {f"{row['code']} {en}": {"en": row[en], "lo": row[lo]} for row in rows for en, lo in columns}
    assert names
    violations = check.glossary_violations(names, glossary(), exceptions={})
    assert not violations, f"{path}:" + _listing(violations)


# ---------------------------------------------------------------- the checks themselves


def _write(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def test_key_scan_sees_literal_conditional_prefix_and_named_keys(tmp_path):
    _write(tmp_path, "page.py", """
        from i18n import t
        import i18n
        PAGE = {"path": "/x", "title_key": "nav.x", "order": 5}
        STATUS_KEYS = {"on": "x.status_on", "off": "x.status_off"}
        def layout(lang, level, ok):
            return [t("x.title", lang), i18n.t("x.subtitle", lang), t("x.yes" if ok else "x.no", lang),
                    t(f"x.level_{level}", lang), card(label_key="x.card")]
        def helper(world):
            return world.t("2020-02")
    """)
    uses = check.keys_used_in_code([tmp_path])
    literal = {use.key for use in uses if not use.prefix}
    assert literal == {"nav.x", "x.status_on", "x.status_off", "x.title", "x.subtitle", "x.yes", "x.no", "x.card"}
    assert {use.key for use in uses if use.prefix} == {"x.level_"}


def test_missing_keys_are_reported_with_their_place(tmp_path):
    _write(tmp_path, "page.py", 'from i18n import t\nTITLE = t("x.title", "lo")\nLEVEL = t(f"x.level_{1}", "lo")\n')
    uses = check.keys_used_in_code([tmp_path], relative_to=tmp_path)
    missing = check.missing_keys(uses, {"x.other": {"en": "a", "lo": "ກ"}})
    assert [str(use) for use in missing] == ["x.title (page.py:2)", "x.level_* (page.py:3)"]
    assert not check.missing_keys(uses, {"x.title": {}, "x.level_province": {}})


def test_entries_without_a_language_are_reported():
    catalog = {"a.one": {"en": "One"}, "a.two": {"en": "Two", "lo": " "}, "a.three": {"en": "x", "lo": "ກ", "la": "ກ"}}
    assert check.incomplete_entries(catalog) == [
        ("a.one", "has no lo text"), ("a.two", "has no lo text"), ("a.three", "has an unknown language field 'la'")]


def test_english_copied_into_the_lao_field_is_untranslated():
    catalog = {
        "a.copied": {"en": "Target villages", "lo": "Target villages"},
        "a.acronym": {"en": "CCT", "lo": "CCT"},
        "a.percent": {"en": "{value} %", "lo": "{value} %"},
        "a.lao": {"en": "Baseline", "lo": "ຂໍ້ມູນພື້ນຖານ"},
    }
    assert check.untranslated_entries(catalog) == ["a.copied"]


def test_english_words_left_in_a_lao_sentence_are_reported():
    catalog = {"a.half": {"en": "{n} villages reporting", "lo": "{n} ບ້ານ reporting"},
               "a.ok": {"en": "CCT payment cycles", "lo": "ຮອບການຈ່າຍເງິນ CCT"}}
    assert check.latin_words_in_lao(catalog) == [("a.half", ["reporting"])]


def test_parameters_must_match_between_languages():
    catalog = {"a.bad": {"en": "{n} of {total}", "lo": "{n} ໃນ {totl}"}, "a.good": {"en": "{n} days", "lo": "{n} ມື້"}}
    assert [key for key, *_ in check.placeholder_mismatches(catalog)] == ["a.bad"]


def test_a_dictionary_word_instead_of_the_programs_term_is_a_violation():
    terms = [GlossaryTerm("beneficiary", "ຜູ້ໄດ້ຮັບຜົນປະໂຫຍດ")]
    catalog = {"a.people": {"en": "{n} beneficiaries complied", "lo": "ປະຕິບັດຕາມ {n} ຄົນ"},
               "a.program": {"en": "{n} beneficiaries complied", "lo": "ຜູ້ໄດ້ຮັບຜົນປະໂຫຍດ {n} ຄົນ ປະຕິບັດຕາມເງື່ອນໄຂ"}}
    assert [violation.key for violation in check.glossary_violations(catalog, terms, exceptions={})] == ["a.people"]


def test_a_longer_glossary_term_takes_precedence_over_the_words_inside_it():
    terms = [GlossaryTerm("target (value to reach)", "ຄາດໝາຍ"), GlossaryTerm("target district", "ເມືອງເປົ້າໝາຍ"),
             GlossaryTerm("district", "ເມືອງ")]
    found = check.terms_in_english("villages in target districts, against the target", terms)
    assert [term.en for term in found] == ["target district", "target (value to reach)"]
    assert [term.en for term in check.terms_in_english("Target districts", terms)] == ["target district"]


def test_placeholders_are_not_read_as_words():
    terms = [GlossaryTerm("target (value to reach)", "ຄາດໝາຍ")]
    assert check.terms_in_english("end of project: {target}", terms) == []


def test_acronym_terms_match_only_in_capitals():
    terms = [GlossaryTerm("RRPM", "ລພຊ")]
    assert check.terms_in_english("RRPM villages", terms) == terms
    assert check.terms_in_english("rrpm-like", terms) == []


def test_the_lao_nominalising_head_is_optional_and_spacing_ignored():
    assert check.lao_has_term("ຍັງບໍ່ທັນຈ່າຍເງິນ", "ການຈ່າຍເງິນ")
    assert check.lao_has_term("ສັນຍາຈັດຊື້-ຈັດຈ້າງ", "ວຽກງານຈັດຊື້-ຈັດຈ້າງ")
    assert check.lao_has_term("ກະຊວງກະສິກຳ ແລະປ່າໄມ້", "ກະຊວງກະສິກຳ ແລະ ປ່າໄມ້")
    assert check.lao_has_term("ການສຳຫຼວດ", "ການສ\u0ecd\u0eb2ຫຼວດ")  # ໍ + າ written as two code points
    assert not check.lao_has_term("ຄົນ", "ຜູ້ໄດ້ຮັບຜົນປະໂຫຍດ")


def test_an_exception_excuses_one_key_and_term_and_is_reported_when_stale():
    terms = [GlossaryTerm("beneficiary", "ຜູ້ໄດ້ຮັບຜົນປະໂຫຍດ")]
    catalog = {"a.people": {"en": "beneficiaries", "lo": "ຄົນ"}}
    exceptions = {("a.people", "beneficiary"): "test", ("a.gone", "beneficiary"): "test"}
    assert check.glossary_violations(catalog, terms, exceptions) == []
    assert check.unused_exceptions(catalog, terms, exceptions) == [("a.gone", "beneficiary")]


def test_keys_outside_their_files_namespace_are_reported():
    files = {"targets.toml": {"targets.title": {}, "nav.targets": {}, "status.on_track": {}},
             "common.toml": {"common.no_data": {}, "unit.days": {}}}
    assert check.misplaced_keys(files) == [("targets.toml", "status.on_track")]


def test_glossary_problems_name_the_line(tmp_path):
    path = _write(tmp_path, "glossary.csv", "en,lo,note\nvillage,ບ້ານ,\nVillage,ບ້ານ,\ntarget,,\ndistrict,district,\n")
    assert check.glossary_problems(read_glossary(path)) == [
        "line 3: 'village' is already defined on line 2",
        "line 4: en and lo are both required ('target', '')",
        "line 5: the Lao term 'district' has no Lao script",
    ]


def test_message_keys_shown_instead_of_text_are_found():
    texts = ["ພາບລວມ\nnav.districts\nTrends", "see geo.boundaries and overview.py", "a map.unit_percent here"]
    assert check.visible_message_keys(texts, {"nav", "map", "overview"}) == ["map.unit_percent", "nav.districts"]


def test_catalog_text_of_the_other_language_is_found_on_a_page():
    catalog = {
        "a.province": {"en": "Province", "lo": "ແຂວງ"},
        "a.reporting": {"en": "{reporting} of {expected} reporting", "lo": "ລາຍງານແລ້ວ {reporting} ໃນຈຳນວນ {expected}"},
        "a.code": {"en": "code", "lo": "ລະຫັດ"},
        "a.cct": {"en": "CCT", "lo": "CCT"},
    }
    lao_page = ["ທຸກແຂວງ", "12 of 30 reporting", "ລະຫັດ (P-code)", "CCT"]
    assert check.catalog_leaks(lao_page, catalog, "lo") == [("a.reporting", "{reporting} of {expected} reporting")]
    assert check.catalog_leaks(["Provinces and districts"], catalog, "lo") == []
    assert check.catalog_leaks(["Vientiane Province"], catalog, "lo") == [("a.province", "Province")]
    # Lines mixing in data (a place named in both languages) count only when wholly a catalog text.
    assert check.catalog_leaks(["Vientiane Province"], catalog, "lo", whole=True) == []
    assert check.catalog_leaks(["Province"], catalog, "lo", whole=True) == [("a.province", "Province")]
    assert check.catalog_leaks(["Province", "All provinces"], catalog, "en") == []
    assert check.catalog_leaks(["Province: ທຸກແຂວງ"], catalog, "en") == [("a.province", "ແຂວງ")]
