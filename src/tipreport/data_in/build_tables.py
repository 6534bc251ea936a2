"""Build the reference-derived tables in ``data/`` from ``../shared/reference/``.

``tiers.csv``, ``countries.csv``, ``published_totals.csv``, ``not_ranked.csv``,
``tier2_by_elimination.csv``, ``law_enforcement.csv``, the President's determinations
(``determinations.csv``, ``determination_documents.csv``), the Watch List law and its
waivers (``watch_list_statute.csv``, ``watch_list_waivers.csv``), the state-sponsored
lists (``state_sponsored.csv``, ``state_sponsored_statute.csv``) and ``sources.csv`` are
written by this module, deterministically, so every row traces back to a row of
the verified reference data (or, for the successors of former governments, of
``curation/former_governments.csv``). The article tables (quotes, numbers, events)
are curated by hand; their sources come from ``curation/manual_sources.csv``.
Run ``python -m tipreport build-data``; a test checks the committed files match.

Step 1 of 4, data in: may import tipreport.paths, tipreport.fileops and other tipreport.data_in modules only."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path
from urllib.parse import urlparse

from tipreport.fileops import write_texts_together
from tipreport.paths import DATA_DIR, REFERENCE_DIR, REPO_ROOT

ARTICLE_URL = "https://cambojanews.com/cambodia-fails-to-meet-minimum-standards-for-combating-human-trafficking-us-govt-reports/"
MANUAL_SOURCES = REPO_ROOT / "curation" / "manual_sources.csv"
FORMER_GOVERNMENTS = REPO_ROOT / "curation" / "former_governments.csv"
ADDED_TOTALS = REPO_ROOT / "curation" / "published_totals_added.csv"

#: The article's comparison group: the 10 ASEAN members and Timor-Leste.
SOUTHEAST_ASIA = ("BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "TLS", "VNM")
PRIMARY_HOSTS = ("state.gov", "usembassy.gov")
LAW_ENFORCEMENT_COLUMNS = (
    "prosecutions", "prosecutions_labor", "convictions", "convictions_labor",
    "victims_identified", "victims_identified_labor", "new_or_amended_legislation",
)
SOURCE_COLUMNS = ("source_id", "title", "publisher", "url", "date", "kind", "retrieved_note")
#: Section 110(d) provisions in the order a determination applies them (determinations.csv).
DETERMINATION_PROVISIONS = ("d1Ai", "d1Aii", "d1B", "d3", "d4_full", "d4_partial", "other")
TOTAL_COLUMNS = ("countries_ranked", "tier1", "tier2", "watch_list", "tier3", "special_cases")


def source_id(url: str) -> str:
    """Stable id of a source: S + first 8 hex digits of the SHA-1 of its URL."""
    return "S" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:8]


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def csv_text(columns, rows) -> str:
    """CSV with a header, '\\n' line ends and minimal quoting."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def flag(value: bool) -> str:
    return "true" if value else "false"


def host(url: str) -> str:
    return urlparse(url).netloc


def source_kind(url: str) -> str:
    """primary for State Department and U.S. embassy pages, secondary for everything else."""
    name = host(url)
    return "primary" if any(name == h or name.endswith("." + h) for h in PRIMARY_HOSTS) else "secondary"


def build_countries(reference: Path, former: list[dict]) -> tuple[list[dict], dict]:
    """One row per ISO code; former governments get their successors' region, marked derived."""
    names = read_csv(reference / "tiers" / "country_names.csv")
    canonical = {row["iso3"]: row["canonical_name"] for row in names}
    regions = {row["iso3"]: row for row in read_csv(reference / "regions" / "regions.csv")}
    last_year = {}
    name_to_iso3 = {row["name_as_in_source"]: row["iso3"] for row in names}
    for row in read_csv(reference / "tiers" / "tiers_long.csv"):
        iso3 = name_to_iso3[row["country"]]
        last_year[iso3] = max(last_year.get(iso3, 0), int(row["report_year"]))
    successors = {row["iso3"]: row["successors"].split() for row in former}
    rows, sources = [], {}
    for row in former:
        sources.setdefault(row["source_url"], ("successor governments (curation/former_governments.csv)", "curation/former_governments.csv"))
    for iso3 in sorted(canonical):
        region = regions.get(iso3)
        url = (region or {}).get("source_url", "")
        if url:
            sources.setdefault(url, (region["source_note"].split(";")[0], "regions/regions.csv"))
        rows.append({
            "iso3": iso3,
            "country": canonical[iso3],
            "region": (region or {}).get("region", ""),
            "region_note": region["source_note"] if region else "not in shared/reference/regions/regions.csv",
            "southeast_asia": flag(iso3 in SOUTHEAST_ASIA),
            "region_source_id": source_id(url) if url else "",
            "successors": " ".join(sorted(successors.get(iso3, []))),
            "valid_to": str(last_year[iso3]) if iso3 in successors else "",
            "region_derived": "false",
        })
    by_iso3 = {row["iso3"]: row for row in rows}
    for row in rows:
        if row["successors"] and not row["region"]:
            derive_region(row, by_iso3)
    return rows, sources


def derive_region(row: dict, by_iso3: dict[str, dict]) -> None:
    """Give a former government the region its successors share (recursively), marked derived."""
    found = set()
    for code in row["successors"].split():
        successor = by_iso3[code]
        if successor["successors"] and not successor["region"]:
            derive_region(successor, by_iso3)
        found.add((successor["region"], successor["region_source_id"]))
    if len({region for region, _ in found}) != 1:
        raise ValueError(f"successors of {row['iso3']} are in different regions: {sorted(found)}")
    (region, region_source), *_ = sorted(found)
    row.update(region=region, region_source_id=region_source if len(found) == 1 else "", region_derived="true",
               region_note=f"derived: the region of its successors ({row['successors']}); former government, graded to {row['valid_to']}")


def build_tiers(reference: Path, countries: list[dict]) -> tuple[list[dict], dict]:
    names = {row["name_as_in_source"]: row["iso3"] for row in read_csv(reference / "tiers" / "country_names.csv")}
    by_iso3 = {row["iso3"]: row for row in countries}
    rows, sources = [], {}
    for row in read_csv(reference / "tiers" / "tiers_long.csv"):
        iso3 = names[row["country"]]
        note = row["source_note"]
        source_type = re.search(r"source type: ([a-z_]+)", note).group(1)
        sources.setdefault(row["source_url"], (note.split(" | ")[0], "tiers/tiers_long.csv"))
        rows.append({
            "report_year": row["report_year"],
            "iso3": iso3,
            "country": by_iso3[iso3]["country"],
            "region": by_iso3[iso3]["region"],
            "tier": row["tier"],
            "source_type": source_type,
            "source_id": source_id(row["source_url"]),
            "source_url": row["source_url"],
            "name_in_source": row["country"],
            "year_inferred": flag("YEAR INFERRED" in note),
            "disagreement": flag("DISAGREEMENT" in note or "CONFLICT" in note),
            "source_note": note,
        })
    rows.sort(key=lambda r: (int(r["report_year"]), r["country"]))
    return rows, sources


def law_enforcement_row(row: dict, area: str, **extra) -> dict:
    counts = {column: row[column] for column in LAW_ENFORCEMENT_COLUMNS}
    return {"report_year": row["report_year"], "data_year": row["data_year"], "area": area,
            "area_type": "world" if area == "World" else "region", **counts, **extra}


def build_law_enforcement(reference: Path) -> tuple[list[dict], dict]:
    folder = reference / "law_enforcement"
    rows, sources = [], {}
    for name in ("global_law_enforcement.csv", "regional_law_enforcement.csv"):
        for row in read_csv(folder / name):
            url = row["source_url"]
            sources.setdefault(url, (f"Law-enforcement table, {row['report_year']} TIP Report", f"law_enforcement/{name}"))
            rows.append(law_enforcement_row(
                row, row.get("region", "World"), series="report table", evidence=source_kind(url),
                source_id=source_id(url),
                note="" if source_kind(url) == "primary" else "transcribed from the report by an NGO (see data/README.md)"))
    for row in read_csv(folder / "secondary_sources.csv"):
        area = "World" if row["region"] == "GLOBAL" else row["region"]
        note = "; ".join(part for part in (row["source_type"], row["note"]) if part)
        if row["source_type"] == "claim under test":
            rows.append(law_enforcement_row(row, area, series="article claim", evidence="secondary",
                                            source_id=source_id(ARTICLE_URL), note=note))
            continue
        url = row["source_url"]
        sources.setdefault(url, (row["source_type"], "law_enforcement/secondary_sources.csv"))
        rows.append(law_enforcement_row(row, area, series="cross-check", evidence="secondary",
                                        source_id=source_id(url), note=note))
    rows.sort(key=lambda r: (r["series"], r["area"], int(r["data_year"]), r["report_year"], r["source_id"]))
    return rows, sources


def retrieved_note(where: str) -> str:
    """Which file recorded a source: a reference file, or the project's own curation folder."""
    if where.startswith("curation/"):
        return f"as recorded in {where} (read by this project's curation in a stored copy of the public page)"
    return f"as recorded in shared/reference/{where}"


def build_sources(found: dict[str, tuple[str, str]], manual: list[dict]) -> list[dict]:
    """Register every cited URL; hand-curated rows (manual_sources.csv) take precedence."""
    rows = {source_id(url): {
        "source_id": source_id(url), "title": title, "publisher": host(url), "url": url, "date": "",
        "kind": source_kind(url), "retrieved_note": retrieved_note(where),
    } for url, (title, where) in found.items()}
    rows.update({row["source_id"]: row for row in manual})
    return [rows[key] for key in sorted(rows)]


def build_published_totals(reference: Path, added: Path = ADDED_TOTALS) -> tuple[list[dict], dict]:
    """Every published statement of a year's totals, as stated (text kept exactly).

    The reference's statements, plus the few this project's curation read itself
    (``curation/published_totals_added.csv``, same columns)."""
    rows, sources = [], {}
    statements = [(row, "tiers/published_totals.csv") for row in read_csv(reference / "tiers" / "published_totals.csv")]
    statements += [(row, "curation/published_totals_added.csv") for row in read_csv(added)]
    for row, where in statements:
        url = row["source_url"]
        sources.setdefault(url, (f"Published totals of the {row['report_year']} TIP Report, as reported", where))
        rows.append({"report_year": row["report_year"], **{c: row[c] for c in TOTAL_COLUMNS},
                     "source_id": source_id(url), "source_url": url,
                     "evidence_phrase": row["evidence_phrase"], "note": row["note"]})
    rows.sort(key=lambda r: (int(r["report_year"]), r["source_id"]))
    return rows, sources


def build_country_years(reference: Path, name: str, countries: list[dict], columns: dict[str, str]) -> tuple[list[dict], dict]:
    """Rows of a reference table keyed by (report_year, iso3), with the canonical country name."""
    by_iso3 = {row["iso3"]: row for row in countries}
    rows, sources = [], {}
    for row in read_csv(reference / "tiers" / name):
        url = row.get("source_url") or row["supporting_url"]
        sources.setdefault(url, (f"{name}: {row['report_year']} {row['iso3']}", f"tiers/{name}"))
        rows.append({"report_year": row["report_year"], "iso3": row["iso3"], "country": by_iso3[row["iso3"]]["country"],
                     **{target: row[origin] for target, origin in columns.items()},
                     "source_id": source_id(url), "source_url": url})
    rows.sort(key=lambda r: (int(r["report_year"]), r["country"]))
    return rows, sources


def build_elimination(reference: Path, countries: list[dict], tiers: list[dict]) -> tuple[list[dict], dict]:
    """Every report year's deductions (``tier2_by_elimination_<year>.csv``), each with the country's
    last placement in ``tiers`` before that year, computed here (the reference's column can lag)."""
    placements: dict[str, list[tuple[int, str]]] = {}
    for row in tiers:
        placements.setdefault(row["iso3"], []).append((int(row["report_year"]), row["tier"]))
    rows, sources = [], {}
    for path in sorted((reference / "tiers").glob("tier2_by_elimination_*.csv")):
        year_rows, year_sources = build_country_years(
            reference, path.name, countries, {"remaining_tier": "implied_tier", "basis": "basis", "note": "note"})
        for row in year_rows:
            earlier = [placement for placement in placements.get(row["iso3"], []) if placement[0] < int(row["report_year"])]
            row["last_placement"] = "{} {}".format(*max(earlier)) if earlier else ""
        rows += year_rows
        sources.update(year_sources)
    columns = ("report_year", "iso3", "country", "remaining_tier", "basis", "last_placement", "note", "source_id", "source_url")
    rows = [{column: row[column] for column in columns} for row in rows]
    rows.sort(key=lambda r: (int(r["report_year"]), r["country"]))
    return rows, sources


def split_urls(text: str) -> list[str]:
    """The URLs of a reference cell that lists several, separated by ' ; '."""
    return [url.strip() for url in text.split(" ; ") if url.strip()]


def build_reference_rows(path: Path, countries: list[dict], keep: tuple[str, ...], text: tuple[str, ...]) -> tuple[list[dict], dict]:
    """Rows of a reference table keyed by (report_year, iso3): canonical country name, ``keep``
    columns, the source, then the ``text`` columns as the reference states them."""
    by_iso3 = {row["iso3"]: row for row in countries}
    rows, sources = [], {}
    for row in read_csv(path):
        url = row["source_url"]
        sources.setdefault(url, (f"{path.name}: {row['report_year']} {row['iso3']}", f"{path.parent.name}/{path.name}"))
        rows.append({"report_year": row["report_year"], "iso3": row["iso3"], "country": by_iso3[row["iso3"]]["country"],
                     **{column: row[column] for column in keep}, "source_id": source_id(url), "source_url": url,
                     **{column: row[column] for column in text}})
    rows.sort(key=lambda r: (int(r["report_year"]), r["country"]))
    return rows, sources


def build_determinations(reference: Path, countries: list[dict]) -> tuple[list[dict], dict]:
    """One row per fiscal year × country × provision of section 110(d), as the reference reads it."""
    by_iso3 = {row["iso3"]: row for row in countries}
    rows, sources = [], {}
    for row in read_csv(reference / "determinations" / "determinations.csv"):
        url = row["source_url"]
        sources.setdefault(url, (f"Presidential determination on Tier 3 governments, FY {row['fiscal_year']}",
                                 "determinations/determinations.csv"))
        rows.append({"fiscal_year": row["fiscal_year"], "report_year": row["report_year"], "pd_number": row["pd_number"],
                     "signed_date": row["signed_date"], "iso3": row["iso3"], "country": by_iso3[row["iso3"]]["country"],
                     "provision": row["provision"], "measure": row["measure"], "waiver": row["waiver"],
                     "programs_waived": row["programs_waived"], "source_id": source_id(url), "source_url": url,
                     "evidence_phrase": row["evidence_phrase"], "note": row["note"]})
    order = {code: number for number, code in enumerate(DETERMINATION_PROVISIONS)}
    rows.sort(key=lambda r: (int(r["fiscal_year"]), r["country"], order[r["provision"]]))
    return rows, sources


def build_determination_documents(reference: Path) -> tuple[list[dict], dict]:
    """Every determination text read, with how much of it was read."""
    rows, sources = [], {}
    for row in read_csv(reference / "determinations" / "documents.csv"):
        url = row["source_url"]
        sources.setdefault(url, (row["title"], "determinations/documents.csv"))
        rows.append({**{column: row[column] for column in ("fiscal_year", "report_year", "pd_number", "signed_date", "title")},
                     "source_id": source_id(url), "source_url": url, "completeness": row["completeness"], "note": row["note"]})
    rows.sort(key=lambda r: (int(r["fiscal_year"]), r["source_id"]))
    return rows, sources


def build_statutes(path: Path) -> tuple[list[dict], dict]:
    """A statute table as the reference gives it, with the ids of every source it cites (``source_ids``)."""
    rows, sources = [], {}
    for row in read_csv(path):
        urls = split_urls(row["source_url"])
        for url in urls:
            sources.setdefault(url, (f"Statute text: {row.get('version') or row['provision']}", f"{path.parent.name}/{path.name}"))
        rows.append({**{column: value for column, value in row.items() if column not in ("source_url", "note")},
                     "source_ids": " ".join(source_id(url) for url in urls), "source_url": row["source_url"], "note": row["note"]})
    return rows, sources


def build_tables(reference: Path = REFERENCE_DIR, manual_sources: Path = MANUAL_SOURCES,
                 former_governments: Path = FORMER_GOVERNMENTS) -> dict[str, str]:
    """The generated CSV files' text, keyed by file name."""
    countries, found = build_countries(reference, read_csv(former_governments))
    tiers, tier_sources = build_tiers(reference, countries)
    # Each table's rows and the sources it cites, in the order the sources are registered (the first
    # table to cite a URL names it in sources.csv).
    tables = {
        "tiers.csv": (tiers, tier_sources),
        "published_totals.csv": build_published_totals(reference),
        "not_ranked.csv": build_country_years(reference, "not_ranked.csv", countries, {"evidence_phrase": "evidence_phrase"}),
        "tier2_by_elimination.csv": build_elimination(reference, countries, tiers),
        "law_enforcement.csv": build_law_enforcement(reference),
        "determinations.csv": build_determinations(reference, countries),
        "determination_documents.csv": build_determination_documents(reference),
        "watch_list_waivers.csv": build_reference_rows(
            reference / "watch_list_law" / "waivers.csv", countries, ("event",), ("evidence_phrase", "note")),
        "state_sponsored.csv": build_reference_rows(
            reference / "state_sponsored" / "state_sponsored.csv", countries, (), ("evidence_phrase", "note")),
        "watch_list_statute.csv": build_statutes(reference / "watch_list_law" / "statute_versions.csv"),
        "state_sponsored_statute.csv": build_statutes(reference / "state_sponsored" / "statute.csv"),
    }
    for _, sources in tables.values():
        for url, value in sources.items():
            found.setdefault(url, value)
    texts = {"countries.csv": csv_text(countries[0].keys(), countries)}
    texts.update({name: csv_text(rows[0].keys(), rows) for name, (rows, _) in tables.items()})
    texts["sources.csv"] = csv_text(SOURCE_COLUMNS, build_sources(found, read_csv(manual_sources)))
    return texts


def write_tables(data_dir: Path = DATA_DIR, **kwargs) -> list[Path]:
    """Write the generated tables into ``data_dir``, all of them or (on any failure) none; returns their paths."""
    texts = {Path(data_dir) / name: text for name, text in build_tables(**kwargs).items()}
    write_texts_together(texts)
    return list(texts)
