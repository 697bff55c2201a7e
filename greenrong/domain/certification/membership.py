"""The certification side of the libraries interface: an issued certificate admits its subject
to the green enterprise or green project library (source CERTIFICATION) through the
certificate's last day; expiry and revocation end that membership."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.domain.certification.models import Certification
from greenrong.domain.certification.rubric import CertificationSubject
from greenrong.domain.libraries import service as libraries
from greenrong.domain.libraries.models import Library, LibraryMembership, MembershipSource


def library_of(cert: Certification) -> Library:
    if cert.subject_type is CertificationSubject.PROJECT:
        return Library.GREEN_PROJECT
    return Library.GREEN_ENTERPRISE


async def admit(
    session: AsyncSession, cert: Certification, *, since: date, until: date
) -> LibraryMembership:
    subject_type = "Project" if cert.project_id is not None else "Enterprise"
    subject_id = cert.project_id if cert.project_id is not None else cert.enterprise_id
    return await libraries.admit(
        session,
        library=library_of(cert),
        subject_type=subject_type,
        subject_id=subject_id,
        source=MembershipSource.CERTIFICATION,
        reason=f"绿色认定证书 {cert.certificate_number}",
        since=since,
        until=until,
        certification_id=cert.id,
    )


async def end(
    session: AsyncSession, cert: Certification, *, on: date, reason: str
) -> LibraryMembership | None:
    subject_id = cert.project_id if cert.project_id is not None else cert.enterprise_id
    return await libraries.end(
        session, library=library_of(cert), subject_id=subject_id, on=on, reason=reason
    )
