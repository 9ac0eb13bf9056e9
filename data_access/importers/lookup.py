"""What an import checks rows against: the indicator catalogue and the admin units in the database."""
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from geo.boundaries import load_boundaries, resolve_code


@dataclass
class Lookup:
    indicators: dict[str, dict]
    levels: dict[str, str]  # admin code -> level
    _official_names: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, conn: Connection) -> "Lookup":
        indicators = {
            row["code"]: dict(row)
            for row in conn.execute(
                text("SELECT code, project_code, name_en, name_lo, unit, period_type, level, aggregation, "
                     "multiplier, min_value, max_value FROM indicator")
            ).mappings()
        }
        levels = {code: level for code, level in conn.execute(text("SELECT code, level FROM admin_unit"))}
        return cls(indicators, levels)

    def suggest_place(self, name: str) -> tuple[str, str] | None:
        """(code, official English name) when a province or district name is recognised, else None.

        Alternative spellings come from geo.boundaries; the result is only ever offered as
        a suggestion in the report, never used to join a row.
        """
        for level in ("district", "province"):
            try:
                code = resolve_code(level, name)
            except (KeyError, ValueError):
                continue
            if code in self.levels:
                if not self._official_names:
                    for each_level in ("province", "district"):
                        units = load_boundaries(each_level)
                        self._official_names.update(zip(units["code"], units["name_en"]))
                return code, self._official_names.get(code, code)
        return None
