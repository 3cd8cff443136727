"""Reports for BI users: an offline HTML dashboard and a DuckDB file for BI tools."""

from airlake.report.bi import publish_bi
from airlake.report.build import RunMeta, build_html
from airlake.report.data import ReportData, load_report_data

__all__ = ["ReportData", "RunMeta", "build_html", "load_report_data", "publish_bi"]
