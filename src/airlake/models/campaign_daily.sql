-- reports.campaign_daily: performance per campaign and event day on valid (non-bot) traffic.
WITH media AS (
    SELECT
        e.event_date,
        e.campaign_id,
        SUM(CASE WHEN e.event_type = 'impression' AND NOT e.is_bot THEN 1 ELSE 0 END) AS impressions,
        SUM(CASE WHEN e.event_type = 'click' AND NOT e.is_bot THEN 1 ELSE 0 END) AS clicks,
        SUM(CASE WHEN e.event_type IN ('impression', 'click') AND NOT e.is_bot THEN e.cost ELSE 0 END) AS spend,
        SUM(CASE WHEN e.event_type = 'impression' AND e.is_bot THEN 1 ELSE 0 END) AS bot_impressions,
        SUM(CASE WHEN e.event_type = 'click' AND e.is_bot THEN 1 ELSE 0 END) AS bot_clicks
    FROM clean_events AS e
    CROSS JOIN params AS p
    WHERE e.event_type IN ('impression', 'click') AND e.campaign_id IS NOT NULL
        AND e.event_date BETWEEN p.window_start AND p.window_end
    GROUP BY e.event_date, e.campaign_id
),
credited AS (
    SELECT
        a.event_date,
        a.campaign_id,
        SUM(a.credit) AS conversions,
        SUM(CASE WHEN a.credit = 1.0 THEN a.revenue ELSE CAST(a.revenue * a.credit AS DECIMAL(18, 6)) END) AS revenue
    FROM attributed_conversions AS a
    CROSS JOIN params AS p
    WHERE a.campaign_id IS NOT NULL AND a.event_date BETWEEN p.window_start AND p.window_end
    GROUP BY a.event_date, a.campaign_id
),
joined AS (
    SELECT
        COALESCE(m.event_date, c.event_date) AS event_date,
        COALESCE(m.campaign_id, c.campaign_id) AS campaign_id,
        COALESCE(m.impressions, 0) AS impressions,
        COALESCE(m.clicks, 0) AS clicks,
        COALESCE(c.conversions, 0.0) AS conversions,
        CAST(COALESCE(m.spend, 0) AS DECIMAL(18, 6)) AS spend,
        CAST(COALESCE(c.revenue, 0) AS DECIMAL(18, 6)) AS revenue,
        COALESCE(m.bot_impressions, 0) AS bot_impressions,
        COALESCE(m.bot_clicks, 0) AS bot_clicks
    FROM media AS m
    FULL OUTER JOIN credited AS c
        ON c.event_date = m.event_date AND c.campaign_id = m.campaign_id
)
SELECT
    j.event_date,
    j.campaign_id,
    CAST(impressions AS BIGINT) AS impressions,
    CAST(clicks AS BIGINT) AS clicks,
    CAST(conversions AS DOUBLE) AS conversions,
    spend,
    revenue,
    CAST(clicks AS DOUBLE) / NULLIF(impressions, 0) AS ctr,
    CAST(conversions AS DOUBLE) / NULLIF(clicks, 0) AS cvr,
    CAST(spend AS DOUBLE) / NULLIF(clicks, 0) AS cpc,
    CAST(spend AS DOUBLE) * 1000 / NULLIF(impressions, 0) AS cpm,
    CAST(spend AS DOUBLE) / NULLIF(conversions, 0) AS cpa,
    CAST(revenue AS DOUBLE) / NULLIF(CAST(spend AS DOUBLE), 0) AS roas,
    CAST(bot_impressions AS BIGINT) AS bot_impressions,
    CAST(bot_clicks AS BIGINT) AS bot_clicks,
    c.name AS campaign_name,
    a.name AS advertiser_name,
    c.channel AS channel,
    c.daily_budget AS daily_budget,
    CAST(spend AS DOUBLE) / NULLIF(CAST(c.daily_budget AS DOUBLE), 0) AS budget_pacing
FROM joined AS j
-- names and budget as of the end of the event day (the version valid at midnight)
LEFT JOIN campaigns AS c
    ON c.campaign_id = j.campaign_id
    AND CAST(c.valid_from AS DATE) <= j.event_date
    AND (c.valid_to IS NULL OR CAST(c.valid_to AS DATE) > j.event_date)
LEFT JOIN advertisers AS a
    ON a.advertiser_id = c.advertiser_id
    AND CAST(a.valid_from AS DATE) <= j.event_date
    AND (a.valid_to IS NULL OR CAST(a.valid_to AS DATE) > j.event_date)
