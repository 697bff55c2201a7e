from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.schema.kit.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from greenrong.schema.projects.types import Project


@strawberry.type(description="The Project as saved.")
class ProjectSuccess:
    project: Project = strawberry.field(description="The Project after the change.")


CreateProjectPayload = Annotated[
    ProjectSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "CreateProjectPayload", description="The saved Project, or why nothing changed."
    ),
]
UpdateProjectPayload = Annotated[
    ProjectSuccess | ValidationError | NotFoundError | ConflictError | ForbiddenError,
    strawberry.union(
        "UpdateProjectPayload", description="The saved Project, or why nothing changed."
    ),
]
