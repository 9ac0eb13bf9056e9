"""Alembic migrations of the schema (baseline 0001 = data_access/schema.py as first released)."""
