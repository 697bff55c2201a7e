"""The identification handler: the engine's suggestion stored on created or re-described projects.

``search.index_changes`` calls it with the ids of the projects in a batch of change events.
For each project it re-reads the row and skips it when its title and description already have
a suggestion from this engine version (an unrelated edit, or a redelivered event); otherwise it
runs the engine and stores the top candidates (``identification.service.store_suggestion``).
Two workers racing on one project version both try to insert; the unique constraint on
(project, version) lets one win and the other skips. A search engine that cannot answer
raises ``SearchUnavailableError``, which the handler's caller treats as retryable, as it does
database outages; any other failure of one project is logged and skipped, so a suggestion
(which is advice) never holds up the indexing of the batch.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from greenrong.domain.identification import service
from greenrong.domain.identification.service import IdentifyRequest
from greenrong.domain.projects.models import Project
from greenrong.indexers.catalogue.engine import identify
from greenrong.indexers.kit.query import SearchUnavailableError
from greenrong.workers.runtime import Runtime

log = logging.getLogger(__name__)

#: how many candidates a stored suggestion keeps
SUGGESTION_SIZE = 3


async def suggest_for_projects(runtime: Runtime, project_ids: Sequence[uuid.UUID]) -> int:
    """Store a suggestion for each project that needs one; how many were stored."""
    stored = 0
    for project_id in project_ids:
        try:
            stored += await _suggest(runtime, project_id)
        except (SearchUnavailableError, OperationalError, InterfaceError):
            raise  # retryable: the events go back and come again
        except Exception:
            log.exception("project %s: no green identification suggestion", project_id)
    return stored


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
