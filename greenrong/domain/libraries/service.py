"""Admitting subjects to libraries and ending their membership (入库、出库).

``admit`` and ``end`` are the interface the certification context calls (issuance and renewal
admit to GREEN_ENTERPRISE / GREEN_PROJECT with source CERTIFICATION; expiry and revocation end).
Both flush and never commit, and leave a ChangeEvent (``record_change``) in the caller's
transaction. Whenever a project's memberships change, ``Project.libraries`` is set to the
libraries whose membership is open today, as a normal version-checked update with its own
ChangeEvent, so the projects index follows through the outbox.

Who may: the rules of ``access.policy`` (``access/libraries.py``: ADMIN and REGULATOR), asked
about the principal bound to the write session (``access.guard``); trusted code binds the
system principal. A membership the caller may not see is ``NotFound``, like a missing id.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.errors import (
    ErrorCode,
    IssueCollector,
    StaleVersion,
    ValidationFailed,
)
from greenrong.domain.access import policy
from greenrong.domain.access.guard import principal_of, visible_or_raise
from greenrong.domain.kit.clock import today
from greenrong.domain.libraries import repository
from greenrong.domain.libraries.models import (
    LIBRARY_SUBJECTS,
    Library,
    LibraryMembership,
    MembershipSource,
    PbocArea,
    SubjectType,
)
from greenrong.domain.libraries.reference import pboc_sub_areas, strand_problem
from greenrong.domain.outbox.models import Operation
from greenrong.domain.outbox.service import record_change
from greenrong.domain.projects.models import ClimateType, Project

#: how a subject may enter each library
LIBRARY_SOURCES: dict[Library, frozenset[MembershipSource]] = {
    Library.GREEN_ENTERPRISE: frozenset({MembershipSource.CERTIFICATION}),
    Library.GREEN_PROJECT: frozenset({MembershipSource.CERTIFICATION}),
    Library.CULTIVATION: frozenset({MembershipSource.RECOMMENDATION}),
    Library.CLIMATE_INVESTMENT: frozenset({MembershipSource.SCREENING}),
    Library.CLIMATE_FRIENDLY: frozenset({MembershipSource.SCREENING}),
    Library.PBOC_CARBON_REDUCTION: frozenset({MembershipSource.SCREENING}),
}
#: libraries filled by screening (筛选): admitted and ended directly by ADMIN or REGULATOR
SCREENING_LIBRARIES = frozenset(
    lib for lib, sources in LIBRARY_SOURCES.items() if MembershipSource.SCREENING in sources
)
MAX_TEXT = 2000


def check_library_write(session: AsyncSession, what: str) -> None:
    """Raise ``Forbidden`` unless the session's caller may write library memberships."""
    policy.authorize_library_write(principal_of(session), what)


def is_open(membership: LibraryMembership, on: date) -> bool:
    """Whether the membership holds on day ``on`` (``since`` and ``until`` are inclusive)."""
    return membership.since <= on and (membership.until is None or membership.until >= on)


async def admit(
    session: AsyncSession,
    *,
    library: Library,
    subject_type: str,
    subject_id: uuid.UUID,
    source: MembershipSource,
    reason: str,
    since: date,
    until: date | None = None,
    certification_id: uuid.UUID | None = None,
    climate_type: ClimateType | None = None,
    climate_scope: list[str] | None = None,
    pboc_area: PbocArea | None = None,
    pboc_sub_area: str | None = None,
    department: str | None = None,
) -> LibraryMembership:
    """Open a membership of ``subject_id`` in ``library`` from ``since`` through ``until``.

    Every problem is gathered and raised at once (``ValidationFailed``): the subject type must be
    the library's (``INVALID``), the subject must exist (``UNKNOWN_REFERENCE``), the source must
    be one the library takes (``INVALID``), the reason is required, ``until`` is not before
    ``since`` (``OUT_OF_RANGE``), the library's own fields are given where required and only
    there, and the period must not overlap another membership of the subject in the library
    (``DUPLICATE`` on ``subject_id``).
    """
    check_library_write(session, f"admit to {library.value}")
    issues = IssueCollector()
    expected = LIBRARY_SUBJECTS[library]
    if subject_type != expected.value:
        issues.add(
            "subject_type",
            ErrorCode.INVALID,
            f"{library.value} holds {expected.value} subjects, not {subject_type!r}",
        )
    elif await repository.locked_subject(session, expected, subject_id) is None:
        issues.add(
            "subject_id",
            ErrorCode.UNKNOWN_REFERENCE,
            f"{expected.value} {subject_id} does not exist",
        )
    if source not in LIBRARY_SOURCES[library]:
        allowed = ", ".join(sorted(LIBRARY_SOURCES[library]))
        issues.add("source", ErrorCode.INVALID, f"{library.value} is entered by {allowed} only")
    check_text(issues, "reason", reason, required=True)
    if until is not None and until < since:
        issues.add("until", ErrorCode.OUT_OF_RANGE, "must not be before since")
    if certification_id is not None and source is not MembershipSource.CERTIFICATION:
        issues.add("certification_id", ErrorCode.INVALID, "only a CERTIFICATION membership has one")
    _climate(issues, library, climate_type, climate_scope)
    _pboc(issues, library, pboc_area, pboc_sub_area)
    if library is Library.CULTIVATION:
        check_text(issues, "department", department, required=True, max_length=100)
    elif department is not None:
        issues.add("department", ErrorCode.INVALID, "only a CULTIVATION membership has one")
    if not issues.issues:
        clash = await repository.overlapping(session, library, expected, subject_id, since, until)
        if clash is not None:
            period = f"{clash.since}–{clash.until or '…'}"
            issues.add(
                "subject_id",
                ErrorCode.DUPLICATE,
                f"already in {library.value} for {period} (membership {clash.id})",
            )
    issues.raise_if_any()
    membership = LibraryMembership(
        id=uuid.uuid4(),
        library=library,
        subject_type=expected.value,
        enterprise_id=subject_id if expected is SubjectType.ENTERPRISE else None,
        project_id=subject_id if expected is SubjectType.PROJECT else None,
        source=source,
        reason=reason.strip(),
        since=since,
        until=until,
        certification_id=certification_id,
        climate_type=climate_type,
        climate_scope=climate_scope,
        pboc_area=pboc_area,
        pboc_sub_area=pboc_sub_area,
        department=department.strip() if department is not None else None,
    )
    session.add(membership)
    await record_change(session, membership, Operation.CREATE)
    if expected is SubjectType.PROJECT:
        await sync_project_libraries(session, subject_id)
    return membership


async def end(
    session: AsyncSession, *, library: Library, subject_id: uuid.UUID, on: date, reason: str
) -> LibraryMembership | None:
    """End the subject's membership that holds on day ``on``: ``on`` becomes its last day.

    Returns the ended membership, or None when none holds on ``on`` (already ended, expired, or
    never admitted), so calling it twice is safe.
    """
    check_library_write(session, f"end memberships of {library.value}")
    issues = IssueCollector()
    check_text(issues, "reason", reason, required=True)
    issues.raise_if_any()
    subject_type = LIBRARY_SUBJECTS[library]
    membership = await repository.unended_membership(
        session, library, subject_type, subject_id, on=on
    )
    if membership is None:
        return None
    membership.until = on
    membership.ended_reason = reason.strip()
    await record_change(session, membership, Operation.UPDATE)
    if subject_type is SubjectType.PROJECT:
        await sync_project_libraries(session, subject_id)
    return membership


async def open_libraries(session: AsyncSession, project_id: uuid.UUID, on: date) -> list[str]:
    """The libraries whose membership of the project holds on ``on``, in ``Library`` order."""
    held = await repository.libraries_holding(session, project_id, on)
    return [lib.value for lib in Library if lib in held]


async def sync_project_libraries(
    session: AsyncSession, project_id: uuid.UUID, *, on: date | None = None
) -> Project:
    """Set ``Project.libraries`` to the project's open memberships (an UPDATE event if changed)."""
    project = await session.get(Project, project_id)
    if project is None:  # admit checked it exists; a missing row here is a bug
        raise LookupError(f"Project {project_id} does not exist")
    libraries = await open_libraries(session, project_id, on or today())
    if list(project.libraries or []) != libraries:
        project.libraries = libraries
        await record_change(session, project, Operation.UPDATE)
    return project


def check_text(
    issues: IssueCollector,
    key: str,
    value: str | None,
    *,
    required: bool,
    max_length: int = MAX_TEXT,
) -> None:
    if value is None or not value.strip():
        if required:
            issues.add(key, ErrorCode.REQUIRED, "must not be empty")
    elif len(value) > max_length:
        issues.add(key, ErrorCode.OUT_OF_RANGE, f"is longer than {max_length} characters")


def _climate(
    issues: IssueCollector,
    library: Library,
    climate_type: ClimateType | None,
    climate_scope: list[str] | None,
) -> None:
    if library is not Library.CLIMATE_INVESTMENT:
        for key, value in (("climate_type", climate_type), ("climate_scope", climate_scope)):
            if value is not None:
                issues.add(key, ErrorCode.INVALID, "only a CLIMATE_INVESTMENT membership has one")
        return
    if climate_type is None or climate_type is ClimateType.NONE:
        issues.add("climate_type", ErrorCode.REQUIRED, "MITIGATION, ADAPTATION or BOTH")
        return
    if not climate_scope:
        issues.add("climate_scope", ErrorCode.REQUIRED, "name the support-scope strands")
        return
    problem = strand_problem(climate_type, climate_scope)
    if problem is not None:
        issues.add("climate_scope", ErrorCode.INVALID, problem)


def _pboc(
    issues: IssueCollector, library: Library, area: PbocArea | None, sub_area: str | None
) -> None:
    if library is not Library.PBOC_CARBON_REDUCTION:
        for key, value in (("pboc_area", area), ("pboc_sub_area", sub_area)):
            if value is not None:
                issues.add(
                    key, ErrorCode.INVALID, "only a PBOC_CARBON_REDUCTION membership has one"
                )
        return
    if area is None:
        issues.add(
            "pboc_area", ErrorCode.REQUIRED, "CLEAN_ENERGY, ENERGY_SAVING or CARBON_REDUCTION_TECH"
        )
        return
    if sub_area is not None and sub_area not in pboc_sub_areas()[area]:
        listed = "、".join(pboc_sub_areas()[area])
        issues.add(
            "pboc_sub_area",
            ErrorCode.UNKNOWN_REFERENCE,
            f"not a listed sub-area of {area.value}: {listed}",
        )


async def screen_in(
    session: AsyncSession,
    *,
    library: Library,
    subject_id: uuid.UUID,
    reason: str,
    since: date,
    until: date | None = None,
    climate_type: ClimateType | None = None,
    climate_scope: list[str] | None = None,
    pboc_area: PbocArea | None = None,
    pboc_sub_area: str | None = None,
) -> LibraryMembership:
    """Admit a subject to a screening list (source SCREENING); the API's ``admitToLibrary``.

    The certification libraries are entered through a certificate, the cultivation library
    through an accepted recommendation: naming them here is ``INVALID`` on ``library``.
    """
    check_library_write(session, f"admit to {library.value}")
    if library not in SCREENING_LIBRARIES:
        way = "an accepted recommendation" if library is Library.CULTIVATION else "certification"
        raise ValidationFailed.one(
            "library", ErrorCode.INVALID, f"{library.value} is entered through {way}"
        )
    return await admit(
        session,
        library=library,
        subject_type=LIBRARY_SUBJECTS[library].value,
        subject_id=subject_id,
        source=MembershipSource.SCREENING,
        reason=reason,
        since=since,
        until=until,
        climate_type=climate_type,
        climate_scope=climate_scope,
        pboc_area=pboc_area,
        pboc_sub_area=pboc_sub_area,
    )


async def end_membership(
    session: AsyncSession, *, id: uuid.UUID, version: int, on: date, reason: str
) -> LibraryMembership:
    """End one membership by id; the API's ``endLibraryMembership``.

    ADMIN and REGULATOR end memberships of the screening lists; only an ADMIN ends a
    certification or cultivation membership (certificates end theirs through ``end``).
    A membership that already ended, or whose last day is before ``on``, is
    ``INVALID_TRANSITION``; ``on`` before ``since`` is ``OUT_OF_RANGE``.
    """
    membership = await visible_or_raise(session, LibraryMembership, id)
    policy.authorize_end_membership(
        principal_of(session),
        membership.library.value,
        screening=membership.library in SCREENING_LIBRARIES,
    )
    if membership.version != version:
        raise StaleVersion(LibraryMembership.entity_type, id, version, membership.version)
    issues = IssueCollector()
    check_text(issues, "reason", reason, required=True)
    if on < membership.since:
        issues.add("on", ErrorCode.OUT_OF_RANGE, f"must not be before since ({membership.since})")
    elif membership.ended_reason is not None or (
        membership.until is not None and membership.until < on
    ):
        issues.add(
            "on",
            ErrorCode.INVALID_TRANSITION,
            f"the membership already ended on {membership.until}",
        )
    issues.raise_if_any()
    membership.until = on
    membership.ended_reason = reason.strip()
    await record_change(session, membership, Operation.UPDATE)
    if membership.project_id is not None:
        await sync_project_libraries(session, membership.project_id)
    return membership


async def refresh_project_libraries(session: AsyncSession, *, on: date) -> int:
    """Bring ``Project.libraries`` up to day ``on`` for memberships that lapsed by the calendar
    (their ``until`` passed without an ``end`` call) or started after they were admitted;
    returns how many projects changed. ``greenrong libraries refresh`` runs it (daily)."""
    changed = 0
    for project_id in await repository.projects_with_changed_memberships(session, on):
        project = await session.get(Project, project_id)
        before = list(project.libraries or []) if project is not None else []
        after = await sync_project_libraries(session, project_id, on=on)
        changed += before != list(after.libraries)
    return changed
