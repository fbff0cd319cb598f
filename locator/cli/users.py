"""``locator users create-admin|list|set-role|disable|reset-password``: accounts, managed
from the server's own command line (there is no mail server offline, so an admin sets
passwords here)."""

from __future__ import annotations

import argparse
import getpass
import sys

from locator import accounts
from locator.accounts import AccountStatus, NewUser, Role, User
from locator.cli import add_command
from locator.config import Settings
from locator.coverage import known_county_fips
from locator.errors import InvalidInput, NotFound
from locator.store import Store, open_store

CLI_ACTOR = "cli"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "users", help="Manage partner, reviewer and admin "
                         "accounts.", example="locator users list")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    create = add_command(
        actions, "create-admin",
        help="Create an active admin account (the first one bootstraps the site). The "
             "password is read from standard input when it is not a terminal, else asked "
             "for twice.",
        example="printf '%s\\n' \"$ADMIN_PASSWORD\" | locator users create-admin "
                "--email admin@example.org",
    )
    create.add_argument("--email", required=True)
    create.add_argument("--name", default="Administrator")
    create.add_argument("--organization", default="")
    create.set_defaults(func=run_create_admin)

    listing = add_command(actions, "list", help="List every account with its role, status, "
                          "county (given at registration) and areas.",
                          example="locator users list")
    listing.set_defaults(func=run_list)

    role = add_command(
        actions, "set-role",
        help="Give an account a role (admin, reviewer or partner) and, for a reviewer, the "
             "counties (5-digit FIPS) or regions they review; activates a pending account. "
             "A region is a name from the regions file (county_fips,region) imported with "
             "`locator data import`; its reviewer reviews every county in it.",
        example="locator users set-role reviewer@example.org reviewer --area 17031 "
                "--area 'Northern Cook'",
    )
    role.add_argument("email")
    role.add_argument("role", choices=[r.value for r in Role])
    role.add_argument("--area", action="append", default=[], metavar="FIPS|REGION")
    role.set_defaults(func=run_set_role)

    disable = add_command(actions, "disable", help="Disable an account: it can no longer "
                          "log in.", example="locator users disable someone@example.org")
    disable.add_argument("email")
    disable.set_defaults(func=run_disable)

    reset = add_command(
        actions, "reset-password",
        help="Set a new password for an account (read like create-admin's).",
        example="locator users reset-password someone@example.org",
    )
    reset.add_argument("email")
    reset.set_defaults(func=run_reset_password)


def run_create_admin(args: argparse.Namespace) -> int:
    new = NewUser(email=accounts.normalize_email(args.email), name=args.name,
                  organization=args.organization, phone="", role=Role.ADMIN,
                  status=AccountStatus.ACTIVE)
    password_hash = accounts.hash_password(read_password())
    with _store() as store:
        user = store.add_user(new, password_hash, actor=CLI_ACTOR)
    print(f"created admin {user.email}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with _store() as store:
        users = store.users()
    rows = [("email", "role", "status", "organization", "county", "areas")]
    rows += [(u.email, u.role.value, u.status.value, u.organization, u.county_fips,
              ", ".join(u.areas)) for u in users]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def run_set_role(args: argparse.Namespace) -> int:
    role = accounts.parse_role(args.role)
    with _store() as store:
        areas = accounts.check_areas(accounts.parse_areas(args.area),
                                     known_counties=known_county_fips(store),
                                     region_names=set(store.regions().values()))
        user = store.update_user(_find(store, args.email).id, actor=CLI_ACTOR, role=role,
                                 areas=areas, status=AccountStatus.ACTIVE)
    print(f"{user.email}: {user.role.value}" + (f" for {', '.join(areas)}" if areas else ""))
    return 0


def run_disable(args: argparse.Namespace) -> int:
    with _store() as store:
        user = store.update_user(_find(store, args.email).id, actor=CLI_ACTOR,
                                 status=AccountStatus.DISABLED)
    print(f"{user.email}: disabled")
    return 0


def run_reset_password(args: argparse.Namespace) -> int:
    with _store() as store:
        user = _find(store, args.email)
        password_hash = accounts.hash_password(read_password())
        store.update_user(user.id, actor=CLI_ACTOR, password_hash=password_hash)
    print(f"{user.email}: password changed")
    return 0


def read_password() -> str:
    """One line of standard input when it is piped, else asked twice at the terminal."""
    if not sys.stdin.isatty():
        return accounts.check_password(sys.stdin.readline().rstrip("\r\n"))
    first = accounts.check_password(getpass.getpass("New password: "))
    if getpass.getpass("Repeat it: ") != first:
        raise InvalidInput("the two passwords differ", code="password_mismatch",
                           parameter="password")
    return first


def _find(store: Store, email: str) -> User:
    user = store.user_by_email(accounts.normalize_email(email))
    if user is None:
        raise NotFound("no account for %(email)s", code="unknown_user", parameter="email",
                       email=email)
    return user


def _store() -> Store:
    return open_store(Settings.from_env().database_url)
