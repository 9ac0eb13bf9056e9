"""The demo command refuses to wipe imported data unless forced."""
import pytest
from sqlalchemy import text

from dashboard.cli import main
from data_access.database import make_engine


def test_demo_refuses_to_replace_imported_batches(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["demo", "--scale", "test"]) == 0
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO import_batch (kind, file_name, checksum, imported_at, rows_total, rows_inserted, "
            "rows_replaced, rows_rejected, status) VALUES ('indicators', 'real.csv', 'abc', '2026-01-01', 1, 1, 0, 0, 'applied')"))
    with pytest.raises(SystemExit, match="imported data"):
        main(["demo", "--scale", "test"])
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM import_batch WHERE file_name = 'real.csv'")).scalar_one() == 1
    assert main(["demo", "--scale", "test", "--force"]) == 0
