"""The product's model and CalTRACK's daily model on the meter samples eemeter ships.

eemeter's own loader says of them: "samples are simulated, not real, data" — Illinois daily
electricity built from real Illinois temperatures and set heating/cooling loads, and UK hourly
electricity (summed here to days) with real UK temperatures. They are an outside check of how
well each model's expected use follows consumption it was not written for, not real households.
Both models are fitted on each sample's baseline year (the 365 days before its blackout date) and
judged on that year, as CalTRACK reports CV(RMSE) and NMBE.
"""

from __future__ import annotations

import logging

import pandas as pd
from eemeter.eemeter.samples.load import load_sample

from ml.model import UnusualUsageModel
from ml.worlds.caltrack import fit_predict, fit_statistics

SAMPLES = (
    "il-electricity-cdd-hdd-daily",
    "il-electricity-cdd-only-daily",
    "uk-electricity-hdd-only-hourly-sample-0",
    "uk-electricity-hdd-only-hourly-sample-1",
    "uk-electricity-hdd-only-hourly-sample-2",
)


def baseline(sample: str) -> pd.DataFrame:
    """The sample's baseline year as readings: household_id, date, kwh, avg_temp_c."""
    logging.disable(logging.WARNING)
    try:
        meter, temps, meta = load_sample(sample, tempF=sample.startswith("il"))
    finally:
        logging.disable(logging.NOTSET)
    end = pd.Timestamp(meta["blackout_start_date"]).normalize()
    kwh = meter["value"].resample("D").sum(min_count=1)
    celsius = temps.resample("D").mean()
    if sample.startswith("il"):
        celsius = (celsius - 32) * 5 / 9
    days = pd.date_range(end - pd.Timedelta(days=365), end - pd.Timedelta(days=1), freq="D")
    frame = pd.DataFrame({"kwh": kwh.reindex(days), "avg_temp_c": celsius.reindex(days)})
    frame = frame.dropna()
    return pd.DataFrame(
        {
            "household_id": sample,
            "date": frame.index.date,
            "kwh": frame["kwh"].round(3).to_numpy(),
            "avg_temp_c": frame["avg_temp_c"].round(1).to_numpy(),
        }
    )


def sample_fits() -> str:
    """A Markdown table: CV(RMSE) and NMBE of each model's expected use on each sample."""
    lines = [
        "eemeter's shipped samples (simulated by eemeter from real temperatures; its loader says "
        "so), each model fitted on the sample's baseline year and judged on it (CalTRACK's "
        "CV(RMSE) and NMBE, n − 1 degrees of freedom):\n",
        "| sample | days | product model CV(RMSE) % | NMBE % | CalTRACK daily CV(RMSE) % | NMBE % |",
        "|---|---|---|---|---|---|",
    ]
    for sample in SAMPLES:
        frame = baseline(sample)
        expected = UnusualUsageModel().fit(frame).score_frame(frame.reset_index(drop=True))
        ours = fit_statistics(
            observed=frame["kwh"].to_numpy(),
            predicted=expected["expected_kwh"].to_numpy(),
            parameters=1,
        )
        observed, predicted, _ = fit_predict(train=frame, test=frame)
        theirs = fit_statistics(
            observed=observed.to_numpy(), predicted=predicted.to_numpy(), parameters=1
        )
        lines.append(
            f"| {sample} | {len(frame)} | {ours.cv_rmse:.1f} | {ours.nmbe:+.1f} | "
            f"{theirs.cv_rmse:.1f} | {theirs.nmbe:+.1f} |"
        )
    return "\n".join(lines)
