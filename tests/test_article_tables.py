"""Checks of the hand-curated tables built from the CamboJA article on the 2023 TIP Report.

Tables: data/quotes.csv, data/article_numbers.csv, data/events.csv and the source register
curation/manual_sources.csv. The article is data/article/cambodja-news-2023-tip-report.txt
(one paragraph per line; paragraph number = 1-based line number).

Text comparisons ("occurs verbatim") are made after normalising ONLY
  * whitespace: every run of whitespace becomes one space, ends stripped;
  * quote-mark style: “ ” " all become ", and ‘ ’ ' all become '.
Nothing else (case, dashes, brackets, punctuation) is normalised.

The tests re-derive what they can from the article itself (quoted spans, numerals, phrase
positions) instead of hard-coding the expected table contents.
"""

import csv
import datetime as dt
import hashlib
import io
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
CURATION = ROOT / "curation"
ARTICLE = DATA / "article" / "cambodja-news-2023-tip-report.txt"
QUOTES = DATA / "quotes.csv"
NUMBERS = DATA / "article_numbers.csv"
EVENTS = DATA / "events.csv"
SOURCES = CURATION / "manual_sources.csv"

ARTICLE_URL = (
    "https://cambojanews.com/cambodia-fails-to-meet-minimum-standards-for-combating-"
    "human-trafficking-us-govt-reports/"
)

#: Columns and allowed values come from the schema (data/datapackage.json), never re-typed here.
SCHEMAS = {r["name"]: r["schema"] for r in json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))["resources"]}


def schema_columns(table):
    return [field["name"] for field in SCHEMAS[table]["fields"]]


def schema_enum(table, column):
    field = next(f for f in SCHEMAS[table]["fields"] if f["name"] == column)
    return set(field["constraints"]["enum"])


COLUMNS = {QUOTES: schema_columns("quotes"), NUMBERS: schema_columns("article_numbers"),
           EVENTS: schema_columns("events"), SOURCES: schema_columns("sources")}
SPEAKER_TYPES = schema_enum("quotes", "speaker_type")
QUOTE_TYPES = schema_enum("quotes", "quote_type")
DATE_PRECISIONS = schema_enum("events", "date_precision")
DATE_BASES = schema_enum("events", "date_basis")
SOURCE_KINDS = schema_enum("sources", "kind")

# Small explicit map for numbers written as words.
WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
# Vague quantities: recorded with an empty value and "vague quantity" in the note.
VAGUE_WORDS = {"dozens", "hundreds", "thousands"}
# Words that must each be recorded wherever they occur in the article. "first" is left out
# on purpose: in this article it is an adverb ("first downgraded") or "some of the first",
# not a count (see curation/article_tables_notes.md).
MUST_RECORD_WORDS = (set(WORD_NUMBERS) - {"first"}) | VAGUE_WORDS

QUOTE_SPAN = re.compile("“([^“”]*)”")


# ---------------------------------------------------------------------------- helpers

def normalise(text):
    """Whitespace and quote-mark style only (see module docstring)."""
    text = re.sub("[“”\"]", '"', text)
    text = re.sub("[‘’']", "'", text)
    return re.sub(r"\s+", " ", text).strip()


def source_id(url):
    return "S" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:8]


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def paragraphs():
    lines = ARTICLE.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    return lines


@pytest.fixture(scope="module")
def quotes():
    return read_rows(QUOTES)


@pytest.fixture(scope="module")
def numbers():
    return read_rows(NUMBERS)


@pytest.fixture(scope="module")
def events():
    return read_rows(EVENTS)


@pytest.fixture(scope="module")
def sources():
    return read_rows(SOURCES)


def paragraph_text(paragraphs, row, errors, label):
    try:
        n = int(row["paragraph"])
    except ValueError:
        errors.append(f"{label}: paragraph {row['paragraph']!r} is not an integer")
        return None
    if not 1 <= n <= len(paragraphs):
        errors.append(f"{label}: paragraph {n} outside 1..{len(paragraphs)}")
        return None
    return paragraphs[n - 1]


def check(errors):
    assert not errors, "\n".join(errors)


def expected_value(written):
    """The number value_as_written denotes; None for a vague quantity."""
    m = re.fullmatch(r"Tier (\d)", written)
    if m:
        return int(m.group(1))
    if re.fullmatch(r"\d{1,3}(,\d{3})+|\d+", written):
        return int(written.replace(",", ""))
    if written.lower() in WORD_NUMBERS:
        return WORD_NUMBERS[written.lower()]
    if written.lower() in VAGUE_WORDS:
        return None
    raise ValueError(f"cannot parse value_as_written {written!r}")


# ---------------------------------------------------------------------------- all files

@pytest.mark.parametrize("path", list(COLUMNS), ids=lambda p: p.name)
def test_header(path):
    with open(path, encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == COLUMNS[path]


@pytest.mark.parametrize("path", list(COLUMNS), ids=lambda p: p.name)
def test_csv_round_trip_is_byte_identical(path):
    """Read with csv, write back with the same dialect (QUOTE_MINIMAL, "\\n"): same bytes."""
    raw = path.read_bytes()
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)
    assert buf.getvalue().encode("utf-8") == raw


@pytest.mark.parametrize("path,id_col,prefix", [
    (QUOTES, "quote_id", "Q"), (NUMBERS, "number_id", "N"), (EVENTS, "event_id", "E"),
], ids=["quotes", "numbers", "events"])
def test_ids_unique_and_sequential(path, id_col, prefix):
    ids = [r[id_col] for r in read_rows(path)]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert ids == [f"{prefix}{k:02d}" for k in range(1, len(ids) + 1)]


def test_source_ids_unique_and_match_url_hash(sources):
    errors = []
    ids = [s["source_id"] for s in sources]
    if len(ids) != len(set(ids)):
        errors.append("duplicate source_id in manual_sources.csv")
    for s in sources:
        if s["source_id"] != source_id(s["url"]):
            errors.append(f"{s['source_id']}: sha1 of {s['url']!r} gives {source_id(s['url'])}")
        if s["kind"] not in SOURCE_KINDS:
            errors.append(f"{s['source_id']}: kind {s['kind']!r}")
        if s["date"]:
            try:
                if re.fullmatch(r"\d{4}-\d{2}", s["date"]):
                    dt.date.fromisoformat(s["date"] + "-01")
                else:
                    dt.date.fromisoformat(s["date"])
            except ValueError:
                errors.append(f"{s['source_id']}: date {s['date']!r} is not ISO YYYY-MM-DD or YYYY-MM")
        if not s["title"] or not s["publisher"] or not s["retrieved_note"]:
            errors.append(f"{s['source_id']}: title, publisher and retrieved_note are required")
    check(errors)


def test_article_source_registered(sources):
    assert source_id(ARTICLE_URL) == "Sf695d949"
    assert "Sf695d949" in {s["source_id"] for s in sources}


def test_every_source_id_used_is_registered(quotes, numbers, events, sources):
    registered = {s["source_id"] for s in sources}
    errors = []
    for name, rows, id_col in [("quotes", quotes, "quote_id"), ("numbers", numbers, "number_id"),
                               ("events", events, "event_id")]:
        for r in rows:
            if r["source_id"] not in registered:
                errors.append(f"{name} {r[id_col]}: source_id {r['source_id']!r} not registered")
    check(errors)


# ---------------------------------------------------------------------------- quotes

def test_quotes_occur_verbatim_in_their_paragraph(quotes, paragraphs):
    """Each quote, wrapped in its quote marks, is in its paragraph (normalised as in the docstring)."""
    errors = []
    for q in quotes:
        text = paragraph_text(paragraphs, q, errors, q["quote_id"])
        if text is None:
            continue
        if not q["quote"]:
            errors.append(f"{q['quote_id']}: empty quote")
        elif normalise('"' + q["quote"] + '"') not in normalise(text):
            errors.append(f"{q['quote_id']}: not found in paragraph {q['paragraph']}: {q['quote']!r}")
    check(errors)


def test_every_quoted_span_in_article_is_in_table(quotes, paragraphs):
    """The spans a regex finds between “ and ” are exactly the table's quotes, in order."""
    found = [(i, m.group(1)) for i, line in enumerate(paragraphs, 1)
             for m in QUOTE_SPAN.finditer(line)]
    table = [(int(q["paragraph"]), q["quote"]) for q in quotes]
    missing = sorted(set(found) - set(table))
    extra = sorted(set(table) - set(found))
    assert not missing and not extra, f"missing from table: {missing}\nnot in article: {extra}"
    assert table == found, "quotes.csv rows are not in article order (or counts differ)"


def test_quote_enums_and_attribution(quotes, paragraphs):
    article = normalise(" ".join(paragraphs))
    errors = []
    for q in quotes:
        qid = q["quote_id"]
        if q["speaker_type"] not in SPEAKER_TYPES:
            errors.append(f"{qid}: speaker_type {q['speaker_type']!r}")
        if q["quote_type"] not in QUOTE_TYPES:
            errors.append(f"{qid}: quote_type {q['quote_type']!r}")
        if not q["speaker"]:
            errors.append(f"{qid}: empty speaker")
        if q["quote_type"] == "report text" and q["speaker_type"] != "TIP Report text":
            errors.append(f"{qid}: report text must have speaker_type 'TIP Report text'")
        if q["speaker_type"] == "TIP Report text" and q["quote_type"] == "spoken or written statement":
            errors.append(f"{qid}: TIP Report text cannot be a spoken or written statement")
        for col in ("role", "organization"):  # the article's own words
            if q[col] and normalise(q[col]) not in article:
                errors.append(f"{qid}: {col} {q[col]!r} is not worded as in the article")
    check(errors)


# ---------------------------------------------------------------------------- numbers

def _number_spans(numbers, paragraphs, errors):
    """(paragraph, start, end) of each row's value_as_written inside the article line."""
    spans = []
    for r in numbers:
        nid = r["number_id"]
        text = paragraph_text(paragraphs, r, errors, nid)
        if text is None:
            continue
        phrase, written = r["phrase"], r["value_as_written"]
        if not phrase or not written:
            errors.append(f"{nid}: empty phrase or value_as_written")
            continue
        count = text.count(phrase)
        if count != 1:
            errors.append(f"{nid}: phrase occurs {count} times in paragraph {r['paragraph']}: {phrase!r}")
            continue
        m = re.search(r"(?<!\w)" + re.escape(written) + r"(?!\w)", phrase)
        if not m:
            errors.append(f"{nid}: value_as_written {written!r} not in phrase {phrase!r}")
            continue
        start = text.index(phrase) + m.start()
        spans.append((int(r["paragraph"]), start, start + len(written)))
    return spans


def test_number_phrases_occur_in_paragraph_and_contain_value(numbers, paragraphs):
    errors = []
    _number_spans(numbers, paragraphs, errors)
    check(errors)


def test_number_values_parse(numbers):
    errors = []
    for r in numbers:
        nid = r["number_id"]
        try:
            expected = expected_value(r["value_as_written"])
        except ValueError as exc:
            errors.append(f"{nid}: {exc}")
            continue
        if expected is None:
            if r["value"] != "" or "vague quantity" not in r["note"]:
                errors.append(f"{nid}: vague quantity needs empty value and 'vague quantity' in note")
        elif r["value"] != str(expected):
            errors.append(f"{nid}: value {r['value']!r} but {r['value_as_written']!r} means {expected}")
        if r["value_as_written"].startswith("Tier") and r["unit"].split(" ")[0] != "tier":
            errors.append(f"{nid}: a tier must have unit 'tier'")
        for col in ("unit", "refers_to", "claim_id", "source_id"):
            if not r[col]:
                errors.append(f"{nid}: empty {col}")
        if r["claim_id"] and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r["claim_id"]):
            errors.append(f"{nid}: claim_id {r['claim_id']!r} is not a slug")
    check(errors)


def test_numbers_in_article_order(numbers, paragraphs):
    errors = []
    spans = _number_spans(numbers, paragraphs, errors)
    check(errors)
    assert spans == sorted(spans), "article_numbers.csv rows are not in article order"


def test_every_numeral_and_number_word_in_article_is_recorded(numbers, paragraphs):
    """Every digit group and every word from MUST_RECORD_WORDS in the article is covered by a row."""
    errors = []
    covered = _number_spans(numbers, paragraphs, errors)
    check(errors)
    words = "|".join(sorted(MUST_RECORD_WORDS))
    token = re.compile(r"\d+(?:,\d{3})*|\b(?:" + words + r")\b", re.IGNORECASE)
    for i, line in enumerate(paragraphs, 1):
        for m in token.finditer(line):
            if not any(p == i and s <= m.start() and m.end() <= e for p, s, e in covered):
                errors.append(f"paragraph {i}: {m.group(0)!r} at {m.start()} has no row")
    check(errors)


# ---------------------------------------------------------------------------- events

def _event_date(e):
    """Parse the date according to its precision; returns a sortable (y, m, d-or-None)."""
    date, prec = e["date"], e["date_precision"]
    if prec == "day":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            raise ValueError(f"day precision needs YYYY-MM-DD, got {date!r}")
        d = dt.date.fromisoformat(date)
        return (d.year, d.month, d.day)
    if prec == "month":
        m = re.fullmatch(r"(\d{4})-(\d{2})", date)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValueError(f"month precision needs YYYY-MM, got {date!r}")
        return (int(m.group(1)), int(m.group(2)), None)
    if prec == "unknown":
        if date:
            raise ValueError(f"unknown precision needs an empty date, got {date!r}")
        return None
    raise ValueError(f"date_precision {prec!r} not allowed")


def test_event_phrases_occur_in_paragraph(events, paragraphs):
    errors = []
    for e in events:
        text = paragraph_text(paragraphs, e, errors, e["event_id"])
        if text is None:
            continue
        if not e["article_phrase"] or normalise(e["article_phrase"]) not in normalise(text):
            errors.append(f"{e['event_id']}: phrase not in paragraph {e['paragraph']}: {e['article_phrase']!r}")
    check(errors)


def test_event_dates_match_precision_and_basis(events):
    errors = []
    for e in events:
        eid = e["event_id"]
        if e["date_precision"] not in DATE_PRECISIONS:
            errors.append(f"{eid}: date_precision {e['date_precision']!r}")
        if e["date_basis"] not in DATE_BASES:
            errors.append(f"{eid}: date_basis {e['date_basis']!r}")
        try:
            _event_date(e)
        except ValueError as exc:
            errors.append(f"{eid}: {exc}")
        # an empty date is exactly an unverified one, and it must be explained
        if (e["date"] == "") != (e["date_basis"] == "not verified"):
            errors.append(f"{eid}: empty date if and only if date_basis is 'not verified'")
        if e["date_basis"] in ("inferred", "not verified") and not e["note"]:
            errors.append(f"{eid}: an inferred or unverified date needs a note")
        if not e["event"] or not e["source_id"]:
            errors.append(f"{eid}: event and source_id are required")
    check(errors)


def test_events_in_date_order_undated_last(events):
    keys = []
    for e in events:
        try:
            keys.append((_event_date(e), int(e["paragraph"])))
        except ValueError:
            pytest.fail(f"{e['event_id']}: unparseable date")
    dated = [k for k, _ in keys if k is not None]
    n = len(dated)
    assert all(k is None for k, _ in keys[n:]), "undated events must come after all dated ones"
    for a, b in zip(dated, dated[1:]):
        # compare at the coarser precision of the two
        if b[2] is None or a[2] is None:
            assert a[:2] <= b[:2], f"events out of date order: {a} before {b}"
        else:
            assert a <= b, f"events out of date order: {a} before {b}"
    undated_paras = [p for k, p in keys[n:]]
    assert undated_paras == sorted(undated_paras), "undated events must be in article order"
