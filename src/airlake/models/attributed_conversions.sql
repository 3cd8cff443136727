-- clean.attributed_conversions: each human conversion in the window, credited to the visitor's
-- human clicks within the lookback (last click, first click or linear, from params).
-- Conversions with no such click get one row with a null campaign and credit 1.
WITH conversions AS (
    SELECT e.event_date, e.event_id, e.anonymous_id, e.order_id, e.event_ts, e.revenue, e.currency
    FROM clean_events AS e
    CROSS JOIN params AS p
    WHERE e.event_type = 'conversion' AND NOT e.is_bot
        AND e.event_date BETWEEN p.window_start AND p.window_end
),
clicks AS (
    SELECT e.anonymous_id, e.event_id, e.event_ts, e.campaign_id
    FROM clean_events AS e
    WHERE e.event_type = 'click' AND NOT e.is_bot
),
candidates AS (
    SELECT
        c.event_date,
        c.event_id AS conversion_event_id,
        c.anonymous_id,
        c.order_id,
        c.event_ts AS conversion_ts,
        c.revenue,
        c.currency,
        k.campaign_id,
        k.event_id AS click_event_id,
        k.event_ts AS click_ts,
        ROW_NUMBER() OVER (PARTITION BY c.event_id ORDER BY k.event_ts DESC, k.event_id DESC) AS from_last,
        ROW_NUMBER() OVER (PARTITION BY c.event_id ORDER BY k.event_ts, k.event_id) AS from_first,
        COUNT(*) OVER (PARTITION BY c.event_id) AS touches
    FROM conversions AS c
    JOIN clicks AS k
        ON k.anonymous_id = c.anonymous_id AND k.event_ts <= c.event_ts
    CROSS JOIN params AS p
    WHERE EPOCH_US(c.event_ts) - EPOCH_US(k.event_ts) <= p.lookback_us
)
SELECT
    k.event_date,
    k.conversion_event_id,
    k.anonymous_id,
    k.order_id,
    k.conversion_ts,
    k.revenue,
    k.campaign_id,
    k.click_event_id,
    k.click_ts,
    p.attribution_model AS model,
    CASE WHEN p.attribution_model = 'linear' THEN 1.0 / k.touches ELSE 1.0 END AS credit,
    k.currency
FROM candidates AS k
CROSS JOIN params AS p
WHERE (p.attribution_model = 'last_click' AND k.from_last = 1)
    OR (p.attribution_model = 'first_click' AND k.from_first = 1)
    OR p.attribution_model = 'linear'
UNION ALL
SELECT
    c.event_date,
    c.event_id AS conversion_event_id,
    c.anonymous_id,
    c.order_id,
    c.event_ts AS conversion_ts,
    c.revenue,
    CAST(NULL AS VARCHAR) AS campaign_id,
    CAST(NULL AS VARCHAR) AS click_event_id,
    CAST(NULL AS TIMESTAMPTZ) AS click_ts,
    p.attribution_model AS model,
    1.0 AS credit,
    c.currency
FROM conversions AS c
CROSS JOIN params AS p
WHERE NOT EXISTS (SELECT 1 FROM candidates AS k WHERE k.conversion_event_id = c.event_id)
