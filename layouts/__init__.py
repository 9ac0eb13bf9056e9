"""Page layouts (component trees) and pure figure builders; no database access here."""
