"""What a seed run loaded: rows and seconds per entity."""

from __future__ import annotations

from dataclasses import dataclass

#: entity type -> the plural used in summaries
_LABELS = {
    "Enterprise": "enterprises",
    "FinancialInstitution": "institutions",
    "FinancialProduct": "products",
    "Expert": "experts",
    "TechnologyListing": "technology listings",
    "TechnologyNeed": "technology needs",
    "Project": "projects",
    "LibraryMembership": "library memberships",
    "FinancingDemand": "financing demands",
    "FinancingMatch": "matching services",
    "Disclosure": "disclosures",
    "Certification": "certifications",
    "CertificationReview": "certification reviews",
    "CertificationEvent": "certification history steps",
    "CarbonAccount": "carbon accounts",
    "CarbonCalculation": "carbon calculations",
    "CarbonLedgerEntry": "carbon ledger entries",
    "DataConsent": "data consents",
    "TechnologyLead": "technology leads",
}


@dataclass(frozen=True)
class EntityLoad:
    #: the entity type (``Enterprise``, ``FinancingDemand``, …)
    entity: str
    rows: int
    #: time spent generating and inserting this entity's rows
    seconds: float


@dataclass(frozen=True)
class SeedReport:
    loads: tuple[EntityLoad, ...]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(load.rows for load in self.loads)

    def count(self, entity: str) -> int:
        return sum(load.rows for load in self.loads if load.entity == entity)

    def summary(self) -> str:
        """E.g. ``2,918 enterprises, 71 institutions, …``."""
        return ", ".join(
            f"{load.rows:,} {_LABELS.get(load.entity, load.entity)}" for load in self.loads
        )
