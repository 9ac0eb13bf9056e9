"""Results-framework targets by indicator and scope."""
from sqlalchemy import Connection, text


def end_of_project_target(conn: Connection, indicator_code: str, scope_code: str | None) -> dict | None:
    """The end-of-project target for the scope ("00" national), or None when none is set there.

    Returns {"value", "year", "target_date", "admin_code"}. No sub-national target is derived
    from a national one: a scope without its own target gets None.
    """
    row = conn.execute(
        text(
            "SELECT value, year, target_date, admin_code FROM target WHERE indicator_code = :indicator "
            "AND admin_code = :code AND kind = 'end_of_project' ORDER BY year DESC"
        ),
        {"indicator": indicator_code, "code": scope_code or "00"},
    ).mappings().first()
    return dict(row) if row else None


def baseline(conn: Connection, indicator_code: str, scope_code: str | None) -> dict | None:
    """The baseline for the scope, or None. Returns {"value", "year"}."""
    row = conn.execute(
        text(
            "SELECT value, year FROM target WHERE indicator_code = :indicator AND admin_code = :code "
            "AND kind = 'baseline' ORDER BY year"
        ),
        {"indicator": indicator_code, "code": scope_code or "00"},
    ).mappings().first()
    return dict(row) if row else None
