"""Who may do what: the three roles and the province rule, as pure functions of an Account."""
from dataclasses import dataclass, field

VIEWER = "viewer"
COORDINATOR = "coordinator"
ADMIN = "admin"
ROLES = (VIEWER, COORDINATOR, ADMIN)
NATIONAL_CODE = "00"


@dataclass(frozen=True)
class Account:
    """A signed-in person as the server sees them (never built from anything the browser sends)."""

    id: int
    username: str
    display_name: str
    role: str
    provinces: frozenset[str] = field(default_factory=frozenset)
    active: bool = True
    session_version: int = 1

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return self.active

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # The version makes a changed password or a disabled account end the other sessions.
        return f"{self.id}:{self.session_version}"


def can_import(account: Account | None) -> bool:
    """Coordinators (in their provinces) and admins import; viewers never."""
    return account is not None and account.active and account.role in (COORDINATOR, ADMIN)


def can_rollback(account: Account | None) -> bool:
    """Rollback undoes whole batches, which may span provinces: admins (data officers) only."""
    return account is not None and account.active and account.role == ADMIN


def can_manage_users(account: Account | None) -> bool:
    return account is not None and account.active and account.role == ADMIN


def province_of(code: str) -> str:
    """The province of an official code: provinces 2 digits, districts 4, villages 7 start with it."""
    return str(code)[:2]


def foreign_codes(account: Account, codes) -> list[str]:
    """The admin codes outside the account's provinces (national "00" is outside every province).

    An admin has no foreign codes; a viewer has only foreign codes.
    """
    if account.role == ADMIN:
        return []
    allowed = account.provinces if account.role == COORDINATOR else frozenset()
    return sorted({str(code) for code in codes if province_of(code) not in allowed or str(code) == NATIONAL_CODE})


def visible_provinces(account: Account | None, only_their_provinces: bool) -> frozenset[str] | None:
    """Provinces the account may look at; None means all of them."""
    if account is not None and account.role == COORDINATOR and only_their_provinces:
        return account.provinces
    return None


def may_open(page_role: str | None, account: Account | None, auth_on: bool) -> bool:
    """Whether a page that requires `page_role` (None: anyone signed in) opens for the account."""
    if not auth_on:
        # Accounts off (demo only): everything opens except user administration, which has no users to manage.
        return page_role != ADMIN
    if account is None or not account.active:
        return False
    if page_role is None or page_role == VIEWER:
        return True
    if page_role == COORDINATOR:
        return account.role in (COORDINATOR, ADMIN)
    return account.role == ADMIN


# Agreed actions: admins manage every field of every action; a province coordinator updates the
# status and evidence note of the actions scoped inside their provinces; viewers change nothing.
COORDINATOR_ACTION_FIELDS = frozenset({"status", "evidence"})


def action_fields_for(account: Account | None, admin_code: str | None) -> frozenset[str] | None:
    """The fields of an action (scoped to admin_code, None = no place) the account may change:
    None means every field (an admin), an empty set nothing. An action without a place, or the
    national one, belongs to no province and so only to admins."""
    if account is None or not account.active:
        return frozenset()
    if account.role == ADMIN:
        return None
    if (account.role == COORDINATOR and admin_code and str(admin_code) != NATIONAL_CODE
            and province_of(admin_code) in account.provinces):
        return COORDINATOR_ACTION_FIELDS
    return frozenset()
