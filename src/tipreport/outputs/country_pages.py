"""The site's country index and one page per country or territory ever ranked.

Each page is ``country.country_record`` of that country rendered through
``templates/site/country.html.j2``, with a step chart written as SVG by
``templates/site/step_chart.svg.j2`` in the figures' colours (``figures.TIER_COLORS``).
The chart is drawn from a template rather than matplotlib because the site draws about
190 of them: matplotlib takes ~0.15 s a chart here, the template well under 1 ms.
Notebook 07 draws the same record with matplotlib (``country_chart.step_chart``).

Step 4 of 4, outputs: may import from every step (data_in, analysis, charts) and other tipreport.outputs modules."""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd
from jinja2 import Environment

from tipreport.analysis import determinations
from tipreport.analysis.completeness import year_status
from tipreport.analysis.country import current_placement, histories, predecessors, successors, watch_list_spells
from tipreport.analysis.tiers import SHORT_LABELS
from tipreport.charts.country_chart import GAP_MARKS, GAP_WORDS, LANES, alt_text, headline, subtitle
from tipreport.charts.style import INK, MUTED, TIER_COLORS

# Step chart geometry, in SVG pixels.
WIDTH, LEFT, RIGHT, TOP, LANE = 720, 92, 12, 34, 24
STRIP = TOP + LANE * len(LANES) + 6  # the row of partial years and gap marks
HEIGHT = STRIP + 40


def css_class(state: str, tier) -> str:
    """The CSS class of a year: its tier when placed, else its state."""
    label = str(tier) if state == "placed" and pd.notna(tier) else state
    return label.lower().replace(" ", "-")


def chart(record: pd.DataFrame) -> dict:
    """Coordinates of the step chart of ``record`` for step_chart.svg.j2 (rounded, so deterministic)."""
    years = record["report_year"].tolist()
    tiers = [None if pd.isna(tier) else str(tier) for tier in record["tier"].astype(object)]
    states, placements = record["state"].tolist(), record["placement"].tolist()
    step = (WIDTH - LEFT - RIGHT) / len(years)
    x = {year: LEFT + (index + 0.5) * step for index, year in enumerate(years)}
    lane_y = {tier: TOP + LANE * (number + 0.5) for number, tier in enumerate(LANES)}
    path, previous = [], None
    for year, tier in zip(years, tiers):
        ranked = tier in LANES[:-1]
        if ranked:
            y = lane_y[tier]
            path.append(f"V{y:.1f}H{x[year] + step / 2:.1f}" if previous == year - 1 else
                        f"M{x[year] - step / 2:.1f} {y:.1f}H{x[year] + step / 2:.1f}")
        previous = year if ranked else None
    shown_gaps = [state for state in GAP_MARKS if state in states]
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "top": TOP, "strip": STRIP, "step": f"{step:.1f}",
        "plot_right": WIDTH - RIGHT, "lanes_bottom": TOP + LANE * len(LANES), "special_line": TOP + LANE * (len(LANES) - 1),
        "lanes": [{"label": SHORT_LABELS[tier], "y": f"{lane_y[tier]:.1f}"} for tier in LANES],
        "path": "".join(path),
        "dots": [{"x": f"{x[year]:.1f}", "y": f"{lane_y[tier]:.1f}", "color": TIER_COLORS[tier], "label": f"{year}: {tier}"}
                 for year, tier in zip(years, tiers) if tier is not None],
        "spells": [{"x": f"{x[first] - step / 2:.1f}", "width": f"{(last - first + 1) * step:.1f}"}
                   for first, last in watch_list_spells(record)],
        "partial": [f"{x[year] - step / 2 + 1:.1f}" for year, status in zip(years, record["year_status"])
                    if status != "complete"],
        "marks": [{"x": f"{x[year]:.1f}", "text": GAP_MARKS[state], "label": f"{year}: {placement}"}
                  for year, state, placement in zip(years, states, placements) if state in GAP_MARKS],
        "ticks": [{"x": f"{x[year]:.1f}", "year": year} for year in years if (years[-1] - year) % 2 == 0],
        "marks_legend": [f"{GAP_MARKS[state]} {GAP_WORDS[state]}" for state in shown_gaps],
        "ink": INK, "muted": MUTED, "watch_list": TIER_COLORS["Tier 2 Watch List"],
    }


def flag(value) -> bool:
    return bool(pd.notna(value) and value)


def source_link(url, source_id, sources: dict[str, dict], table: str = "tiers") -> dict | None:
    """The link to a placement's (or a determination's) source; refuses anything but an http(s) URL."""
    if pd.isna(url):
        return None
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"data/{table}.csv: source_url {url!r} ({source_id}) is not an http(s) URL")
    source = sources.get(source_id, {})
    publisher, title = source.get("publisher"), source.get("title")
    return {"url": url, "text": publisher if isinstance(publisher, str) and publisher else urlsplit(url).netloc,
            "title": title if isinstance(title, str) else ""}


def determination_rows(decided: pd.DataFrame, sources: dict[str, dict]) -> dict[str, list[dict]]:
    """ISO3 → the determination for the fiscal year after each of its Tier 3 placements, for country.html.j2."""
    found: dict[str, list[dict]] = {}
    for row in decided.sort_values("fiscal_year").astype(object).to_dict("records"):
        words = [dict(zip(("provision", "text"), line.split(": ", 1))) for line in str(row["evidence"]).splitlines()] \
            if pd.notna(row["evidence"]) else []
        decided = determinations.decision_words(row)
        found.setdefault(row["iso3"], []).append({
            "fiscal_year": row["fiscal_year"], "report_year": row["report_year"], "reading": row["reading"],
            "outcome": row["outcome"], "decided": decided.removesuffix("; the determination was not read in full"),
            "not_read": row["reading"] in (determinations.PARTLY, determinations.SUMMARY) and not decided.startswith("not read"),
            "words": words,
            "clauses": {line["provision"]: determinations.PROVISION_WORDS[line["provision"]] for line in words},
            "pd": "" if pd.isna(row["pd_number"]) else row["pd_number"], "signed": "" if pd.isna(row["signed_date"]) else row["signed_date"],
            "source": source_link(row["source_url"], row["source_id"], sources, table="determinations")})
    return found


def country_pages(tables: dict[str, pd.DataFrame], env: Environment) -> dict[str, str]:
    """Every country page, its chart and the index, as {site path: text}."""
    countries = tables["countries"].assign(sort_key=lambda f: f["country"].str.casefold()).sort_values("sort_key")
    tiers = tables["tiers"]
    sources = {row["source_id"]: row for row in tables["sources"].to_dict("records")}
    status = year_status(tables)
    decided = determination_rows(determinations.outcomes(tables), sources)
    ranked = countries[countries["iso3"].isin(set(tiers["iso3"]))]
    names = dict(zip(countries["iso3"], countries["country"]))
    every = histories(ranked["iso3"].tolist(), tables, status).astype(object)  # plain values iterate fast
    records = {}
    for (iso3, record), name in zip(every.groupby("iso3", sort=False), ranked["country"]):
        record = record.drop(columns="iso3").reset_index(drop=True)
        record.attrs.update(iso3=iso3, country=name)
        records[iso3] = record

    entries = []
    for row in ranked.itertuples():
        record = records[row.iso3]
        latest = record.iloc[-1]
        entries.append({"iso3": row.iso3, "name": row.country, "region": row.region if pd.notna(row.region) else "",
                        "latest": "former government" if latest["state"] == "succeeded" else latest["placement"],
                        "latest_class": css_class(latest["state"], latest["tier"]),
                        "strip": [{"year": year, "label": placement, "class": css_class(state, tier)}
                                  for year, state, tier, placement in zip(record["report_year"], record["state"],
                                                                          record["tier"], record["placement"])]})
    years = status.index.tolist()
    regions = sorted({entry["region"] for entry in entries if entry["region"]})
    latest_labels = list(dict.fromkeys(entry["latest"] for entry in
                                       sorted(entries, key=lambda e: (e["latest_class"] not in
                                                                      [t.lower().replace(" ", "-") for t in LANES],
                                                                      e["latest"]))))
    pages = {"countries/index.html": env.get_template("countries.html.j2").render(
        title="Countries", root="../", entries=entries, regions=regions, latest_labels=latest_labels,
        first_year=years[0], latest_year=years[-1], slug=lambda text: text.lower().replace(" ", "-"))}

    page = env.get_template("country.html.j2")
    svg = env.get_template("step_chart.svg.j2")
    for entry, row in zip(entries, ranked.itertuples()):
        record = records[row.iso3]
        rows = [{"year": r.report_year, "placement": r.placement, "class": css_class(r.state, r.tier),
                 "state": r.state, "evidence": "" if pd.isna(r.evidence) else r.evidence,
                 "source": source_link(r.source_url, r.source_id, sources), "move": "" if pd.isna(r.move) else r.move,
                 "disagreement": flag(r.disagreement), "year_inferred": flag(r.year_inferred),
                 "year_status": r.year_status, "note": "" if pd.isna(r.note) else r.note,
                 "predecessor": r.note if r.state == "part of predecessor" else None}
                for r in record.itertuples()]
        placed = [r for r in rows if r["state"] == "placed"]
        moves = [{"year": r["year"], "move": r["move"], "from": before["placement"], "to": r["placement"]}
                 for before, r in zip(rows, rows[1:]) if r["move"] in ("up", "down")]
        neighbours = [other for other in entries if other["region"] == entry["region"] and other["iso3"] != row.iso3] \
            if entry["region"] else []
        geometry, title = chart(record), headline(record)
        pages[f"countries/{row.iso3}.svg"] = svg.render(chart=geometry, title=title)
        pages[f"countries/{row.iso3}.html"] = page.render(
            title=row.country, root="../", country=entry, chart=geometry, record=rows, placed=placed, moves=moves,
            current=current_placement(record), headline=title, subtitle=subtitle(record),
            alt_text=alt_text(record), region_derived=bool(row.region_derived),
            disagreements=[r for r in rows if r["disagreement"]],
            predecessors=[{"iso3": code, "name": names[code]} for code in predecessors(tables["countries"], row.iso3)
                          if code in records],
            successors=[{"iso3": code, "name": names[code]} for code in successors(tables["countries"], row.iso3)
                        if code in records],
            neighbours=neighbours, names=names, determinations=decided.get(row.iso3, []))
    return pages
