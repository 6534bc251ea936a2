"""Watch List spells checked against the rule in force, on small hand-made panels and rules tables.

The rules table below copies the shape of data/watch_list_rules.csv; its numbers are set here by
hand, so that a test can change one and watch the verdict change.
"""

import matplotlib
import matplotlib.colors
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from tipreport import load_all
from tipreport.analysis import watch_list
from tipreport.analysis.tiers import as_tier
from tipreport.charts.style import annotate, texts_off_canvas
from tipreport.charts.watch_list_charts import OUTCOME_STYLE, spell_outcome_chart

matplotlib.use("Agg")

WL = "Tier 2 Watch List"
T2, T3 = "Tier 2", "Tier 3"
TWO_TEXTS = [("2008 text", 2009, 2018, 2009, 2, 2, None), ("2019 text", 2019, None, 2009, 2, 1, 1)]


def rules_table(rows=TWO_TEXTS):
    frame = pd.DataFrame(rows, columns=list(watch_list.RULE_COLUMNS))
    frame["statute_versions"] = "v1"
    return frame.astype({"last_report_year": "Int64", "max_years_after_reinstatement": "Int64"})


def panel(rows, disputed=()):
    """A tier table from (year, iso3, tier) triples; ``disputed``: (year, iso3) pairs flagged as disagreements."""
    frame = pd.DataFrame(rows, columns=["report_year", "iso3", "tier"])
    flags = [(y, i) in set(disputed) for y, i in zip(frame["report_year"], frame["iso3"])]
    return frame.assign(country=frame["iso3"], tier=as_tier(frame["tier"]), disagreement=flags)


def runs(iso3, *segments):
    """Placements for one country: (tier, first, last) segments."""
    return [(year, iso3, tier) for tier, first, last in segments for year in range(first, last + 1)]


def waivers_table(pairs):
    return pd.DataFrame([(y, i, "waiver_granted") for y, i in pairs], columns=["report_year", "iso3", "event"])


def coverage_table(complete=range(2011, 2031), partial=()):
    rows = [(y, "complete") for y in complete] + [(y, "partial") for y in partial]
    return pd.DataFrame(rows, columns=["report_year", "waiver_record"])


def check(tiers, rules=None, waivers=(), coverage=None, **options):
    table = watch_list.check_spells(tiers, rules_table() if rules is None else rules, waivers_table(waivers),
                                    coverage_table() if coverage is None else coverage, **options)
    return table.set_index(["iso3", "first"])


def test_under_the_2008_text_four_counted_years_with_two_waivers_are_within_the_limit():
    tiers = panel(runs("AAA", (WL, 2009, 2012), (T3, 2013, 2013)) + runs("BBB", (WL, 2009, 2013), (T2, 2014, 2014)))
    spells = check(tiers, waivers=[(2011, "AAA"), (2012, "AAA"), (2011, "BBB"), (2012, "BBB")])
    aaa, bbb = spells.loc[("AAA", 2009)], spells.loc[("BBB", 2009)]
    assert (aaa["regime"], aaa["limit"], aaa["waiver years"], aaa["over limit"]) == ("2008 text", 4, [2011, 2012], False)
    assert aaa["outcome"] == "to Tier 3 when the automatic downgrade applied" and not aaa["needs a reason"]
    assert (bbb["over limit"], bbb["first year over"], bbb["outcome"]) == (True, 2013, "upgraded")


def test_under_the_2019_text_the_third_year_is_the_last():
    tiers = panel(runs("AAA", (WL, 2019, 2021), (T3, 2022, 2022)) + runs("BBB", (WL, 2019, 2022), (T2, 2023, 2023)))
    spells = check(tiers, waivers=[(2021, "AAA"), (2021, "BBB")])
    assert spells.loc[("AAA", 2019), ["limit", "over limit", "outcome"]].tolist() == [3, False,
                                                                                   "to Tier 3 when the automatic downgrade applied"]
    assert spells.loc[("BBB", 2019), ["limit", "over limit", "first year over"]].tolist() == [3, True, 2022]


def test_a_spell_across_the_change_of_regime_is_read_year_by_year():
    tiers = panel(runs("AAA", (T2, 2015, 2015), (WL, 2016, 2019), (T3, 2020, 2020))
                  + runs("BBB", (T2, 2014, 2014), (WL, 2015, 2018), (T3, 2019, 2019)))
    spells = check(tiers, waivers=[(2018, "AAA"), (2019, "AAA"), (2017, "BBB"), (2018, "BBB")])
    crossing, before_change = spells.loc[("AAA", 2016)], spells.loc[("BBB", 2015)]
    assert (crossing["regime"], crossing["limit"], crossing["first year over"]) == ("2019 text", 3, 2019)
    assert (before_change["regime"], before_change["limit"], before_change["over limit"]) == ("2008 text", 4, False)


def test_years_before_the_counting_report_are_not_counted_and_an_uncounted_spell_is_left_out():
    tiers = panel(runs("AAA", (WL, 2006, 2007), (T2, 2008, 2008)) + runs("BBB", (WL, 2007, 2010), (T2, 2011, 2011)))
    spells = check(tiers)
    assert list(spells.index) == [("BBB", 2007)]
    assert spells.loc[("BBB", 2007), ["years", "counted years", "waiver years"]].tolist() == [4, 2, []]


def test_the_limits_come_from_the_rules_table_not_from_constants():
    tiers = panel(runs("AAA", (WL, 2009, 2012), (T3, 2013, 2013)))
    waivers = [(2011, "AAA"), (2012, "AAA")]
    assert not check(tiers, waivers=waivers).loc[("AAA", 2009), "over limit"]
    one_waiver_year = rules_table([("2008 text", 2009, 2018, 2009, 2, 1, None), TWO_TEXTS[1]])
    spell = check(tiers, rules=one_waiver_year, waivers=waivers).loc[("AAA", 2009)]
    assert (spell["limit"], spell["over limit"], spell["first year over"]) == (3, True, 2012)
    three_before_downgrade = rules_table([("2008 text", 2009, 2018, 2009, 3, 2, None), TWO_TEXTS[1]])
    assert check(tiers, rules=three_before_downgrade).loc[("AAA", 2009), "waiver years"] == [2012]
    counted_later = rules_table([("2008 text", 2009, 2018, 2011, 2, 2, None), TWO_TEXTS[1]])
    assert check(tiers, rules=counted_later).loc[("AAA", 2009), "counted years"] == 2


def test_rule_f_allows_one_year_to_a_government_downgraded_under_d_and_reinstated():
    tiers = panel(runs("AAA", (WL, 2019, 2021), (T3, 2022, 2022), (WL, 2023, 2024), (T2, 2025, 2025))
                  + runs("BBB", (WL, 2019, 2021), (T3, 2022, 2022), (WL, 2023, 2023), (T3, 2024, 2024)))
    spells = check(tiers, waivers=[(2021, "AAA"), (2021, "BBB")])
    reinstated = spells.loc[("AAA", 2023)]
    assert (reinstated["rule"], reinstated["limit"], reinstated["first year over"]) == ("(F)", 1, 2024)
    assert reinstated["reinstated after"] == "2019–2021: 3 counted years, waiver on record: 2021; Tier 3 in 2022"
    assert spells.loc[("BBB", 2023), ["rule", "over limit", "outcome"]].tolist() == ["(F)", False, "to Tier 3 when the automatic downgrade applied"]


def test_rule_f_is_not_in_force_under_the_2008_text_and_holds_every_later_spell_unless_read_as_once():
    tiers = panel(runs("AAA", (WL, 2010, 2011), (T3, 2012, 2012), (WL, 2013, 2014), (T2, 2015, 2015))
                  + runs("BBB", (WL, 2019, 2020), (T3, 2021, 2021), (WL, 2022, 2022), (T3, 2023, 2023),
                         (WL, 2024, 2025)))
    spells = check(tiers)
    assert spells.loc[("AAA", 2013), "rule"] == "(D)"
    assert spells.loc[("BBB", 2022), "rule"] == "(F)"
    later = spells.loc[("BBB", 2024)]
    assert [later["rule"], later["first year over"], later["outcome"]] == ["(F)", 2025, "still open"]
    assert later["reinstated after"] == "2019–2020: 2 counted years, no waiver on record; Tier 3 in 2021"
    once = check(tiers, f_scope="next spell only").loc[("BBB", 2024)]
    assert [once["rule"], once["over limit"]] == ["(D)", False]
    with pytest.raises(ValueError, match="unknown scope of rule"):
        check(tiers, f_scope="forever")


def test_every_later_spell_reading_holds_a_brunei_and_an_algeria_shaped_history_to_one_year():
    brunei = runs("BRN", (WL, 2019, 2021), (T3, 2022, 2022), (WL, 2023, 2023), (T3, 2024, 2024), (WL, 2025, 2025))
    algeria = runs("DZA", (WL, 2017, 2019), (T3, 2020, 2021), (WL, 2022, 2022), (T3, 2023, 2023), (WL, 2024, 2025))
    tiers, waivers = panel(brunei + algeria), [(2021, "BRN"), (2019, "DZA")]
    for scope in watch_list.F_SCOPES:
        spells = check(tiers, waivers=waivers, f_reading="after a waiver", f_scope=scope)
        assert spells.loc[("BRN", 2023), "rule"] == spells.loc[("DZA", 2022), "rule"] == "(F)"
    words = check(tiers, waivers=waivers, f_reading="after a waiver")
    assert words.loc[("BRN", 2025), ["rule", "over limit"]].tolist() == ["(F)", False]
    assert words.loc[("BRN", 2025), "reinstated after"] == "2019–2021: 3 counted years, waiver on record: 2021; Tier 3 in 2022"
    assert words.loc[("DZA", 2024), ["rule", "first year over"]].tolist() == ["(F)", 2025]
    once = check(tiers, waivers=waivers, f_reading="after a waiver", f_scope="next spell only")
    assert once.loc[("BRN", 2025), "rule"] == once.loc[("DZA", 2024), "rule"] == "(D)"
    verdicts = {scope: watch_list.next_report(
        watch_list.check_spells(tiers, rules_table(), waivers_table(waivers), coverage_table(), "after a waiver", scope),
        rules_table()).set_index("iso3")["in the next report"].to_dict() for scope in watch_list.F_SCOPES}
    assert verdicts == {"every later spell": {"BRN": "must leave the Watch List", "DZA": "must leave the Watch List"},
                        "next spell only": {"BRN": "may stay", "DZA": "needs a waiver to stay"}}


def test_rule_f_counts_only_years_in_reports_it_governs():
    tiers = panel(runs("AAA", (WL, 2009, 2010), (T3, 2011, 2011), (WL, 2017, 2019), (T3, 2020, 2020))
                  + runs("BBB", (WL, 2009, 2010), (T3, 2011, 2011), (WL, 2017, 2020), (T2, 2021, 2021)))
    spells = check(tiers)
    before_the_act = spells.loc[("AAA", 2017)]
    assert before_the_act[["rule", "counted years", "years against the limit", "over limit"]].tolist() == [
        "(F)", 3, 1, False]
    assert before_the_act["outcome"] == "to Tier 3 when the automatic downgrade applied"
    assert spells.loc[("BBB", 2017), ["years against the limit", "first year over"]].tolist() == [2, 2020]


def test_the_after_a_waiver_reading_of_rule_f_needs_a_waiver_year_before_the_downgrade():
    tiers = panel(runs("AAA", (WL, 2019, 2020), (T3, 2021, 2021), (WL, 2022, 2023), (T2, 2024, 2024)))
    assert check(tiers).loc[("AAA", 2022), ["rule", "over limit"]].tolist() == ["(F)", True]
    narrow = check(tiers, f_reading="after a waiver").loc[("AAA", 2022)]
    assert [narrow["rule"], narrow["over limit"]] == ["(D)", False]
    with pytest.raises(ValueError, match="unknown reading of rule"):
        check(tiers, f_reading="lenient")


def test_a_gap_ends_a_spell_and_a_missing_report_year_too():
    tiers = panel(runs("AAA", (WL, 2009, 2010)) + [(2012, "AAA", WL), (2013, "AAA", T3)])   # no 2011 report
    spells = check(tiers)
    assert spells.loc[("AAA", 2009), ["last", "after", "outcome"]].tolist() == [2010, "no report in the data",
                                                                               "ended at a gap"]
    assert spells.loc[("AAA", 2012), ["counted years", "outcome"]].tolist() == [
        1, "to Tier 3 before the automatic downgrade"]
    gap = panel(runs("AAA", (WL, 2019, 2020)) + runs("BBB", (T2, 2019, 2022)) + [(2022, "AAA", WL)])
    assert check(gap).loc[("AAA", 2019), ["after", "outcome"]].tolist() == ["no placement", "ended at a gap"]
    deduced = pd.DataFrame({"report_year": [2021], "iso3": ["AAA"]})
    assert check(gap, by_elimination=deduced).loc[("AAA", 2019), "outcome"] == watch_list.LEFT_BY_ELIMINATION
    assert check(gap, by_elimination=deduced.assign(report_year=2022)).loc[("AAA", 2019), "outcome"] == "ended at a gap"


def test_tier_3_after_a_year_past_the_limit_is_told_apart():
    tiers = panel(runs("AAA", (WL, 2019, 2020), (T3, 2021, 2021), (WL, 2022, 2023), (T3, 2024, 2024)))
    assert check(tiers).loc[("AAA", 2022), "outcome"] == "to Tier 3 past the limit"
    assert check(tiers, f_reading="after a waiver").loc[("AAA", 2022), "outcome"] == \
        "to Tier 3 when the automatic downgrade applied"


def test_special_case_and_open_spells_are_told_apart():
    tiers = panel(runs("AAA", (WL, 2019, 2020), ("Special Case", 2021, 2021)) + runs("BBB", (WL, 2020, 2021)))
    spells = check(tiers)
    assert spells.loc[("AAA", 2019), "outcome"] == "Special Case"
    assert spells.loc[("BBB", 2020), ["after", "outcome"]].tolist() == ["latest report", "still open"]


def test_a_waiver_missing_from_a_partial_record_is_unrecorded_and_from_a_complete_one_needs_a_reason():
    tiers = panel(runs("AAA", (WL, 2019, 2021), (T2, 2022, 2022)))
    partial = check(tiers, coverage=coverage_table(complete=[], partial=[2021])).loc[("AAA", 2019)]
    assert (partial["waivers unrecorded (partial year)"], partial["needs a reason"]) == ([2021], False)
    complete = check(tiers).loc[("AAA", 2019)]
    assert (complete["waivers absent (complete year)"], complete["needs a reason"], complete["reason"]) == (
        [2021], True, "unknown")


def test_the_reason_shown_is_what_the_data_hold():
    reinstated = runs("AAA", (WL, 2019, 2020), (T3, 2021, 2021), (WL, 2022, 2023), (T2, 2024, 2024))
    assert check(panel(reinstated), waivers=[(2023, "AAA")]).loc[("AAA", 2022), "reason"] == \
        "waiver under (D) on the record (2023)"
    assert check(panel(reinstated, disputed=[(2023, "AAA")])).loc[("AAA", 2022), "reason"] == \
        "disputed placement (2023)"
    assert check(panel(reinstated, disputed=[(2021, "AAA")])).loc[("AAA", 2022), "reason"] == \
        "disputed placement (2021)"
    assert check(panel(reinstated), coverage=coverage_table(complete=[], partial=[2023])).loc[
        ("AAA", 2022), "reason"] == "missing waiver record in a partial year (2023)"
    gap = runs("AAA", (WL, 2019, 2020), (T3, 2021, 2021), (WL, 2023, 2024)) + runs("BBB", (T2, 2019, 2024))
    assert check(panel(gap)).loc[("AAA", 2023), "reason"] == "gap (2022)"
    assert check(panel(reinstated)).loc[("AAA", 2022), "reason"] == "unknown"


def test_rule_in_force_refuses_overlapping_periods_and_a_missing_column():
    overlapping = rules_table([TWO_TEXTS[0], ("2019 text", 2018, None, 2009, 2, 1, 1)])
    with pytest.raises(ValueError, match="2018 is governed by more than one regime: 2008 text, 2019 text"):
        watch_list.rule_in_force(overlapping, 2018)
    with pytest.raises(ValueError, match=r"missing column\(s\) \['max_waiver_years'\]"):
        watch_list.rule_in_force(rules_table().drop(columns="max_waiver_years"), 2018)
    assert watch_list.rule_in_force(rules_table(), 2008) is None
    assert watch_list.rule_in_force(rules_table(), 2040)["regime"] == "2019 text"


def test_next_report_names_who_must_leave_and_who_needs_a_waiver():
    tiers = panel(runs("AAA", (WL, 2023, 2025)) + runs("BBB", (T2, 2023, 2023), (WL, 2024, 2025))
                  + runs("CCC", (T2, 2023, 2024), (WL, 2025, 2025))
                  + runs("DDD", (WL, 2021, 2022), (T3, 2023, 2024), (WL, 2025, 2025)))
    checked = watch_list.check_spells(tiers, rules_table(), waivers_table([(2025, "AAA")]), coverage_table())
    verdicts = watch_list.next_report(checked, rules_table()).set_index("iso3")["in the next report"]
    assert verdicts.to_dict() == {"AAA": "must leave the Watch List", "BBB": "needs a waiver to stay",
                                  "CCC": "may stay", "DDD": "must leave the Watch List"}


def test_waiver_record_by_year_counts_the_spells_needing_a_waiver():
    tiers = panel(runs("AAA", (WL, 2019, 2021), (T3, 2022, 2022)) + runs("BBB", (WL, 2019, 2021), (T2, 2022, 2022)))
    checked = watch_list.check_spells(tiers, rules_table(), waivers_table([(2021, "AAA")]),
                                      coverage_table(complete=[], partial=[2021]))
    granted = waivers_table([(2021, "AAA"), (2021, "CCC"), (2020, "CCC")])
    record = watch_list.waiver_record_by_year(checked, coverage_table(complete=[], partial=[2021]), granted).iloc[0]
    assert record.tolist() == [2021, "partial", 2, 2, 1, 1]


def test_compare_f_readings_lists_every_spell_some_reading_puts_under_f():
    tiers = panel(runs("AAA", (WL, 2019, 2020), (T3, 2021, 2021), (WL, 2022, 2023), (T2, 2024, 2024))
                  + runs("BBB", (WL, 2019, 2021), (T3, 2022, 2022), (WL, 2023, 2023), (T3, 2024, 2024),
                         (WL, 2025, 2026))
                  + runs("CCC", (WL, 2019, 2019), (T2, 2020, 2026)))
    summary, by_spell = watch_list.compare_f_readings(tiers, rules_table(), waivers_table([(2021, "BBB"), (2023, "AAA")]),
                                                      coverage_table())
    assert summary["spells under (F)"].to_dict() == {"broad, every later spell": 3, "broad, next spell only": 2,
                                                     "after a waiver, every later spell": 2,
                                                     "after a waiver, next spell only": 1}
    assert summary["past (F)'s limit"].tolist() == [2, 1, 1, 0]
    assert summary["... with a (D) waiver on record"].tolist() == [1, 1, 0, 0]
    assert by_spell[["iso3", "first"]].values.tolist() == [["AAA", 2022], ["BBB", 2023], ["BBB", 2025]]
    assert by_spell.iloc[2, 4:].tolist() == ["(F), past the limit from 2026", "(D)", "(F), past the limit from 2026",
                                             "(D)"]


def test_statute_citations_refuse_a_version_or_source_not_in_the_tables():
    statute = pd.DataFrame({"version": ["v1"], "public_law": ["P.L. 1"], "provision": ["(D)"], "source_ids": ["S1 S2"]})
    sources = pd.DataFrame({"source_id": ["S1", "S2"], "publisher": ["a", "b"], "url": ["https://a", "https://b"]})
    table = watch_list.statute_citations(rules_table(), statute, sources)
    assert table[["regime", "source_id"]].values.tolist() == [["2008 text", "S1"], ["2008 text", "S2"],
                                                              ["2019 text", "S1"], ["2019 text", "S2"]]
    with pytest.raises(ValueError, match="cites 'S2', which sources.csv does not have"):
        watch_list.statute_citations(rules_table(), statute, sources.iloc[:1])
    with pytest.raises(ValueError, match="names statute version 'v1'"):
        watch_list.statute_citations(rules_table(), statute.assign(version="v2"), sources)


@pytest.fixture(scope="module")
def checked():
    tables = load_all()
    return watch_list.check_spells(tables["tiers"], tables["watch_list_rules"], tables["watch_list_waivers"],
                                   tables["watch_list_waiver_coverage"])


def test_the_spells_chart_has_a_panel_per_rule_and_keeps_clear_of_the_canvas_edge(checked):
    fig = spell_outcome_chart(checked)
    assert len(fig.axes) == checked.groupby(["regime", "rule", "limit"]).ngroups
    annotate(fig, "A finding stated as a title long enough to wrap on the figure, as titles here often are",
             "Measure and period", "Source: test")
    assert texts_off_canvas(fig, tolerance_px=-4) == []   # every text at least 4 px (at 100 dpi) inside the canvas
    plt.close(fig)


def test_the_spells_chart_outcome_colours_are_far_apart():
    colours = [matplotlib.colors.to_rgb(style["color"]) for style in OUTCOME_STYLE.values()]
    closest = min(sum((a - b) ** 2 for a, b in zip(x, y)) ** 0.5
                  for i, x in enumerate(colours) for y in colours[i + 1:])
    assert closest > 0.25
