"""The console's charts come from the shared chart component (backend/charts.py)."""

from backend.charts import Chart, consumption_chart, count_chart

__all__ = ["Chart", "consumption_chart", "count_chart"]
