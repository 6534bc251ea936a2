"""A corpus of bad inputs: each is refused whole, with the exact one-line message a user would see.

Every case breaks one thing in a copy of a small package (data/ with its long tables cut
short, still valid) and asserts the complete list of problems reported (file, line, column,
value and rule), so a message that changes, disappears or gains a companion fails the test.
"""

import csv
import io
import json
import shutil

import pandas as pd
import pytest

from tipreport import DataValidationError, load_all, load_table
from tipreport.data_in.load import _CACHE, _cache_key
from tipreport.data_in.validate import INT64_MAX
from tipreport.outputs.cli import main
from tipreport.paths import DATA_DIR

INTEGER = "not an integer (expected whole number digits, e.g. 2023)"
PLAIN = INTEGER + "; no spaces, plus sign or leading zeros"


def read_rows(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path, rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def write_rows_with(path, rows, delimiter):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def set_cell(name, line, column, value):
    """A mutation: set one cell (line numbers as in the file, header = line 1)."""
    def mutate(data):
        rows = read_rows(data / name)
        rows[line - 1][rows[0].index(column)] = value
        write_rows(data / name, rows)
    return mutate


def edit_text(name, change):
    """A mutation: rewrite a file's text with change(text)."""
    def mutate(data):
        path = data / name
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return mutate


def edit_descriptor(change):
    """A mutation: change(descriptor) edits datapackage.json in place."""
    def mutate(data):
        path = data / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        change(descriptor)
        path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return mutate


def resource(descriptor, name):
    return next(r for r in descriptor["resources"] if r["name"] == name)


def field(descriptor, table, name):
    return next(f for f in resource(descriptor, table)["schema"]["fields"] if f["name"] == name)


#: Rules are read from the schema, never re-typed: the messages must quote what it says.
DESCRIPTOR = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))


def schema_field(table, column):
    return field(DESCRIPTOR, table, column)


def columns(table):
    return ",".join(f["name"] for f in resource(DESCRIPTOR, table)["schema"]["fields"])


def allowed(table, column):
    return ", ".join(schema_field(table, column)["constraints"]["enum"])


def constraint(table, column, name):
    return schema_field(table, column)["constraints"][name]


TIERS = allowed("tiers", "tier")

def drop_column(name, column):
    def mutate(data):
        rows = read_rows(data / name)
        index = rows[0].index(column)
        write_rows(data / name, [row[:index] + row[index + 1:] for row in rows])
    return mutate


def swap_columns(name, first, second):
    def mutate(data):
        rows = read_rows(data / name)
        i, j = rows[0].index(first), rows[0].index(second)
        for row in rows:
            row[i], row[j] = row[j], row[i]
        write_rows(data / name, rows)
    return mutate


def repeat_line(name, line):
    """A mutation: insert a copy of a line right after it."""
    def change(text):
        lines = text.splitlines(keepends=True)
        return "".join(lines[:line] + [lines[line - 1]] + lines[line:])
    return edit_text(name, change)


def add_enum_value_without_category(descriptor):
    field(descriptor, "tiers", "tier")["constraints"]["enum"].append("Tier 4")


CASES = {
    # cells that break a type or a constraint
    "enum": (set_cell("tiers.csv", 5, "tier", "Tier 4"),
             [f"data/tiers.csv, line 5, column 'tier': value 'Tier 4': not an allowed value (expected one of: {TIERS})"]),
    "enum is case-sensitive": (set_cell("tiers.csv", 7, "tier", "tier 3"),
                               [f"data/tiers.csv, line 7, column 'tier': value 'tier 3': not an allowed value (expected one of: {TIERS})"]),
    "letter in a year": (set_cell("tiers.csv", 9, "report_year", "2O01"),
                         [f"data/tiers.csv, line 9, column 'report_year': value '2O01': {INTEGER}"]),
    "year below the minimum": (set_cell("tiers.csv", 9, "report_year", "1999"),
                               [f"data/tiers.csv, line 9, column 'report_year': value '1999': below the minimum (expected at least {constraint('tiers', 'report_year', 'minimum')})"]),
    "space before a year": (set_cell("tiers.csv", 9, "report_year", " 2001"),
                            [f"data/tiers.csv, line 9, column 'report_year': value ' 2001': {PLAIN}"]),
    "leading zero in a year": (set_cell("tiers.csv", 9, "report_year", "02001"),
                               [f"data/tiers.csv, line 9, column 'report_year': value '02001': {PLAIN}"]),
    "plus sign": (set_cell("quotes.csv", 3, "paragraph", "+1"),
                  [f"data/quotes.csv, line 3, column 'paragraph': value '+1': {PLAIN}"]),
    "pattern": (set_cell("sources.csv", 2, "date", "15/06/2023"),
                [f"data/sources.csv, line 2, column 'date': value '15/06/2023': does not match the pattern {constraint('sources', 'date', 'pattern')}"]),
    "pattern and unknown key both reported": (set_cell("countries.csv", 3, "region_source_id", "sa378e7fe"),
                                              [f"data/countries.csv, line 3, column 'region_source_id': value 'sa378e7fe': does not match the pattern {constraint('countries', 'region_source_id', 'pattern')}",
                                               "data/countries.csv, line 3, column 'region_source_id': value 'sa378e7fe': not found in sources.source_id (expected a known sources.source_id)"]),
    "boolean word": (set_cell("tiers.csv", 11, "year_inferred", "yes"),
                     ["data/tiers.csv, line 11, column 'year_inferred': value 'yes': not a boolean (expected true or false)"]),
    "boolean in capitals": (set_cell("tiers.csv", 11, "year_inferred", "TRUE"),
                            ["data/tiers.csv, line 11, column 'year_inferred': value 'TRUE': not a boolean (expected true or false)"]),
    "required cell empty": (set_cell("tiers.csv", 12, "tier", ""),
                            ["data/tiers.csv, line 12, column 'tier': value '': missing value (the column is required)"]),
    "thousands separator": (set_cell("law_enforcement.csv", 3, "prosecutions", "4,570"),
                            [f"data/law_enforcement.csv, line 3, column 'prosecutions': value '4,570': {INTEGER}"]),
    "negative count": (set_cell("law_enforcement.csv", 4, "convictions", "-3"),
                       [f"data/law_enforcement.csv, line 4, column 'convictions': value '-3': below the minimum (expected at least {constraint('law_enforcement', 'convictions', 'minimum')})"]),
    "word for a count": (set_cell("law_enforcement.csv", 5, "convictions", "many"),
                         [f"data/law_enforcement.csv, line 5, column 'convictions': value 'many': {INTEGER}"]),
    "number too large for int64": (set_cell("law_enforcement.csv", 5, "convictions", str(INT64_MAX + 1)),
                                   [f"data/law_enforcement.csv, line 5, column 'convictions': value '{INT64_MAX + 1}': "
                                    f"too large for a 64-bit integer (expected at most {INT64_MAX})"]),
    "number with a comma decimal": (set_cell("article_numbers.csv", 2, "value", "2,5"),
                                    ["data/article_numbers.csv, line 2, column 'value': value '2,5': "
                                     "not a number (expected digits, e.g. 4570 or 2.5, no thousands separators)"]),
    "source kind": (set_cell("sources.csv", 2, "kind", "tertiary"),
                    [f"data/sources.csv, line 2, column 'kind': value 'tertiary': not an allowed value (expected one of: {allowed('sources', 'kind')})"]),
    "NUL in a cell": (set_cell("quotes.csv", 2, "speaker", "U.S.\x00"),
                      ["data/quotes.csv, line 2, column 'speaker': value 'U.S.\\x00': contains the control character U+0000 (expected printable text)"]),
    "escape character in a cell": (set_cell("tiers.csv", 2, "name_in_source", "Alba\x1bnia"),
                                   ["data/tiers.csv, line 2, column 'name_in_source': value 'Alba\\x1bnia': contains the control character U+001B (expected printable text)"]),
    # keys
    "unknown country code": (set_cell("tiers.csv", 6, "iso3", "XYZ"),
                             ["data/tiers.csv, line 6, column 'iso3': value 'XYZ': not found in countries.iso3 (expected a known countries.iso3)"]),
    "source not in the register": (set_cell("tiers.csv", 8, "source_id", "Sdeadbeef"),
                                   ["data/tiers.csv, line 8, column 'source_id': value 'Sdeadbeef': not found in sources.source_id (expected a known sources.source_id)"]),
    "duplicate country-year": (repeat_line("tiers.csv", 2),
                               ["data/tiers.csv, line 3, column '(report_year, iso3)': value '2001, ALB': duplicate (must be unique; first seen on line 2)"]),
    "duplicate unique value": (set_cell("countries.csv", 3, "country", "Aruba"),
                               ["data/countries.csv, line 3, column 'country': value 'Aruba': duplicate (must be unique; first seen on line 2)"]),
    # header and rows
    "missing column": (drop_column("countries.csv", "southeast_asia"),
                       ["data/countries.csv, line 1, column 'southeast_asia': missing column (required by the schema)"]),
    "unexpected column": (edit_text("events.csv", lambda t: t.replace("\n", ",x\n", 1)),
                          [f"data/events.csv, line 1, column 'x': unexpected column (expected only: {columns('events')})"]),
    "columns out of order": (swap_columns("not_ranked.csv", "iso3", "country"),
                             [f"data/not_ranked.csv, line 1: value '{columns('not_ranked').replace('iso3,country', 'country,iso3')}': "
                              f"columns are out of order (expected: {columns('not_ranked')})"]),
    "row with too few cells": (edit_text("events.csv", lambda t: t + "E99,2023-01-01\n"),
                               [f"data/events.csv, line 14: value 'E99,2023-01-01': row has 2 cells (expected 9: {columns('events')})"]),
    "blank row": (edit_text("report_excerpts.csv", lambda t: t + "\n"),
                  ["data/report_excerpts.csv, line 8: row is blank (expected 9 cells)"]),
    "header but no rows": (edit_text("not_ranked.csv", lambda t: t.splitlines(keepends=True)[0]),
                           ["data/not_ranked.csv: has a header but no rows (expected at least one data row)"]),
    "empty file": (edit_text("not_ranked.csv", lambda t: ""),
                   [f"data/not_ranked.csv, line 1: file is empty (expected header: {columns('not_ranked')})"]),
    "unclosed quote": (edit_text("events.csv", lambda t: t + 'E99,1,"never closed\n'),
                       ["data/events.csv, line 14: is not valid CSV (unexpected end of data)"]),
    "file missing": (lambda data: (data / "not_ranked.csv").unlink(),
                     ["data/not_ranked.csv: file is missing (listed in datapackage.json)"]),
    # tables that disagree with each other
    "country name differs from countries.csv": (set_cell("tiers.csv", 4, "country", "Narnia"),
                                                ["data/tiers.csv, line 4, column 'country': value 'Narnia': does not match countries.csv for AUT (expected 'Austria')"]),
    "region differs from countries.csv": (set_cell("tiers.csv", 4, "region", "Africa"),
                                          ["data/tiers.csv, line 4, column 'region': value 'Africa': does not match countries.csv for AUT (expected 'Europe')"]),
    "deduction names a country differently": (set_cell("tier2_by_elimination.csv", 2, "country", "Alto Peru"),
                                              ["data/tier2_by_elimination.csv, line 2, column 'country': value 'Alto Peru': "
                                               "does not match countries.csv for BOL (expected 'Bolivia')"]),
    # the descriptor
    "enum value the categories lack": (edit_descriptor(add_enum_value_without_category),
                                       ["data/datapackage.json: resource 'tiers', field 'tier': enum value(s) ['Tier 4'] are not in its "
                                        "categories (expected every allowed value to be a category)"]),
    "descriptor is not JSON": (edit_text("datapackage.json", lambda t: t.replace('"resources": [', '"resources": [,', 1)),
                               ["data/datapackage.json, line 22: is not valid JSON (Expecting value at column 17)"]),
    "descriptor without resources": (edit_descriptor(lambda d: d.pop("resources")),
                                     ["data/datapackage.json: has no list of resources (expected \"resources\": [...])"]),
    "resource without a schema": (edit_descriptor(lambda d: resource(d, "events").pop("schema")),
                                  ["data/datapackage.json: resource 'events' has no schema.fields (expected name, path and schema.fields)"]),
    "resource path leaving data/": (edit_descriptor(lambda d: resource(d, "events").update(path="../events.csv")),
                                    ["data/datapackage.json: value '../events.csv': resource 'events': the path leaves the package "
                                     "folder (expected a file inside data/)"]),
    "absolute resource path": (edit_descriptor(lambda d: resource(d, "events").update(path="/etc/passwd")),
                               ["data/datapackage.json: value '/etc/passwd': resource 'events': the path leaves the package "
                                "folder (expected a file inside data/)"]),
    "unknown field type": (edit_descriptor(lambda d: field(d, "events", "paragraph").update(type="whole")),
                           ["data/datapackage.json: resource 'events', field 'paragraph': type 'whole' cannot be loaded "
                            "(expected one of: string, integer, number, boolean)"]),
    "a type the loader would not keep": (edit_descriptor(lambda d: field(d, "events", "date").update(type="date")),
                                         ["data/datapackage.json: resource 'events', field 'date': type 'date' cannot be loaded "
                                          "(expected one of: string, integer, number, boolean)"]),
    "licenses not a list": (edit_descriptor(lambda d: d.update(licenses="MIT")),
                            ["data/datapackage.json: 'MIT' is not of type 'array' at property 'licenses' "
                             "(expected a valid Data Package descriptor)"]),
    "pattern on an integer field": (edit_descriptor(lambda d: field(d, "tiers", "report_year")["constraints"].update(pattern="[0-9]{4}")),
                                    ["data/datapackage.json: constraint \"pattern\" is not supported by type \"integer\" "
                                     "(expected a valid Data Package descriptor)"]),
    # the folder damaged rather than a value
    "a folder where a table should be": (lambda data: ((data / "events.csv").unlink(), (data / "events.csv").mkdir()),
                                         ["data/events.csv: is a folder (expected a file)"]),
    "a folder where the descriptor should be": (lambda data: ((data / "datapackage.json").unlink(), (data / "datapackage.json").mkdir()),
                                                ["data/datapackage.json: is a folder (expected a file)"]),
    "the data folder is missing": (shutil.rmtree, ["data: folder is missing (expected the data package folder, with datapackage.json)"]),
    "the article is missing": (lambda data: shutil.rmtree(data / "article"),
                               ["data/article/cambodja-news-2023-tip-report.txt: file is missing (the article tables are checked against it)"]),
    "a spreadsheet saved a table with semicolons": (
        lambda data: write_rows_with(data / "events.csv", read_rows(data / "events.csv"), ";"),
        ["data/events.csv, line 1: columns are separated by semicolons, as some spreadsheets save CSV "
         "(expected commas: save as 'CSV UTF-8 (comma delimited)')"]),
    "a spreadsheet saved a table as UTF-16": (
        lambda data: (data / "events.csv").write_bytes((data / "events.csv").read_text(encoding="utf-8").encode("utf-16")),
        ["data/events.csv, line 1: file is UTF-16, as a spreadsheet's 'Unicode text' saves it (expected UTF-8: save as 'CSV UTF-8')"]),
    "a spreadsheet saved a table in Windows-1252": (
        lambda data: (data / "quotes.csv").write_bytes((data / "quotes.csv").read_text(encoding="utf-8").encode("cp1252", errors="replace")),
        ["data/quotes.csv, line 5: file is not UTF-8: byte 92 cannot be decoded (expected UTF-8 text)"]),
    "resource the analysis needs is missing": (edit_descriptor(lambda d: d["resources"].remove(resource(d, "tiers"))),
                                               ["data/datapackage.json: resource 'tiers' is missing (the tier analysis needs it)"]),
}


#: Tables with more rows than this are cut in the small package: to their first FIRST_ROWS rows
#: (so a line number below FIRST_ROWS + 2 names the same row as in data/) and the rows these refer to.
LONG_TABLE = 100
FIRST_ROWS = 30


def add_referenced_rows(tables: dict[str, list[list[str]]], kept: dict[str, set[int]]) -> None:
    """Add to ``kept`` (row indexes, header excluded) every row a kept row refers to by a foreign key."""
    changed = True
    while changed:
        changed = False
        for resource in DESCRIPTOR["resources"]:
            header, *body = tables[resource["name"]]
            for key in resource["schema"].get("foreignKeys", []):
                target_header, *target_body = tables[key["reference"]["resource"]]
                wanted = {tuple(body[i][header.index(c)] for c in key["fields"]) for i in kept[resource["name"]]}
                found = {i for i, row in enumerate(target_body)
                         if tuple(row[target_header.index(c)] for c in key["reference"]["fields"]) in wanted}
                if not found <= kept[key["reference"]["resource"]]:
                    kept[key["reference"]["resource"]] |= found
                    changed = True


def add_rows_the_rules_read(tables: dict[str, list[list[str]]], kept: dict[str, set[int]]) -> None:
    """Keep what the rules of meaning read beyond foreign keys: every placement of a country with a
    deduction (its stated last placement is checked) and every source a ``source_ids`` list names."""
    header, *body = tables["tier2_by_elimination"]
    deduced = {body[i][header.index("iso3")] for i in kept["tier2_by_elimination"]}
    tier_header, *tier_body = tables["tiers"]
    kept["tiers"] |= {i for i, row in enumerate(tier_body) if row[tier_header.index("iso3")] in deduced}
    listed = set()
    for name, (header, *body) in tables.items():
        if "source_ids" in header:
            listed |= {sid for i in kept[name] for sid in body[i][header.index("source_ids")].split()}
    source_header, *source_body = tables["sources"]
    kept["sources"] |= {i for i, row in enumerate(source_body) if row[source_header.index("source_id")] in listed}


@pytest.fixture(scope="module")
def small_package(tmp_path_factory):
    """data/ with every long table cut to its first rows plus the rows they refer to, in the original order."""
    tables = {r["name"]: read_rows(DATA_DIR / r["path"]) for r in DESCRIPTOR["resources"]}
    kept = {name: set(range(FIRST_ROWS if len(rows) - 1 > LONG_TABLE else len(rows) - 1)) for name, rows in tables.items()}
    add_referenced_rows(tables, kept)
    add_rows_the_rules_read(tables, kept)
    add_referenced_rows(tables, kept)
    target = tmp_path_factory.mktemp("small") / "data"
    target.mkdir()
    shutil.copy(DATA_DIR / "datapackage.json", target)
    shutil.copytree(DATA_DIR / "article", target / "article")
    for resource in DESCRIPTOR["resources"]:
        header, *body = tables[resource["name"]]
        write_rows(target / resource["path"], [header] + [row for i, row in enumerate(body) if i in kept[resource["name"]]])
    return target


@pytest.fixture
def small_copy(small_package, tmp_path):
    """A copy of the small package that a test may break."""
    return shutil.copytree(small_package, tmp_path / "data")


def test_the_small_package_is_valid_and_begins_as_data_does(small_package):
    """The package every case breaks is valid as it stands, so a case's messages come from its mutation
    alone; its short tables are data/'s files and its long ones begin with the same lines."""
    assert FIRST_ROWS <= len(load_all(small_package)["tiers"]) < len(load_all()["tiers"])
    for resource in DESCRIPTOR["resources"]:
        small, full = ((folder / resource["path"]).read_text(encoding="utf-8").splitlines() for folder in (small_package, DATA_DIR))
        if len(full) - 1 > LONG_TABLE:
            assert small[:FIRST_ROWS + 1] == full[:FIRST_ROWS + 1] and len(small) < len(full), resource["name"]
        else:
            assert small == full, resource["name"]


def messages(data_dir):
    """The problems that refuse the package in ``data_dir``, its folder shown as data/."""
    with pytest.raises(DataValidationError) as caught:
        load_all(data_dir)
    return [str(problem).replace(str(data_dir.parent) + "/", "") for problem in caught.value.problems]


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_with_one_exact_line(small_copy, case):
    mutate, expected = CASES[case]
    mutate(small_copy)
    assert messages(small_copy) == expected


def test_the_corpus_has_at_least_30_cases():
    assert len(CASES) >= 30


def test_a_file_that_is_not_utf8_names_the_line_not_a_byte_offset(small_copy):
    path = small_copy / "quotes.csv"
    text = path.read_text(encoding="utf-8")
    first_non_ascii = next(i for i, char in enumerate(text) if ord(char) > 127)
    line = text[:first_non_ascii].count("\n") + 1
    path.write_bytes(text.encode("cp1252", errors="replace"))
    byte = text[first_non_ascii].encode("cp1252", errors="replace").hex()
    assert messages(small_copy) == [f"data/quotes.csv, line {line}: file is not UTF-8: byte {byte} cannot be decoded "
                                    "(expected UTF-8 text)"]


def test_problems_are_ordered_by_file_and_line(small_copy):
    set_cell("tiers.csv", 30, "tier", "Tier 9")(small_copy)
    set_cell("tiers.csv", 3, "tier", "Tier 8")(small_copy)
    set_cell("countries.csv", 5, "southeast_asia", "no")(small_copy)
    found = messages(small_copy)
    assert [m.split(":")[0] for m in found] == ["data/countries.csv, line 5, column 'southeast_asia'",
                                                "data/tiers.csv, line 3, column 'tier'", "data/tiers.csv, line 30, column 'tier'"]


def test_one_bad_cell_refuses_every_table_and_leaves_nothing_cached(small_copy):
    assert len(load_table("countries", small_copy)) > 0  # the copy loads while it is valid
    set_cell("tiers.csv", 20, "tier", "Tier 5")(small_copy)
    with pytest.raises(DataValidationError):
        load_table("countries", small_copy)  # countries.csv is fine, but the package is refused whole
    assert _cache_key(small_copy) not in _CACHE


def test_a_value_in_the_enum_is_never_turned_into_a_missing_category(small_copy):
    edit_descriptor(add_enum_value_without_category)(small_copy)
    set_cell("tiers.csv", 5, "tier", "Tier 4")(small_copy)
    assert all("Tier 4" in message for message in messages(small_copy))


def test_command_line_prints_the_error_and_exits_non_zero(small_copy, capsys):
    set_cell("tiers.csv", 5, "tier", "Tier 4")(small_copy)
    assert main(["--data-dir", str(small_copy), "check"]) == 1
    err = capsys.readouterr().err
    assert "line 5, column 'tier': value 'Tier 4': not an allowed value" in err
    assert "Traceback" not in err


@pytest.fixture
def notebook_runs(monkeypatch) -> list:
    """Calls of the notebook runner, which records them instead of running anything."""
    from tipreport.outputs import run_notebooks

    calls = []
    monkeypatch.setattr(run_notebooks, "main", lambda *args: calls.append(args) or 0)
    return calls


def test_reproduce_refuses_data_that_does_not_validate_before_running_a_notebook(small_copy, capsys, monkeypatch,
                                                                                  notebook_runs):
    from tipreport.outputs import cli

    set_cell("tiers.csv", 5, "tier", "Tier 4")(small_copy)
    monkeypatch.setattr(cli, "load_all", lambda data_dir: load_all(small_copy))  # as if data/ were broken so
    assert main(["reproduce"]) == 1
    assert "line 5, column 'tier': value 'Tier 4': not an allowed value" in capsys.readouterr().err
    assert notebook_runs == [], "no notebook runs on data that does not validate"


def test_reproduce_runs_the_notebooks_once_the_data_validates(notebook_runs, capsys):
    assert main(["reproduce"]) == 0
    assert notebook_runs == [()] and "data package valid" in capsys.readouterr().out


def test_reproduce_refuses_another_data_folder_than_the_one_the_notebooks_read(small_copy, capsys, notebook_runs):
    assert main(["--data-dir", str(small_copy), "reproduce"]) == 2
    assert "reproduce runs the notebooks on data" in capsys.readouterr().err and notebook_runs == []


def test_command_line_succeeds_on_the_committed_data(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "data package valid" in out and "found vs published" in out


def test_frictionless_is_asked_again_whenever_a_byte_of_the_package_changes(small_copy, monkeypatch):
    import frictionless

    load_all(small_copy)  # accepted: the verdict is remembered for these bytes
    _CACHE.clear()

    def fail(*args, **kwargs):
        raise AssertionError("frictionless validated the package again")

    monkeypatch.setattr(frictionless.Package, "validate", fail)
    assert len(load_all(small_copy)["tiers"]) > 0  # same bytes: the remembered verdict stands
    _CACHE.clear()
    rows = read_rows(small_copy / "events.csv")
    set_cell("events.csv", 2, "note", rows[1][rows[0].index("note")] + " (edited)")(small_copy)
    with pytest.raises(AssertionError, match="validated the package again"):
        load_all(small_copy)


def test_a_remembered_verdict_never_hides_an_error_frictionless_finds(small_copy):
    load_all(small_copy)
    _CACHE.clear()
    rows = read_rows(small_copy / "tiers.csv")
    write_rows(small_copy / "tiers.csv", rows + [rows[1]])  # a duplicate country-year: frictionless's primary key check
    with pytest.raises(DataValidationError, match="tiers.csv"):
        load_all(small_copy)


@pytest.mark.parametrize("change", [
    lambda raw: raw.replace(b"\n", b"\r\n"),          # Windows line ends, as a spreadsheet saves them
    lambda raw: b"\xef\xbb\xbf" + raw,                 # a byte-order mark, as 'CSV UTF-8' saves it
    lambda raw: raw.rstrip(b"\n"),                     # no newline after the last row
], ids=["windows line ends", "byte-order mark", "no final newline"])
def test_a_spreadsheet_save_that_keeps_the_values_loads_the_same_values(small_package, tmp_path, change):
    copy = shutil.copytree(small_package, tmp_path / "data")
    for name in ("quotes.csv", "tiers.csv", "countries.csv"):
        (copy / name).write_bytes(change((copy / name).read_bytes()))
    saved, original = load_all(copy), load_all(small_package)
    for name in original:
        pd.testing.assert_frame_equal(saved[name], original[name])
