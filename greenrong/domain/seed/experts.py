"""Demo experts (绿色发展专家库): titles in the report's proportions, fields by industry mix."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime

from greenrong.domain.experts.models import ExpertTitle
from greenrong.domain.kit.apportion import largest_remainder
from greenrong.domain.seed import vocabulary
from greenrong.domain.seed.names import PersonNames
from greenrong.domain.seed.plan import SeedPlan
from greenrong.domain.seed.randomness import dealt, new_uuid
from greenrong.domain.seed.rows import Row, entity_columns
from greenrong.domain.seed.timeline import PLATFORM_LAUNCH, moment

_JOINED_BY = datetime(2021, 12, 31, tzinfo=UTC)
_AFFILIATION_GROUP = {
    ExpertTitle.PROFESSOR: "PROFESSOR",
    ExpertTitle.RESEARCHER: "RESEARCHER",
    ExpertTitle.SENIOR_ENGINEER: "ENGINEER",
    ExpertTitle.PROFESSORIAL_SENIOR_ENGINEER: "ENGINEER",
    ExpertTitle.OTHER: "OTHER",
}


def expert_rows(plan: SeedPlan, *, rng: random.Random) -> Iterator[Row]:
    words = vocabulary.experts()
    titles = dealt(rng, list(plan.experts_by_title.items()))
    field_counts = largest_remainder(plan.experts, [f["weight"] for f in words["fields"]])
    fields = dealt(rng, list(zip(range(len(field_counts)), field_counts, strict=True)))
    other_titles = words["other_titles"]
    people = PersonNames()
    for number, (title, field_index) in enumerate(zip(titles, fields, strict=True), start=1):
        field = words["fields"][field_index]
        affiliation, region_code = rng.choice(words["affiliations"][_AFFILIATION_GROUP[title]])
        label = words["title_labels"].get(title.value) or rng.choice(other_titles)
        specialties = rng.sample(field["specialties"], rng.randint(2, 3))
        name = people(rng)
        yield entity_columns(new_uuid(rng), moment(rng, PLATFORM_LAUNCH, _JOINED_BY)) | {
            "name": name,
            "field": field["field"],
            "title": title,
            "affiliation": affiliation,
            "specialties": specialties,
            "region_code": region_code,
            "bio": (
                f"{name}，{label}，就职于{affiliation}，长期从事{field['field']}领域的研究与实践，"
                f"擅长{'、'.join(specialties)}，为“绿蓉融”平台绿色认定和项目评审提供咨询。"
            ),
            "contact_email": f"expert{number:06d}@example.org" if rng.random() < 0.8 else None,
        }
