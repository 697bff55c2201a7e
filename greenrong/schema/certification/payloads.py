"""Payloads of the certification workflow: the certification, or why nothing changed."""

from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.schema.certification.types import Certification
from greenrong.schema.kit.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)


@strawberry.type(description="The Certification as saved.")
class CertificationSuccess:
    certification: Certification = strawberry.field(description="The Certification after the step.")


StartCertificationPayload = Annotated[
    CertificationSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "StartCertificationPayload",
        description="The Certification after the step, or why nothing changed.",
    ),
]

UpdateSelfAssessmentPayload = Annotated[
    CertificationSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "UpdateSelfAssessmentPayload",
        description="The Certification after the step, or why nothing changed.",
    ),
]

SubmitCertificationPayload = Annotated[
    CertificationSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "SubmitCertificationPayload",
        description="The Certification after the step, or why nothing changed.",
    ),
]

AssignCertificationReviewersPayload = Annotated[
    CertificationSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "AssignCertificationReviewersPayload",
        description="The Certification after the step, or why nothing changed.",
    ),
]

ScoreCertificationPayload = Annotated[
    CertificationSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "ScoreCertificationPayload",
        description="The Certification after the step, or why nothing changed.",
    ),
]

ConsolidateCertificationPayload = Annotated[
    CertificationSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "ConsolidateCertificationPayload",
        description="The Certification after the step, or why nothing changed.",
    ),
]

DecideCertificationPayload = Annotated[
    CertificationSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "DecideCertificationPayload",
        description="The Certification after the step, or why nothing changed.",
    ),
]

RenewCertificationPayload = Annotated[
    CertificationSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "RenewCertificationPayload",
        description="The Certification after the step, or why nothing changed.",
    ),
]

RevokeCertificationPayload = Annotated[
    CertificationSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "RevokeCertificationPayload",
        description="The Certification after the step, or why nothing changed.",
    ),
]
