"""Vocabulary shared by several contexts. Values are stable API and database values."""

from __future__ import annotations

from enum import StrEnum


class GreenCategory(StrEnum):
    """First-level categories of 绿色产业指导目录（2019年版）; see data/green_catalogue.json."""

    ENERGY_SAVING_ENVIRONMENTAL = "ENERGY_SAVING_ENVIRONMENTAL"  # 节能环保
    CLEAN_PRODUCTION = "CLEAN_PRODUCTION"  # 清洁生产
    CLEAN_ENERGY = "CLEAN_ENERGY"  # 清洁能源
    ECOLOGICAL_ENVIRONMENT = "ECOLOGICAL_ENVIRONMENT"  # 生态环境
    GREEN_INFRASTRUCTURE = "GREEN_INFRASTRUCTURE"  # 基础设施绿色升级
    GREEN_SERVICES = "GREEN_SERVICES"  # 绿色服务


class GreenLevel(StrEnum):
    """Green level from Sichuan's certification, in rising order: none < 绿 < 深绿 < 优绿."""

    NONE = "NONE"
    GREEN = "GREEN"  # 绿
    DEEP_GREEN = "DEEP_GREEN"  # 深绿
    EXCELLENT_GREEN = "EXCELLENT_GREEN"  # 优绿

    @property
    def rank(self) -> int:
        return list(GreenLevel).index(self)
