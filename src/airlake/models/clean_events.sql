-- clean.events: one row per event (first delivery wins), normalised, bots flagged not dropped.
-- Input raw_events: raw.events for every landing day that can hold the dates written.
-- Most events arrive once: only the ids delivered more than once are ranked, on a narrow key
-- (sorting whole rows costs several times more), and their later copies are left out by a join
-- whose build side is those few copies, not every event. source_file + source_line name one raw
-- row, and make the order total, so ties cannot keep two copies.
-- Bots: a user agent matching the crawler list (IS_CRAWLER_AGENT, the list's patterns rendered
-- in; case-sensitive, so the phone brand "Cubot" is no bot) or an address in a crawler range.
-- The list is matched once per distinct user agent (a day has far fewer agents than events).
WITH repeated AS (
    SELECT r.event_id FROM raw_events AS r GROUP BY r.event_id HAVING COUNT(*) > 1
),
ranked AS (
    SELECT
        r.source_file,
        r.source_line,
        ROW_NUMBER() OVER (
            PARTITION BY r.event_id
            ORDER BY r.landing_date, r.landing_hour, r.source_topic, r.source_partition, r.source_offset,
                r.source_file, r.source_line
        ) AS copy_no
    FROM raw_events AS r
    WHERE r.event_id IN (SELECT d.event_id FROM repeated AS d)
),
later_copies AS (
    SELECT k.source_file, k.source_line FROM ranked AS k WHERE k.copy_no > 1
),
agents AS (
    SELECT a.user_agent, IS_CRAWLER_AGENT(a.user_agent) AS crawler
    FROM (SELECT DISTINCT r.user_agent FROM raw_events AS r WHERE r.user_agent IS NOT NULL) AS a
)
SELECT
    r.event_id,
    r.event_type,
    r.event_ts,
    r.received_ts,
    r.anonymous_id,
    r.user_id,
    r.campaign_id,
    r.ad_group_id,
    r.creative_id,
    LOWER(TRIM(r.channel)) AS channel,
    r.impression_id,
    r.click_id,
    r.order_id,
    r.revenue,
    r.cost,
    UPPER(r.currency) AS currency,
    r.page_url,
    r.referrer,
    r.utm_source,
    r.utm_medium,
    r.utm_campaign,
    r.utm_content,
    r.utm_term,
    r.user_agent,
    r.ip,
    UPPER(TRIM(r.country)) AS country,
    LOWER(TRIM(r.device_type)) AS device_type,
    r.event_date,
    (
        COALESCE(g.crawler, FALSE)
        OR REGEXP_MATCHES(COALESCE(r.ip, ''), p.bot_ip_regex)
    ) AS is_bot,
    r.source_topic,
    r.source_partition,
    r.source_offset,
    r.source_file,
    r.source_line,
    r.landing_date,
    r.landing_hour
FROM raw_events AS r
LEFT JOIN later_copies AS l ON r.source_file = l.source_file AND r.source_line = l.source_line
LEFT JOIN agents AS g ON g.user_agent = r.user_agent
CROSS JOIN params AS p
WHERE l.source_line IS NULL AND r.event_date BETWEEN p.context_start AND p.window_end
