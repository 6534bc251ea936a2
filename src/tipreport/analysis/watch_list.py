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

#: How a spell ended, in display order. "when the automatic downgrade applied": Tier 3 once the spell had
#: reached the years after which (D)(i) (or (F)) required it, within the limit; "past the limit": Tier 3
#: after a year beyond the limit; LEFT_BY_ELIMINATION: no placement found in the next report, but absent from its
#: complete Watch List and Tier 3 lists (``tier2_by_elimination.csv``, a deduction, not a read tier).
LEFT_BY_ELIMINATION = "left the Watch List; next tier not found (Tier 2 by elimination)"
OUTCOMES = ("upgraded", "to Tier 3 when the automatic downgrade applied", "to Tier 3 before the automatic downgrade",
            "to Tier 3 past the limit", "Special Case", LEFT_BY_ELIMINATION, "ended at a gap", "still open")

#: What the data show for a spell the limit does not explain, in the order they are looked for.
REASONS = ("disputed placement", "waiver under (D) on the record", "missing waiver record in a partial year", "gap",
           "unknown")

#: Two readings of what triggers rule (F)(i): "(I) 2 consecutive years ...; and (II) any additional years ... as a
#: result of the President exercising the waiver authority". "broad": (II) may be zero years, so any (D) downgrade
#: triggers (F); "after a waiver": (F) follows only a downgrade after at least one waiver year.
F_READINGS = ("broad", "after a waiver")

#: Two readings of which spells rule (F) holds once triggered. "every later spell": the words, "may not be included
#: ... for more than 1 consecutive year after the country (i) was included ... and (ii) was subsequently included"
#: on Tier 3, set no end, so every later Watch List spell is held; "next spell only": (F) holds only the spell
#: straight after the downgrade that triggered it.
F_SCOPES = ("every later spell", "next spell only")

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
                 f_reading: str = "broad", f_scope: str = "every later spell",
                 by_elimination: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every spell with at least one counted year, checked against the rule in force in each of its years.

    Columns, besides those of :func:`spells`:

    - ``counted years``: the spell's years from the counting report on (per the period in force);
    - ``regime``, ``downgrade after`` (``years_before_downgrade``), ``rule`` and ``limit``: the period, the
      rule ("(D)", or "(F)" for a government downgraded under (D) and placed on the Watch List again, read
      as ``f_reading`` and ``f_scope`` say, see :data:`F_READINGS` and :data:`F_SCOPES`) and the most
      consecutive years it allowed, all as in force in the spell's last year;
    - ``years against the limit``: the counted years under (D); under (F), only the spell's years in reports
      that (F) governs (a year before the act is not held to it);
    - ``waiver years``: counted years past ``years_before_downgrade`` under (D), each needing a waiver;
      ``waivers recorded``: the years ``watch_list_waivers`` records one for this government in the spell;
      ``waivers unrecorded (partial year)`` and ``waivers absent (complete year)``: waiver years with no
      record, where the year's record is partial or complete;
    - ``over limit``: a year beyond the limit in force that year (``first year over`` the first);
    - ``outcome``: one of :data:`OUTCOMES`; a gap year listed in ``by_elimination`` (``tier2_by_elimination``:
      report year, iso3) is :data:`LEFT_BY_ELIMINATION`;
    - ``reinstated after``: for an (F) spell, the latest earlier spell and downgrade that put it under (F);
    - ``needs a reason``: over the limit, or on the list in a year needing a waiver that a complete
      record does not hold; ``reason``: what the data show for it (:data:`REASONS`), else empty.
    """
    if f_reading not in F_READINGS:
        raise ValueError(f"unknown reading of rule (F) {f_reading!r}; expected one of {list(F_READINGS)}")
    if f_scope not in F_SCOPES:
        raise ValueError(f"unknown scope of rule (F) {f_scope!r}; expected one of {list(F_SCOPES)}")
    placements = tiers.assign(report_year=tiers["report_year"].astype(int)).set_index(["iso3", "report_year"])
    granted = waivers[waivers["event"] == "waiver_granted"]
    waived = set(zip(granted["iso3"], granted["report_year"].astype(int)))
    complete = set(coverage.loc[coverage["waiver_record"] == "complete", "report_year"].astype(int))
    eliminated = set() if by_elimination is None else set(
        zip(by_elimination["iso3"], by_elimination["report_year"].astype(int)))
    rows = []
    for _, own in spells(tiers).groupby("iso3", sort=False):
        earlier = []
        for spell in own.sort_values("first").to_dict("records"):
            trigger = _f_trigger(earlier, f_reading, f_scope)
            row = _check_one(spell, rules, trigger is not None, waived, complete)
            if row is None:
                continue
            if row["outcome"] == "ended at a gap" and (row["iso3"], row["last"] + 1) in eliminated:
                row["outcome"] = LEFT_BY_ELIMINATION
            row["reinstated after"] = _describe(trigger) if row["rule"] == "(F)" else ""
            row["reason"] = _reason(row, trigger, placements, complete) if row["needs a reason"] else ""
            rows.append(row)
            earlier.append(row)
    columns = [*SPELL_COLUMNS, "counted years", "regime", "downgrade after", "rule", "limit", "years against the limit",
               "waiver years", "waivers recorded", "waivers unrecorded (partial year)", "waivers absent (complete year)",
               "over limit", "first year over", "outcome", "reinstated after", "needs a reason", "reason"]
    table = pd.DataFrame(rows, columns=columns)
    return table.astype({"limit": "Int64", "first year over": "Int64"}).sort_values(
        ["first", "country"]).reset_index(drop=True)


def _f_trigger(earlier: list, f_reading: str, f_scope: str) -> dict | None:
    """The latest of a government's earlier checked spells that puts the next one under rule (F), or None.

    A trigger lasted at least ``years_before_downgrade`` counted years (one more, under the "after a waiver"
    reading) and ended on Tier 3. Under the "next spell only" scope only the spell straight before counts.
    """
    candidates = earlier[-1:] if f_scope == "next spell only" else earlier
    for spell in reversed(candidates):
        needed = spell["downgrade after"] + (1 if f_reading == "after a waiver" else 0)
        if spell["after"] == TIER_3 and spell["counted years"] >= needed:
            return spell
    return None


def _describe(spell: dict) -> str:
    """A spell, its waivers on record and the Tier 3 placement after it, e.g.
    '2019–2021: 3 counted years, waiver on record: 2021; Tier 3 in 2022'."""
    recorded = spell["waivers recorded"]
    return (f"{spell['first']}–{spell['last']}: {spell['counted years']} counted year{'s' * (spell['counted years'] != 1)}, "
            f"{'waiver on record: ' + _years(recorded) if recorded else 'no waiver on record'}; "
            f"Tier 3 in {spell['last'] + 1}")


def _check_one(spell: dict, rules: pd.DataFrame, reinstated: bool, waived: set, complete: set) -> dict | None:
    """One spell read year by year under the period in force; None if no year of it is counted.

    Under (F) only the years in reports (F) governs are held to its limit; earlier years of the spell are read
    under (D) as it then stood."""
    counted, f_counted, rule, limit, regime, downgrade_after = 0, 0, None, None, None, None
    waiver_years, over = [], []
    for year in range(spell["first"], spell["last"] + 1):
        period = rule_in_force(rules, year)
        if period is None or year < period["counted_from_report_year"]:
            continue
        counted += 1
        regime, downgrade_after = period["regime"], int(period["years_before_downgrade"])
        if reinstated and pd.notna(period["max_years_after_reinstatement"]):
            f_counted += 1
            rule, limit = "(F)", int(period["max_years_after_reinstatement"])
            if f_counted > limit:
                over.append(year)
        else:
            rule, limit = "(D)", downgrade_after + int(period["max_waiver_years"])
            if counted > downgrade_after:
                waiver_years.append(year)
            if counted > limit:
                over.append(year)
    if not counted:
        return None
    against = f_counted if rule == "(F)" else counted
    recorded = [y for y in range(spell["first"], spell["last"] + 1) if (spell["iso3"], y) in waived]
    unrecorded = [y for y in waiver_years if y not in recorded]
    absent = [y for y in unrecorded if y in complete]
    return {**spell, "counted years": counted, "regime": regime, "downgrade after": downgrade_after, "rule": rule,
            "limit": limit, "years against the limit": against, "waiver years": waiver_years,
            "waivers recorded": recorded,
            "waivers unrecorded (partial year)": [y for y in unrecorded if y not in complete],
            "waivers absent (complete year)": absent, "over limit": bool(over),
            "first year over": over[0] if over else pd.NA,
            "outcome": spell_outcome(spell["after"], against, limit if rule == "(F)" else downgrade_after, bool(over)),
            "needs a reason": bool(over or absent)}


def spell_outcome(after: str, counted: int, threshold: int, over: bool = False) -> str:
    """How a spell ended, given the placement after it, whether it had reached ``threshold`` years (after which
    the automatic downgrade applied) and whether it ran past its limit."""
    if after == LATEST:
        return "still open"
    if after in UPWARD:
        return "upgraded"
    if after == TIER_3:
        if over:
            return "to Tier 3 past the limit"
        return ("to Tier 3 when the automatic downgrade applied" if counted >= threshold
                else "to Tier 3 before the automatic downgrade")
    if after == SPECIAL_CASE:
        return "Special Case"
    return "ended at a gap"


def _years(years) -> str:
    return ", ".join(str(int(y)) for y in years)


def _reason(row: dict, trigger: dict | None, placements: pd.DataFrame, complete: set) -> str:
    """What the data show for a spell the limit does not explain: the first of :data:`REASONS` that applies.

    Looked at: the spell's years from the first one in question, and, for an (F) spell, the years from
    the Tier 3 placement that put it under (F) to the spell.
    """
    start = min(int(y) for y in (row["first year over"], *row["waivers absent (complete year)"]) if pd.notna(y))
    in_question = list(range(start, row["last"] + 1))
    between = list(range(trigger["last"] + 1, row["first"])) if row["rule"] == "(F)" else []
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
        following = spell["years against the limit"] + 1
        rows.append({**spell, "next report": spell["last"] + 1, "in the next report":
                     "must leave the Watch List" if following > allowed
                     else "needs a waiver to stay" if following > threshold else "may stay"})
    return pd.DataFrame(rows, columns=[*checked.columns, "next report", "in the next report"])


def waiver_record_by_year(checked: pd.DataFrame, coverage: pd.DataFrame, waivers: pd.DataFrame) -> pd.DataFrame:
    """Per report year with a waiver record: whether it is complete, every waiver it records as granted
    (``waivers``, any government), the spells ``checked`` puts in a year needing a waiver under (D), how many
    of those the record holds, and how many it does not (unrecorded in a partial year, absent from a complete one)."""
    granted = waivers.loc[waivers["event"] == "waiver_granted", "report_year"].astype(int).value_counts()
    rows = []
    for year, record in zip(coverage["report_year"].astype(int), coverage["waiver_record"]):
        needing = checked[checked["waiver years"].map(lambda years, y=year: y in years)]
        recorded = needing["waivers recorded"].map(lambda years, y=year: y in years).sum()
        rows.append({"report_year": year, "waiver record": record, "waivers granted": int(granted.get(year, 0)),
                     "spells needing a waiver": len(needing), "waiver on record": int(recorded),
                     "no waiver on record": len(needing) - int(recorded)})
    return pd.DataFrame(rows)


def compare_f_readings(tiers: pd.DataFrame, rules: pd.DataFrame, waivers: pd.DataFrame, coverage: pd.DataFrame,
                       by_elimination: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rule (F) under each pair of :data:`F_READINGS` and :data:`F_SCOPES`, named "<reading>, <scope>".

    Returns a summary (one row per reading: spells under (F), spells past any limit, of those past the limit
    under (D) and under (F), and how many of the latter have a (D) waiver on the record, an unknown reason,
    or another reason) and, for every spell that some reading puts under (F), its rule under each reading,
    "(F), past the limit from <year>" where it runs past (F)'s limit.
    """
    summary, verdicts = [], {}
    for reading in F_READINGS:
        for scope in F_SCOPES:
            name = f"{reading}, {scope}"
            table = check_spells(tiers, rules, waivers, coverage, reading, scope, by_elimination)
            over = table[table["over limit"]]
            f_over = over[over["rule"] == "(F)"]
            with_waiver = f_over["reason"].str.startswith("waiver under (D)")
            summary.append({"reading of (F)": name, "spells under (F)": int((table["rule"] == "(F)").sum()),
                            "past the limit": len(over), "past the (D) limit": int((over["rule"] == "(D)").sum()),
                            "past (F)'s limit": len(f_over), "... with a (D) waiver on record": int(with_waiver.sum()),
                            "... reason unknown": int((f_over["reason"] == "unknown").sum()),
                            "... other reason": int((~with_waiver & (f_over["reason"] != "unknown")).sum())})
            verdicts[name] = table.set_index(["iso3", "country", "first", "last"]).apply(
                lambda r: "(D)" if r["rule"] != "(F)" else
                f"(F), past the limit from {r['first year over']}" if r["over limit"] else "(F)", axis=1)
    by_spell = pd.DataFrame(verdicts)
    by_spell = by_spell[(by_spell != "(D)").any(axis=1)].reset_index().sort_values(["first", "country"])
    return pd.DataFrame(summary).set_index("reading of (F)"), by_spell.reset_index(drop=True)


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
