"""Set-up shared by every notebook: display options, figure style, the validated tables.

Entry layer: may import from every step (data_in, analysis, charts, outputs)."""

import pandas as pd

from tipreport.charts.style import use_style
from tipreport.data_in.load import load_all


def load_tables_and_style() -> dict[str, pd.DataFrame]:
    """Configure pandas and matplotlib for readable, reproducible output; return the validated tables."""
    pd.set_option("display.width", 120)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.max_rows", 60)
    pd.set_option("display.max_colwidth", 120)
    use_style()
    return load_all()
