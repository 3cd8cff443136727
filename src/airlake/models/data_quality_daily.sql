-- reports.data_quality_daily: per landing day, lines received = valid + duplicates + quarantined.
-- Inputs: raw_events and quarantine for the landing day; clean_events for the window (the first
-- deliveries that landed that day carry its landing_date); landing_files for the landing day
-- (files in its folders that are not sink files are counted and named, never read).
WITH received AS (
    SELECT COUNT(*) AS accepted
    FROM raw_events AS r
    CROSS JOIN params AS p
    WHERE r.landing_date = p.landing_date
),
firsts AS (
    SELECT
        COUNT(*) AS valid,
        SUM(CASE WHEN e.is_bot THEN 1 ELSE 0 END) AS bot_events,
        SUM(CASE WHEN e.event_date < e.landing_date THEN 1 ELSE 0 END) AS late_events,
        -- an amount in a currency with no rate to the reporting currency on its event date
        SUM(
            CASE
                WHEN COALESCE(e.cost, e.revenue) IS NOT NULL AND e.currency <> p.reporting_currency
                    AND r.to_reporting IS NULL THEN 1
                ELSE 0
            END
        ) AS no_rate_events
    FROM clean_events AS e
    CROSS JOIN params AS p
    LEFT JOIN exchange_rates AS r
        ON r.rate_date = e.event_date AND r.currency = e.currency
        AND r.reporting_currency = p.reporting_currency
    WHERE e.landing_date = p.landing_date
),
strays AS (
    SELECT
        COUNT(*) AS other_files,
        NULLIF(ARRAY_TO_STRING(LIST_SORT(LIST(f.path)), ', '), '') AS other_file_names
    FROM landing_files AS f
    CROSS JOIN params AS p
    WHERE f.landing_date = p.landing_date AND NOT COALESCE(f.sink_file, TRUE)
),
rejected AS (
    SELECT
        COUNT(*) AS quarantined,
        SUM(CASE WHEN q.reason = 'malformed_json' THEN 1 ELSE 0 END) AS q_malformed_json,
        SUM(CASE WHEN q.reason = 'not_an_object' THEN 1 ELSE 0 END) AS q_not_an_object,
        SUM(CASE WHEN q.reason = 'unknown_event_type' THEN 1 ELSE 0 END) AS q_unknown_event_type,
        SUM(CASE WHEN q.reason = 'missing_field' THEN 1 ELSE 0 END) AS q_missing_field,
        SUM(CASE WHEN q.reason = 'bad_type' THEN 1 ELSE 0 END) AS q_bad_type,
        SUM(CASE WHEN q.reason = 'bad_value' THEN 1 ELSE 0 END) AS q_bad_value,
        SUM(CASE WHEN q.reason = 'bad_timestamp' THEN 1 ELSE 0 END) AS q_bad_timestamp,
        SUM(CASE WHEN q.reason = 'late_beyond_window' THEN 1 ELSE 0 END) AS q_late_beyond_window,
        SUM(CASE WHEN q.reason = 'line_too_long' THEN 1 ELSE 0 END) AS q_line_too_long,
        SUM(CASE WHEN q.reason = 'duplicate_key' THEN 1 ELSE 0 END) AS q_duplicate_key
    FROM quarantine AS q
    CROSS JOIN params AS p
    WHERE q.landing_date = p.landing_date
)
SELECT
    p.landing_date,
    CAST(r.accepted + q.quarantined AS BIGINT) AS lines,
    CAST(f.valid AS BIGINT) AS valid,
    CAST(r.accepted - f.valid AS BIGINT) AS duplicates,
    CAST(q.quarantined AS BIGINT) AS quarantined,
    CAST(COALESCE(q.q_malformed_json, 0) AS BIGINT) AS q_malformed_json,
    CAST(COALESCE(q.q_not_an_object, 0) AS BIGINT) AS q_not_an_object,
    CAST(COALESCE(q.q_unknown_event_type, 0) AS BIGINT) AS q_unknown_event_type,
    CAST(COALESCE(q.q_missing_field, 0) AS BIGINT) AS q_missing_field,
    CAST(COALESCE(q.q_bad_type, 0) AS BIGINT) AS q_bad_type,
    CAST(COALESCE(q.q_bad_value, 0) AS BIGINT) AS q_bad_value,
    CAST(COALESCE(q.q_bad_timestamp, 0) AS BIGINT) AS q_bad_timestamp,
    CAST(COALESCE(q.q_late_beyond_window, 0) AS BIGINT) AS q_late_beyond_window,
    CAST(COALESCE(q.q_line_too_long, 0) AS BIGINT) AS q_line_too_long,
    CAST(COALESCE(q.q_duplicate_key, 0) AS BIGINT) AS q_duplicate_key,
    CAST(COALESCE(f.bot_events, 0) AS BIGINT) AS bot_events,
    CAST(COALESCE(f.late_events, 0) AS BIGINT) AS late_events,
    CAST(q.quarantined AS DOUBLE) / NULLIF(r.accepted + q.quarantined, 0) AS quarantine_share,
    CAST(COALESCE(f.no_rate_events, 0) AS BIGINT) AS no_rate_events,
    CAST(s.other_files AS BIGINT) AS other_files,
    s.other_file_names
FROM params AS p
CROSS JOIN received AS r
CROSS JOIN firsts AS f
CROSS JOIN rejected AS q
CROSS JOIN strays AS s
WHERE r.accepted + q.quarantined > 0
