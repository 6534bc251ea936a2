"""Load the curated tables into pandas with proper dtypes, validated first (schema, then meaning: rules.py).

Step 1 of 4, data in: may import tipreport.paths, tipreport.fileops and other tipreport.data_in modules only."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tipreport.data_in.rules import meaning_problems
from tipreport.data_in.validate import DataValidationError, Problem, read_package, read_text_strict, validate_package
from tipreport.paths import ARTICLE_PATH, DATA_DIR

_CACHE: dict[tuple, dict[str, pd.DataFrame]] = {}
#: Tables whose rules read the article's text.
ARTICLE_TABLES = ("quotes", "article_numbers", "events")


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


def _article_text(data_dir: Path, frames: dict | None = None) -> tuple[str | None, list[Problem]]:
    """The seed article (one paragraph a line) beside the tables, with the problems of reading it.

    A package without the article tables needs no article; one with them is refused without it."""
    path = Path(data_dir) / "article" / ARTICLE_PATH.name
    if not path.exists():
        needed = frames is not None and any(name in frames for name in ARTICLE_TABLES)
        return None, [Problem(path, None, None, None, "file is missing (the article tables are checked against it)")] if needed else []
    text, problems = read_text_strict(path)
    return (text.removesuffix("\n") if text is not None else None), problems


def _cache_key(data_dir: Path) -> tuple:
    """What a cached load depends on: every file's name, time and size (None for one that is not there)."""
    files = sorted(Path(data_dir).glob("*.csv")) + [Path(data_dir) / "datapackage.json", Path(data_dir) / "article" / ARTICLE_PATH.name]

    def stamp(path: Path):
        try:
            status = path.stat()
        except OSError:
            return None
        return status.st_mtime_ns, status.st_size, path.is_dir()

    return (str(Path(data_dir).resolve()),) + tuple((f.name, stamp(f)) for f in files)


def load_all(data_dir: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the data package, validated, as DataFrames keyed by table name."""
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    key = _cache_key(data_dir)
    if key not in _CACHE:
        package = read_package(data_dir)
        tables, lines = validate_package(data_dir, package)
        frames = {r["name"]: _frame(r, tables[r["name"]]) for r in package["resources"]}
        article, problems = _article_text(data_dir, frames)
        problems = problems or meaning_problems(frames, lines, data_dir, article)
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
