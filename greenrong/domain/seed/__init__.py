"""Deterministic demo data for the Sichuan 绿蓉融 platform (``greenrong seed --demo``)."""
