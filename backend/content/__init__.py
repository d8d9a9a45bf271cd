"""Household-facing content held as data: the sourced facts (facts.toml)."""
