"""`python -m dashboard users add|list|passwd|grant|disable|enable|remove|audit`: accounts from the server's shell.

Passwords are read from a prompt (typed twice) or, for scripts, from standard input with
--password-stdin: never from the command line, where `ps` and the shell history would show them.
"""
import argparse
import getpass
import sys

from dashboard.cli import command
from dashboard.config import load_config


def _engine():
    from data_access.database import init_db, is_initialised, make_engine

    engine = make_engine(load_config()["DATABASE_URL"])
    if not is_initialised(engine):
        init_db(engine)
    return engine


def _language(args) -> str:
    from i18n import normalise_language

    return normalise_language(getattr(args, "lang", None) or load_config()["DEFAULT_LANGUAGE"], "en")


def _actor() -> str:
    # Whoever has the server's shell acts here; the audit log names them by their system account.
    return f"cli:{getpass.getuser()}"


def _read_password(args, lang: str) -> str | None:
    from i18n import t

    if args.password_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            print(t("access.cli.no_password", lang), file=sys.stderr)
            return None
        return line
    first = getpass.getpass(t("access.password", lang) + ": ")
    second = getpass.getpass(t("access.password", lang) + " (2): ")
    if first != second:
        print(t("access.cli.passwords_differ", lang), file=sys.stderr)
        return None
    return first


def _provinces(values) -> list[str] | None:
    if values is None:
        return None
    return [code for value in values for code in value.split(",") if code.strip()]


def _arguments(parser: argparse.ArgumentParser) -> None:
    from access.roles import ROLES

    parser.add_argument("--lang", choices=["lo", "en"], help="language of the messages (default: DEFAULT_LANGUAGE)")
    sub = parser.add_subparsers(dest="action", metavar="action", required=True)
    add = sub.add_parser("add", help="add an account (the password is asked for)")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, default="viewer", help="viewer (default), coordinator or admin")
    add.add_argument("--name", help="the person's full name, shown in the navbar")
    add.add_argument("--province", action="append", metavar="CODE",
                     help="a coordinator's province code (repeat, or comma-separated: 02,04)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sub.add_parser("list", help="list accounts")
    passwd = sub.add_parser("passwd", help="set a new password (ends the person's open sessions)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    grant = sub.add_parser("grant", help="change the role and/or the provinces of an account")
    grant.add_argument("username")
    grant.add_argument("--role", choices=ROLES)
    grant.add_argument("--province", action="append", metavar="CODE",
                       help="the provinces (replace the current ones; repeat or comma-separate)")
    for name, help_text in (("disable", "disable an account (kept, cannot sign in)"), ("enable", "enable it again"),
                            ("remove", "delete an account (its audit entries stay)")):
        sub.add_parser(name, help=help_text).add_argument("username")
    audit = sub.add_parser("audit", help="show the audit log, newest first")
    audit.add_argument("--limit", type=int, default=50, help="how many entries (default 50)")


@command("users", "manage accounts: add, list, passwd, grant, disable, enable, remove; audit shows the audit log")(
    _arguments)
def users_command(args: argparse.Namespace) -> int:
    from access import accounts, audit
    from access.passwords import WeakPassword
    from i18n import t

    lang = _language(args)
    if getattr(args, "username", None):
        args.username = accounts.normalise_username(args.username)
    engine = _engine()
    try:
        if args.action == "list":
            return _list(engine, lang)
        if args.action == "audit":
            return _audit(engine, args.limit, lang)
        if args.action in ("add", "passwd"):
            password = _read_password(args, lang)
            if password is None:
                return 1
        with engine.begin() as conn:
            if args.action == "add":
                accounts.create_account(conn, args.username, password, args.role, args.name, _provinces(args.province))
                audit.record(conn, "user_add", _actor(), "local", user=args.username, role=args.role,
                             provinces=_provinces(args.province) or [])
                message = t("access.cli.added", lang, username=args.username, role=t(f"access.role.{args.role}", lang))
            elif args.action == "passwd":
                accounts.set_password(conn, args.username, password)
                audit.record(conn, "user_passwd", _actor(), "local", user=args.username)
                message = t("access.cli.password_changed", lang, username=args.username)
            elif args.action == "grant":
                changed = accounts.grant(conn, args.username, args.role, _provinces(args.province))
                audit.record(conn, "user_grant", _actor(), "local", user=args.username, role=changed.role,
                             provinces=sorted(changed.provinces))
                where = f" ({', '.join(sorted(changed.provinces))})" if changed.provinces else ""
                message = t("access.cli.granted", lang, username=args.username,
                            role=t(f"access.role.{changed.role}", lang), provinces=where)
            elif args.action in ("disable", "enable"):
                accounts.set_active(conn, args.username, args.action == "enable")
                audit.record(conn, f"user_{args.action}", _actor(), "local", user=args.username)
                message = t(f"access.cli.{args.action}d", lang, username=args.username)
            else:
                accounts.remove_account(conn, args.username)
                audit.record(conn, "user_remove", _actor(), "local", user=args.username)
                message = t("access.cli.removed", lang, username=args.username)
    except (accounts.AccountError, WeakPassword) as refused:
        print(t(refused.key, lang, **refused.params), file=sys.stderr)
        return 1
    print(message)
    return 0


def _list(engine, lang: str) -> int:
    from access.accounts import list_accounts
    from i18n import t

    with engine.connect() as conn:
        users = list_accounts(conn)
    if users.empty:
        print(t("access.cli.no_users", lang))
        return 0
    print("  ".join(t(f"admin.column.{name}", lang) for name in ("username", "role", "provinces", "active",
                                                                  "display_name")))
    for user in users.itertuples():
        active = t("admin.active_yes" if user.active else "admin.active_no", lang)
        print(f"{user.username:<20} {user.role:<12} {user.provinces or '-':<12} {active:<10} {user.display_name}")
    return 0


def _audit(engine, limit: int, lang: str) -> int:
    from access.audit import recent_entries
    from i18n import t

    with engine.connect() as conn:
        entries = recent_entries(conn, limit)
    if entries.empty:
        print(t("access.cli.no_entries", lang))
        return 0
    for entry in entries.itertuples():
        print(f"{entry.at:%Y-%m-%d %H:%M:%S}  {entry.username or '-':<20} {entry.action:<15} "
              f"{entry.address or '-':<16} {entry.detail or ''}")
    return 0
