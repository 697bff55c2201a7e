"""GraphQL documents and small helpers of the identification tests."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from greenrong.core.db import SessionMaker
from greenrong.domain.identification.models import (
    GreenIdentification,
    GreenIdentificationCorrection,
    IdentificationStatus,
)
from greenrong.domain.identification.service import description_hash, engine_version
from greenrong.domain.projects.models import Project

IDENTIFY = """
query($input: IdentifyGreenInput!, $first: Int) {
  identifyGreen(input: $input, first: $first) {
    __typename
    ... on GreenIdentificationResult {
      engineVersion
      candidates {
        rank code name confidence matchedTerms
        path { level code name }
        statistics {
          greenLoanCategory { key name } emergingIndustry pbocGreenLoanCategory
          benefitIndicators { key name confirmed }
          pbocTool { eligible area { key name } refinanceableAmount }
          climateType climateScope { key name } rules
        }
      }
    }
    ... on ValidationError { code field message errors { field code message } }
    ... on SearchUnavailable { reason: code message }
  }
}"""

PROJECT_IDENTIFICATION = """
query($id: ID!) {
  node(id: $id) {
    ... on Project {
      greenIdentification {
        suggestedCode code status confidence candidates matchedTerms projectVersion
        statistics { greenLoanCategory { key } climateType }
        corrections { fromCode toCode reason actorRole }
      }
    }
  }
}"""

ACCEPT = """
mutation($input: AcceptGreenIdentificationInput!) {
  acceptGreenIdentification(input: $input) {
    __typename
    ... on GreenIdentificationSuccess { identification { code status suggestedCode } }
    ... on ValidationError { code field message }
    ... on ForbiddenError { code message }
    ... on NotFoundError { code message }
  }
}"""

CORRECT = """
mutation($input: CorrectGreenIdentificationInput!) {
  correctGreenIdentification(input: $input) {
    __typename
    ... on GreenIdentificationSuccess {
      identification { code status suggestedCode corrections { fromCode toCode reason actorRole } }
    }
    ... on ValidationError { code field message errors { field code } }
    ... on ForbiddenError { code message }
    ... on NotFoundError { code message }
  }
}"""

STATISTICS = """{ identificationStatistics {
  suggested accepted corrected corrections topCorrections { fromCode toCode count } } }"""


async def create_identification(
    session: AsyncSession, project: Project, **overrides: Any
) -> GreenIdentification:
    """A stored suggestion for the project's current version (as the worker would store it)."""
    values: dict[str, Any] = {
        "project_id": project.id,
        "project_version": project.version,
        "description_hash": description_hash(project.title, project.description),
        "code": "5.3.1.1",
        "confidence": Decimal("0.6636"),
        "candidates": ["5.3.1.1", "1.5.3.3", "2.1.2.2"],
        "matched_terms": ["污水处理厂"],
        "engine_version": engine_version(),
        "status": IdentificationStatus.SUGGESTED,
    }
    row = GreenIdentification(**{**values, **overrides})
    session.add(row)
    await session.flush()
    return row


async def suggestions(
    sessionmaker: SessionMaker, project_id: uuid.UUID
) -> list[GreenIdentification]:
    async with sessionmaker() as session:
        statement = (
            select(GreenIdentification)
            .where(GreenIdentification.project_id == project_id)
            .order_by(GreenIdentification.project_version)
        )
        return list((await session.scalars(statement)).all())


async def correction_count(sessionmaker: SessionMaker) -> int:
    async with sessionmaker() as session:
        statement = select(func.count()).select_from(GreenIdentificationCorrection)
        return int(await session.scalar(statement) or 0)
