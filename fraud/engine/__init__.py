"""Billing anomaly detection: pure pandas/numpy/scipy/scikit-learn, no Django."""
