"""What a text is for, in the green catalogue's terms: the level-4 items its words name.

Matching reads a financial product's name and description, and a demand's purpose and project,
with the vocabulary the identification engine uses (``identification/catalogue``: every level-4
item carries the words project descriptions use for it). A product that names specific
technologies or uses (光伏, 风电场, 氢能 …) is *made for* those items; one that names none is
open to any purpose. When a demand's items and a product's items have none in common, the
product is made for another purpose: eligible by the rules but no help for this demand, and the
ranking puts it below the products open to the purpose (``FinanceWeights.purpose_open``).

- A product's items are every item one of its words names (a product lists what it finances,
  so a word in it is deliberate): 光伏设备融资租赁 names 光伏组件 (making solar equipment) and,
  inside it, 光伏 (running a solar plant). A product that gives examples of a whole field
  (支持水电、风电、光伏等清洁能源项目; 支持绿色建筑、清洁能源等项目) is a general one, open to any
  purpose.
- A demand's items are likewise every item its purpose and project name: a demand that names a
  second use in passing may be served by a product for either.
- Some vocabulary words say nothing about what a project is (places, generic phrases, and the
  environmental rights that pledge products take as collateral: a 排污权 pledge finances any
  purpose); they are never read here (``IGNORED``, ``IGNORED_ITEMS``; our assumption).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from greenrong.domain.identification.catalogue import catalogue

#: vocabulary words that do not say what a project is for (our assumption)
IGNORED = frozenset(
    {
        "装机容量",
        "排查",
        "日处理",
        "长江",
        "岷江",
        "沱江",
        "长江上游",
        "川西",
        "技术服务",
        "咨询服务",
        "设计服务",
        "技术咨询",
        "回收利用",
        # any energy-saving retrofit or monitoring, and seed money (种子基金), in product texts
        "节能改造",
        "系统节能",
        "监测系统",
        "种子",
        # a retrofit after a clean-production audit: any technology of the category
        "清洁生产改造",
        "清洁生产审核",
        "重点行业清洁生产",
    }
)
#: items whose words name a pledge, not a purpose: 环境权益交易服务 (排污权, CCER, 碳配额, 绿证 …)
IGNORED_ITEMS = ("6.2.2.",)
_LATIN = re.compile(r"[A-Za-z0-9]")
#: a product listing this many technologies as examples is a general one (``examples``)
OPEN_LIST = 3
#: an enumeration of two or more elements ending in 等 (not 等级)
_LISTS = re.compile(r"([^，。；：,.;:!?！？\s、]+(?:、[^，。；：,.;:!?！？\s、]+)+)等(?!级)")


@dataclass(frozen=True)
class Purposes:
    """The level-4 items a text names, and the words that named them (longest first, each
    once, none inside another)."""

    items: frozenset[str]
    words: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.items)

    def fits(self, other: Purposes) -> bool:
        return bool(self.items & other.items)


NONE = Purposes(frozenset(), ())


@cache
def _vocabulary() -> tuple[tuple[str, tuple[str, ...], re.Pattern[str] | None], ...]:
    """Every word of the vocabulary with the items it names, longest first."""
    items: dict[str, set[str]] = {}
    for item in catalogue().leaves():
        if item.code.startswith(IGNORED_ITEMS):
            continue
        for word in item.terms:
            if word not in IGNORED:
                items.setdefault(word, set()).add(item.code)
    ordered = sorted(items, key=lambda w: (-len(w), w))
    return tuple(
        (
            word,
            tuple(sorted(items[word])),
            # a Latin code is a whole word (ETC is not in "fetch"), in any case
            re.compile(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", re.IGNORECASE)
            if _LATIN.match(word)
            else None,
        )
        for word in ordered
    )


def _found(text: str) -> list[tuple[str, tuple[str, ...]]]:
    text = unicodedata.normalize("NFKC", text)
    return [
        (word, codes)
        for word, codes, latin in _vocabulary()
        if (latin.search(text) if latin is not None else word in text)
    ]


def _words(found: Iterable[str], text: str) -> tuple[str, ...]:
    """The words, none inside another (``found`` is longest first), in the text's order."""
    kept: list[str] = []
    for word in found:
        if not any(word in k for k in kept):
            kept.append(word)
    lowered = unicodedata.normalize("NFKC", text).lower()
    return tuple(sorted(kept, key=lambda w: lowered.find(w.lower())))


#: texts whose items are kept: every product of a scale-100 catalogue (13,000) and the demands
#: being matched; texts are callers' input, so the cache is bounded (least recently used go)
NAMED_CACHE_SIZE = 16_384


@lru_cache(maxsize=NAMED_CACHE_SIZE)
def named(text: str) -> Purposes:
    """Every item ``text`` names (a product's name and description, a demand's purpose and
    project)."""
    found = _found(text)
    return Purposes(
        frozenset(c for _, codes in found for c in codes), _words((w for w, _ in found), text)
    )


def made_for(text: str) -> Purposes:
    """The items a product (its name and description, ``text``) is made for: every item it
    names, or none when it gives examples of a field rather than its own uses (``examples``)."""
    found = named(text)
    if found and any(examples(listed) for listed in _LISTS.findall(text)):
        return NONE
    return found


def examples(listed: str) -> bool:
    """Whether an enumeration that ends in 等 (``listed``: 光伏、风电、水电) gives examples of a
    whole field: ``OPEN_LIST`` or more different technologies, or at least half of its
    elements naming none (绿色建筑、清洁能源、节能环保等). 光伏组件、逆变器等 lists one technology's
    parts, so a product saying so is made for it."""
    elements = [named(e).items for e in listed.split("、")]
    unnamed = sum(1 for e in elements if not e)
    return 2 * unnamed >= len(elements) or len(set(elements) - {frozenset()}) >= OPEN_LIST


def label(purposes: Purposes, *, at_most: int = 3) -> str:
    """The words as a reader's phrase: 光伏、储能项目 (a word's own 项目 is not repeated)."""
    words = dict.fromkeys(w.removesuffix("项目") for w in purposes.words)
    return "、".join(list(words)[:at_most]) + "项目"
