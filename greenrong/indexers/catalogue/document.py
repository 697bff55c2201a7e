"""The catalogue index: one document per level-4 item of the 2021 green bond catalogue.

``name`` is the item's name, ``path`` the names of levels 1-3, ``terms`` its vocabulary (our
assumption, see the data file), all CJK-bigram analysed with an exact ``keyword`` sub-field.
"""

from __future__ import annotations

from typing import Any

from greenrong.domain.identification.catalogue import catalogue
from greenrong.indexers.kit.fields import BOOLEAN, INTEGER, KEYWORD, text
from greenrong.indexers.kit.reference import ReferenceIndexSpec


def documents() -> list[dict[str, Any]]:
    data = catalogue()
    return [
        {
            "id": item.code,
            "code": item.code,
            "level1": item.code.split(".")[0],
            "name": item.name,
            "path": " / ".join(p.name for p in data.path(item.code)),
            "terms": list(item.terms),
            "term_count": len(item.terms),
            "manufacturing": item.manufacturing,
        }
        for item in data.leaves()
    ]


CATALOGUE = ReferenceIndexSpec(
    name="catalogue",
    properties={
        "code": KEYWORD,
        "level1": KEYWORD,
        "name": text(),
        "path": text(),
        "terms": text(),
        "term_count": INTEGER,
        "manufacturing": BOOLEAN,
    },
    documents=documents,
)
