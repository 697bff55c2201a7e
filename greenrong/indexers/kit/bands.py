"""Range-facet bands shared by several indices."""

from __future__ import annotations

from greenrong.indexers.kit.query import Band

WAN_FEN = 10_000 * 100  # 1 万元 in fen

#: technology readiness levels (TRL 1–9) in three stages
MATURITY = (
    Band("1-3", "研发阶段 (TRL 1–3)", gte=1, lt=4),
    Band("4-6", "中试阶段 (TRL 4–6)", gte=4, lt=7),
    Band("7-9", "产业化阶段 (TRL 7–9)", gte=7, lt=10),
)

#: amounts of money (prices, budgets), in fen
MONEY = (
    Band("lt10w", "10万元以下", lt=10 * WAN_FEN),
    Band("10w-50w", "10万–50万元", gte=10 * WAN_FEN, lt=50 * WAN_FEN),
    Band("50w-100w", "50万–100万元", gte=50 * WAN_FEN, lt=100 * WAN_FEN),
    Band("100w-500w", "100万–500万元", gte=100 * WAN_FEN, lt=500 * WAN_FEN),
    Band("gte500w", "500万元以上", gte=500 * WAN_FEN),
)
