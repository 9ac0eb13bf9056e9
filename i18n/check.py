"""Checks of the message catalogs against the code, the two languages and the glossary (pure functions)."""
import ast
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from i18n.glossary import GlossaryTerm

CATALOG_LANGUAGES = ("en", "lo")
TRANSLATION_FUNCTIONS = frozenset({"t", "translate"})
KEY_SHAPE = re.compile(r"[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+")
LAO_LETTER = re.compile(r"[\u0E80-\u0EFF]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9&'’\-]*")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

# Latin words that stay as they are in a Lao sentence: names of file formats and systems
# that Lao documents write in Latin letters (P-code: the humanitarian place code). Acronyms (CCT, PMT, M&E, Q) need no entry.
LANGUAGE_NEUTRAL_WORDS = frozenset({"Excel", "GeoJSON", "U-Money", "P-code", "P-codes"})

# Catalog entries whose Lao text may contain lowercase Latin words, and why.
LATIN_IN_LAO_ALLOWED: dict[str, str] = {}

# (catalog key, glossary "en" cell) -> why that entry may leave the glossary's Lao term out.
# Keep every exception justified: an exception without a reason is a translation bug.
GLOSSARY_EXCEPTIONS: dict[tuple[str, str], str] = {}


# ---------------------------------------------------------------- keys used in the code


@dataclass(frozen=True)
class KeyUse:
    """A message key written in the code; `prefix` is True for f"overview.level_{x}"-style keys."""

    key: str
    path: str
    line: int
    prefix: bool = False

    def __str__(self) -> str:
        return f"{self.key}{'*' if self.prefix else ''} ({self.path}:{self.line})"


def _literal_keys(node: ast.AST) -> list[tuple[str, bool]]:
    """Keys an expression can evaluate to: constants, both arms of `a if c else b`, f-string prefixes."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.value, False)]
    if isinstance(node, ast.IfExp):
        return _literal_keys(node.body) + _literal_keys(node.orelse)
    if isinstance(node, ast.JoinedStr):
        prefix = ""
        for part in node.values:
            if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
                break
            prefix += part.value
        fully_literal = all(isinstance(part, ast.Constant) for part in node.values)
        return [(prefix, not fully_literal)] if prefix else []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [(key, True) for key, _ in _literal_keys(node.left)]
    return []


def _names_a_key(name: str) -> bool:
    name = name.lower()
    return name in ("key", "keys") or name.endswith(("_key", "_keys"))


class _KeyCollector(ast.NodeVisitor):
    def __init__(self, path: str):
        self.path = path
        self.uses: list[KeyUse] = []

    def _add(self, node: ast.AST, candidates: list[tuple[str, bool]], require_shape: bool = False) -> None:
        for key, prefix in candidates:
            if require_shape and not KEY_SHAPE.fullmatch(key):
                continue
            self.uses.append(KeyUse(key, self.path, getattr(node, "lineno", 0), prefix))

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        name = function.id if isinstance(function, ast.Name) else function.attr if isinstance(function, ast.Attribute) else None
        if name in TRANSLATION_FUNCTIONS and node.args:
            # i18n.t("x.y") counts; other objects' .t() methods (a date helper's t("2020-02")) do not.
            self._add(node, _literal_keys(node.args[0]), require_shape=isinstance(function, ast.Attribute))
        for keyword in node.keywords:
            if keyword.arg and _names_a_key(keyword.arg):
                self._add(keyword.value, _literal_keys(keyword.value), require_shape=True)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        # {"title_key": "nav.targets"}: keys handed to t() later by whoever reads the dict.
        for dict_key, value in zip(node.keys, node.values):
            if isinstance(dict_key, ast.Constant) and isinstance(dict_key.value, str) and _names_a_key(dict_key.value):
                self._add(value, _literal_keys(value), require_shape=True)
        self.generic_visit(node)

    def _visit_assignment(self, targets: list[ast.AST], value: ast.AST | None) -> None:
        if value is None:
            return
        if any(isinstance(target, ast.Name) and _names_a_key(target.id) for target in targets):
            for node in ast.walk(value):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    self._add(node, [(node.value, False)], require_shape=True)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._visit_assignment(node.targets, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._visit_assignment([node.target], node.value)
        self.generic_visit(node)


def python_files(roots: Iterable[Path]) -> list[Path]:
    """Every .py file under the roots, caches and virtual environments left out."""
    files = []
    for root in roots:
        candidates = [root] if root.is_file() else sorted(root.rglob("*.py"))
        files.extend(path for path in candidates
                     if not any(part in ("__pycache__", ".venv", "node_modules") for part in path.parts))
    return files


def keys_used_in_code(roots: Iterable[Path], relative_to: Path | None = None) -> list[KeyUse]:
    """Message keys the code passes to t()/translate() as literals, or names in *_key variables/fields.

    Keys computed at run time from data cannot be seen here; f-string keys are reported as
    prefixes that at least one catalog key must start with.
    """
    uses: list[KeyUse] = []
    for path in python_files(roots):
        shown = str(path.relative_to(relative_to)) if relative_to else str(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        collector = _KeyCollector(shown)
        collector.visit(tree)
        uses.extend(collector.uses)
    return uses


# ---------------------------------------------------------------- catalogs


def load_catalog_files(directory: Path) -> dict[str, dict[str, dict[str, str]]]:
    """file name -> {key: {"en": ..., "lo": ...}} for every *.toml catalog, files kept apart."""
    files = {}
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as handle:
            files[path.name] = tomllib.load(handle)
    return files


def duplicate_keys(files: Mapping[str, Mapping[str, object]]) -> dict[str, list[str]]:
    """Keys defined in more than one catalog file -> the files."""
    where: dict[str, list[str]] = {}
    for name, entries in files.items():
        for key in entries:
            where.setdefault(key, []).append(name)
    return {key: names for key, names in where.items() if len(names) > 1}


def merge_catalogs(files: Mapping[str, Mapping[str, dict[str, str]]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for entries in files.values():
        merged.update(entries)
    return merged


# Files whose keys are shared by everyone; every other file <page>.toml holds "<page>." keys
# and its navbar title "nav.<page>".
SHARED_NAMESPACES = {"common.toml": ("common.", "period.", "unit."), "shell.toml": ("shell.", "nav.", "health.")}


def misplaced_keys(files: Mapping[str, Mapping[str, object]]) -> list[tuple[str, str]]:
    """(file, key) for keys outside the file's namespace, so a page's messages stay in its own file."""
    misplaced = []
    for name, entries in files.items():
        stem = name.removesuffix(".toml")
        allowed = SHARED_NAMESPACES.get(name, (f"{stem}.",))
        for key in entries:
            if not (key.startswith(allowed) or (name not in SHARED_NAMESPACES and key == f"nav.{stem}")):
                misplaced.append((name, key))
    return misplaced


def missing_keys(uses: Iterable[KeyUse], catalog: Mapping[str, object]) -> list[KeyUse]:
    """Uses whose key is in no catalog (prefix uses: no catalog key starts with the prefix)."""
    missing = []
    for use in uses:
        found = any(key.startswith(use.key) for key in catalog) if use.prefix else use.key in catalog
        if not found:
            missing.append(use)
    return missing


def incomplete_entries(catalog: Mapping[str, object]) -> list[tuple[str, str]]:
    """(key, problem) for entries that are not a table of non-empty en and lo texts."""
    problems = []
    for key, texts in catalog.items():
        if not isinstance(texts, Mapping):
            problems.append((key, "is not a table with en and lo"))
            continue
        for lang in CATALOG_LANGUAGES:
            text = texts.get(lang)
            if not isinstance(text, str) or not text.strip():
                problems.append((key, f"has no {lang} text"))
        for lang in sorted(set(texts) - set(CATALOG_LANGUAGES)):
            problems.append((key, f"has an unknown language field {lang!r}"))
    return problems


def has_lao_script(text: str) -> bool:
    return bool(LAO_LETTER.search(text))


def _is_language_neutral(word: str) -> bool:
    letters = [char for char in word if char.isalpha()]
    is_acronym = bool(letters) and all(char.isupper() for char in letters)
    return is_acronym or word in LANGUAGE_NEUTRAL_WORDS


def needs_translation(english: str) -> bool:
    """True when the English has words a Lao reader needs translated (not only acronyms or numbers)."""
    return any(not _is_language_neutral(word) for word in LATIN_WORD.findall(PLACEHOLDER.sub(" ", english)))


def untranslated_entries(catalog: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Keys whose Lao text has no Lao script although the English has words to translate."""
    return [
        key for key, texts in catalog.items()
        if isinstance(texts, Mapping) and isinstance(texts.get("en"), str) and isinstance(texts.get("lo"), str)
        and needs_translation(texts["en"]) and not has_lao_script(texts["lo"])
    ]


def latin_words_in_lao(catalog: Mapping[str, Mapping[str, str]],
                       allowed: Mapping[str, str] = LATIN_IN_LAO_ALLOWED) -> list[tuple[str, list[str]]]:
    """(key, words) for Lao texts that keep English words (half-translated), acronyms and names aside."""
    found = []
    for key, texts in catalog.items():
        if key in allowed or not isinstance(texts, Mapping) or not isinstance(texts.get("lo"), str):
            continue
        lao = PLACEHOLDER.sub(" ", texts["lo"])
        if not has_lao_script(lao):
            continue  # reported by untranslated_entries if it matters
        words = [word for word in LATIN_WORD.findall(lao) if not _is_language_neutral(word) and len(word) > 1]
        if words:
            found.append((key, words))
    return found


def placeholder_mismatches(catalog: Mapping[str, Mapping[str, str]]) -> list[tuple[str, set[str], set[str]]]:
    """(key, en placeholders, lo placeholders) where the two languages expect different parameters."""
    mismatches = []
    for key, texts in catalog.items():
        if not isinstance(texts, Mapping):
            continue
        english = set(PLACEHOLDER.findall(texts.get("en") or ""))
        lao = set(PLACEHOLDER.findall(texts.get("lo") or ""))
        if english != lao:
            mismatches.append((key, english, lao))
    return mismatches


# ---------------------------------------------------------------- glossary


def english_term(term: GlossaryTerm) -> str:
    """The matchable English of a glossary row: "target (value to reach)" -> "target"."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", term.en).strip()


def _english_pattern(term: str) -> re.Pattern:
    words = [re.escape(word) for word in re.split(r"[\s\-]+", term) if word]
    last = words[-1]
    if re.search(r"[^aeiou]y$", last, flags=re.IGNORECASE):
        last = last[:-1] + "(?:y|ies)"
    else:
        last = last + "(?:s|es)?"
    body = r"[\s\-]+".join(words[:-1] + [last])
    body = body.replace("isation", "i[sz]ation").replace("ization", "i[sz]ation")
    acronym = term.upper() == term and any(char.isalpha() for char in term)
    return re.compile(r"(?<![A-Za-z0-9])" + body + r"(?![A-Za-z0-9])", 0 if acronym else re.IGNORECASE)


def terms_in_english(text: str, terms: Sequence[GlossaryTerm]) -> list[GlossaryTerm]:
    """Glossary terms the English text uses, longest first; a term inside a longer one does not count.

    "target districts" asks for ເມືອງເປົ້າໝາຍ, not also for ຄາດໝາຍ (a value to reach).
    Placeholders are removed first so that {target} is not read as the word "target".
    """
    remaining = PLACEHOLDER.sub(" ", text)
    found = []
    for term in sorted(terms, key=lambda row: len(english_term(row)), reverse=True):
        pattern = _english_pattern(english_term(term))
        if pattern.search(remaining):
            found.append(term)
            remaining = pattern.sub(lambda match: " " * len(match.group(0)), remaining)
    return found


def normalise_lao(text: str) -> str:
    """Lao for comparison: NFC, ໍ+າ as ຳ, no zero-width characters, no spaces (Lao marks phrases, not words)."""
    text = unicodedata.normalize("NFC", text).translate(ZERO_WIDTH).replace("\u0ecd\u0eb2", "\u0eb3")
    return re.sub(r"\s+", "", text)


# Lao nominalising heads: ການຈ່າຍເງິນ (payment) is ຈ່າຍເງິນ inside ຍັງບໍ່ທັນຈ່າຍເງິນ (not yet paid),
# ວຽກງານຈັດຊື້-ຈັດຈ້າງ (procurement work) is ຈັດຊື້-ຈັດຈ້າງ inside ສັນຍາຈັດຊື້-ຈັດຈ້າງ (contracts).
NOMINALISING_HEADS = ("ວຽກງານ", "ການ")


def lao_has_term(text: str, lao_term: str) -> bool:
    """True when the Lao text contains the glossary's Lao term (its nominalising head optional)."""
    haystack, needle = normalise_lao(text), normalise_lao(lao_term)
    if needle in haystack:
        return True
    for head in NOMINALISING_HEADS:
        if needle.startswith(head) and len(needle) > len(head) + 1:
            return needle[len(head):] in haystack
    return False


@dataclass(frozen=True)
class GlossaryViolation:
    key: str
    en_term: str
    lo_term: str
    en_text: str
    lo_text: str

    def __str__(self) -> str:
        return (f"{self.key}: English says {self.en_term!r} but the Lao lacks {self.lo_term!r}\n"
                f"    en: {self.en_text}\n    lo: {self.lo_text}")


def glossary_violations(catalog: Mapping[str, Mapping[str, str]], terms: Sequence[GlossaryTerm],
                        exceptions: Mapping[tuple[str, str], str] = GLOSSARY_EXCEPTIONS) -> list[GlossaryViolation]:
    """Entries whose English uses a glossary term while their Lao does not use the glossary's Lao term."""
    violations = []
    for key, texts in catalog.items():
        if not isinstance(texts, Mapping) or not isinstance(texts.get("en"), str) or not isinstance(texts.get("lo"), str):
            continue
        for term in terms_in_english(texts["en"], terms):
            if (key, term.en) in exceptions:
                continue
            if not lao_has_term(texts["lo"], term.lo):
                violations.append(GlossaryViolation(key, term.en, term.lo, texts["en"], texts["lo"]))
    return violations


def glossary_problems(terms: Sequence[GlossaryTerm]) -> list[str]:
    """Rows of the glossary itself that cannot be used: empty cells, no Lao script, the same term twice."""
    problems = []
    seen: dict[str, int] = {}
    for number, term in enumerate(terms, start=2):  # line 1 is the header
        if not term.en or not term.lo:
            problems.append(f"line {number}: en and lo are both required ({term.en!r}, {term.lo!r})")
            continue
        if not has_lao_script(term.lo):
            problems.append(f"line {number}: the Lao term {term.lo!r} has no Lao script")
        matchable = english_term(term).lower()
        if matchable in seen:
            problems.append(f"line {number}: {matchable!r} is already defined on line {seen[matchable]}")
        seen.setdefault(matchable, number)
    return problems


def unused_exceptions(catalog: Mapping[str, Mapping[str, str]], terms: Sequence[GlossaryTerm],
                      exceptions: Mapping[tuple[str, str], str] = GLOSSARY_EXCEPTIONS) -> list[tuple[str, str]]:
    """Exceptions that no longer excuse anything (the key is gone or now follows the glossary)."""
    needed = {(violation.key, violation.en_term)
              for violation in glossary_violations(catalog, terms, exceptions={})}
    return [exception for exception in exceptions if exception not in needed]


# ---------------------------------------------------------------- rendered pages


def _text_pattern(value: str, shown_lang: str) -> re.Pattern | None:
    """A regex finding a catalog text on a page, its {parameters} standing for any short text."""
    parts = PLACEHOLDER.split(value.strip())
    literal = "".join(parts)
    if shown_lang == "lo":
        # An English text is worth flagging when it has words to translate and is not tiny.
        if sum(char.isalpha() for char in literal) < 4 or not needs_translation(value):
            return None
    elif len(LAO_LETTER.findall(literal)) < 4:
        return None
    body = r".{1,80}?".join(re.escape(part) for part in parts)
    if shown_lang == "lo":
        # Whole words only, and not a part of a hyphenated name ("code" is not in "P-code").
        body = (r"(?<![A-Za-z\-])" if parts[0][:1].isalpha() else "") + body
        body += r"(?![A-Za-z\-])" if parts[-1][-1:].isalpha() else ""
    return re.compile(body)


def catalog_leaks(texts: Iterable[str], catalog: Mapping[str, Mapping[str, str]], shown_lang: str,
                  whole: bool = False) -> list[tuple[str, str]]:
    """(key, text) for catalog texts of the other language found in what a page shows in shown_lang.

    Only entries whose two languages differ count (an acronym is the same in both), and only
    texts long enough to mean something (4 letters). whole=True: a text counts only when it is
    entirely the catalog text (for lines that mix in data, such as a place named in both languages).
    """
    other = "en" if shown_lang == "lo" else "lo"
    texts = [text for text in texts if text]
    leaks = []
    for key, entry in catalog.items():
        if not isinstance(entry, Mapping):
            continue
        value, own = entry.get(other), entry.get(shown_lang)
        if not isinstance(value, str) or value.strip() == (own or "").strip():
            continue
        pattern = _text_pattern(value, shown_lang)
        if pattern is None:
            continue
        if any(pattern.fullmatch(text.strip()) if whole else pattern.search(text) for text in texts):
            leaks.append((key, value))
    return leaks


def visible_message_keys(texts: Iterable[str], namespaces: Iterable[str]) -> list[str]:
    """Message keys shown as they are ("nav.districts"): what t() returns for a key no catalog has."""
    names = "|".join(sorted((re.escape(name) for name in set(namespaces)), key=len, reverse=True))
    if not names:
        return []
    pattern = re.compile(rf"(?<![\w./-])(?:{names})(?:\.[A-Za-z0-9_]+)+(?![\w/-])")
    found = {match.group(0) for text in texts if text for match in pattern.finditer(text)}
    return sorted(key for key in found if key.rsplit(".", 1)[-1].lower() not in FILE_EXTENSIONS)


# "overview.py" or "targets.csv" on a page is a file name, not a message key.
FILE_EXTENSIONS = frozenset({"py", "csv", "xlsx", "xls", "json", "geojson", "toml", "png", "pdf", "md", "txt", "html"})
