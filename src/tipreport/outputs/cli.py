"""Command line: ``python -m tipreport check | build-data | reproduce | site | country NAME``.

Step 4 of 4, outputs: may import from every step (data_in, analysis, charts) and other tipreport.outputs modules."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from tipreport.analysis.completeness import found_vs_published
from tipreport.data_in.load import load_all
from tipreport.data_in.validate import DataValidationError, display_path
from tipreport.fileops import Interrupted, signals_raise_interrupted
from tipreport.paths import DATA_DIR, REFERENCE_DIR


def check(args: argparse.Namespace) -> int:
    """Validate the data package and print coverage per report year."""
    tables = load_all(args.data_dir)
    print(f"data package valid: {display_path(args.data_dir)}")
    width = max(map(len, tables))
    for name, frame in tables.items():
        print(f"  {name:<{width}} {len(frame):>5} rows")
    print("\nTier placements per report year, found vs published (data/published_totals.csv):")
    with pd.option_context("display.width", 160, "display.max_rows", 100):
        print(found_vs_published(tables).to_string())
    return 0


def build_data(args: argparse.Namespace) -> int:
    """Regenerate the reference-derived tables from ../shared/reference."""
    from tipreport.data_in.build_tables import write_tables

    if not REFERENCE_DIR.exists():
        print(f"error: reference data not found at {REFERENCE_DIR}", file=sys.stderr)
        return 2
    for path in write_tables(args.data_dir):
        print(f"wrote {display_path(path)}")
    return check(args)


def reproduce(args: argparse.Namespace) -> int:
    """Validate data/ (as ``check``), then run every notebook and rebuild figures/ (all or nothing)."""
    from tipreport.outputs import run_notebooks

    if Path(args.data_dir).resolve() != DATA_DIR.resolve():
        print(f"error: reproduce runs the notebooks on {display_path(DATA_DIR)}; --data-dir applies to check, "
              "build-data and country", file=sys.stderr)
        return 2
    return check(args) or run_notebooks.main()


def site(args: argparse.Namespace) -> int:
    """Build the static reading site in site/ from the committed notebooks (not re-executed)."""
    from tipreport.outputs.site import main as build_site

    return build_site([])


def country(args: argparse.Namespace) -> int:
    """Print one country's placement in every report year, with the source of each, and the determinations after Tier 3."""
    from tipreport.analysis import determinations
    from tipreport.analysis.country import CountryNotFound, country_record, format_record

    tables = load_all(args.data_dir)
    try:
        record = country_record(args.name, tables)
    except CountryNotFound as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with pd.option_context("display.width", 250, "display.max_colwidth", 200):
        print(format_record(record))
    print()
    print(determinations.format_determinations(
        determinations.country_determinations(determinations.outcomes(tables), record.attrs["iso3"])))
    return 0


#: What Ctrl-C or SIGTERM leaves behind, per command (reproduce's notebook run has its own handler, same promise).
UNCHANGED = {"check": "nothing was written", "country": "nothing was written", "site": "site/ left as it was",
             "build-data": "data/ holds all the old tables or all the new ones; run it again", "reproduce": "notebooks and figures/ left unchanged"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tipreport", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DATA_DIR, help="data package folder (default: data/)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help=check.__doc__).set_defaults(run=check)
    commands.add_parser("build-data", help=build_data.__doc__).set_defaults(run=build_data)
    commands.add_parser("reproduce", help=reproduce.__doc__).set_defaults(run=reproduce)
    commands.add_parser("site", help=site.__doc__).set_defaults(run=site)
    lookup = commands.add_parser("country", help=country.__doc__)
    lookup.add_argument("name", help="country name or ISO3 code, e.g. Cambodia or KHM")
    lookup.set_defaults(run=country)
    args = parser.parse_args(argv)
    try:
        with signals_raise_interrupted():
            return args.run(args)
    except DataValidationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except Interrupted as stop:
        print(f"error: {args.command} interrupted ({stop}); {UNCHANGED[args.command]}", file=sys.stderr)
        return 128 + stop.signum
    except BrokenPipeError:
        # The reader stopped early (``country KHM | head``): not an error. Point stdout at /dev/null so that
        # the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
