-- clean.sessions: a new session starts when more than the gap passed since the visitor's previous
-- event; each UTC day is sessionised on its own, so a session never spans midnight.
WITH events AS (
    SELECT
        e.event_date,
        e.anonymous_id,
        e.event_id,
        e.event_type,
        e.event_ts,
        e.is_bot,
        LAG(e.event_ts) OVER (
            PARTITION BY e.event_date, e.anonymous_id ORDER BY e.event_ts, e.event_id
        ) AS previous_ts
    FROM clean_events AS e
    CROSS JOIN params AS p
    WHERE e.event_date BETWEEN p.window_start AND p.window_end
),
numbered AS (
    SELECT
        e.*,
        SUM(
            CASE
                WHEN e.previous_ts IS NULL THEN 1
                WHEN EPOCH_US(e.event_ts) - EPOCH_US(e.previous_ts) > p.session_gap_us THEN 1
                ELSE 0
            END
        ) OVER (
            PARTITION BY e.event_date, e.anonymous_id
            ORDER BY e.event_ts, e.event_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS session_no
    FROM events AS e
    CROSS JOIN params AS p
)
SELECT
    event_date,
    CONCAT(anonymous_id, '/', CAST(event_date AS VARCHAR), '/', CAST(session_no AS VARCHAR)) AS session_id,
    anonymous_id,
    MIN(event_ts) AS session_start,
    MAX(event_ts) AS session_end,
    COUNT(*) AS events,
    SUM(CASE WHEN event_type = 'impression' THEN 1 ELSE 0 END) AS impressions,
    SUM(CASE WHEN event_type = 'click' THEN 1 ELSE 0 END) AS clicks,
    SUM(CASE WHEN event_type = 'page_view' THEN 1 ELSE 0 END) AS page_views,
    SUM(CASE WHEN event_type = 'conversion' THEN 1 ELSE 0 END) AS conversions,
    BOOL_OR(is_bot) AS is_bot
FROM numbered
GROUP BY event_date, anonymous_id, session_no
