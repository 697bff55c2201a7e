"""The whole demo dataset as batches of rows, in foreign-key order, generated lazily.

Planning (who is where, how many projects and demands, every amount) happens up front in compact
arrays; rows are generated batch by batch while they are inserted, so memory stays small even at
``scale=100``. Every call of ``batches()`` generates the same rows for the same plan and seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import Table

from greenrong.domain.certification.models import (
    Certification,
    CertificationEvent,
    CertificationReview,
)
from greenrong.domain.disclosure.models import Disclosure
from greenrong.domain.enterprises.models import Enterprise
from greenrong.domain.experts.models import Expert
from greenrong.domain.finance.models import FinancialInstitution, FinancialProduct, FinancingDemand
from greenrong.domain.kit.models import Entity
from greenrong.domain.libraries.models import LibraryMembership
from greenrong.domain.matching.tracked import FinancingMatch
from greenrong.domain.projects.models import Project, ProjectLibrary
from greenrong.domain.seed import certifications as certification_seed
from greenrong.domain.seed.demand_money import plan_demand_money
from greenrong.domain.seed.disclosures import disclosure_rows
from greenrong.domain.seed.enterprises import (
    EnterpriseDirectory,
    enterprise_rows,
    lay_out_enterprises,
)
from greenrong.domain.seed.experts import expert_rows
from greenrong.domain.seed.financing import FinancingRows
from greenrong.domain.seed.financing_layout import LIBRARY_BITS, lay_out_financing
from greenrong.domain.seed.institutions import (
    InstitutionDirectory,
    institution_rows,
    institution_specs,
)
from greenrong.domain.seed.libraries import MembershipSources, membership_rows
from greenrong.domain.seed.matches import MatchSources, match_rows
from greenrong.domain.seed.matching import ProductCatalogue, ProductTerms
from greenrong.domain.seed.plan import SeedPlan
from greenrong.domain.seed.products import product_rows
from greenrong.domain.seed.randomness import stream
from greenrong.domain.seed.reference import sichuan
from greenrong.domain.seed.rows import Row, chunked
from greenrong.domain.seed.technology import listing_rows, need_rows
from greenrong.domain.seed.timeline import CUTOFF_DAY
from greenrong.domain.technology.models import TechnologyListing, TechnologyNeed


@dataclass(frozen=True)
class Batch:
    model: type[Entity]
    rows: list[Row]

    @property
    def table(self) -> Table:
        return cast(Table, self.model.__table__)


class DemoDataset:
    def __init__(self, plan: SeedPlan, seed: int, *, as_of: date = CUTOFF_DAY) -> None:
        """``as_of``: the day the certification history runs to (the cut-off or later)."""
        if as_of < CUTOFF_DAY:
            raise ValueError(f"as_of {as_of} is before the demo's cut-off {CUTOFF_DAY}")
        self.plan = plan
        self.seed = seed
        self.as_of = as_of
        self._sichuan = sichuan()
        self._enterprises = lay_out_enterprises(
            plan, stream(seed, "enterprise-layout"), self._sichuan
        )
        self._financing = lay_out_financing(
            plan, self._enterprises, stream(seed, "financing-layout")
        )
        self._money = plan_demand_money(plan, self._financing, stream(seed, "demand-money"))
        self._institutions = institution_specs(plan, stream(seed, "institutions"), self._sichuan)
        self._certified = certification_seed.choose(
            self._enterprises.levels, stream(seed, "certification-layout")
        )

    @property
    def expected_rows(self) -> dict[type[Entity], int]:
        """Rows per model, in insertion order."""
        plan = self.plan
        return {
            Enterprise: plan.enterprises,
            FinancialInstitution: len(self._institutions),
            FinancialProduct: plan.products,
            Expert: plan.experts,
            TechnologyListing: plan.technology_listings,
            TechnologyNeed: plan.technology_needs,
            Project: self._financing.projects,
            LibraryMembership: self._memberships,
            FinancingDemand: self._financing.demands,
            FinancingMatch: self.plan.matching_services,
            Disclosure: sum(plan.disclosures_by_kind.values()),
            **dict(
                zip(
                    (Certification, CertificationReview, CertificationEvent),
                    self._certification_counts,
                    strict=True,
                )
            ),
        }

    @property
    def _certification_counts(self) -> tuple[int, int, int]:
        rejected, revoked = self._certified
        green_projects = sum(
            1
            for bits in self._financing.project_libraries
            if bits & LIBRARY_BITS[ProjectLibrary.GREEN_PROJECT]
        )
        return certification_seed.expected_counts(
            rated=sum(n for level, n in self.plan.enterprises_by_level.items() if level.rank),
            rejected=len(rejected),
            revoked=len(revoked),
            projects=green_projects,
            experts=self.plan.experts,
        )

    @property
    def _memberships(self) -> int:
        """One per rated enterprise, one per library a project is in."""
        rated = sum(n for level, n in self.plan.enterprises_by_level.items() if level.rank)
        return rated + sum(bin(bits).count("1") for bits in self._financing.project_libraries)

    def batches(self, rows_per_batch: int = 2000) -> Iterator[Batch]:
        plan, seed, geo = self.plan, self.seed, self._sichuan
        enterprises = EnterpriseDirectory(self._enterprises)
        active = [self._financing.active(i) for i in range(plan.enterprises)]
        members = MembershipSources()
        certified = certification_seed.CertificationSources(
            seed, *self._certified, as_of=self.as_of
        )
        rows = enterprise_rows(
            enterprises, active=active, rng=stream(seed, "enterprises"), sichuan=geo
        )
        # the libraries seed sees the cut-off's rows; certification then brings them to as_of
        rows = certified.watch_enterprises(members.watch_enterprises(rows))
        yield from _batches(Enterprise, rows, rows_per_batch)

        institutions = InstitutionDirectory(self._institutions)
        rows = institution_rows(institutions, rng=stream(seed, "institution-rows"))
        yield from _batches(FinancialInstitution, rows, rows_per_batch)

        terms: list[ProductTerms] = []
        rows = product_rows(
            plan, institutions, rng=stream(seed, "products"), sichuan=geo, catalogue=terms
        )
        yield from _batches(FinancialProduct, rows, rows_per_batch)

        rows = certified.watch_experts(expert_rows(plan, rng=stream(seed, "experts")))
        yield from _batches(Expert, rows, rows_per_batch)

        rows = listing_rows(
            plan.technology_listings,
            enterprises,
            institutions,
            rng=stream(seed, "technology-listings"),
            sichuan=geo,
        )
        yield from _batches(TechnologyListing, rows, rows_per_batch)
        rows = need_rows(
            plan.technology_needs, enterprises, rng=stream(seed, "technology-needs"), sichuan=geo
        )
        yield from _batches(TechnologyNeed, rows, rows_per_batch)

        financing = FinancingRows(
            self._financing,
            self._money,
            enterprises,
            ProductCatalogue(terms),
            rng=stream(seed, "financing"),
            sichuan=geo,
        )
        sources = MatchSources()
        owners = dict(zip(enterprises.ids, enterprises.names, strict=True))
        for projects, demands in financing.blocks(rows_per_batch):
            if projects:
                members.take_projects(projects)
                certified.take_projects(projects, owners)
                yield Batch(Project, projects)
            if demands:
                yield Batch(FinancingDemand, demands)
                for demand in demands:
                    sources.take(demand)
        rows = match_rows(sources, services=plan.matching_services, rng=stream(seed, "matches"))
        yield from _batches(FinancingMatch, rows, rows_per_batch)

        rows = certified.link(membership_rows(members, rng=stream(seed, "libraries")))
        yield from _batches(LibraryMembership, rows, rows_per_batch)

        rows = disclosure_rows(
            plan.disclosures_by_kind, enterprises, institutions, rng=stream(seed, "disclosures")
        )
        yield from _batches(Disclosure, rows, rows_per_batch)

        # a chunk of certifications with their reviews and history: each cycle generated once
        for certifications, reviews, events in certified.rows(rows_per_batch):
            yield Batch(Certification, certifications)
            yield from _batches(CertificationReview, iter(reviews), rows_per_batch)
            yield from _batches(CertificationEvent, iter(events), rows_per_batch)


def _batches(model: type[Entity], rows: Iterator[Row], size: int) -> Iterator[Batch]:
    for chunk in chunked(rows, size):
        yield Batch(model, chunk)
