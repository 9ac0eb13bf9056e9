"""Database schema, engine, queries and importers: everything that touches SQL."""
