"""Where the loaded data came from: the applied import batches per kind, newest first."""
import pandas as pd
from sqlalchemy import Connection, text
from data_access.frames import rows_frame

SOURCE_COLUMNS = ["kind", "file_name", "imported_at", "n_batches"]


def data_sources(conn: Connection) -> pd.DataFrame:
    """Per kind of import (demo, indicators, dhis2, targets, villages): the newest applied batch.

    Columns: kind, file_name (of the newest batch), imported_at (naive UTC datetime),
    n_batches (applied batches of that kind). Rolled-back batches are not sources.
    """
    sql = """
        SELECT b.kind, b.file_name, b.imported_at, c.n_batches
        FROM import_batch b
        JOIN (SELECT kind, MAX(id) AS last_id, COUNT(*) AS n_batches
              FROM import_batch WHERE status = 'applied' GROUP BY kind) c ON c.last_id = b.id
        ORDER BY b.imported_at DESC
    """
    result = conn.execute(text(sql))
    frame = rows_frame(result.fetchall(), SOURCE_COLUMNS)
    frame["imported_at"] = pd.to_datetime(frame["imported_at"])
    frame["n_batches"] = frame["n_batches"].astype("int64")
    return frame
