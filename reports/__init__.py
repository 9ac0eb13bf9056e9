"""Report and export assembly: files built from the same query results the pages show."""
