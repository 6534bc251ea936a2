"""A corpus of bad inputs: each must be refused whole, with an error naming file, line, column, value and rule."""

import csv
import io

import pytest

from tipreport import DataValidationError, load_all
from tipreport.__main__ import main


def rewrite_cell(path, line, column, value):
    """Set one cell (line numbers as in the file, header = line 1)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[line - 1][rows[0].index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def cell(path, line, column):
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return rows[line - 1][rows[0].index(column)]


def problems_of(data_dir):
    with pytest.raises(DataValidationError) as caught:
        load_all(data_dir)
    return [str(problem) for problem in caught.value.problems]


CELL_CASES = [
    # (file, line, column, bad value, expected rule)
    ("tiers.csv", 5, "tier", "Tier 4",
     "not an allowed value (expected one of: Tier 1, Tier 2, Tier 2 Watch List, Tier 3, Special Case)"),
    ("tiers.csv", 7, "tier", "tier 3",
     "not an allowed value (expected one of: Tier 1, Tier 2, Tier 2 Watch List, Tier 3, Special Case)"),
    ("tiers.csv", 9, "report_year", "2O23", "not an integer (expected whole number digits, e.g. 2023)"),
    ("tiers.csv", 9, "report_year", "1999", "below the minimum (expected at least 2001)"),
    ("tiers.csv", 10, "iso3", "khm", "does not match the pattern [A-Z]{3}"),
    ("tiers.csv", 11, "year_inferred", "yes", "not a boolean (expected true or false)"),
    ("tiers.csv", 12, "tier", "", "missing value (the column is required)"),
    ("law_enforcement.csv", 3, "prosecutions", "4,570",
     "not an integer (expected whole number digits, e.g. 2023)"),
    ("law_enforcement.csv", 4, "convictions", "-3", "below the minimum (expected at least 0)"),
    ("law_enforcement.csv", 5, "convictions", "many", "not an integer (expected whole number digits, e.g. 2023)"),
    ("sources.csv", 2, "kind", "tertiary", "not an allowed value (expected one of: primary, secondary)"),
]


@pytest.mark.parametrize(("name", "line", "column", "bad", "rule"), CELL_CASES)
def test_bad_cell_is_refused_with_file_line_column_value_and_rule(data_copy, name, line, column, bad, rule):
    rewrite_cell(data_copy / name, line, column, bad)
    value = f"value {bad!r}: " if bad else "value '': "
    assert f"data/{name}, line {line}, column '{column}': {value}{rule}" in [
        p.replace(str(data_copy.parent) + "/", "") for p in problems_of(data_copy)
    ]


def test_unknown_iso_code_is_a_foreign_key_error(data_copy):
    rewrite_cell(data_copy / "tiers.csv", 6, "iso3", "XYZ")
    problems = problems_of(data_copy)
    assert any(p.endswith("tiers.csv, line 6, column 'iso3': value 'XYZ': not found in countries.iso3 "
                          "(expected a known countries.iso3)") for p in problems)


def test_source_id_missing_from_register_is_refused(data_copy):
    rewrite_cell(data_copy / "tiers.csv", 8, "source_id", "Sdeadbeef")
    problems = problems_of(data_copy)
    assert any(p.endswith("tiers.csv, line 8, column 'source_id': value 'Sdeadbeef': not found in "
                          "sources.source_id (expected a known sources.source_id)") for p in problems)


def test_duplicate_country_year_is_refused(data_copy):
    path = data_copy / "tiers.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines + [lines[1]]), encoding="utf-8")
    year, iso3 = cell(path, 2, "report_year"), cell(path, 2, "iso3")
    problems = problems_of(data_copy)
    assert any(p.endswith(f"tiers.csv, line {len(lines) + 1}, column '(report_year, iso3)': "
                          f"value '{int(year)}, {iso3}': duplicate (must be unique; first seen on line 2)")
               for p in problems)


def test_missing_column_is_refused(data_copy):
    path = data_copy / "countries.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    column = rows[0].index("southeast_asia")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([r[:column] + r[column + 1:] for r in rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    assert any(p.endswith("countries.csv, line 1, column 'southeast_asia': missing column (required by the schema)")
               for p in problems_of(data_copy))


def test_file_that_is_not_utf8_is_refused(data_copy):
    path = data_copy / "quotes.csv"
    text = path.read_text(encoding="utf-8")
    first_non_ascii = next(i for i, char in enumerate(text) if ord(char) > 127)
    line = text[:first_non_ascii].count("\n") + 1
    path.write_bytes(text.encode("cp1252", errors="replace"))
    byte = text[first_non_ascii].encode("cp1252", errors="replace").hex()
    problems = problems_of(data_copy)
    assert len(problems) == 1
    assert problems[0].endswith(f"quotes.csv, line {line}: file is not UTF-8: byte {byte} cannot be decoded "
                                "(expected UTF-8 text)")


def test_row_with_wrong_number_of_cells_is_refused(data_copy):
    path = data_copy / "events.csv"
    path.write_text(path.read_text(encoding="utf-8") + "E99,2023-01-01\n", encoding="utf-8")
    lines = path.read_text(encoding="utf-8").count("\n")
    assert any(f"events.csv, line {lines}: value 'E99,2023-01-01': row has 2 cells (expected 9:" in p
               for p in problems_of(data_copy))


def test_country_name_that_disagrees_with_countries_table_is_refused(data_copy):
    rewrite_cell(data_copy / "tiers.csv", 4, "country", "Narnia")
    problems = problems_of(data_copy)
    assert any("tiers.csv, line 4, column 'country': value 'Narnia': does not match countries.csv for" in p
               for p in problems)


def test_nothing_is_loaded_when_one_cell_is_bad(data_copy):
    rewrite_cell(data_copy / "tiers.csv", 20, "tier", "Tier 5")
    with pytest.raises(DataValidationError, match="nothing was loaded"):
        load_all(data_copy)


def test_command_line_prints_the_error_and_exits_non_zero(data_copy, capsys):
    rewrite_cell(data_copy / "tiers.csv", 5, "tier", "Tier 4")
    assert main(["--data-dir", str(data_copy), "check"]) == 1
    err = capsys.readouterr().err
    assert "line 5, column 'tier': value 'Tier 4': not an allowed value" in err


def test_command_line_succeeds_on_the_committed_data(capsys):
    assert main(["check"]) == 0
    assert "data package valid" in capsys.readouterr().out
