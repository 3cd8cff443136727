"""The intraday side of the platform: the business day, budget pacing, alerts and freshness.

Pure: values in, values out, the time of the refresh is a parameter. The refresh that reads and
writes the tables is :mod:`airlake.stages.refresh`.
"""

from airlake.intraday.alerts import Alert, Fired, evaluate_rules, merge_alerts
from airlake.intraday.business_day import BusinessDay, business_day
from airlake.intraday.pacing import CampaignSpend, PacingRow, Projection, pace

__all__ = [
    "Alert",
    "BusinessDay",
    "CampaignSpend",
    "Fired",
    "PacingRow",
    "Projection",
    "business_day",
    "evaluate_rules",
    "merge_alerts",
    "pace",
]
