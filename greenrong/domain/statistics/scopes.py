"""Which kept figures a caller reads, derived from the access policy.

The figures are the caller's (docs/SECURITY.md, "Statistics"): they count the rows
``policy.visible_rows`` lets the caller see. That set is split in two:

- the **base rows** of the caller's role: what every caller of the role sees whatever its
  organisation, i.e. the role's rule with the parts keyed by an organisation left out
  (``visible_rows`` of the role with no organisation, without its subqueries and consent
  checks, all of which name the caller's organisation). Roles whose base rows are the same for
  every counted model share one **scope**, whose figures are kept in ``platform_figure``:
  ADMIN and REGULATOR (every row); the public, partners, experts and enterprises (published
  listings, active products, published disclosures...); institutions (those plus open
  demands).
- the **own rows** of a caller bound to an organisation: the rest of its rule (its own drafts,
  inactive products, demands, matches, consented drafts), less the base rows. They are counted
  per request, by the organisation's indexed columns: their cost follows the organisation's
  own rows, not the platform's.

A scope's fingerprint names its roles, its base rows and ``FIGURES_VERSION``: a kept scope
whose fingerprint differs (the policy or the figures changed since it was built) is not read
until ``greenrong migrate`` rebuilds it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from greenrong.domain.access import policy
from greenrong.domain.access.predicates import (
    EVERYTHING,
    NOTHING,
    AllOf,
    AnyOf,
    Consented,
    Everything,
    FieldIn,
    InQuery,
    Nothing,
    Predicate,
    all_of,
    any_of,
)
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.statistics.figures import TRACKED

#: bump when what a figure counts changes (``figures.PARTS``): every kept scope is rebuilt
FIGURES_VERSION = 2

#: rows the policy has no rule of their own for: a caller sees them with their project
#: (identificationStatistics' suggestions and corrections, ``identification/service.py``)
SEEN_WITH_PROJECT = frozenset({"GreenIdentification", "GreenIdentificationCorrection"})


#: the entity types whose rows kept figures count: those of ``figures.PARTS``, and the library
#: memberships (``libraries/figures.py``, kept apart: they count by their subject's category)
KEPT_TYPES: tuple[str, ...] = (*(model.entity_type for model in TRACKED), "LibraryMembership")


def shared(predicate: Predicate) -> Predicate:
    """``predicate`` without the parts that depend on the caller's organisation."""
    match predicate:
        case InQuery() | Consented():
            return NOTHING
        case AnyOf(parts):
            return any_of(*(shared(p) for p in parts))
        case AllOf(parts):
            return all_of(*(shared(p) for p in parts))
    return predicate


def base_rows(role: Role, entity_type: str) -> Predicate:
    if entity_type in SEEN_WITH_PROJECT:
        base = shared(policy.visible_rows(Principal(role), "Project"))
        if not isinstance(base, Everything | Nothing):  # a rule on the project's columns
            raise TypeError(f"{entity_type} rows cannot be kept with a project rule {base!r}")
        return base
    return shared(policy.visible_rows(Principal(role), entity_type))


def holds(predicate: Predicate, values: Mapping[str, Any]) -> bool:
    """Whether a row with ``values`` satisfies ``predicate`` (base rows only: no subqueries)."""
    match predicate:
        case Everything():
            return True
        case Nothing():
            return False
        case FieldIn(field, accepted):
            return values[field] in accepted
        case AnyOf(parts):
            return any(holds(p, values) for p in parts)
        case AllOf(parts):
            return all(holds(p, values) for p in parts)
    raise TypeError(f"a base row rule cannot depend on other rows: {predicate!r}")


def fields(predicate: Predicate) -> frozenset[str]:
    match predicate:
        case FieldIn(field, _):
            return frozenset({field})
        case AnyOf(parts) | AllOf(parts):
            return frozenset().union(*(fields(p) for p in parts))
    return frozenset()


@dataclass(frozen=True)
class Scope:
    name: str
    roles: tuple[Role, ...]
    #: entity type -> base rows
    rows: Mapping[str, Predicate]
    fingerprint: str


def _scopes() -> tuple[Scope, ...]:
    groups: dict[tuple[Predicate, ...], list[Role]] = {}
    for role in Role:
        bases = tuple(base_rows(role, entity_type) for entity_type in KEPT_TYPES)
        groups.setdefault(bases, []).append(role)
    scopes = []
    for bases, roles in groups.items():
        name = ",".join(sorted(roles))
        rows = dict(zip(KEPT_TYPES, bases, strict=True))
        text = f"{FIGURES_VERSION}|{name}|{sorted(rows.items())!r}"
        fingerprint = hashlib.sha256(text.encode()).hexdigest()[:32]
        scopes.append(Scope(name, tuple(roles), rows, fingerprint))
    return tuple(scopes)


SCOPES = _scopes()
SCOPE_OF: dict[Role, Scope] = {role: scope for scope in SCOPES for role in scope.roles}


def _parts(predicate: Predicate) -> tuple[Predicate, ...]:
    if isinstance(predicate, Nothing):
        return ()
    return predicate.parts if isinstance(predicate, AnyOf) else (predicate,)


def own_rows(principal: Principal, entity_type: str) -> Predicate:
    """The rows of ``entity_type`` the caller sees beyond its scope's base rows, before the
    base rows are taken out (the repository does that): NOTHING for most callers and types."""
    base = SCOPE_OF[principal.role].rows[entity_type]
    if isinstance(base, Everything):
        return NOTHING
    visible = policy.visible_rows(principal, entity_type)
    if isinstance(visible, Everything):
        return EVERYTHING
    kept = _parts(base)
    return any_of(*(p for p in _parts(visible) if p not in kept))
