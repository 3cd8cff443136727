"""The contract check as DuckDB SQL, generated from :mod:`airlake.contract` (pure).

Two statements over a relation of landing lines (:data:`airlake.landing.LINES_SCHEMA`):

- :func:`fast_ingest_sql`, the common case: one typed parse per line and the rules judged on the
  typed columns; it marks the lines it can accept as valid events (``fast_ok``);
- :func:`ingest_sql`, the exact path, for every other line: one row per line with a ``reason``
  (null for a valid event), a ``detail`` naming the field at fault, the typed contract fields,
  and the line itself only where it is quarantined.

Rules and their order are :data:`airlake.contract.VALIDATION_ORDER`; the first rule a line fails
gives its reason. Both statements share the rules' SQL, so a line accepted by the fast path is
the event the exact path would make of it.
"""

from __future__ import annotations

from airlake.contract import (
    CURRENCIES,
    FIELD_TYPES,
    FIELDS,
    MAX_AMOUNT,
    REQUIRED,
    TIMESTAMP_FRACTION_DIGITS,
    TIMESTAMP_PATTERN,
    EventType,
    FieldType,
    Reason,
)
from airlake.validation import duplicate_key_detail

# The instants Python's datetime can hold (years 1-9999 in UTC), the reference's range.
_FIRST_INSTANT = "TIMESTAMPTZ '0001-01-01 00:00:00+00'"
_END_INSTANT = "TIMESTAMPTZ '10000-01-01 00:00:00+00'"
_NUMBER_TYPES = "('UBIGINT', 'BIGINT', 'DOUBLE', 'HUGEINT')"
# After removing string literals, any NaN/Infinity left is a bare token: not JSON.
_STRINGS = r'"(?:[^"\\]|\\.)*"'


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _index(name: str) -> int:
    return next(i for i, f in enumerate(FIELDS, start=1) if f.name == name)


def _type(name: str) -> str:
    # t[1] is the document's own type (path '$'), the fields follow in FIELDS order
    return f"t[{_index(name) + 1}]"


def _text(name: str) -> str:
    return f"s[{_index(name)}]"


def _present(name: str) -> str:
    return f"coalesce({_type(name)}, 'NULL') <> 'NULL'"


def _missing_cases() -> list[tuple[str, str]]:
    cases = []
    for event_type in EventType:
        for name in REQUIRED[event_type]:
            cases.append(
                (
                    f"event_type = {_q(event_type.value)} AND NOT ({_present(name)})",
                    f"missing {name}",
                )
            )
    return cases


def _bad_type_cases() -> list[tuple[str, str]]:
    cases = []
    for f in FIELDS:
        if f.type is FieldType.NUMBER:
            wrong = f"{_type(f.name)} NOT IN {_NUMBER_TYPES}"
            want = "a number"
        else:
            wrong = f"{_type(f.name)} <> 'VARCHAR'"
            want = "a string"
        cases.append(
            (
                f"{_present(f.name)} AND {wrong}",
                f"{f.name}: expected {want}, got ' || lower({_type(f.name)}) || '",
            )
        )
    return cases


def _timestamp(name: str) -> str:
    """The field's text as TIMESTAMPTZ, null when it is not one the reference can hold:
    upper-cased for ``t``/``z``, the fraction cut to microseconds (DuckDB would round it),
    and null outside the years 1-9999 in UTC (DuckDB reads more, Python's datetime does not)."""
    cut = _q(rf"(\.\d{{1,{TIMESTAMP_FRACTION_DIGITS}}})\d*")
    value = f"TRY_CAST(regexp_replace(upper({_text(name)}), {cut}, '\\1') AS TIMESTAMPTZ)"
    return f"CASE WHEN {value} >= {_FIRST_INSTANT} AND {value} < {_END_INSTANT} THEN {value} END"


def _timestamp_cases() -> list[tuple[str, str]]:
    cases = []
    for name in ("event_ts", "received_ts"):
        text = _text(name)
        value = f"{name}_v"
        cases.append(
            (
                f"NOT regexp_full_match({text}, {_q(TIMESTAMP_PATTERN)}) OR {value} IS NULL",
                f"{name}: not an RFC 3339 timestamp",
            )
        )
    cases.append(("event_ts_v > received_ts_v", "event_ts is after received_ts"))
    cases.append(("CAST(event_ts_v AS DATE) > landing_date", "event date is after the landing day"))
    return cases


def _value_cases() -> list[tuple[str, str]]:
    cases = []
    for name in ("cost", "revenue"):
        number = f"TRY_CAST({_text(name)} AS DOUBLE)"
        cases.append(
            (
                f"{_present(name)} AND NOT ({number} >= 0 AND {number} < {MAX_AMOUNT} AND isfinite({number}))",
                f"{name}: must be a finite amount between 0 and {MAX_AMOUNT}",
            )
        )
    currencies = ", ".join(_q(c) for c in sorted(CURRENCIES))
    cases.append(
        (
            f"{_present('currency')} AND {_currency()} NOT IN ({currencies})",
            "currency: not an accepted code",
        )
    )
    return cases


def _currency() -> str:
    """The currency code upper-cased when it is ASCII (as the reference does)."""
    text = _text("currency")
    return (
        f"CASE WHEN regexp_full_match({text}, '[\\x00-\\x7F]*') THEN upper({text}) ELSE {text} END"
    )


def _first(cases: list[tuple[str, str]]) -> tuple[str, str]:
    """(any-condition, detail-expression) for a list of (condition, detail) cases."""
    any_cond = " OR ".join(f"({c})" for c, _ in cases)
    detail = "CASE " + " ".join(f"WHEN {c} THEN '{d}'" for c, d in cases) + " END"
    return any_cond, detail


def _typed_columns() -> str:
    typed = []
    for f in FIELDS:
        if f.type is FieldType.NUMBER:
            typed.append(f"TRY_CAST({_text(f.name)} AS DECIMAL(18, 6)) AS {f.name}")
        elif f.type is FieldType.TIMESTAMP:
            typed.append(f"{f.name}_v AS {f.name}")
        elif f.name == "currency":
            typed.append(f"{_currency()} AS {f.name}")
        else:
            typed.append(f"{_text(f.name)} AS {f.name}")
    return ",\n    ".join(typed)


def _rules(window_days: int) -> str:
    """The CTEs ``typed`` and ``judged`` over ``extracted`` (``t``: the JSON types, ``s``: the
    texts of the document and its fields, ``doc_type``, ``is_json``): the contract's rules in
    order, the first that fails giving ``reason``."""
    event_types = ", ".join(_q(t.value) for t in EventType)
    missing, _ = _first(_missing_cases())
    bad_type, _ = _first(_bad_type_cases())
    bad_ts, _ = _first(_timestamp_cases())
    bad_value, _ = _first(_value_cases())
    late = f"CAST(event_ts_v AS DATE) < landing_date - {window_days - 1}"
    return f"""
typed AS (
    SELECT
        e.*,
        CASE WHEN e.{_type("event_type")} = 'VARCHAR' THEN e.s[{_index("event_type")}] END AS event_type,
        {_timestamp("event_ts")} AS event_ts_v,
        {_timestamp("received_ts")} AS received_ts_v
    FROM extracted AS e
),
judged AS (
    SELECT
        y.*,
        CASE
            WHEN y.too_long_bytes IS NOT NULL THEN '{Reason.LINE_TOO_LONG}'
            WHEN NOT y.is_json THEN '{Reason.MALFORMED_JSON}'
            WHEN y.doc_type <> 'OBJECT' THEN '{Reason.NOT_AN_OBJECT}'
            WHEN y.repeated_key IS NOT NULL THEN '{Reason.DUPLICATE_KEY}'
            WHEN y.event_type IS NULL OR y.event_type NOT IN ({event_types}) THEN '{Reason.UNKNOWN_EVENT_TYPE}'
            WHEN {missing} THEN '{Reason.MISSING_FIELD}'
            WHEN {bad_type} THEN '{Reason.BAD_TYPE}'
            WHEN {bad_ts} THEN '{Reason.BAD_TIMESTAMP}'
            WHEN {bad_value} THEN '{Reason.BAD_VALUE}'
            WHEN {late} THEN '{Reason.LATE_BEYOND_WINDOW}'
        END AS reason
    FROM typed AS y
)"""


def ingest_sql(window_days: int, max_line_bytes: int, source: str = "lines") -> str:
    """The classifying SELECT over ``source`` (default ``lines``), every rule of the contract
    on every line: the exact path. ``window_days`` is the late-data window L;
    ``max_line_bytes`` the limit the lines were cut at (it only appears in the detail)."""
    paths = ", ".join(_q(f"$.{f.name}") for f in FIELDS)
    _, missing_detail = _first(_missing_cases())
    _, bad_type_detail = _first(_bad_type_cases())
    _, bad_ts_detail = _first(_timestamp_cases())
    _, bad_value_detail = _first(_value_cases())
    typed_sql = _typed_columns()
    return f"""
WITH parsed AS (
    SELECT
        l.*,
        CASE
            WHEN l.line IS NULL OR NOT json_valid(l.line) THEN false
            WHEN (contains(l.line, 'NaN') OR contains(l.line, 'Infinity'))
                AND regexp_matches(regexp_replace(l.line, {_q(_STRINGS)}, '', 'g'), 'NaN|Infinity') THEN false
            ELSE true
        END AS is_json
    FROM {source} AS l
),
typed_doc AS (
    SELECT
        p.*,
        CASE WHEN p.is_json THEN json_type(p.line, ['$', {paths}]) END AS t
    FROM parsed AS p
),
extracted_doc AS (
    SELECT
        d.*,
        d.t[1] AS doc_type,
        CASE WHEN d.t[1] = 'OBJECT' THEN json_extract_string(d.line, [{paths}]) END AS s
    FROM typed_doc AS d
),
keyed AS (
    SELECT
        x.*,
        CASE WHEN x.doc_type = 'OBJECT' THEN json_keys(x.line) END AS keys
    FROM extracted_doc AS x
),
extracted AS (
    SELECT
        k.* EXCLUDE (keys),
        CASE WHEN len(k.keys) <> len(list_distinct(k.keys))
            THEN [k.keys[i] for i in range(1, len(k.keys) + 1) if list_position(k.keys, k.keys[i]) < i][1]
        END AS repeated_key
    FROM keyed AS k
),{_rules(window_days)}
SELECT
    reason,
    CASE reason
        WHEN '{Reason.LINE_TOO_LONG}' THEN 'line of ' || too_long_bytes || ' bytes, over the limit of {int(max_line_bytes)} (pipeline.max_line_bytes)'
        WHEN '{Reason.MALFORMED_JSON}' THEN CASE WHEN line IS NULL THEN 'not UTF-8' ELSE 'not a JSON document' END
        WHEN '{Reason.NOT_AN_OBJECT}' THEN 'JSON ' || lower(doc_type) || ', expected an object'
        WHEN '{Reason.DUPLICATE_KEY}' THEN {_q(duplicate_key_detail(""))} || repeated_key
        WHEN '{Reason.UNKNOWN_EVENT_TYPE}' THEN 'event_type ' || coalesce(json_extract(line, '$.event_type')::VARCHAR, 'absent')
        WHEN '{Reason.MISSING_FIELD}' THEN {missing_detail}
        WHEN '{Reason.BAD_TYPE}' THEN {bad_type_detail}
        WHEN '{Reason.BAD_TIMESTAMP}' THEN {bad_ts_detail}
        WHEN '{Reason.BAD_VALUE}' THEN {bad_value_detail}
        WHEN '{Reason.LATE_BEYOND_WINDOW}' THEN 'event date ' || CAST(CAST(event_ts_v AS DATE) AS VARCHAR)
            || ' is older than the {window_days}-day window of landing day ' || CAST(landing_date AS VARCHAR)
    END AS detail,
    {typed_sql},
    CAST(event_ts_v AS DATE) AS event_date,
    source_topic,
    source_partition,
    source_offset,
    source_file,
    source_line,
    landing_date,
    landing_hour,
    CASE WHEN reason IS NOT NULL THEN line END AS raw_line,
    CASE WHEN reason IS NOT NULL THEN raw_bytes END AS raw_bytes
FROM judged
"""


def _fast_timestamp(text: str) -> str:
    """:func:`_timestamp` for the fast path: the fraction is cut only where it has more than
    six digits (the regular expression is the costly part), the text parsed once."""
    cut = _q(rf"(\.\d{{1,{TIMESTAMP_FRACTION_DIGITS}}})\d*")
    long_fraction = _q(rf"\.\d{{{TIMESTAMP_FRACTION_DIGITS + 1}}}")
    return (
        f"TRY_CAST(CASE WHEN regexp_matches({text}, {long_fraction}) "
        f"THEN regexp_replace(upper({text}), {cut}, '\\1') ELSE upper({text}) END AS TIMESTAMPTZ)"
    )


def fast_ingest_sql(window_days: int, source: str = "lines") -> str:
    """The fast path: one typed parse per line, the contract's rules judged on its columns.

    Each contract field is read once, by DuckDB's JSON reader with an explicit structure
    (``json_transform``, the reader behind ``read_json``), as its JSON text; its type and value
    follow from that text without parsing the line again. A line goes this way only when that
    reading cannot differ from the exact path's: not cut for length, UTF-8, an object from its
    first byte, no backslash (so every ``"`` delimits a string and a string's JSON text is its
    value in quotes) and no ``NaN``/``Infinity`` anywhere. A key given twice is ruled out by
    counting quotes: each field read accounts for its key's two and, for a string, its value's
    two; any other key (repeated, outside the contract, or null) leaves quotes unaccounted for,
    and only then are the line's keys listed.

    The rules are the conjunction of :data:`airlake.contract.VALIDATION_ORDER`'s on these
    columns: a line is accepted (``fast_ok``) only when it passes every one; which rule a
    rejected line fails is left to the exact path. Returns every line of ``source`` with
    ``fast_ok``, the typed event columns (as :func:`ingest_sql` types them) and the line's own
    columns (:data:`airlake.landing.LINES_SCHEMA`; ``line`` only where not accepted), so the
    lines not accepted can go through :func:`ingest_sql` unchanged.
    """
    structure = "{" + ", ".join(f'"{f.name}": "JSON"' for f in FIELDS) + "}"
    raw = ",\n        ".join(f'CAST(d.j.{f.name} AS VARCHAR) AS "v_{f.name}"' for f in FIELDS)
    strings = [f for f in FIELDS if f.type is not FieldType.NUMBER]
    numbers = [f for f in FIELDS if f.type is FieldType.NUMBER]
    texts = ",\n        ".join(
        f"CASE WHEN starts_with(r.v_{f.name}, '\"') THEN r.v_{f.name}[2:-2] END AS {f.name}_t"
        for f in strings
    )
    # a present field of the wrong JSON type
    wrong = [f"(r.v_{f.name} IS NOT NULL AND NOT starts_with(r.v_{f.name}, '\"'))" for f in strings]
    wrong += [
        f"(r.v_{f.name} IS NOT NULL AND NOT (ascii(r.v_{f.name}) = 45 "
        f"OR ascii(r.v_{f.name}) BETWEEN 48 AND 57))"
        for f in numbers
    ]
    # quotes each field read accounts for: 2 for its key, 2 more for a string value
    expected = " + ".join(
        f"(CASE WHEN r.v_{f.name} IS NULL THEN 0 WHEN starts_with(r.v_{f.name}, '\"') "
        f"THEN 4 ELSE 2 END)"
        for f in FIELDS
    )
    quotes = "strlen(r.line) - strlen(replace(r.line, '\"', ''))"
    required = " ".join(
        f"WHEN {_q(t.value)} THEN "
        + " AND ".join(
            f"x.{n}_t IS NOT NULL"
            if FIELD_TYPES[n] is not FieldType.NUMBER
            else f"x.v_{n} IS NOT NULL"
            for n in REQUIRED[t]
        )
        for t in EventType
    )
    currencies = ", ".join(_q(c) for c in sorted(CURRENCIES))
    amounts = " AND ".join(
        f"(x.v_{f.name} IS NULL OR (TRY_CAST(x.v_{f.name} AS DOUBLE) >= 0 "
        f"AND TRY_CAST(x.v_{f.name} AS DOUBLE) < {MAX_AMOUNT} "
        f"AND isfinite(TRY_CAST(x.v_{f.name} AS DOUBLE))))"
        for f in numbers
    )
    currency = (
        "CASE WHEN regexp_full_match(x.currency_t, '[\\x00-\\x7F]*') "
        "THEN upper(x.currency_t) ELSE x.currency_t END"
    )
    typed = []
    for f in FIELDS:
        if f.type is FieldType.NUMBER:
            typed.append(f"TRY_CAST(v_{f.name} AS DECIMAL(18, 6)) AS {f.name}")
        elif f.type is FieldType.TIMESTAMP:
            typed.append(f"{f.name}_v AS {f.name}")
        elif f.name == "currency":
            typed.append(f"currency_n AS {f.name}")
        else:
            typed.append(f"{f.name}_t AS {f.name}")
    typed_sql = ",\n    ".join(typed)
    return f"""
WITH simple AS (
    SELECT
        l.*,
        l.too_long_bytes IS NULL AND l.line IS NOT NULL AND starts_with(l.line, '{{')
            AND NOT contains(l.line, '\\') AND NOT contains(l.line, 'NaN')
            AND NOT contains(l.line, 'Infinity') AS simple
    FROM {source} AS l
),
transformed AS (
    SELECT
        p.*,
        CASE WHEN p.simple AND json_valid(p.line) THEN json_transform(p.line, {_q(structure)}) END AS j
    FROM simple AS p
),
valued AS (
    SELECT
        d.* EXCLUDE (j, simple),
        d.j IS NOT NULL AS is_json,
        {raw}
    FROM transformed AS d
),
texted AS (
    SELECT
        r.*,
        {texts},
        r.is_json AND NOT ({" OR ".join(wrong)}) AS types_ok,
        CASE WHEN r.is_json AND {quotes} <> {expected} THEN json_keys(r.line) END AS keys
    FROM valued AS r
),
stamped AS (
    SELECT
        x.*,
        {_fast_timestamp("x.event_ts_t")} AS event_ts_c,
        {_fast_timestamp("x.received_ts_t")} AS received_ts_c,
        {currency} AS currency_n
    FROM texted AS x
),
judged AS (
    SELECT
        x.*,
        CASE WHEN x.event_ts_c >= {_FIRST_INSTANT} AND x.event_ts_c < {_END_INSTANT} THEN x.event_ts_c END AS event_ts_v,
        CASE WHEN x.received_ts_c >= {_FIRST_INSTANT} AND x.received_ts_c < {_END_INSTANT} THEN x.received_ts_c END AS received_ts_v
    FROM stamped AS x
),
decided AS (
    SELECT
        x.*,
        coalesce(
            x.types_ok
            AND (x.keys IS NULL OR list_unique(x.keys) = len(x.keys))
            AND (CASE x.event_type_t {required} ELSE false END)
            AND regexp_full_match(x.event_ts_t, {_q(TIMESTAMP_PATTERN)})
            AND regexp_full_match(x.received_ts_t, {_q(TIMESTAMP_PATTERN)})
            AND x.event_ts_v IS NOT NULL AND x.received_ts_v IS NOT NULL
            AND x.event_ts_v <= x.received_ts_v
            AND CAST(x.event_ts_v AS DATE) <= x.landing_date
            AND {amounts}
            AND (x.currency_t IS NULL OR x.currency_n IN ({currencies}))
            AND CAST(x.event_ts_v AS DATE) >= x.landing_date - {window_days - 1},
            false
        ) AS fast_ok
    FROM judged AS x
)
SELECT
    fast_ok,
    {typed_sql},
    CAST(event_ts_v AS DATE) AS event_date,
    source_file,
    source_topic,
    source_partition,
    source_offset,
    source_line,
    landing_date,
    landing_hour,
    -- the exact path needs the line only where the fast path did not accept it
    CASE WHEN NOT fast_ok THEN line END AS line,
    raw_bytes,
    too_long_bytes
FROM decided
"""
