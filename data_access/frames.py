"""Query rows into pandas without the per-row cost of SQLAlchemy's Row objects."""
import pandas as pd


def rows_frame(rows, columns) -> pd.DataFrame:
    """A DataFrame of result rows with these column names.

    pandas asks every row whether it has a `dtype` (a numpy array would); a SQLAlchemy Row answers
    through its key lookup and a raised AttributeError, about 4 µs a row, 20 ms for 5,000 rows. As
    plain tuples the same frame costs a tenth of that.
    """
    return pd.DataFrame([tuple(row) for row in rows], columns=list(columns))
