"""Pure rules of access control: names and escalation. No I/O."""

from __future__ import annotations

import re

from kinerja.auth import permissions
from kinerja.core.errors import FieldError

ROLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,62}$")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{1,63}$")
PROTECTED_ROLE = "tenant_admin"


def role_name_problem(name: object) -> str | None:
    """Role names become Casbin subjects: no wildcards, separators, quotes or whitespace."""
    if not isinstance(name, str) or not ROLE_NAME.fullmatch(name):
        return ("Role name must be 1-63 letters, digits, '_' or '-', starting with a letter or digit "
                "(no '*', commas, quotes, spaces or newlines)")
    return None


def username_problem(name: object) -> str | None:
    if not isinstance(name, str) or not USERNAME.fullmatch(name):
        return "Username must be 2-64 letters, digits, '.', '_' or '-' (a NIP, for example)"
    return None


def permission_problems(requested: list[str], held: frozenset[str], *, platform: bool) -> list[FieldError]:
    """What is wrong with granting ``requested`` by someone who holds ``held``.

    Unknown keys and platform-only keys outside the platform domain are bad input; a permission
    the granter does not hold is forbidden (nobody grants more than he or she has).
    """
    errors: list[FieldError] = []
    for number, key in enumerate(requested, start=1):
        # An unknown key is the client's own text: named by its position, never echoed.
        if key not in permissions.BY_KEY:
            errors.append(FieldError("permissions", "BAD_USER_INPUT", f"Permission {number} is unknown"))
        elif key in permissions.PLATFORM_ONLY and not platform:
            errors.append(FieldError("permissions", "BAD_USER_INPUT",
                                     f"Permission {key!r} exists only in the platform domain"))
        elif key not in held:
            errors.append(FieldError("permissions", "FORBIDDEN",
                                     f"You cannot grant {key!r}: you do not hold it yourself"))
    return errors


def missing_for_grant(role_permissions: set[str], held: frozenset[str]) -> list[str]:
    """Permissions of a role that the granter lacks (assigning or revoking it needs all of them)."""
    return sorted(role_permissions - held)


def last_admin_problem(active_admins_left: int) -> str | None:
    """A tenant always keeps at least one active tenant_admin (someone must be able to manage roles)."""
    if active_admins_left < 1:
        return f"The tenant must keep at least one active {PROTECTED_ROLE}"
    return None


SECOND_LOGIN = ("The employee already has an active login: deactivate it first (one login per employee, so "
                "nobody acts as an employee beside him or her)")


def second_login_problem(active_logins_of_employee: int) -> str | None:
    """One active login per employee record: a second one would let its holder act as the employee."""
    return SECOND_LOGIN if active_logins_of_employee > 0 else None
