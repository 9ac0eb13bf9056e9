"""Accounts, roles and the audit log: who may see and change what, checked in the server."""
from access.roles import ADMIN, COORDINATOR, ROLES, VIEWER, Account, can_import, can_manage_users, can_rollback
from access.web import acting_account, auth_on_now, client_address, init_app

__all__ = ["ADMIN", "COORDINATOR", "ROLES", "VIEWER", "Account", "acting_account", "auth_on_now", "can_import",
           "can_manage_users", "can_rollback", "client_address", "init_app"]
