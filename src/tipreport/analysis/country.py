"""One country's record: its placement in every report year, with the source of each.

``country_record("Cambodia")`` (or ``"KHM"``) returns one row per report year from the
first report to the latest, whether or not the country was placed that year. A year
without a placement is labelled, never filled in:

- ``placed``: the tier found, with its evidence type and source URL;
- ``not found``: the year's list is only partly found (``coverage.year_status``) and this
  country's placement is not among those found;
- ``not in report``: the year's list is complete and the country is not on it, or a source
  says it was not in that report (``not_ranked.csv``, whose source is then given);
- ``part of <predecessor>``: the country was graded as part of a former government
  (``countries.csv`` ``successors`` / ``valid_to``);
- ``succeeded``: a former government, after its last report year.

Moves compare consecutive report years in which the country itself was placed on a
ranked tier (Special Case is outside the order), as every year-over-year comparison here.

Step 2 of 4, analysis: may import tipreport.paths, tipreport.fileops, tipreport.data_in and other tipreport.analysis modules; never charts or outputs."""

from __future__ import annotations

import difflib

import pandas as pd

from tipreport.analysis.completeness import year_status
from tipreport.analysis.movements import WATCH_LIST, consecutive_runs
from tipreport.analysis.tiers import TIER_DTYPE, tier_rank
from tipreport.data_in.load import load_all

STATES = ("placed", "not found", "not in report", "part of predecessor", "succeeded")
COLUMNS = ("report_year", "state", "placement", "tier", "move", "evidence", "source_url", "source_id",
           "disagreement", "year_inferred", "year_status", "note")


class CountryNotFound(LookupError):
    """No country or territory of the data matches the name or code asked for."""

    def __str__(self) -> str:
        return str(self.args[0])


def find_country(countries: pd.DataFrame, name_or_iso3: str) -> str:
    """The ISO3 code of a country given by name or code (case-insensitive), or CountryNotFound."""
    wanted = name_or_iso3.strip()
    codes = dict(zip(countries["iso3"].str.upper(), countries["iso3"]))
    names = dict(zip(countries["country"].str.casefold(), countries["iso3"]))
    if wanted.upper() in codes:
        return codes[wanted.upper()]
    if wanted.casefold() in names:
        return names[wanted.casefold()]
    labels = {key: f"{row.country} ({row.iso3})" for row in countries.itertuples()
              for key in (row.country.casefold(), row.iso3.casefold())}
    close = difflib.get_close_matches(wanted.casefold(), list(labels), n=5, cutoff=0.6)
    suggestions = list(dict.fromkeys(labels[key] for key in close))
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else "; give a name or ISO3 code from data/countries.csv"
    raise CountryNotFound(f"no country or territory {name_or_iso3!r} in data/countries.csv{hint}")


def _successor_map(countries: pd.DataFrame) -> dict[str, list[str]]:
    """Former government → the governments that succeeded it (plain arrays: the site asks for it 600 times)."""
    return {iso3: value.split() for iso3, value in zip(countries["iso3"].to_numpy(), countries["successors"].to_numpy())
            if isinstance(value, str)}


def predecessors(countries: pd.DataFrame, iso3: str) -> list[str]:
    """Former governments this one succeeded, nearest first (reverse lookup of ``successors``)."""
    heirs = _successor_map(countries)
    found, frontier = [], [iso3]
    while frontier:
        code = frontier.pop(0)
        direct = sorted(former for former, codes in heirs.items() if code in codes and former not in found)
        found += direct
        frontier += direct
    return found


def successors(countries: pd.DataFrame, iso3: str) -> list[str]:
    """The governments that succeeded a former one (empty for a current government)."""
    return _successor_map(countries).get(iso3, [])


def history(iso3: str, tables: dict[str, pd.DataFrame], status: pd.DataFrame) -> pd.DataFrame:
    """The record of ``iso3`` for every report year of ``status`` (see the module docstring).

    ``tables`` needs ``tiers``, ``countries`` and ``not_ranked``; ``status`` is indexed by
    report year with columns ``complete`` and ``status`` (``coverage.year_status``).
    """
    frame = histories([iso3], tables, status)
    return frame.drop(columns="iso3").reset_index(drop=True)


def histories(iso3s, tables: dict[str, pd.DataFrame], status: pd.DataFrame) -> pd.DataFrame:
    """The records of several countries in one frame (column ``iso3``, then :data:`COLUMNS`)."""
    tiers, countries = tables["tiers"], tables["countries"]
    unranked = {(row["iso3"], row["report_year"]): row for row in tables["not_ranked"].to_dict("records")}
    names = dict(zip(countries["iso3"], countries["country"]))
    valid_to = dict(zip(countries["iso3"], countries["valid_to"]))
    placed: dict[str, dict[int, dict]] = {}
    for row in tiers[tiers["iso3"].isin(list(iso3s))].to_dict("records"):
        placed.setdefault(row["iso3"], {})[row["report_year"]] = row
    complete = dict(zip(status.index, status["complete"]))
    labels = dict(zip(status.index, status["status"].astype(str)))
    records = []
    for iso3 in iso3s:
        rows, ancestors, last_year = placed.get(iso3, {}), predecessors(countries, iso3), valid_to.get(iso3)
        for year in (int(year) for year in status.index):
            record = {"iso3": iso3, "report_year": year, "year_status": labels[year]}
            if year in rows:
                row = rows[year]
                record |= {"state": "placed", "placement": str(row["tier"]), "tier": str(row["tier"]),
                           "evidence": row["source_type"], "source_url": row["source_url"],
                           "source_id": row["source_id"], "disagreement": bool(row["disagreement"]),
                           "year_inferred": bool(row["year_inferred"]), "note": row["source_note"]}
            elif pd.notna(last_year) and year > int(last_year):
                heirs = _and([names[code] for code in successors(countries, iso3)])
                record |= {"state": "succeeded", "placement": f"succeeded by {heirs}"}
            elif (graded_as := _graded_as(year, ancestors, valid_to)) is not None:
                record |= {"state": "part of predecessor", "placement": f"graded as part of {names[graded_as]}",
                           "note": graded_as}
            elif (iso3, year) in unranked:
                row = unranked[iso3, year]
                record |= {"state": "not in report", "placement": "not in the report", "evidence": "stated",
                           "source_url": row["source_url"], "source_id": row["source_id"], "note": row["evidence_phrase"]}
            elif bool(complete[year]):
                record |= {"state": "not in report", "placement": "not in the report"}
            else:
                record |= {"state": "not found", "placement": f"not found ({record['year_status']})"}
            records.append(record)
    frame = pd.DataFrame.from_records(records, columns=["iso3", *COLUMNS])
    frame["tier"] = frame["tier"].astype("string").astype(TIER_DTYPE)
    frame["move"] = moves(frame["report_year"], frame["tier"], frame["iso3"])
    for column in ("disagreement", "year_inferred"):
        frame[column] = frame[column].astype("boolean")
    for column in ("iso3", "state", "placement", "evidence", "source_url", "source_id", "year_status", "note"):
        frame[column] = frame[column].astype("string")
    return frame


def _and(names: list[str]) -> str:
    return " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]


def _graded_as(year: int, ancestors: list[str], valid_to: dict) -> str | None:
    """The former government a country was graded as part of in ``year`` (the oldest still valid)."""
    for code in reversed(ancestors):
        if pd.notna(valid_to[code]) and year <= int(valid_to[code]):
            return code
    return None


def moves(years: pd.Series, tiers: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """'up', 'down' or 'same' against the previous report year when both are ranked; else <NA>.

    ``groups`` (e.g. ISO3 codes) keeps rows of different countries from being compared.
    """
    rank = tier_rank(tiers).reset_index(drop=True)
    previous = rank.shift(1)
    consecutive = years.reset_index(drop=True).diff() == 1
    if groups is not None:
        groups = groups.reset_index(drop=True)
        consecutive &= groups == groups.shift(1)
    move = pd.Series(pd.NA, index=rank.index, dtype="string")
    both = consecutive & rank.notna() & previous.notna()
    move[both & (rank < previous)] = "up"
    move[both & (rank > previous)] = "down"
    move[both & (rank == previous)] = "same"
    move.index = tiers.index
    return move


def watch_list_spells(record: pd.DataFrame) -> list[tuple[int, int]]:
    """(first, last) report years of each run of consecutive Tier 2 Watch List placements."""
    return consecutive_runs(int(year) for year, tier in zip(record["report_year"], record["tier"]) if tier == WATCH_LIST)


def country_record(name_or_iso3: str, tables: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The record of one country (name or ISO3) in every report year, first to latest."""
    tables = load_all() if tables is None else tables
    iso3 = find_country(tables["countries"], name_or_iso3)
    record = history(iso3, tables, year_status(tables))
    record.attrs.update(iso3=iso3, country=tables["countries"].set_index("iso3").at[iso3, "country"])
    return record


def current_placement(record: pd.DataFrame) -> str:
    """The latest report's placement, or what the latest report year says about the country."""
    latest = record.iloc[-1]
    placed = record[record["state"] == "placed"]
    if latest["state"] == "placed":
        return f"{latest['placement']} in the {latest['report_year']} report"
    last = f"last placement found: {placed.iloc[-1]['placement']} in {placed.iloc[-1]['report_year']}" \
        if len(placed) else "no placement found"
    if latest["state"] == "succeeded":
        return f"former government, {latest['placement']}; {last}"
    return f"{latest['placement']} in the {latest['report_year']} report; {last}"


def format_record(record: pd.DataFrame) -> str:
    """The record as a plain-text table with the source of every placement."""
    table = pd.DataFrame({
        "year": record["report_year"],
        "placement": record["placement"],
        "move": record["move"].fillna(""),
        "evidence": record["evidence"].fillna(""),
        "flags": [" ".join(flag for flag, on in (("disagreement", d), ("year inferred", i)) if pd.notna(on) and on)
                  for d, i in zip(record["disagreement"], record["year_inferred"])],
        "source": record["source_url"].fillna(""),
    })
    left = {column: f"{{:<{table[column].str.len().max()}}}".format for column in table.columns[1:]}
    header = f"{record.attrs['country']} ({record.attrs['iso3']}): {current_placement(record)}"
    return header + "\n\n" + table.to_string(index=False, justify="left", formatters=left)
