-- reports.campaign_daily: performance per campaign and event day on valid (non-bot) traffic.
-- Amounts are converted to the reporting currency at the event date's rate (exchange_rates);
-- an amount in a currency without a rate that day is left out of spend/revenue and counted in
-- unconverted_events. The original amounts are kept when the row has a single currency.
-- The product is exact in every engine (at most 37 digits) before it is rounded to 6 places.
-- Converted amounts and sums are DECIMAL(38, 6) (tables.MONEY_SUM): one amount is below 10^12
-- and a factor below 10^4, so no valid input overflows them.
WITH media_events AS (
    SELECT
        e.*,
        CASE
            WHEN e.currency = p.reporting_currency THEN e.cost
            ELSE CAST(CAST(e.cost AS DECIMAL(22, 6)) * CAST(r.to_reporting AS DECIMAL(14, 10)) AS DECIMAL(38, 6))
        END AS cost_reporting
    FROM clean_events AS e
    CROSS JOIN params AS p
    LEFT JOIN exchange_rates AS r
        ON r.rate_date = e.event_date AND r.currency = e.currency
        AND r.reporting_currency = p.reporting_currency
    WHERE e.event_type IN ('impression', 'click') AND e.campaign_id IS NOT NULL
        AND e.event_date BETWEEN p.window_start AND p.window_end
),
media AS (
    SELECT
        e.event_date,
        e.campaign_id,
        SUM(CASE WHEN e.event_type = 'impression' AND NOT e.is_bot THEN 1 ELSE 0 END) AS impressions,
        SUM(CASE WHEN e.event_type = 'click' AND NOT e.is_bot THEN 1 ELSE 0 END) AS clicks,
        SUM(CASE WHEN NOT e.is_bot THEN e.cost_reporting ELSE 0 END) AS spend,
        SUM(CASE WHEN NOT e.is_bot THEN e.cost ELSE 0 END) AS spend_original,
        SUM(CASE WHEN NOT e.is_bot AND e.cost_reporting IS NULL THEN 1 ELSE 0 END) AS unconverted,
        MIN(CASE WHEN NOT e.is_bot THEN e.currency END) AS currency_lo,
        MAX(CASE WHEN NOT e.is_bot THEN e.currency END) AS currency_hi,
        SUM(CASE WHEN e.event_type = 'impression' AND e.is_bot THEN 1 ELSE 0 END) AS bot_impressions,
        SUM(CASE WHEN e.event_type = 'click' AND e.is_bot THEN 1 ELSE 0 END) AS bot_clicks
    FROM media_events AS e
    GROUP BY e.event_date, e.campaign_id
),
credited_rows AS (
    SELECT
        a.*,
        CASE
            WHEN a.currency = p.reporting_currency THEN a.revenue
            ELSE CAST(CAST(a.revenue AS DECIMAL(22, 6)) * CAST(r.to_reporting AS DECIMAL(14, 10)) AS DECIMAL(38, 6))
        END AS revenue_reporting
    FROM attributed_conversions AS a
    CROSS JOIN params AS p
    LEFT JOIN exchange_rates AS r
        ON r.rate_date = a.event_date AND r.currency = a.currency
        AND r.reporting_currency = p.reporting_currency
    WHERE a.campaign_id IS NOT NULL AND a.event_date BETWEEN p.window_start AND p.window_end
),
credited AS (
    SELECT
        a.event_date,
        a.campaign_id,
        SUM(a.credit) AS conversions,
        SUM(CASE WHEN a.credit = 1.0 THEN a.revenue_reporting ELSE CAST(a.revenue_reporting * a.credit AS DECIMAL(38, 6)) END) AS revenue,
        SUM(CASE WHEN a.credit = 1.0 THEN a.revenue ELSE CAST(a.revenue * a.credit AS DECIMAL(38, 6)) END) AS revenue_original,
        COUNT(DISTINCT CASE WHEN a.revenue_reporting IS NULL THEN a.conversion_event_id END) AS unconverted,
        MIN(a.currency) AS currency_lo,
        MAX(a.currency) AS currency_hi
    FROM credited_rows AS a
    GROUP BY a.event_date, a.campaign_id
),
joined AS (
    SELECT
        COALESCE(m.event_date, c.event_date) AS event_date,
        COALESCE(m.campaign_id, c.campaign_id) AS campaign_id,
        COALESCE(m.impressions, 0) AS impressions,
        COALESCE(m.clicks, 0) AS clicks,
        COALESCE(c.conversions, 0.0) AS conversions,
        CAST(COALESCE(m.spend, 0) AS DECIMAL(38, 6)) AS spend,
        CAST(COALESCE(c.revenue, 0) AS DECIMAL(38, 6)) AS revenue,
        CAST(COALESCE(m.spend_original, 0) AS DECIMAL(38, 6)) AS spend_original,
        CAST(COALESCE(c.revenue_original, 0) AS DECIMAL(38, 6)) AS revenue_original,
        COALESCE(m.unconverted, 0) + COALESCE(c.unconverted, 0) AS unconverted_events,
        LEAST(COALESCE(m.currency_lo, c.currency_lo), COALESCE(c.currency_lo, m.currency_lo)) AS currency_lo,
        GREATEST(COALESCE(m.currency_hi, c.currency_hi), COALESCE(c.currency_hi, m.currency_hi)) AS currency_hi,
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
    CAST(spend AS DOUBLE) / NULLIF(CAST(c.daily_budget AS DOUBLE), 0) AS budget_pacing,
    p.reporting_currency,
    CASE WHEN j.currency_lo = j.currency_hi THEN j.currency_lo END AS currency,
    CASE WHEN j.currency_lo = j.currency_hi THEN j.spend_original END AS spend_original,
    CASE WHEN j.currency_lo = j.currency_hi THEN j.revenue_original END AS revenue_original,
    CAST(j.unconverted_events AS BIGINT) AS unconverted_events
FROM joined AS j
CROSS JOIN params AS p
-- names and budget as of the end of the event day (the version valid at midnight)
LEFT JOIN campaigns AS c
    ON c.campaign_id = j.campaign_id
    AND CAST(c.valid_from AS DATE) <= j.event_date
    AND (c.valid_to IS NULL OR CAST(c.valid_to AS DATE) > j.event_date)
LEFT JOIN advertisers AS a
    ON a.advertiser_id = c.advertiser_id
    AND CAST(a.valid_from AS DATE) <= j.event_date
    AND (a.valid_to IS NULL OR CAST(a.valid_to AS DATE) > j.event_date)
