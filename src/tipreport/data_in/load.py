"""Load the curated tables into pandas with proper dtypes, validated first (schema, then meaning: rules.py).

Step 1 of 4, data in: may import tipreport.paths, tipreport.fileops and other tipreport.data_in modules only."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tipreport.data_in.rules import meaning_problems
from tipreport.data_in.validate import DataValidationError, read_package, validate_package
from tipreport.paths import ARTICLE_PATH, DATA_DIR

_CACHE: dict[tuple, dict[str, pd.DataFrame]] = {}


def _dtype(field: dict):
    """pandas dtype for a Table Schema field (nullable unless required)."""
    if "categories" in field:
        return pd.CategoricalDtype(field["categories"], ordered=field.get("categoriesOrdered", False))
    required = field.get("constraints", {}).get("required", False)
    return {
        "integer": "int64" if required else "Int64",
        "number": "Float64",
        "boolean": "bool" if required else "boolean",
    }.get(field.get("type", "string"), "string")


def _frame(resource: dict, rows: list[dict]) -> pd.DataFrame:
    fields = resource["schema"]["fields"]
    columns = {f["name"]: pd.Series([row[f["name"]] for row in rows], dtype="object") for f in fields}
    return pd.DataFrame({name: series.astype(_dtype(f)) for f, (name, series) in zip(fields, columns.items())})


def _article_text(data_dir: Path) -> str | None:
    """The seed article (one paragraph a line) beside the tables, or None when the folder has none."""
    path = Path(data_dir) / "article" / ARTICLE_PATH.name
    return path.read_text(encoding="utf-8").removesuffix("\n") if path.exists() else None


def _cache_key(data_dir: Path) -> tuple:
    files = sorted(Path(data_dir).glob("*.csv")) + [Path(data_dir) / "datapackage.json"]
    return (str(Path(data_dir).resolve()),) + tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)


def load_all(data_dir: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the data package, validated, as DataFrames keyed by table name."""
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    key = _cache_key(data_dir)
    if key not in _CACHE:
        package = read_package(data_dir)
        tables, lines = validate_package(data_dir, package)
        frames = {r["name"]: _frame(r, tables[r["name"]]) for r in package["resources"]}
        problems = meaning_problems(frames, lines, data_dir, _article_text(data_dir))
        if problems:
            raise DataValidationError(problems)
        _CACHE.clear()
        _CACHE[key] = frames
    return {name: frame.copy() for name, frame in _CACHE[key].items()}


def load_table(name: str, data_dir: Path | str | None = None) -> pd.DataFrame:
    """One validated table (the whole package is checked, since tables refer to each other)."""
    tables = load_all(data_dir)
    if name not in tables:
        raise KeyError(f"no table {name!r} in the data package (tables: {', '.join(tables)})")
    return tables[name]
