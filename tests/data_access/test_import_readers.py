"""A CSV read as a stream (open_table, what imports use) gives the rows and problems of reading it whole (read_table)."""
import pytest

from data_access.importers.readers import open_table, read_table

HEADER = "indicator_code,admin_code,period,value,comment\n"


def _both(text: str) -> tuple:
    data = text.encode()
    whole = read_table(data, "f.csv")
    streamed = open_table(data, "f.csv")
    rows = list(streamed.stream)
    return (whole.headers, whole.rows, [(p.rule, p.row, p.column) for p in whole.problems]), \
        (streamed.headers, rows, [(p.rule, p.row, p.column) for p in streamed.problems])


@pytest.mark.parametrize("body", [
    "A,0101001,2024-05,3,\n\n   ,  , ,,\nA,0101002,2024-05,4,note\n",            # blank rows, blanks of spaces
    "A,0101001,2024-05,3\nA,0101002,2024-05\nA,0101003,2024-05,1,x,extra\n",        # short and long rows
    "A,0101001,2024-05,3,\n\u200b,\xa0,,,\nA,0101002,2024-05,4,ພາສາລາວ\n",           # invisible characters only: blank
    'A,0101001,2024-05,3,"two\nlines"\nA,0101002,2024-05,4,\n',                    # a comment over two lines
    'A,0101001,2024-05,3,"x\nA,0101002,2024-05,4,\nA,0101003,2024-05,5,y"\n',      # a quote that swallows rows
    "A,0101001,2024-05,3,\nA,0101002,2024-05,4,bad\x00cell\nA,0101003,2024-05,5,\n",  # NUL
])
def test_a_streamed_csv_reads_as_the_whole_file_does(body):
    whole, streamed = _both(HEADER + body)
    assert streamed[0] == whole[0] and streamed[2] == whole[2]
    # A problem ends the stream at its row (nothing after it is read); the whole file keeps every row.
    last = whole[2][0][1] if whole[2] else None
    assert streamed[1] == [row for row in whole[1] if last is None or row[0] < last]


def test_blank_lines_before_the_header_are_skipped_in_a_stream_too():
    whole, streamed = _both("\n , ,\n" + HEADER + "A,0101001,2024-05,3,\n")
    assert streamed == whole and whole[0][0] == "indicator_code"
