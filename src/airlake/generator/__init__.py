"""The event generator: realistic landing data in the Kafka Connect S3 sink layout, plus the
ground truth, counted independently of the pipeline while the lines are made.

Traffic is drawn and rendered column-wise with NumPy (:mod:`~airlake.generator.traffic`,
:mod:`~airlake.generator.rendering`), counted (:mod:`~airlake.generator.truth`) and written
hour by hour (:mod:`~airlake.generator.sink`, :mod:`~airlake.generator.landing_zone`); broken
lines of every quarantine reason come from :mod:`~airlake.generator.faults`.

The manifest ``<out>/_manifest.json`` (sorted keys) holds:

- ``parameters``: the generator's arguments;
- ``landing_days``: ``{day: {"lines", "valid", "duplicates", "quarantined": {reason: n}}}`` for
  every landing folder day written, with lines = valid + duplicates + sum(quarantined); bots are
  valid (they are only flagged); lines are judged with ``parameters.late_window_days`` and
  ``parameters.max_line_bytes`` (the ingest's ``pipeline.max_line_bytes``);
- ``event_days``: ``{day: {"human": {type: n}, "bot": {type: n}}}`` of valid, deduplicated events;
- ``campaign_days``: rows ``{event_date, campaign_id, impressions, clicks, spend, conversions,
  revenue}`` on valid, deduplicated, human traffic; conversions credited by last click (the same
  visitor's latest human click at or before the conversion, within the lookback; ties go to the
  greater event_id); spend and revenue as decimal strings (6 places) in the reporting currency
  (``parameters.reporting_currency``) at the demo exchange rates
  (:func:`airlake.exchange_rates.demo_rates`), converted event by event; ``currency``,
  ``spend_original`` and ``revenue_original`` in the campaign's own currency (each advertiser
  has one, :data:`ADVERTISER_CURRENCIES`);
- ``unattributed_conversions``: ``{day: n}``;
- ``sessions``: ``{day: n}`` human sessions (a gap over 30 minutes starts a new one; each UTC
  day on its own), or null for large runs (over ``sessions_limit`` events).
"""

from airlake.generator.config import (
    ADVERTISER_CURRENCIES,
    Campaign,
    GeneratorConfig,
    campaigns,
)
from airlake.generator.landing_zone import generate, iter_lines, load_manifest

__all__ = [
    "ADVERTISER_CURRENCIES",
    "Campaign",
    "GeneratorConfig",
    "campaigns",
    "generate",
    "iter_lines",
    "load_manifest",
]
