"""Held-out simulated worlds for the evaluation (issue 21): written apart from ml/simulate.py, the
world the detector's settings were tuned on, so that figures on them are not tuned figures."""
