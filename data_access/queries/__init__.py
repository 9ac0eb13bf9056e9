"""Read-only queries: take a connection first, aggregate in SQL, return documented DataFrames."""
