"""The identification handler: the engine's suggestion stored on created or re-described projects.

It is the ``identification.suggest`` feed consumer (``workers/consumers.py``): its own actor
and feed position, apart from indexing. For each project of a batch it re-reads the row and
skips it when its title and description already have a suggestion from this engine version
(an unrelated edit, or a redelivered event); otherwise it runs the engine and stores the top
candidates (``identification.service.store_suggestion``). Two workers racing on one project
version both try to insert; the unique constraint on (project, version) lets one win and the
other skips. A retryable failure (``core.retry``: the engine or the database cannot answer,
a pool timeout) is raised, so the batch comes again; any other failure of one project is
logged and becomes a dead letter of this consumer, and the others go on.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from greenrong.core.retry import is_retryable
from greenrong.domain.identification import service
from greenrong.domain.identification.service import IdentifyRequest
from greenrong.domain.projects.models import Project
from greenrong.indexers.catalogue.engine import identify
from greenrong.workers.consumers import Consumer
from greenrong.workers.runtime import Runtime
from greenrong.workers.search import ERROR_LIMIT, Failure

log = logging.getLogger(__name__)

#: how many candidates a stored suggestion keeps
SUGGESTION_SIZE = 3


async def suggest_for_projects(runtime: Runtime, project_ids: Sequence[uuid.UUID]) -> int:
    """Store a suggestion for each project that needs one; how many were stored. Raises
    retryable failures; a project that failed for good is logged and skipped."""
    stored, _ = await _suggest_all(runtime, project_ids)
    return stored


async def suggest(runtime: Runtime, project_ids: Sequence[uuid.UUID]) -> list[Failure]:
    """The ``identification.suggest`` handler: the projects that failed for good."""
    _, failures = await _suggest_all(runtime, project_ids)
    return failures


async def _suggest_all(
    runtime: Runtime, project_ids: Sequence[uuid.UUID]
) -> tuple[int, list[Failure]]:
    stored = 0
    failures: list[Failure] = []
    for project_id in project_ids:
        try:
            stored += await _suggest(runtime, project_id)
        except Exception as exc:
            if is_retryable(exc):
                raise  # the batch comes again
            log.exception("project %s: no green identification suggestion", project_id)
            error = f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]
            failures.append(Failure(Project.entity_type, project_id, error))
    return stored, failures


async def _suggest(runtime: Runtime, project_id: uuid.UUID) -> int:
    """1 when a suggestion was stored for the project, else 0."""
    version = service.engine_version()
    async with runtime.sessionmaker() as session:
        project = await session.get(Project, project_id)
        if project is None or not await service.needs_suggestion(session, project, version):
            return 0
        text = service.project_text(project.title, project.description)
    candidates = await identify(runtime.search, IdentifyRequest(text=text), size=SUGGESTION_SIZE)
    try:
        async with runtime.sessionmaker.begin() as session:
            current = await session.get(Project, project_id)
            if current is None:
                return 0
            if service.project_text(current.title, current.description) != text:
                return 0  # edited meanwhile: that edit's own event brings its suggestion
            row = await service.store_suggestion(
                session, project=current, candidates=candidates, engine_version=version
            )
    except IntegrityError:
        log.info("project %s: another worker stored this version's suggestion", project_id)
        return 0
    return 0 if row is None else 1


#: the consumer: its feed position, dead letters and actor (``workers/consumers.py``)
IDENTIFICATION = Consumer(
    name="identification",
    entity_type=Project.entity_type,
    handle=suggest,
    actor_name="identification.suggest",
    queue_name="identification",
)
