"""The identification handler: the engine's suggestion stored on created or re-described projects.

``search.index_changes`` calls it with the ids of the projects in a batch of change events.
For each project it re-reads the row and skips it when its title and description already have
a suggestion from this engine version (an unrelated edit, or a redelivered event); otherwise it
runs the engine and stores the top candidates (``identification.service.store_suggestion``).
Two workers racing on one project version both try to insert; the unique constraint on
(project, version) lets one win and the other skips. A search engine that cannot answer
raises ``SearchUnavailableError``, which the handler's caller treats as retryable.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from greenrong.domain.identification import service
from greenrong.domain.identification.service import IdentifyRequest
from greenrong.domain.projects.models import Project
from greenrong.indexers.catalogue.engine import identify
from greenrong.workers.runtime import Runtime

log = logging.getLogger(__name__)

#: how many candidates a stored suggestion keeps
SUGGESTION_SIZE = 3


async def suggest_for_projects(runtime: Runtime, project_ids: Sequence[uuid.UUID]) -> int:
    """Store a suggestion for each project that needs one; how many were stored."""
    version = service.engine_version()
    stored = 0
    for project_id in project_ids:
        async with runtime.sessionmaker() as session:
            project = await session.get(Project, project_id)
            if project is None or not await service.needs_suggestion(session, project, version):
                continue
            text = service.project_text(project.title, project.description)
        candidates = await identify(
            runtime.search, IdentifyRequest(text=text), size=SUGGESTION_SIZE
        )
        try:
            async with runtime.sessionmaker.begin() as session:
                current = await session.get(Project, project_id)
                if current is None:
                    continue
                if service.project_text(current.title, current.description) != text:
                    continue  # edited meanwhile: that edit's own event brings its suggestion
                row = await service.store_suggestion(
                    session, project=current, candidates=candidates, engine_version=version
                )
        except IntegrityError:
            log.info("project %s: another worker stored this version's suggestion", project_id)
            continue
        if row is not None:
            stored += 1
    return stored
