"""Load, validate, analyse and plot the curated TIP Report data in ``data/``.

The work flows through four subpackages, each importing only from the steps before it:
``data_in`` (reference → tables, validation, loading) → ``analysis`` → ``charts`` → ``outputs``
(notebook runs, the site, the command line). ``paths`` and ``fileops`` are shared by every step.
Entry layer: may import from every step."""

from tipreport.analysis.country import CountryNotFound, country_record
from tipreport.analysis.tiers import RANKED_TIERS, SPECIAL_CASE, TIER_DTYPE, TIERS
from tipreport.data_in.load import load_all, load_table
from tipreport.data_in.validate import DataValidationError

__all__ = [
    "CountryNotFound",
    "DataValidationError",
    "RANKED_TIERS",
    "SPECIAL_CASE",
    "TIERS",
    "TIER_DTYPE",
    "country_record",
    "load_all",
    "load_table",
]
