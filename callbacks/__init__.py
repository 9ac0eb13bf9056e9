"""Thin callbacks: read inputs, run one data_access query through the store, call a figure builder."""
