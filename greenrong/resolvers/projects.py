"""Root fields of the projects context."""

from __future__ import annotations

from typing import Annotated

import strawberry

from greenrong.domain.projects import service
from greenrong.domain.projects.repository import PROJECTS
from greenrong.resolvers.common import (
    input_values,
    mutate,
    update_args,
)
from greenrong.resolvers.relations import root_list
from greenrong.schema.kit.context import Info
from greenrong.schema.projects.inputs import (
    CreateProjectInput,
    ProjectOrderArg,
    ProjectWhereArg,
    UpdateProjectInput,
)
from greenrong.schema.projects.payloads import (
    CreateProjectPayload,
    ProjectSuccess,
    UpdateProjectPayload,
)
from greenrong.schema.projects.types import Project

_NEW = strawberry.argument(description="The new record.")
_CHANGES = strawberry.argument(description="The changes, with the version you read.")


@strawberry.type(description="Read projects.")
class ProjectQuery:
    projects = root_list(
        PROJECTS,
        Project,
        description="Projects, filtered, ordered and paged.",
        where=ProjectWhereArg,
        order_by=ProjectOrderArg,
    )


@strawberry.type(description="Change projects.")
class ProjectMutation:
    @strawberry.mutation(description="Create a project for an enterprise.")
    async def create_project(
        self, info: Info, input: Annotated[CreateProjectInput, _NEW]
    ) -> CreateProjectPayload:
        return await mutate(
            info,
            lambda session: service.create_project(session, values=input_values(input)),
            lambda row: ProjectSuccess(project=Project.from_row(row)),
        )

    @strawberry.mutation(description="Change one Project; a stale version is refused.")
    async def update_project(
        self, info: Info, input: Annotated[UpdateProjectInput, _CHANGES]
    ) -> UpdateProjectPayload:
        return await mutate(
            info,
            lambda session: service.update_project(session, **update_args(input, "Project")),
            lambda row: ProjectSuccess(project=Project.from_row(row)),
        )
