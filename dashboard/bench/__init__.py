"""`python -m dashboard bench --interactions`: server time, bytes and scaling of each user action (docs/benchmarks.md)."""
