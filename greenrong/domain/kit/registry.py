"""Every mapped model, imported in one place (for Alembic and for lookups by entity type), and
the session listener that keeps the platform figures with the rows they count
(``statistics/upkeep.py``)."""

from __future__ import annotations

from greenrong.domain.access.models import ApiKey, AuditEntry, DataConsent
from greenrong.domain.carbon.models import (
    CarbonAccount,
    CarbonCalculation,
    CarbonLedgerEntry,
    CarbonRecalcResult,
    CarbonRecalcRun,
    DisclosureMetricSource,
)
from greenrong.domain.certification.models import (
    Certification,
    CertificationEvent,
    CertificationReview,
)
from greenrong.domain.disclosure.models import Disclosure
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.experts.models import Expert
from greenrong.domain.finance.models import FinancialInstitution, FinancialProduct, FinancingDemand
from greenrong.domain.identification.models import (
    GreenIdentification,
    GreenIdentificationCorrection,
)
from greenrong.domain.kit.models import Base, Entity
from greenrong.domain.kit.revision_repository import DataRevision
from greenrong.domain.libraries.models import CultivationRecommendation, LibraryMembership
from greenrong.domain.matching.lead_repository import TechnologyLead
from greenrong.domain.matching.tracked import FinancingMatch, ReviewAssignment, TechnologyDeal
from greenrong.domain.outbox.models import ChangeEvent, DeadLetter
from greenrong.domain.partners import models as partners_models
from greenrong.domain.periodic.models import PeriodicRun
from greenrong.domain.projects.models import Project
from greenrong.domain.statistics import upkeep as statistics_upkeep
from greenrong.domain.statistics.models import PlatformFigure
from greenrong.domain.technology.models import TechnologyListing, TechnologyNeed

ENTITIES: dict[str, type[Entity]] = {
    m.entity_type: m
    for m in (
        Enterprise,
        FinancialInstitution,
        Project,
        FinancialProduct,
        FinancingDemand,
        Expert,
        TechnologyListing,
        TechnologyNeed,
        Disclosure,
        FinancingMatch,
        TechnologyDeal,
        ReviewAssignment,
        DataConsent,
        LibraryMembership,
        CultivationRecommendation,
        Certification,
        CertificationReview,
        CertificationEvent,
        GreenIdentification,
        GreenIdentificationCorrection,
    )
}

__all__ = [
    "ENTITIES",
    "ApiKey",
    "AuditEntry",
    "Base",
    "CarbonAccount",
    "CarbonCalculation",
    "CarbonLedgerEntry",
    "CarbonRecalcResult",
    "CarbonRecalcRun",
    "ChangeEvent",
    "DataRevision",
    "DeadLetter",
    "DisclosureMetricSource",
    "PeriodicRun",
    "PlatformFigure",
    "TechnologyLead",
    "partners_models",
    "statistics_upkeep",
]
