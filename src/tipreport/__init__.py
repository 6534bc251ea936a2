"""Load, validate, analyse and plot the curated TIP Report data in ``data/``."""

from tipreport.load import load_all, load_table
from tipreport.tiers import RANKED_TIERS, SPECIAL_CASE, TIER_DTYPE, TIERS
from tipreport.validate import DataValidationError

__all__ = [
    "DataValidationError",
    "RANKED_TIERS",
    "SPECIAL_CASE",
    "TIERS",
    "TIER_DTYPE",
    "load_all",
    "load_table",
]
