"""The access rules of the green libraries (入库), merged into ``policy.py``.

| write | who |
| --- | --- |
| admit to a screening list, end a screening membership | ADMIN, REGULATOR |
| end a certification or cultivation membership | ADMIN (certificates end theirs themselves) |
| recommend a project for cultivation | REGULATOR, ADMIN |
| review a cultivation recommendation | ADMIN |

Certification admits and ends memberships as part of its own steps, whose caller the
certification rules already allowed (a regulator deciding, the system expiring).
"""

from __future__ import annotations

from greenrong.core.errors import Forbidden
from greenrong.domain.access.principal import Principal, Role

#: who admits to libraries and ends memberships
WRITERS = frozenset({Role.ADMIN, Role.REGULATOR})


def authorize_library_write(p: Principal, what: str) -> None:
    """Raise ``Forbidden`` unless the caller is an ADMIN or a REGULATOR."""
    if p.role not in WRITERS:
        raise Forbidden(f"{p.role} may not {what}: admins and regulators do")


def authorize_end_membership(p: Principal, library: str, *, screening: bool) -> None:
    """Raise ``Forbidden`` unless the caller may end a membership of ``library`` (a screening
    list or not)."""
    if not screening and p.role is not Role.ADMIN:
        raise Forbidden(
            f"{p.role} may not end a {library} membership: certification ends it, or an admin"
        )
    authorize_library_write(p, f"end memberships of {library}")


def authorize_cultivation(p: Principal, role: Role, what: str) -> None:
    """Raise ``Forbidden`` unless the caller has ``role`` (or is an ADMIN)."""
    if p.role not in (role, Role.ADMIN):
        raise Forbidden(f"{p.role} may not {what}: {role.lower()}s do")
