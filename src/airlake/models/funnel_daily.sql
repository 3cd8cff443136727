-- reports.funnel_daily: the funnel per event day on valid (non-bot) traffic.
WITH counts AS (
    SELECT
        e.event_date,
        COUNT(DISTINCT CASE WHEN NOT e.is_bot THEN e.anonymous_id END) AS visitors,
        SUM(CASE WHEN e.event_type = 'impression' AND NOT e.is_bot THEN 1 ELSE 0 END) AS impressions,
        SUM(CASE WHEN e.event_type = 'click' AND NOT e.is_bot THEN 1 ELSE 0 END) AS clicks,
        SUM(CASE WHEN e.event_type = 'page_view' AND NOT e.is_bot THEN 1 ELSE 0 END) AS page_views,
        SUM(CASE WHEN e.event_type = 'conversion' AND NOT e.is_bot THEN 1 ELSE 0 END) AS conversions,
        SUM(CASE WHEN e.is_bot THEN 1 ELSE 0 END) AS bot_events
    FROM clean_events AS e
    CROSS JOIN params AS p
    WHERE e.event_date BETWEEN p.window_start AND p.window_end
    GROUP BY e.event_date
),
visits AS (
    SELECT s.event_date, COUNT(*) AS sessions
    FROM sessions AS s
    CROSS JOIN params AS p
    WHERE NOT s.is_bot AND s.event_date BETWEEN p.window_start AND p.window_end
    GROUP BY s.event_date
)
SELECT
    c.event_date,
    CAST(c.visitors AS BIGINT) AS visitors,
    CAST(COALESCE(v.sessions, 0) AS BIGINT) AS sessions,
    CAST(c.impressions AS BIGINT) AS impressions,
    CAST(c.clicks AS BIGINT) AS clicks,
    CAST(c.page_views AS BIGINT) AS page_views,
    CAST(c.conversions AS BIGINT) AS conversions,
    CAST(c.clicks AS DOUBLE) / NULLIF(c.impressions, 0) AS click_through_rate,
    CAST(c.page_views AS DOUBLE) / NULLIF(c.clicks, 0) AS visit_rate,
    CAST(c.conversions AS DOUBLE) / NULLIF(c.clicks, 0) AS conversion_rate,
    CAST(c.bot_events AS BIGINT) AS bot_events
FROM counts AS c
LEFT JOIN visits AS v ON v.event_date = c.event_date
