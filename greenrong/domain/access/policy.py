"""The access policy: what each role sees and may change. One table per concern, read top down.

Roles (``principal.Role``; docs/SECURITY.md states the same model for people):

- PUBLIC (no credential): published listings, active products, experts without contact details,
  enterprises and institutions without contact details, published disclosures, open technology
  needs, statistics. No financing demands, no projects, no drafts or withdrawn records.
- ENTERPRISE (bound to one enterprise): what PUBLIC sees, plus everything of its own; edits its
  own enterprise (not its certification), projects (not library membership), demands, needs,
  listings and disclosures, and grants consent. Never another enterprise's private fields.
- INSTITUTION (bound to one financial institution): what PUBLIC sees, plus open demands and the
  demands it was matched with, and their projects; edits its own products, institution,
  listings and disclosures. Consent-gated data (``CONSENT_FIELDS``, disclosure drafts) only
  where the enterprise granted it consent that is valid now.
- EXPERT (bound to one expert): what PUBLIC sees, plus contact details of experts and the
  projects assigned to it for review; edits its own expert profile.
- REGULATOR: reads everything; writes only certifications (an enterprise's green level) and
  project library membership.
- PARTNER: what PUBLIC sees (the change feed and webhooks come with the partners issue).
- ADMIN: everything. Every write of every role is audited (``guard.py``).

Library memberships (入库): an enterprise's are public, a project's are seen with the project;
cultivation recommendations are seen with their project. Who writes them is decided by the
rules of ``access/libraries.py`` (ADMIN and REGULATOR), not by ``authorize_write``. Who follows
the change feed and manages webhooks: ``access/partners.py``. Both are part of this module.

Entity types this module does not name are for ADMIN and REGULATOR only: a new context is
closed until a rule opens it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import Select, select

from greenrong.core.errors import Forbidden
from greenrong.domain.access import certification as _certification
from greenrong.domain.access import libraries as _libraries
from greenrong.domain.access import partners as _partners
from greenrong.domain.access.models import ConsentScope
from greenrong.domain.access.predicates import (
    EVERYTHING,
    NOTHING,
    Consented,
    InQuery,
    Predicate,
    all_of,
    any_of,
    eq,
    sql_condition,
)
from greenrong.domain.access.principal import Principal, Role
from greenrong.domain.disclosure.models import DisclosureStatus
from greenrong.domain.finance.models import DemandStatus, FinancialProduct, FinancingDemand
from greenrong.domain.matching.tracked import FinancingMatch, ReviewAssignment
from greenrong.domain.outbox.models import Operation
from greenrong.domain.projects.models import Project
from greenrong.domain.technology.models import ListingStatus, NeedStatus, TechnologyListing

READ_ALL = frozenset({Role.ADMIN, Role.REGULATOR})

# ------------------------------------------------------------------ rows: who sees which rows


def _own(p: Principal, role: Role, field: str) -> Predicate:
    """Rows whose ``field`` is the caller's organisation, when the caller has ``role``."""
    return eq(field, p.org_id) if p.role == role else NOTHING


def _ids(query: Callable[[], Select[Any]]) -> Callable[[Any], Select[Any]]:
    return lambda _now: query()


def _own_products(institution_id: uuid.UUID | None) -> Select[Any]:
    return select(FinancialProduct.id).where(FinancialProduct.institution_id == institution_id)


def _demands_for_institution(p: Principal) -> Predicate:
    """Open demands, and those matched with or financed by one of its products."""
    matched = select(FinancingMatch.demand_id).where(
        FinancingMatch.product_id.in_(_own_products(p.org_id))
    )
    return any_of(
        eq("status", DemandStatus.OPEN.value),
        InQuery("id", _ids(lambda: matched)),
        InQuery("product_id", _ids(lambda: _own_products(p.org_id))),
    )


def _demand_rows(p: Principal) -> Predicate:
    if p.role == Role.INSTITUTION:
        return _demands_for_institution(p)
    return _own(p, Role.ENTERPRISE, "enterprise_id")


def _project_rows(p: Principal) -> Predicate:
    if p.role == Role.EXPERT:
        assigned = select(ReviewAssignment.project_id).where(ReviewAssignment.expert_id == p.org_id)
        return any_of(
            InQuery("id", _ids(lambda: assigned)),
            InQuery("id", _ids(lambda: _certification.reviewed_projects(p.org_id))),
        )
    if p.role == Role.INSTITUTION:

        def of_visible_demands(now: Any) -> Select[Any]:
            condition = sql_condition(FinancingDemand, _demands_for_institution(p), now)
            return select(FinancingDemand.project_id).where(condition)

        return InQuery("id", of_visible_demands)
    return _own(p, Role.ENTERPRISE, "enterprise_id")


def _disclosure_rows(p: Principal) -> Predicate:
    drafts_with_consent: Predicate = NOTHING
    if p.role == Role.INSTITUTION and p.org_id is not None:
        drafts_with_consent = all_of(
            eq("status", DisclosureStatus.DRAFT.value),
            Consented("subject_enterprise_id", p.org_id, ConsentScope.DISCLOSURE_DRAFTS),
        )
    return any_of(
        eq("status", DisclosureStatus.PUBLISHED.value),
        _own(p, Role.ENTERPRISE, "subject_enterprise_id"),
        _own(p, Role.INSTITUTION, "subject_institution_id"),
        drafts_with_consent,
    )


def _match_rows(p: Principal) -> Predicate:
    if p.role == Role.ENTERPRISE:
        own_demands = select(FinancingDemand.id).where(FinancingDemand.enterprise_id == p.org_id)
        return InQuery("demand_id", _ids(lambda: own_demands))
    if p.role == Role.INSTITUTION:
        return InQuery("product_id", _ids(lambda: _own_products(p.org_id)))
    return NOTHING


def _deal_rows(p: Principal) -> Predicate:
    column = {Role.ENTERPRISE: "owner_enterprise_id", Role.INSTITUTION: "owner_institution_id"}
    if p.role not in column:
        return NOTHING
    own_listings = select(TechnologyListing.id).where(
        getattr(TechnologyListing, column[p.role]) == p.org_id
    )
    return any_of(
        _own(p, Role.ENTERPRISE, "enterprise_id"), InQuery("listing_id", _ids(lambda: own_listings))
    )


def _visible_projects(p: Principal) -> Callable[[Any], Select[Any]]:
    """The ids of the projects the caller sees, as a subquery (as of ``now``)."""

    def query(now: Any) -> Select[Any]:
        return select(Project.id).where(sql_condition(Project, _project_rows(p), now))

    return query


def _library_membership_rows(p: Principal) -> Predicate:
    """Enterprise memberships are public (like the green level); project memberships follow
    the project's visibility."""
    return any_of(eq("subject_type", "Enterprise"), InQuery("project_id", _visible_projects(p)))


ROW_RULES: dict[str, Callable[[Principal], Predicate]] = {
    "Enterprise": lambda p: EVERYTHING,
    "FinancialInstitution": lambda p: EVERYTHING,
    "Expert": lambda p: EVERYTHING,
    "FinancialProduct": lambda p: any_of(
        eq("active", True), _own(p, Role.INSTITUTION, "institution_id")
    ),
    "FinancingDemand": _demand_rows,
    "Project": _project_rows,
    "TechnologyListing": lambda p: any_of(
        eq("status", ListingStatus.PUBLISHED.value),
        _own(p, Role.ENTERPRISE, "owner_enterprise_id"),
        _own(p, Role.INSTITUTION, "owner_institution_id"),
    ),
    "TechnologyNeed": lambda p: any_of(
        eq("status", NeedStatus.OPEN.value), _own(p, Role.ENTERPRISE, "enterprise_id")
    ),
    "Disclosure": _disclosure_rows,
    "DataConsent": lambda p: any_of(
        _own(p, Role.ENTERPRISE, "enterprise_id"), _own(p, Role.INSTITUTION, "institution_id")
    ),
    "FinancingMatch": _match_rows,
    "TechnologyDeal": _deal_rows,
    "ReviewAssignment": lambda p: _own(p, Role.EXPERT, "expert_id"),
    **_certification.ROW_RULES,
    "LibraryMembership": _library_membership_rows,
    "CultivationRecommendation": lambda p: InQuery("project_id", _visible_projects(p)),
}


def visible_rows(p: Principal, entity_type: str) -> Predicate:
    """Which rows of ``entity_type`` the caller sees."""
    if p.role in READ_ALL:
        return EVERYTHING
    rule = ROW_RULES.get(entity_type)
    return NOTHING if rule is None else rule(p)


# -------------------------------------------------------------- fields: private columns


class FieldAccess(Enum):
    SHOW = "SHOW"
    #: resolves to null, silently (the role never sees this field)
    HIDE = "HIDE"
    #: resolves to null with FORBIDDEN_NO_CONSENT, unless the owner's consent is valid now
    CONSENT = "CONSENT"


@dataclass(frozen=True)
class PrivateField:
    """A private field: shown to its owning enterprise (named by ``owner``, a column of the
    row), to ADMIN and REGULATOR, and to institutions with ``scope`` consent."""

    owner: str
    scope: ConsentScope


_CONTACT = PrivateField(owner="id", scope=ConsentScope.CONTACT_DETAILS)
_DEMAND = PrivateField(owner="enterprise_id", scope=ConsentScope.FINANCING_DEMANDS)

PRIVATE_FIELDS: dict[tuple[str, str], PrivateField] = {
    ("Enterprise", "contact_person"): _CONTACT,
    ("Enterprise", "contact_phone"): _CONTACT,
    ("FinancingDemand", "purpose"): _DEMAND,
    ("FinancingDemand", "collateral_offered"): _DEMAND,
    ("FinancingDemand", "max_rate"): _DEMAND,
}
#: fields hidden from the anonymous public and partners only
MEMBER_FIELDS: frozenset[tuple[str, str]] = frozenset({("Expert", "contact_email")})
#: every guarded field; the GraphQL types mark exactly these (a test checks it)
GUARDED_FIELDS = frozenset(PRIVATE_FIELDS) | MEMBER_FIELDS


def field_access(p: Principal, entity_type: str, field: str, row: Any) -> FieldAccess:
    """Whether the caller sees ``field`` of ``row``."""
    key = (entity_type, field)
    if key in MEMBER_FIELDS:
        return FieldAccess.HIDE if p.role in (Role.PUBLIC, Role.PARTNER) else FieldAccess.SHOW
    private = PRIVATE_FIELDS.get(key)
    if private is None or p.role in READ_ALL:
        return FieldAccess.SHOW
    if p.role == Role.ENTERPRISE and p.org_id == getattr(row, private.owner):
        return FieldAccess.SHOW
    if p.role == Role.INSTITUTION:
        return FieldAccess.CONSENT
    return FieldAccess.HIDE


def readable_rows(p: Principal, entity_type: str, field: str) -> Predicate:
    """The rows whose ``field`` the caller may read: ``field_access`` as a row predicate, for
    the paths that use a field without showing it (filters, ordering, ``listing.py``).

    It must agree with ``field_access``: SHOW is every row, HIDE no row, CONSENT the rows whose
    owner granted the caller the field's scope (valid at the statement's ``now``).
    """
    key = (entity_type, field)
    if key in MEMBER_FIELDS:
        return NOTHING if p.role in (Role.PUBLIC, Role.PARTNER) else EVERYTHING
    private = PRIVATE_FIELDS.get(key)
    if private is None or p.role in READ_ALL:
        return EVERYTHING
    if p.role == Role.ENTERPRISE:
        return _own(p, Role.ENTERPRISE, private.owner)
    if p.role == Role.INSTITUTION and p.org_id is not None:
        return Consented(private.owner, p.org_id, private.scope)
    return NOTHING


def consent_needed(entity_type: str, field: str, row: Any) -> tuple[uuid.UUID, ConsentScope]:
    """The enterprise and scope whose consent opens a CONSENT field."""
    private = PRIVATE_FIELDS[(entity_type, field)]
    return getattr(row, private.owner), private.scope


# ------------------------------------------- derived answers: what may be computed from a row


def consents_deciding(
    p: Principal, entity_type: str, row: Any
) -> frozenset[tuple[uuid.UUID, ConsentScope]]:
    """The (enterprise, scope) consents that decide which private fields of ``row`` the caller
    reads: the ones to look up before asking ``withheld_fields``."""
    return frozenset(
        consent_needed(entity_type, field, row)
        for kind, field in PRIVATE_FIELDS
        if kind == entity_type and field_access(p, entity_type, field, row) is FieldAccess.CONSENT
    )


def withheld_fields(
    p: Principal,
    entity_type: str,
    row: Any,
    *,
    consented: Callable[[uuid.UUID, ConsentScope], bool],
) -> frozenset[str]:
    """The private fields of ``row`` the caller may not read now.

    ``consented(enterprise, scope)`` is the consent check: whether that enterprise's consent of
    that scope to the caller is valid now (read per request). Whatever is computed from the row
    for this caller (matching's eligibility, ranking, reasons, near misses) must treat these
    fields as unknown, so the answer is the same whatever they hold.
    """
    withheld = set()
    for kind, field in PRIVATE_FIELDS:
        if kind != entity_type:
            continue
        access = field_access(p, entity_type, field, row)
        if access is FieldAccess.SHOW:
            continue
        if access is FieldAccess.CONSENT and consented(*consent_needed(entity_type, field, row)):
            continue
        withheld.add(field)
    return frozenset(withheld)


def matchable_demands(p: Principal) -> Predicate:
    """The financing demands the caller may be matched against, in either view
    (``productMatches``, ``demandMatches``): exactly the demands it sees. What the rules may
    use of each is decided by ``withheld_fields``."""
    return visible_rows(p, "FinancingDemand")


# -------------------------------------------------------------- writes: who changes what

#: an enterprise's certification: set by regulators (and admins), never by the enterprise
CERTIFICATION = frozenset({"green_level", "green_level_valid_until"})
#: project library membership (入库): set by regulators
LIBRARY = frozenset({"libraries"})

#: (role, entity type) -> the column naming the owning organisation
OWNERS: dict[tuple[Role, str], str] = {
    (Role.ENTERPRISE, "Enterprise"): "id",
    (Role.ENTERPRISE, "Project"): "enterprise_id",
    (Role.ENTERPRISE, "FinancingDemand"): "enterprise_id",
    (Role.ENTERPRISE, "TechnologyNeed"): "enterprise_id",
    (Role.ENTERPRISE, "TechnologyListing"): "owner_enterprise_id",
    (Role.ENTERPRISE, "Disclosure"): "subject_enterprise_id",
    (Role.ENTERPRISE, "DataConsent"): "enterprise_id",
    (Role.INSTITUTION, "FinancialInstitution"): "id",
    (Role.INSTITUTION, "FinancialProduct"): "institution_id",
    (Role.INSTITUTION, "TechnologyListing"): "owner_institution_id",
    (Role.INSTITUTION, "Disclosure"): "subject_institution_id",
    (Role.EXPERT, "Expert"): "id",
}
#: what a role may never change, even on its own rows
RESERVED: dict[str, frozenset[str]] = {"Enterprise": CERTIFICATION, "Project": LIBRARY}
#: what a REGULATOR may change (updates only)
REGULATOR_WRITES: dict[str, frozenset[str]] = {"Enterprise": CERTIFICATION, "Project": LIBRARY}
#: entity types an owner may update but not create (they are registered by an admin)
NO_OWNER_CREATE = frozenset({"Enterprise", "FinancialInstitution", "Expert"})


def authorize_write(
    p: Principal,
    entity_type: str,
    operation: Operation,
    *,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
) -> None:
    """Raise ``Forbidden`` unless the caller may make this change.

    ``before`` is the row's values before an update (None for a create), ``after`` the values it
    will have. Ownership is checked on both, so a row can be neither taken nor given away.
    """
    if p.role == Role.ADMIN:
        return
    changed = set(after) if before is None else {k for k, v in after.items() if before.get(k) != v}
    what = f"{p.role} may not {operation.lower()} this {entity_type}"
    if p.role == Role.REGULATOR:
        allowed = REGULATOR_WRITES.get(entity_type, frozenset())
        if operation == Operation.UPDATE and allowed and changed <= allowed:
            return
        raise Forbidden(f"{what}: regulators change only certifications and libraries")
    owner = OWNERS.get((p.role, entity_type))
    if owner is None or p.org_id is None:
        raise Forbidden(what)
    if operation == Operation.CREATE and entity_type in NO_OWNER_CREATE:
        raise Forbidden(f"{what}: an admin registers it")
    if any(values.get(owner) != p.org_id for values in (before, after) if values is not None):
        raise Forbidden(f"{what}: it is not yours")
    reserved = changed & RESERVED.get(entity_type, frozenset())
    if reserved and (before is not None or any(after.get(k) for k in reserved)):
        raise Forbidden(f"{what}: {', '.join(sorted(reserved))} is set by a regulator")


def authorize_party(
    p: Principal, entity_type: str, parties: Mapping[Role, Collection[uuid.UUID | None]]
) -> None:
    """Raise ``Forbidden`` unless the caller is one of the parties (or an admin).

    Tracked matching services (a financing match, a technology deal) have no owner column:
    their parties own the rows they join, and the service that writes them looks those up.

    ``parties`` names, per role, the organisations taking part: for a match the demand's
    enterprise and the product's institution; for a deal the buyer and the listing's owner.
    What follows from an allowed move (a match marks its demand MATCHED) is the service's
    consequence, not a separate write the caller needs rights for.
    """
    if p.role == Role.ADMIN:
        return
    if p.org_id is not None and p.org_id in parties.get(p.role, ()):
        return
    raise Forbidden(f"{p.role} may not take part in this {entity_type}: it is not a party")


#: who may take each certification step (``access/certification.py``)
authorize_certification = _certification.authorize_certification


#: who writes library memberships and cultivation recommendations (``access/libraries.py``)
authorize_library_write = _libraries.authorize_library_write
authorize_end_membership = _libraries.authorize_end_membership
authorize_cultivation = _libraries.authorize_cultivation

#: who follows the change feed and manages webhooks (``access/partners.py``)
FEED_ROLES = _partners.FEED_ROLES
may_follow_feed = _partners.may_follow_feed
require_feed_access = _partners.require_feed_access
webhook_scope = _partners.webhook_scope


def may_read_audit(p: Principal) -> bool:
    return p.role in READ_ALL


__all__ = [
    "FEED_ROLES",
    "GUARDED_FIELDS",
    "FieldAccess",
    "authorize_certification",
    "authorize_cultivation",
    "authorize_end_membership",
    "authorize_library_write",
    "authorize_party",
    "authorize_write",
    "consent_needed",
    "consents_deciding",
    "field_access",
    "matchable_demands",
    "may_follow_feed",
    "may_read_audit",
    "readable_rows",
    "require_feed_access",
    "visible_rows",
    "webhook_scope",
    "withheld_fields",
]
