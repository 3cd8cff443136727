"""Reports for BI users: an offline HTML dashboard and a DuckDB file for BI tools."""

from airlake.report.bi import Published, publish_bi
from airlake.report.build import RunMeta, build_html
from airlake.report.data import ReportData, Totals, load_report_data

__all__ = [
    "Published",
    "ReportData",
    "RunMeta",
    "Totals",
    "build_html",
    "load_report_data",
    "publish_bi",
]
