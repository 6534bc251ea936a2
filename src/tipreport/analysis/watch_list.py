"""Watch List spells, each checked against the time limit as the law read when it ran.

The limit is never typed here: every number comes from ``watch_list_rules.csv`` (one row per
period, read from the statute versions in ``watch_list_statute.csv``): the report from which
Watch List years count, the consecutive years after which a government goes to Tier 3 unless
waived (22 U.S.C. § 7107(b)(2)(D)(i)), the years a waiver may add (clause (ii)), and rule (F),
the years allowed to a government downgraded under (D) and then placed on the Watch List again.

A spell is a run of consecutive report years on the Watch List. A year without a placement
(a gap) ends a spell: spells are never bridged. Each counted year of a spell is read under the
period that governs that report year, so a spell is checked against the rule in force when it
ran and ended. Waivers come from ``watch_list_waivers.csv``, complete only for the report years
``watch_list_waiver_coverage.csv`` marks complete: a waiver missing from a partial year's record
is shown as unrecorded, never as refused.

Step 2 of 4, analysis: may import tipreport.paths, tipreport.fileops, tipreport.data_in and other tipreport.analysis modules; never charts or outputs."""

from __future__ import annotations

import pandas as pd

from tipreport.analysis.movements import WATCH_LIST, consecutive_runs
from tipreport.analysis.tiers import SPECIAL_CASE

TIER_3 = "Tier 3"
UPWARD = ("Tier 1", "Tier 2")
NO_PLACEMENT = "no placement"
NO_REPORT = "no report in the data"
LATEST = "latest report"

RULE_COLUMNS = ("regime", "first_report_year", "last_report_year", "counted_from_report_year",
                "years_before_downgrade", "max_waiver_years", "max_years_after_reinstatement")

#: How a spell ended, in display order.
OUTCOMES = ("upgraded", "to Tier 3 at the limit", "to Tier 3 before the limit", "Special Case", "ended at a gap",
            "still open")

#: What the data show for a spell the limit does not explain, in the order they are looked for.
REASONS = ("disputed placement", "waiver under (D) on the record", "missing waiver record in a partial year", "gap",
           "unknown")

#: Two readings of rule (F)(i): "(I) 2 consecutive years ...; and (II) any additional years ... as a result
#: of the President exercising the waiver authority". "broad": (II) may be zero years, so any (D) downgrade
#: triggers (F); "after a waiver": (F) follows only a downgrade after at least one waiver year.
F_READINGS = ("broad", "after a waiver")

SPELL_COLUMNS = ["iso3", "country", "first", "last", "years", "before", "after"]


def spells(tiers: pd.DataFrame) -> pd.DataFrame:
    """Every run of consecutive report years a country spent on the Watch List, any year.

    ``before`` and ``after`` are the placements in the report years around the spell:
    a tier, "no placement" (a gap), "no report in the data", or "latest report" when the
    spell runs to the last report year in the data.
    """
    report_years = set(int(y) for y in tiers["report_year"].unique())
    latest = max(report_years)
    rows = []
    for iso3, own in tiers.groupby("iso3", sort=True):
        placed = dict(zip(own["report_year"].astype(int), own["tier"].astype(str)))
        for first, last in consecutive_runs(y for y, t in placed.items() if t == WATCH_LIST):
            after = LATEST if last == latest else _placement(placed, last + 1, report_years)
            rows.append({"iso3": iso3, "country": own["country"].iloc[0], "first": first, "last": last,
                         "years": last - first + 1, "before": _placement(placed, first - 1, report_years),
                         "after": after})
    return pd.DataFrame(rows, columns=SPELL_COLUMNS).sort_values(["first", "country"]).reset_index(drop=True)


def _placement(placed: dict, year: int, report_years: set) -> str:
    if year not in report_years:
        return NO_REPORT
    return placed.get(year, NO_PLACEMENT)


def rule_in_force(rules: pd.DataFrame, year: int) -> pd.Series | None:
    """The row of ``rules`` governing a report year (None before the first period).

    Raises ValueError if the table lacks a column or two periods govern the same year.
    """
    missing = [c for c in RULE_COLUMNS if c not in rules.columns]
    if missing:
        raise ValueError(f"watch_list_rules: missing column(s) {missing}")
    last = rules["last_report_year"].astype("Int64").fillna(year)
    governing = rules[(rules["first_report_year"] <= year) & (last >= year)]
    if len(governing) > 1:
        raise ValueError(f"watch_list_rules: report year {year} is governed by more than one regime: "
                         f"{', '.join(governing['regime'])}")
    return None if governing.empty else governing.iloc[0]


def check_spells(tiers: pd.DataFrame, rules: pd.DataFrame, waivers: pd.DataFrame, coverage: pd.DataFrame,
                 f_reading: str = "broad") -> pd.DataFrame:
    """Every spell with at least one counted year, checked against the rule in force in each of its years.

    Columns, besides those of :func:`spells`:

    - ``counted years``: the spell's years from the counting report on (per the period in force);
    - ``regime``, ``downgrade after`` (``years_before_downgrade``), ``rule`` and ``limit``: the period, the
      rule ("(D)", or "(F)" for a government downgraded under (D) and placed on the Watch List again, read
      as ``f_reading`` says, see :data:`F_READINGS`) and the most consecutive counted years it allowed,
      all as in force in the spell's last year;
    - ``waiver years``: counted years past ``years_before_downgrade`` under (D), each needing a waiver;
      ``waivers recorded``: the years ``watch_list_waivers`` records one for this government in the spell;
      ``waivers unrecorded (partial year)`` and ``waivers absent (complete year)``: waiver years with no
      record, where the year's record is partial or complete;
    - ``over limit``: a counted year beyond the limit in force that year (``first year over`` the first);
    - ``outcome``: one of :data:`OUTCOMES`; ``to Tier 3 at the limit`` is Tier 3 after at least
      ``years_before_downgrade`` counted years ((D)) or after the (F) year;
    - ``reinstated after``: for an (F) spell, the spell and the downgrade that put it under (F);
    - ``needs a reason``: over the limit, or on the list in a year needing a waiver that a complete
      record does not hold; ``reason``: what the data show for it (:data:`REASONS`), else empty.
    """
    if f_reading not in F_READINGS:
        raise ValueError(f"unknown reading of rule (F) {f_reading!r}; expected one of {list(F_READINGS)}")
    placements = tiers.assign(report_year=tiers["report_year"].astype(int)).set_index(["iso3", "report_year"])
    granted = waivers[waivers["event"] == "waiver_granted"]
    waived = set(zip(granted["iso3"], granted["report_year"].astype(int)))
    complete = set(coverage.loc[coverage["waiver_record"] == "complete", "report_year"].astype(int))
    rows = []
    for _, own in spells(tiers).groupby("iso3", sort=False):
        previous = None
        for spell in own.sort_values("first").to_dict("records"):
            row = _check_one(spell, rules, _triggers_f(previous, f_reading), waived, complete)
            if row is None:
                continue
            row["reinstated after"] = _describe(previous) if row["rule"] == "(F)" else ""
            row["reason"] = _reason(row, previous, placements, complete) if row["needs a reason"] else ""
            rows.append(row)
            previous = row
    columns = [*SPELL_COLUMNS, "counted years", "regime", "downgrade after", "rule", "limit", "waiver years",
               "waivers recorded", "waivers unrecorded (partial year)", "waivers absent (complete year)", "over limit",
               "first year over", "outcome", "reinstated after", "needs a reason", "reason"]
    table = pd.DataFrame(rows, columns=columns)
    return table.astype({"limit": "Int64", "first year over": "Int64"}).sort_values(
        ["first", "country"]).reset_index(drop=True)


def _triggers_f(previous: dict | None, f_reading: str) -> bool:
    """Whether the spell before (a checked row, or None) puts the next one under rule (F): it lasted at least
    ``years_before_downgrade`` counted years (more, under the "after a waiver" reading) and ended on Tier 3."""
    if previous is None or previous["after"] != TIER_3:
        return False
    needed = previous["downgrade after"] + (1 if f_reading == "after a waiver" else 0)
    return previous["counted years"] >= needed


def _describe(spell: dict) -> str:
    """A spell and the Tier 3 placement after it, e.g. '2019–2021: 3 counted years, 1 waiver year; Tier 3 in 2022'."""
    waiver_years = len(spell["waiver years"])
    return (f"{spell['first']}–{spell['last']}: {spell['counted years']} counted year{'s' * (spell['counted years'] != 1)}, "
            f"{waiver_years} waiver year{'s' * (waiver_years != 1)}; Tier 3 in {spell['last'] + 1}")


def _check_one(spell: dict, rules: pd.DataFrame, reinstated: bool, waived: set, complete: set) -> dict | None:
    """One spell read year by year under the period in force; None if no year of it is counted."""
    counted, rule, limit, regime, downgrade_after, threshold = 0, None, None, None, None, None
    waiver_years, over = [], []
    for year in range(spell["first"], spell["last"] + 1):
        period = rule_in_force(rules, year)
        if period is None or year < period["counted_from_report_year"]:
            continue
        counted += 1
        regime, downgrade_after = period["regime"], int(period["years_before_downgrade"])
        if reinstated and pd.notna(period["max_years_after_reinstatement"]):
            rule, limit = "(F)", int(period["max_years_after_reinstatement"])
            threshold = limit
        else:
            rule, threshold = "(D)", downgrade_after
            limit = threshold + int(period["max_waiver_years"])
            if counted > threshold:
                waiver_years.append(year)
        if counted > limit:
            over.append(year)
    if not counted:
        return None
    recorded = [y for y in range(spell["first"], spell["last"] + 1) if (spell["iso3"], y) in waived]
    unrecorded = [y for y in waiver_years if y not in recorded]
    absent = [y for y in unrecorded if y in complete]
    return {**spell, "counted years": counted, "regime": regime, "downgrade after": downgrade_after, "rule": rule,
            "limit": limit, "waiver years": waiver_years, "waivers recorded": recorded,
            "waivers unrecorded (partial year)": [y for y in unrecorded if y not in complete],
            "waivers absent (complete year)": absent, "over limit": bool(over),
            "first year over": over[0] if over else pd.NA,
            "outcome": spell_outcome(spell["after"], counted, threshold),
            "needs a reason": bool(over or absent)}


def spell_outcome(after: str, counted: int, threshold: int) -> str:
    """How a spell ended, given the placement after it and whether it had reached ``threshold`` counted years."""
    if after == LATEST:
        return "still open"
    if after in UPWARD:
        return "upgraded"
    if after == TIER_3:
        return "to Tier 3 at the limit" if counted >= threshold else "to Tier 3 before the limit"
    if after == SPECIAL_CASE:
        return "Special Case"
    return "ended at a gap"


def _years(years) -> str:
    return ", ".join(str(int(y)) for y in years)


def _reason(row: dict, previous: dict | None, placements: pd.DataFrame, complete: set) -> str:
    """What the data show for a spell the limit does not explain: the first of :data:`REASONS` that applies.

    Looked at: the spell's years from the first one in question, and, for an (F) spell, the Tier 3
    year that put it under (F) and the years between.
    """
    start = min(int(y) for y in (row["first year over"], *row["waivers absent (complete year)"]) if pd.notna(y))
    in_question = list(range(start, row["last"] + 1))
    between = list(range(previous["last"] + 1, row["first"])) if row["rule"] == "(F)" else []
    placed = [y for y in [*between, *in_question] if (row["iso3"], y) in placements.index]
    disputed = [y for y in placed if bool(placements.loc[(row["iso3"], y), "disagreement"])]
    if disputed:
        return f"disputed placement ({_years(disputed)})"
    if row["rule"] == "(F)" and row["waivers recorded"]:
        return f"waiver under (D) on the record ({_years(row['waivers recorded'])})"
    unrecorded = [y for y in in_question if y not in complete]
    if row["rule"] == "(F)" and unrecorded:
        return f"missing waiver record in a partial year ({_years(unrecorded)})"
    gaps = [y for y in between if y not in placed]
    if gaps:
        return f"gap ({_years(gaps)})"
    return "unknown"


def outcome_table(checked: pd.DataFrame) -> pd.DataFrame:
    """Spells by rule and limit (rows) and outcome (columns), with totals."""
    table = pd.crosstab([checked["rule"], checked["limit"]], checked["outcome"], margins=True, margins_name="all")
    return table.reindex(columns=[o for o in (*OUTCOMES, "all") if o in table.columns])


def next_report(checked: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Spells open in the latest report, with what the rule in force allows each in the next report.

    ``in the next report``: "must leave the Watch List" (another year would pass the limit: up, or
    to Tier 3), "needs a waiver to stay" (under (D), another year would pass ``years_before_downgrade``)
    or "may stay". The rule is the period governing the next report year in ``rules``.
    """
    rows = []
    for spell in checked[checked["outcome"] == "still open"].to_dict("records"):
        period = rule_in_force(rules, spell["last"] + 1)
        if spell["rule"] == "(F)" and pd.notna(period["max_years_after_reinstatement"]):
            threshold = allowed = int(period["max_years_after_reinstatement"])
        else:
            threshold = int(period["years_before_downgrade"])
            allowed = threshold + int(period["max_waiver_years"])
        following = spell["counted years"] + 1
        rows.append({**spell, "next report": spell["last"] + 1, "in the next report":
                     "must leave the Watch List" if following > allowed
                     else "needs a waiver to stay" if following > threshold else "may stay"})
    return pd.DataFrame(rows, columns=[*checked.columns, "next report", "in the next report"])


def waiver_record_by_year(checked: pd.DataFrame, coverage: pd.DataFrame) -> pd.DataFrame:
    """Per report year with a waiver record: whether it is complete, the spells in a year needing a waiver,
    how many of those the record holds, and how many it does not (unrecorded in a partial year, absent
    from a complete one)."""
    rows = []
    for year, record in zip(coverage["report_year"].astype(int), coverage["waiver_record"]):
        needing = checked[checked["waiver years"].map(lambda years, y=year: y in years)]
        recorded = needing["waivers recorded"].map(lambda years, y=year: y in years).sum()
        rows.append({"report_year": year, "waiver record": record, "spells needing a waiver": len(needing),
                     "waiver on record": int(recorded), "no waiver on record": len(needing) - int(recorded)})
    return pd.DataFrame(rows)


def statute_citations(rules: pd.DataFrame, statute: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Each period's statute versions with every source cited for them (sources.csv title and address).

    Raises ValueError if a period names a version missing from ``statute`` or a source missing from ``sources``.
    """
    versions = statute.set_index("version")
    register = sources.set_index("source_id")
    rows = []
    for period in rules.itertuples(index=False):
        for version in str(period.statute_versions).split():
            if version not in versions.index:
                raise ValueError(f"watch_list_rules: regime {period.regime!r} names statute version {version!r}, "
                                 "which watch_list_statute.csv does not have")
            text = versions.loc[version]
            for source_id in str(text["source_ids"]).split():
                if source_id not in register.index:
                    raise ValueError(f"watch_list_statute: version {version!r} cites {source_id!r}, "
                                     "which sources.csv does not have")
                rows.append({"regime": period.regime, "version": version, "public_law": text["public_law"],
                             "provision": text["provision"], "source_id": source_id,
                             "publisher": register.loc[source_id, "publisher"], "url": register.loc[source_id, "url"]})
    return pd.DataFrame(rows)
