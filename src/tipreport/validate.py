"""Validate a CSV against its Table Schema in ``data/datapackage.json``.

Every problem names the file, the line, the column, the bad value and the rule it
breaks. A table with any problem is refused whole: nothing is dropped or coerced.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from tipreport.paths import REPO_ROOT

MAX_PROBLEMS_SHOWN = 20
TRUE_VALUES, FALSE_VALUES = ("true",), ("false",)
INTEGER_RE = re.compile(r"-?[0-9]+")
NUMBER_RE = re.compile(r"-?[0-9]+(\.[0-9]+)?")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell, row or file."""

    path: Path
    line: int | None
    column: str | None
    value: str | None
    rule: str

    def __str__(self) -> str:
        where = [display_path(self.path)]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        value = "" if self.value is None else f"value {self.value!r}: "
        return f"{', '.join(where)}: {value}{self.rule}"


class DataValidationError(ValueError):
    """Raised when a data file breaks its schema; lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  - {problem}" for problem in problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        tail = f"\n  … and {more} more" if more > 0 else ""
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"invalid data ({count}); nothing was loaded:\n{shown}{tail}")


def display_path(path: Path) -> str:
    """Path relative to the repository when inside it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def read_package(data_dir: Path) -> dict:
    """The data package descriptor (``datapackage.json``) of ``data_dir``."""
    return json.loads((Path(data_dir) / "datapackage.json").read_text(encoding="utf-8"))


def read_text_strict(path: Path) -> tuple[str | None, list[Problem]]:
    """Decode a file as UTF-8, reporting the line of the first undecodable byte."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        bad = raw[error.start : error.end]
        return None, [Problem(path, line, None, None, f"file is not UTF-8: byte {bad.hex(' ')} cannot be decoded (expected UTF-8 text)")]
    return text.removeprefix("\ufeff"), []


def parse_cell(text: str, field: dict) -> tuple[object, str | None]:
    """Parse one cell by its field type: (value, None) or (None, expected-rule)."""
    kind = field.get("type", "string")
    if kind == "integer":
        return (int(text), None) if INTEGER_RE.fullmatch(text) else (None, "not an integer (expected whole number digits, e.g. 2023)")
    if kind == "number":
        return (float(text), None) if NUMBER_RE.fullmatch(text) else (None, "not a number (expected digits, e.g. 4570 or 2.5, no thousands separators)")
    if kind == "boolean":
        if text in TRUE_VALUES:
            return True, None
        if text in FALSE_VALUES:
            return False, None
        return None, "not a boolean (expected true or false)"
    return text, None


def check_constraints(value: object, text: str, field: dict) -> str | None:
    """The first constraint the value breaks, as an expected-rule sentence, or None."""
    constraints = field.get("constraints", {})
    if "enum" in constraints and value not in constraints["enum"]:
        return f"not an allowed value (expected one of: {', '.join(map(str, constraints['enum']))})"
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], text):
        return f"does not match the pattern {constraints['pattern']}"
    if "minimum" in constraints and value < constraints["minimum"]:
        return f"below the minimum (expected at least {constraints['minimum']})"
    if "maximum" in constraints and value > constraints["maximum"]:
        return f"above the maximum (expected at most {constraints['maximum']})"
    return None


def read_resource(resource: dict, data_dir: Path) -> tuple[list[dict], list[int], list[Problem]]:
    """Read and check one table: (typed rows, their line numbers, problems)."""
    path = Path(data_dir) / resource["path"]
    if not path.exists():
        return [], [], [Problem(path, None, None, None, "file is missing (listed in datapackage.json)")]
    text, problems = read_text_strict(path)
    if text is None:
        return [], [], problems
    fields = resource["schema"]["fields"]
    names = [field["name"] for field in fields]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return [], [], [Problem(path, 1, None, None, f"file is empty (expected header: {','.join(names)})")]
    except csv.Error as error:
        return [], [], [Problem(path, 1, None, None, f"is not valid CSV ({error})")]
    problems += header_problems(path, header, names)
    if problems:
        return [], [], problems

    rows, lines, seen = [], [], {}
    unique_fields = [f for f in fields if f.get("constraints", {}).get("unique")]
    primary_key = resource["schema"].get("primaryKey", [])
    end_of_previous = reader.line_num
    try:
        for cells in reader:
            line = end_of_previous + 1
            end_of_previous = reader.line_num
            if len(cells) != len(names):
                problems.append(Problem(path, line, None, ",".join(cells), f"row has {len(cells)} cells (expected {len(names)}: {','.join(names)})"))
                continue
            row = {}
            for field, cell in zip(fields, cells):
                row[field["name"]] = cell_value(path, line, field, cell, problems)
            for key in [[f["name"]] for f in unique_fields] + ([primary_key] if primary_key else []):
                check_unique(path, line, key, row, seen, problems)
            rows.append(row)
            lines.append(line)
    except csv.Error as error:
        problems.append(Problem(path, reader.line_num, None, None, f"is not valid CSV ({error})"))
    return rows, lines, problems


def header_problems(path: Path, header: list[str], names: list[str]) -> list[Problem]:
    """Missing, unexpected or misplaced columns."""
    problems = [Problem(path, 1, name, None, "missing column (required by the schema)") for name in names if name not in header]
    problems += [Problem(path, 1, name, None, f"unexpected column (expected only: {','.join(names)})") for name in header if name not in names]
    if not problems and header != names:
        problems.append(Problem(path, 1, None, ",".join(header), f"columns are out of order (expected: {','.join(names)})"))
    return problems


def cell_value(path: Path, line: int, field: dict, cell: str, problems: list[Problem]) -> object:
    """Parse and check one cell, appending any problem; returns the typed value or None."""
    name = field["name"]
    if cell == "":
        if field.get("constraints", {}).get("required"):
            problems.append(Problem(path, line, name, "", "missing value (the column is required)"))
        return None
    value, rule = parse_cell(cell, field)
    if rule is None:
        rule = check_constraints(value, cell, field)
    if rule is not None:
        problems.append(Problem(path, line, name, cell, rule))
        return None
    return value


def check_unique(path: Path, line: int, key: list[str], row: dict, seen: dict, problems: list[Problem]) -> None:
    """Report a repeated value of a unique column or primary key."""
    values = tuple(row[name] for name in key)
    if any(value is None for value in values):
        return
    first = seen.setdefault((tuple(key), values), line)
    if first != line:
        shown = ", ".join(map(str, values))
        label = key[0] if len(key) == 1 else f"({', '.join(key)})"
        problems.append(Problem(path, line, label, shown, f"duplicate (must be unique; first seen on line {first})"))


def foreign_key_problems(resource: dict, rows: list[dict], lines: list[int], tables: dict[str, list[dict]], data_dir: Path) -> list[Problem]:
    """Values that do not exist in the referenced table's key."""
    path = Path(data_dir) / resource["path"]
    problems = []
    for foreign_key in resource["schema"].get("foreignKeys", []):
        reference = foreign_key["reference"]
        target = reference["resource"]
        known = {tuple(row[name] for name in reference["fields"]) for row in tables.get(target, [])}
        for row, line in zip(rows, lines):
            values = tuple(row[name] for name in foreign_key["fields"])
            if any(value is None for value in values) or values in known:
                continue
            column = ",".join(foreign_key["fields"])
            target_column = f"{target}.{','.join(reference['fields'])}"
            problems.append(Problem(path, line, column, ", ".join(map(str, values)), f"not found in {target_column} (expected a known {target_column})"))
    return problems


def validate_package(data_dir: Path) -> tuple[dict[str, list[dict]], dict[str, list[int]]]:
    """Read every table of the package: (rows, line numbers) by table name.

    Raises DataValidationError listing every problem in every table.
    """
    package = read_package(data_dir)
    tables, lines, problems = {}, {}, []
    for resource in package["resources"]:
        rows, row_lines, table_problems = read_resource(resource, data_dir)
        tables[resource["name"]], lines[resource["name"]] = rows, row_lines
        problems += table_problems
    for resource in package["resources"]:
        name = resource["name"]
        problems += foreign_key_problems(resource, tables[name], lines[name], tables, data_dir)
    if problems:
        raise DataValidationError(problems)
    return tables, lines
