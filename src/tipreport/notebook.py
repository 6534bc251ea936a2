"""Set-up shared by every notebook: display options, figure style, the validated tables."""

import pandas as pd

from tipreport.figures import use_style
from tipreport.load import load_all


def start() -> dict[str, pd.DataFrame]:
    """Configure pandas and matplotlib for readable, reproducible output; return the tables."""
    pd.set_option("display.width", 120)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.max_rows", 60)
    pd.set_option("display.max_colwidth", 120)
    use_style()
    return load_all()
