"""Validate the data package with frictionless; report every problem in one line.

frictionless checks each table against its Table Schema in ``data/datapackage.json``
(types, ``trueValues``/``falseValues``, required, enums, patterns, minimum and maximum,
unique values, primary and foreign keys): the schema is the one place a rule lives.
This module turns frictionless's errors into one line each (file, line, column, the bad
value and the rule in words, ordered by file and line) and adds what frictionless lets
through: a file that is not UTF-8 (by line, not byte offset), header order, a table with
no rows, control characters, numbers not in plain digits (`` 2023``, ``02023``, ``+5``),
integers beyond 64 bits, and values the schema's ``categories`` lack. A package with any
problem is refused whole: nothing is dropped or coerced.

Step 1 of 4, data in: may import tipreport.paths, tipreport.fileops and other tipreport.data_in modules only."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from tipreport.paths import REPO_ROOT

#: One empty file per package that frictionless accepted, named by the digest of everything
#: its verdict depends on (see :func:`verdict_digest`). frictionless takes about 2 s per
#: validation and every notebook loads the package: the same bytes get the same verdict.
VERDICT_CACHE = REPO_ROOT / "build" / "frictionless-accepted"

MAX_PROBLEMS_SHOWN = 20
#: The tables the analysis cannot run without.
REQUIRED_RESOURCES = ("countries", "tiers")
INT64_MAX = 2**63 - 1
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PLAIN_DIGITS = {"integer": re.compile(r"-?(0|[1-9][0-9]*)"), "number": re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")}
TYPE_RULES = {
    "integer": "not an integer (expected whole number digits, e.g. 2023)",
    "number": "not a number (expected digits, e.g. 4570 or 2.5, no thousands separators)",
}
#: frictionless errors that the checks here already report in their own words.
LOADED_TYPES = ("string", "integer", "number", "boolean")  # typed_value turns each into a Python value
REPORTED_HERE = {"blank-row", "extra-cell", "missing-cell", "extra-label", "missing-label", "incorrect-label",
                 "duplicate-label", "blank-label", "encoding-error"}


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

    def sort_key(self) -> tuple:
        return (str(self.path), self.line or 0, self.column or "")


class DataValidationError(ValueError):
    """Raised when the data package breaks its schema; lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        shown = "\n".join(f"  - {problem}" for problem in self.problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        tail = f"\n  … and {more} more" if more > 0 else ""
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"invalid data ({count}); nothing was loaded:\n{shown}{tail}")


@dataclass
class RawTable:
    """A CSV file as read: its header, its rows of cells, and the line each row starts on."""

    path: Path
    header: list[str]
    rows: list[list[str]]
    lines: list[int]


def display_path(path: Path) -> str:
    """Path relative to the repository when inside it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def read_text_strict(path: Path) -> tuple[str | None, list[Problem]]:
    """Decode a file as UTF-8, reporting the line of the first undecodable byte (or why it cannot be read)."""
    if path.is_dir():
        return None, [Problem(path, None, None, None, "is a folder (expected a file)")]
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [Problem(path, None, None, None, f"cannot be read: {error.strerror} (expected a readable file)")]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem(path, 1, None, None, "file is UTF-16, as a spreadsheet's 'Unicode text' saves it (expected UTF-8: save as 'CSV UTF-8')")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        bad = raw[error.start : error.end]
        return None, [Problem(path, line, None, None, f"file is not UTF-8: byte {bad.hex(' ')} cannot be decoded (expected UTF-8 text)")]
    return text.removeprefix("\ufeff"), []


def read_package(data_dir: Path) -> dict:
    """The data package descriptor of ``data_dir``, checked; raises DataValidationError."""
    descriptor, problems = read_descriptor(Path(data_dir))
    if problems:
        raise DataValidationError(problems)
    return descriptor


def read_descriptor(data_dir: Path) -> tuple[dict | None, list[Problem]]:
    """(descriptor, problems): JSON syntax, what the loader needs, then frictionless's own checks."""
    path = data_dir / "datapackage.json"
    if not data_dir.is_dir():
        return None, [Problem(data_dir, None, None, None, "folder is missing (expected the data package folder, with datapackage.json)")]
    if not path.exists():
        return None, [Problem(path, None, None, None, "file is missing (expected the data package descriptor)")]
    text, problems = read_text_strict(path)
    if text is None:
        return None, problems
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as error:
        return None, [Problem(path, error.lineno, None, None, f"is not valid JSON ({error.msg} at column {error.colno})")]
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list) or not descriptor["resources"]:
        return None, [Problem(path, None, None, None, "has no list of resources (expected \"resources\": [...])")]
    problems = [problem for index, resource in enumerate(descriptor["resources"])
                for problem in resource_problems(path, index, resource, data_dir)]
    problems = problems or reference_problems(path, descriptor["resources"])
    if problems:
        return None, problems
    if accepted_before(data_dir, descriptor):
        return descriptor, []
    from frictionless import FrictionlessException, Package

    try:
        Package(descriptor, basepath=str(data_dir))
    except FrictionlessException as exception:
        reasons = exception.reasons or [exception.error]
        return None, [Problem(path, None, None, None, f"{reason.note} (expected a valid Data Package descriptor)") for reason in reasons]
    return descriptor, []


def resource_problems(path: Path, index: int, resource, data_dir: Path) -> list[Problem]:
    """What the loader needs of one resource: a name, a path inside data/, a schema with fields."""
    if not isinstance(resource, dict):
        return [Problem(path, None, None, None, f"resource {index + 1} is not an object (expected name, path and schema)")]
    where = f"resource {resource.get('name', index + 1)!r}"
    fields = (resource.get("schema") or {}).get("fields") if isinstance(resource.get("schema"), dict) else None
    for key, present in (("name", isinstance(resource.get("name"), str)), ("path", isinstance(resource.get("path"), str)),
                         ("schema.fields", isinstance(fields, list) and len(fields) > 0)):
        if not present:
            return [Problem(path, None, None, None, f"{where} has no {key} (expected name, path and schema.fields)")]
    target = (data_dir / resource["path"]).resolve()
    if Path(resource["path"]).is_absolute() or not target.is_relative_to(data_dir.resolve()):
        return [Problem(path, None, None, resource["path"], f"{where}: the path leaves the package folder (expected a file inside data/)")]
    problems = []
    for field in fields:
        if not isinstance(field, dict) or "name" not in field:
            problems.append(Problem(path, None, None, None, f"{where}: a field has no name (expected {{\"name\": ..., \"type\": ...}})"))
            continue
        if field.get("type", "string") not in LOADED_TYPES:
            problems.append(Problem(path, None, None, None, f"{where}, field '{field['name']}': type '{field['type']}' cannot be loaded "
                                                           f"(expected one of: {', '.join(LOADED_TYPES)})"))
            continue
        lacking = [value for value in field.get("constraints", {}).get("enum", []) if "categories" in field and value not in categories(field)]
        if lacking:
            problems.append(Problem(path, None, None, None, f"{where}, field '{field['name']}': enum value(s) {lacking} are not in its "
                                                           "categories (expected every allowed value to be a category)"))
    return problems


def reference_problems(path: Path, resources: list[dict]) -> list[Problem]:
    """The tables the analysis needs are there, and every foreign key refers to a table that is."""
    names = {resource["name"] for resource in resources}
    problems = [Problem(path, None, None, None, f"resource {name!r} is missing (the tier analysis needs it)")
                for name in REQUIRED_RESOURCES if name not in names]
    for resource in resources:
        for key in resource["schema"].get("foreignKeys", []):
            target = key.get("reference", {}).get("resource")
            if target and target not in names and target not in REQUIRED_RESOURCES:
                problems.append(Problem(path, None, None, None, f"resource {resource['name']!r} refers to resource {target!r}, "
                                                               "which is missing (expected every referenced table in the package)"))
    return problems


def categories(field: dict) -> list:
    """A field's categories (Table Schema v2: plain values or {"value": ...} objects)."""
    return [c["value"] if isinstance(c, dict) else c for c in field.get("categories", [])]


def read_raw(path: Path, names: list[str]) -> tuple[RawTable | None, list[Problem]]:
    """Read a CSV as text: UTF-8 by line, CSV syntax, header, rows with their line numbers."""
    if not path.exists():
        return None, [Problem(path, None, None, None, "file is missing (listed in datapackage.json)")]
    text, problems = read_text_strict(path)
    if text is None:
        return None, problems
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, lines, end_of_previous = [], [], 1
    try:
        header = next(reader)
        end_of_previous = reader.line_num
        for cells in reader:
            rows.append(cells)
            lines.append(end_of_previous + 1)
            end_of_previous = reader.line_num
    except StopIteration:
        return None, [Problem(path, 1, None, None, f"file is empty (expected header: {','.join(names)})")]
    except csv.Error as error:
        return None, [Problem(path, end_of_previous + 1, None, None, f"is not valid CSV ({error})")]
    problems = header_problems(path, header, names)
    if not problems and not rows:
        problems.append(Problem(path, None, None, None, "has a header but no rows (expected at least one data row)"))
    return RawTable(path, header, rows, lines), problems


def header_problems(path: Path, header: list[str], names: list[str]) -> list[Problem]:
    """Missing, unexpected or misplaced columns (or a header split by another delimiter than the comma)."""
    for delimiter, name in ((";", "semicolons"), ("\t", "tabs")):
        if len(header) == 1 and delimiter in header[0] and header[0].split(delimiter) == names:
            return [Problem(path, 1, None, None, f"columns are separated by {name}, as some spreadsheets save CSV "
                                                 "(expected commas: save as 'CSV UTF-8 (comma delimited)')")]
    problems = [Problem(path, 1, name, None, "missing column (required by the schema)") for name in names if name not in header]
    problems += [Problem(path, 1, name, None, f"unexpected column (expected only: {','.join(names)})") for name in header if name not in names]
    if not problems and header != names:
        problems.append(Problem(path, 1, None, ",".join(header), f"columns are out of order (expected: {','.join(names)})"))
    return problems


def row_problems(table: RawTable) -> list[Problem]:
    """Rows with the wrong number of cells, blank rows, and cells holding control characters."""
    problems, width = [], len(table.header)
    for cells, line in zip(table.rows, table.lines):
        if not cells:
            problems.append(Problem(table.path, line, None, None, f"row is blank (expected {width} cells)"))
        elif len(cells) != width:
            problems.append(Problem(table.path, line, None, ",".join(cells), f"row has {len(cells)} cells (expected {width}: {','.join(table.header)})"))
        for name, cell in zip(table.header, cells):
            found = CONTROL_CHARACTER.search(cell)
            if found:
                problems.append(Problem(table.path, line, name, cell, f"contains the control character U+{ord(found.group()):04X} (expected printable text)"))
    return problems


def verdict_digest(data_dir: Path, descriptor: dict) -> str:
    """sha256 of what frictionless's verdict depends on: its version, these rules, the descriptor
    and the bytes of every resource file."""
    digest = hashlib.sha256(version("frictionless").encode())
    digest.update(Path(__file__).read_bytes())
    digest.update(json.dumps(descriptor, sort_keys=True).encode())
    for resource in descriptor["resources"]:
        digest.update(resource["path"].encode() + b"\0" + (data_dir / resource["path"]).read_bytes())
    return digest.hexdigest()


def accepted_before(data_dir: Path, descriptor: dict) -> bool:
    """True when frictionless accepted exactly these bytes before."""
    try:
        return (VERDICT_CACHE / verdict_digest(data_dir, descriptor)).exists()
    except OSError:
        return False


def remember_accepted(data_dir: Path, descriptor: dict) -> None:
    """Record frictionless's acceptance of this package; a cache that cannot be written is skipped."""
    try:
        VERDICT_CACHE.mkdir(parents=True, exist_ok=True)
        (VERDICT_CACHE / verdict_digest(data_dir, descriptor)).touch()
    except OSError:
        pass


def frictionless_problems(data_dir: Path, descriptor: dict, raw: dict[str, RawTable], resources: dict[str, dict]) -> list[Problem]:
    """frictionless's report on the whole package (types, constraints, keys), one Problem per error.

    Skipped when frictionless accepted the same bytes before (:func:`accepted_before`)."""
    if accepted_before(data_dir, descriptor):
        return []
    from frictionless import FrictionlessException, Package

    package = Package(descriptor, basepath=str(data_dir))
    problems = []
    try:
        report = package.validate()
    except FrictionlessException as exception:
        return [Problem(Path(package.basepath or "."), None, None, None, f"cannot be validated: {exception.error.note}")]
    for task in report.tasks:
        table, resource = raw[task.name], resources[task.name]
        for error in task.errors:
            if error.type not in REPORTED_HERE:
                problems.append(problem_from_error(error, table, resource))
    if not problems:
        remember_accepted(data_dir, descriptor)
    return problems


def problem_from_error(error, table: RawTable, resource: dict) -> Problem:
    """One frictionless error as a Problem in our words (line, not row number)."""
    fields = {field["name"]: field for field in resource["schema"]["fields"]}
    row_number = getattr(error, "row_number", None)
    line = table.lines[row_number - 2] if row_number and 2 <= row_number < len(table.lines) + 2 else None
    name = getattr(error, "field_name", None)
    cell = getattr(error, "cell", None)
    if error.type == "type-error":
        return Problem(table.path, line, name, cell, type_rule(fields[name]))
    if error.type == "constraint-error":
        constraint = re.search(r'constraint "(\w+)"', error.note).group(1)
        return Problem(table.path, line, name, cell, constraint_rule(fields[name], constraint))
    if error.type in ("unique-error", "primary-key"):
        first = re.search(r"position (\d+)", error.note)
        first_line = table.lines[int(first.group(1)) - 2] if first else None
        key = [name] if error.type == "unique-error" else resource["schema"]["primaryKey"]
        values = [error.cells[table.header.index(column)] for column in key]
        label = key[0] if len(key) == 1 else f"({', '.join(key)})"
        return Problem(table.path, line, label, ", ".join(values), f"duplicate (must be unique; first seen on line {first_line})")
    if error.type == "foreign-key":
        foreign_key = next(fk for fk in resource["schema"]["foreignKeys"] if f'"{",".join(fk["fields"])}"' in error.note)
        values = [error.cells[table.header.index(column)] for column in foreign_key["fields"]]
        target = f"{foreign_key['reference']['resource']}.{','.join(foreign_key['reference']['fields'])}"
        return Problem(table.path, line, ",".join(foreign_key["fields"]), ", ".join(values), f"not found in {target} (expected a known {target})")
    return Problem(table.path, line, name, cell, f"{error.title.lower()}: {error.note}")


def type_rule(field: dict) -> str:
    if field["type"] == "boolean":
        allowed = field.get("trueValues", ["true"]) + field.get("falseValues", ["false"])
        return f"not a boolean (expected {' or '.join(allowed)})"
    return TYPE_RULES.get(field["type"], f"not a valid {field['type']}")


def constraint_rule(field: dict, constraint: str) -> str:
    """The rule a constraint states, in words, with the schema's own value."""
    value = field["constraints"][constraint]
    if constraint == "required":
        return "missing value (the column is required)"
    if constraint == "enum":
        return f"not an allowed value (expected one of: {', '.join(map(str, value))})"
    if constraint == "pattern":
        return f"does not match the pattern {value}"
    if constraint == "minimum":
        return f"below the minimum (expected at least {value})"
    if constraint == "maximum":
        return f"above the maximum (expected at most {value})"
    return f"breaks the constraint {constraint} = {value!r}"


def value_problems(table: RawTable, resource: dict, rows: list[dict], flagged: set[tuple]) -> list[Problem]:
    """What frictionless accepts but we refuse: numbers not in plain digits, beyond int64, not a category."""
    problems = []
    for field in resource["schema"]["fields"]:
        name, kind = field["name"], field.get("type", "string")
        column = table.header.index(name)
        allowed = set(categories(field)) if "categories" in field else None
        for cells, line, row in zip(table.rows, table.lines, rows):
            if (line, name) in flagged or cells[column] == "":
                continue
            if kind in PLAIN_DIGITS and not PLAIN_DIGITS[kind].fullmatch(cells[column]):
                problems.append(Problem(table.path, line, name, cells[column], TYPE_RULES[kind] + "; no spaces, plus sign or leading zeros"))
            elif kind == "integer" and abs(row[name]) > INT64_MAX:
                problems.append(Problem(table.path, line, name, cells[column], f"too large for a 64-bit integer (expected at most {INT64_MAX})"))
            elif allowed is not None and row[name] not in allowed:
                expected = ", ".join(map(str, categories(field)))
                problems.append(Problem(table.path, line, name, cells[column],
                                        f"not a category of the column (expected one of: {expected})"))
    return problems


def typed_value(cell: str, field: dict):
    """A cell frictionless accepted, as a Python value (None for an empty cell; no coercion)."""
    if cell == "":
        return None
    kind = field.get("type", "string")
    if kind == "boolean":
        return True if cell in field.get("trueValues", ["true"]) else False if cell in field.get("falseValues", ["false"]) else None
    if kind in PLAIN_DIGITS and PLAIN_DIGITS[kind].fullmatch(cell):
        return int(cell) if kind == "integer" else float(cell)
    return cell if kind == "string" else None


def typed_rows(table: RawTable, resource: dict) -> list[dict]:
    """Every row of a table as {column: value}, typed by the schema."""
    fields = resource["schema"]["fields"]
    return [{field["name"]: typed_value(cell, field) for field, cell in zip(fields, cells)} for cells in table.rows]


def validate_package(data_dir: Path, descriptor: dict | None = None) -> tuple[dict[str, list[dict]], dict[str, list[int]]]:
    """Validate every table of the package: (typed rows, line numbers) by table name.

    ``descriptor`` is ``read_package(data_dir)`` when the caller has it already.
    Raises DataValidationError listing every problem, ordered by file and line.
    """
    data_dir = Path(data_dir)
    descriptor = descriptor if descriptor is not None else read_package(data_dir)
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    raw, problems = {}, []
    for name, resource in resources.items():
        table, table_problems = read_raw(data_dir / resource["path"], [f["name"] for f in resource["schema"]["fields"]])
        problems += table_problems + (row_problems(table) if table and not table_problems else [])
        raw[name] = table
    if problems:
        raise DataValidationError(problems)
    problems = frictionless_problems(data_dir, descriptor, raw, resources)
    flagged = {(p.line, p.column) for p in problems}
    tables = {name: typed_rows(raw[name], resource) for name, resource in resources.items()}
    for name, resource in resources.items():
        problems += value_problems(raw[name], resource, tables[name], flagged)
    if problems:
        raise DataValidationError(problems)
    return tables, {name: table.lines for name, table in raw.items()}
