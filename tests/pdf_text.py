"""pdftotext for tests: the PDF's text, and a folded form for finding wrapped table cells."""
import os
import re
import shutil
import subprocess

import pytest

# Shaping turns SARA AM (ຳ) and a tone mark before it into glyphs whose ToUnicode map gives
# back only "າ"; pdftotext then drops the marks of that cluster. Folding both sides the same
# way compares the letters; the PNG pages are what show the marks are drawn.
_AM_CLUSTER = re.compile("[\u0ec8-\u0ecb]?\u0eb3")
_LAO_MARKS = re.compile("[\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd]")


def pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        message = "pdftotext (poppler-utils) is missing: scripts/install-test-system-deps.sh installs it"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    # -raw keeps the content-stream order: a table cell wrapped onto two lines stays together.
    result = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                            check=True)
    return result.stdout.decode("utf-8")


def squeezed(text: str) -> str:
    """Text without whitespace and with Lao vowel and tone marks folded away (see above)."""
    text = _AM_CLUSTER.sub("\u0eb2", text)
    return _LAO_MARKS.sub("", "".join(text.split()))
