"""The program's own vocabulary (i18n/glossary.csv): English term, Lao term, note."""
import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GLOSSARY_PATH = Path(__file__).parent / "glossary.csv"


@dataclass(frozen=True)
class GlossaryTerm:
    en: str
    lo: str
    note: str = ""


def read_glossary(path: Path) -> list[GlossaryTerm]:
    """Rows of a glossary CSV (columns en, lo, note), in file order, surrounding spaces removed."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"en", "lo"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: the header must name the columns en,lo,note")
        return [
            GlossaryTerm(en=(row["en"] or "").strip(), lo=(row["lo"] or "").strip(), note=(row.get("note") or "").strip())
            for row in reader
        ]


@lru_cache(maxsize=1)
def glossary() -> tuple[GlossaryTerm, ...]:
    """The bundled glossary (read once per process)."""
    return tuple(read_glossary(GLOSSARY_PATH))
