"""The database schema shared by SQLite (default) and PostgreSQL (+PostGIS)."""
import datetime as dt

import shapely
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, UserDefinedType

NATIONAL_CODE = "00"
LEVELS = ("national", "province", "district", "village")
AGGREGATIONS = ("sum", "ratio", "latest", "max", "survey")
PERIOD_TYPES = ("month", "quarter", "year")
DIRECTIONS = ("higher", "lower", "neutral")
TARGET_KINDS = ("baseline", "annual", "end_of_project")


class PostGISGeometry(UserDefinedType):
    """geometry(Geometry, 4326) on PostgreSQL: written from EWKT, read back as hex EWKB."""

    cache_ok = True

    def get_col_spec(self, **_kw) -> str:
        return "geometry(Geometry, 4326)"

    def bind_expression(self, bindvalue):
        return func.ST_GeomFromEWKT(bindvalue)


class GeometryType(TypeDecorator):
    """Shapely geometry: a PostGIS geometry(4326) on PostgreSQL, WKT text elsewhere.

    PostGIS columns let GIS staff open the tables in QGIS directly; SQLite has no
    geometry type without SpatiaLite, so WKT keeps it dependency-free there.
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(PostGISGeometry())
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        wkt = value if isinstance(value, str) else shapely.to_wkt(value, rounding_precision=6)
        return f"SRID=4326;{wkt}" if dialect.name == "postgresql" else wkt

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        # PostGIS hands geometry over as hex EWKB text; SQLite stores WKT.
        return shapely.from_wkb(value) if dialect.name == "postgresql" else shapely.from_wkt(value)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class Base(DeclarativeBase):
    metadata = metadata


class AdminUnit(Base):
    """National, province, district or village, keyed by its official code."""

    __tablename__ = "admin_unit"
    code: Mapped[str] = mapped_column(String(7), primary_key=True)
    level: Mapped[str] = mapped_column(String(10), index=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("admin_unit.code"), index=True)
    # Denormalised so that aggregation to any level is one GROUP BY, no recursive join.
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    district_code: Mapped[str | None] = mapped_column(String(4), index=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_lo: Mapped[str] = mapped_column(String(200))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    geometry = mapped_column(GeometryType, nullable=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (CheckConstraint(f"level IN {LEVELS}", name="level"),)


class Project(Base):
    """One of the five convergence projects."""

    __tablename__ = "project"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_lo: Mapped[str] = mapped_column(String(300))
    short_lo: Mapped[str | None] = mapped_column(String(50))
    sector_en: Mapped[str] = mapped_column(String(100))
    sector_lo: Mapped[str] = mapped_column(String(200))
    ministry_en: Mapped[str] = mapped_column(String(200))
    ministry_lo: Mapped[str] = mapped_column(String(300))
    # The village-level indicator whose positive value means "this project reaches the
    # village" in a period: the basis of the convergence count.
    coverage_indicator: Mapped[str | None] = mapped_column(String(40))
    closing_date: Mapped[dt.date | None] = mapped_column(Date)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Indicator(Base):
    """What is measured, and how it may be aggregated."""

    __tablename__ = "indicator"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_code: Mapped[str | None] = mapped_column(ForeignKey("project.code"), index=True)
    name_en: Mapped[str] = mapped_column(String(300))
    name_lo: Mapped[str] = mapped_column(String(400))
    unit: Mapped[str] = mapped_column(String(20))
    period_type: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(10))
    direction: Mapped[str] = mapped_column(String(10))
    aggregation: Mapped[str] = mapped_column(String(10))
    # value = numerator / denominator * multiplier for ratios (100 for percentages).
    multiplier: Mapped[float] = mapped_column(Float, default=1.0)
    framework_level: Mapped[str | None] = mapped_column(String(20))  # PDO / intermediate / None
    cumulative: Mapped[bool] = mapped_column(Boolean, default=False)
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    description_en: Mapped[str | None] = mapped_column(Text)
    description_lo: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (
        CheckConstraint(f"aggregation IN {AGGREGATIONS}", name="aggregation"),
        CheckConstraint(f"period_type IN {PERIOD_TYPES}", name="period_type"),
        CheckConstraint(f"direction IN {DIRECTIONS}", name="direction"),
        CheckConstraint(f"level IN {LEVELS}", name="level"),
    )


class ImportBatch(Base):
    """One import (or demo generation): who, when, what file, what happened."""

    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # indicators / dhis2 / villages / targets / demo
    file_name: Mapped[str] = mapped_column(String(500))
    checksum: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    imported_by: Mapped[str | None] = mapped_column(String(100))
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_inserted: Mapped[int] = mapped_column(Integer, default=0)
    rows_replaced: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="applied")  # applied / rolled_back
    report_json: Mapped[str | None] = mapped_column(Text)


class Observation(Base):
    """indicator x admin unit x period -> value (or numerator/denominator, or estimate + SE)."""

    __tablename__ = "observation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"))
    admin_code: Mapped[str] = mapped_column(ForeignKey("admin_unit.code"))
    period: Mapped[str] = mapped_column(String(7))  # "2023-05", "2023-Q2", "2023"
    period_start: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    std_error: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(100))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)
    __table_args__ = (
        UniqueConstraint("indicator_code", "admin_code", "period", name="uq_observation_key"),
        # value and numerator ride in the index so that a window of months (the convergence
        # analytic) is read from the index alone (migration 0010).
        Index("ix_observation_indicator_period_values", "indicator_code", "period_start", "admin_code", "value",
              "numerator"),
        Index("ix_observation_admin", "admin_code", "indicator_code"),
    )


class SurveyRound(Base):
    """The day a survey round's estimates of an indicator became known: its fieldwork end or
    its release. Before that day the round is not "the latest survey" (data_access.queries.surveys);
    a round without a row here counts from the end of its period (31 December for "2022")."""

    __tablename__ = "survey_round"
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    available_on: Mapped[dt.date] = mapped_column(Date)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))


class ObservationHistory(Base):
    """What an import replaced or inserted, so that any batch can be rolled back."""

    __tablename__ = "observation_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))  # insert / replace
    indicator_code: Mapped[str] = mapped_column(String(40))
    admin_code: Mapped[str] = mapped_column(String(7))
    period: Mapped[str] = mapped_column(String(7))
    old_value: Mapped[float | None] = mapped_column(Float)
    old_numerator: Mapped[float | None] = mapped_column(Float)
    old_denominator: Mapped[float | None] = mapped_column(Float)
    old_std_error: Mapped[float | None] = mapped_column(Float)
    old_source: Mapped[str | None] = mapped_column(String(100))
    old_batch_id: Mapped[int | None] = mapped_column(Integer)


class ObservationRollup(Base):
    """Pre-aggregated district/province/national rows (DHIS2-style analytics table).

    Rebuilt after every import; dashboards read these, not the raw village rows.
    value_sum: sum of value (sum/latest/max rules: spatial sum of a stock is right);
    numerator/denominator: sums over units reporting both; n_units: units that reported in
    the period. Stocks (data_access.stocks) also hold each silent unit's latest report, up to
    the carry-forward cap: carried_value is the part of value_sum carried from earlier
    months, carried_units how many units it comes from, oldest_carried_period the oldest
    report carried (all empty / 0 when nothing is carried, and always for flows).
    Survey estimates are copied only at the level they were reported, never re-aggregated.
    """

    __tablename__ = "observation_rollup"
    indicator_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    level: Mapped[str] = mapped_column(String(10), primary_key=True)
    admin_code: Mapped[str] = mapped_column(String(7), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    value_sum: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    std_error: Mapped[float | None] = mapped_column(Float)
    n_units: Mapped[int] = mapped_column(Integer, default=0)
    carried_value: Mapped[float | None] = mapped_column(Float)
    carried_units: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    oldest_carried_period: Mapped[str | None] = mapped_column(String(7))
    __table_args__ = (
        Index("ix_rollup_lookup", "indicator_code", "level", "period_start", "admin_code"),
    )


class ConvergenceRollup(Base):
    """Villages per district by how many projects reached them in the 12 months to each month
    (data_access/convergence_rollup.py), rebuilt with observation_rollup. n_projects >= 1 only;
    a marker row (district "00", 0, 0) says the month is built."""

    __tablename__ = "convergence_rollup"
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    n_projects: Mapped[int] = mapped_column(Integer, primary_key=True)
    n_villages: Mapped[int] = mapped_column(Integer)


class Target(Base):
    """Results-framework targets at national, province or district scope."""

    __tablename__ = "target"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"), index=True)
    admin_code: Mapped[str] = mapped_column(ForeignKey("admin_unit.code"))
    kind: Mapped[str] = mapped_column(String(20))  # baseline / annual / end_of_project
    year: Mapped[int] = mapped_column(Integer)
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    __table_args__ = (
        UniqueConstraint("indicator_code", "admin_code", "kind", "year", name="uq_target_key"),
        CheckConstraint(f"kind IN {TARGET_KINDS}", name="kind"),
    )


class TargetArea(Base):
    """Program target areas (the CSV the program office maintains): which district is in which project."""

    __tablename__ = "target_area"
    project_code: Mapped[str] = mapped_column(ForeignKey("project.code"), primary_key=True)
    admin_code: Mapped[str] = mapped_column(ForeignKey("admin_unit.code"), primary_key=True)
    phase: Mapped[str] = mapped_column(String(10), default="I")


class PaymentCycle(Base):
    """One CCT payment cycle in one district: verified -> approved -> funds sent -> paid."""

    __tablename__ = "payment_cycle"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("admin_unit.code"), index=True)
    cycle_no: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(7))  # the month whose compliance is paid
    verified_on: Mapped[dt.date | None] = mapped_column(Date)
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    funds_sent_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    beneficiaries: Mapped[int | None] = mapped_column(Integer)
    amount_lak: Mapped[float | None] = mapped_column(Float)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    __table_args__ = (UniqueConstraint("district_code", "cycle_no", name="uq_payment_cycle_key"),)


class ExchangeRate(Base):
    """LAK per USD by month, so money is shown in either currency at the period's rate."""

    __tablename__ = "exchange_rate"
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    lak_per_usd: Mapped[float] = mapped_column(Float)


class ProgramSetting(Base):
    """An input the program office owns (transfer amount, take-up, ...), with its source and year.

    Defaults are seeded from data_access/program_settings.py by migration 0006; an admin
    edits them from the Phase II page. value NULL means "not set" (e.g. no exchange-rate
    override: the latest rate of exchange_rate applies).
    """

    __tablename__ = "program_setting"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(300))
    year: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_by: Mapped[str | None] = mapped_column(String(100))


class DatasetInfo(Base):
    """Key/value facts about the loaded data (is it demo? which scale? when built?)."""

    __tablename__ = "dataset_info"
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


ROLES = ("viewer", "coordinator", "admin")


class UserAccount(Base):
    """A person who may sign in: role viewer / coordinator (of some provinces) / admin."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    # argon2id encoded hash (salt and parameters inside): never the password itself.
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # Bumped on password change, disable or role change: sessions carrying an older value end.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    __table_args__ = (CheckConstraint(f"role IN {ROLES}", name="role"),)


class UserProvince(Base):
    """The provinces a coordinator imports and edits in."""

    __tablename__ = "user_province"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), primary_key=True)


class AuditLog(Base):
    """Who did what, when, from where: sign-ins (failed too), imports, rollbacks, account changes."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    # A name, not a foreign key: the record outlives a removed account.
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(64))


class AlertRule(Base):
    """Thresholds of an alert rule as an admin set them (data_access.alerts holds the defaults;
    a rule without a row, or a database without this table, uses them)."""

    __tablename__ = "alert_rule"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    warning: Mapped[float | None] = mapped_column(Float)
    serious: Mapped[float | None] = mapped_column(Float)
    critical: Mapped[float | None] = mapped_column(Float)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


ACTION_STATUSES = ("open", "in_progress", "done", "dropped")


class AgreedAction(Base):
    """An action a supervision mission agreed with the program (its aide-memoire's actions table).

    indicator_code and admin_code are optional: an action may be followed by an indicator at a
    place (its latest value is shown beside it). is_demo marks the demo generator's rows.
    """

    __tablename__ = "agreed_action"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mission: Mapped[str] = mapped_column(String(120), index=True)
    mission_date: Mapped[dt.date] = mapped_column(Date)
    text_en: Mapped[str] = mapped_column(Text)
    text_lo: Mapped[str] = mapped_column(Text)
    responsible_unit: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    evidence: Mapped[str | None] = mapped_column(Text)
    indicator_code: Mapped[str | None] = mapped_column(ForeignKey("indicator.code"))
    admin_code: Mapped[str | None] = mapped_column(ForeignKey("admin_unit.code"))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __table_args__ = (CheckConstraint(f"status IN {ACTION_STATUSES}", name="action_status"),)


class AgreedActionHistory(Base):
    """Every change of an agreed action: who, when, which field, old and new value (text)."""

    __tablename__ = "agreed_action_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("agreed_action.id", ondelete="CASCADE"), index=True)
    # A name, not a foreign key: the record outlives a removed account.
    changed_by: Mapped[str | None] = mapped_column(String(64))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


@event.listens_for(AdminUnit.__table__, "after_create")
def _spatial_index(table, connection, **_kw) -> None:
    # A GiST index makes PostGIS point-in-polygon and bbox queries (and QGIS) fast.
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_admin_unit_geometry ON admin_unit USING GIST (geometry)")
