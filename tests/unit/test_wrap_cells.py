"""The note under a table that left columns out wraps to the window's cells, in both languages,
without splitting a column's name or an option from its value."""
import pytest

from cli.render import cell_width, wrap_cells
from complaintctl import labels

NAMES = {"en": ["Channel", "Product", "Branch", "Received", "Regulatory\u00a0due", "Stale", "Description"],
         "zh": ["渠道", "产品", "网点", "受理时间", "监管时限", "超时类型", "未跟进", "投诉内容"]}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [30, 40, 80, 120])
def test_the_note_fits_and_keeps_names_and_options_whole(lang, width):
    note = labels.sentence("columns_left_out", lang, width=80, names=NAMES[lang])
    lines = wrap_cells(note, width)
    assert all(cell_width(line) <= width for line in lines), lines
    assert "".join(lines).replace(" ", "") == note.replace(" ", "")  # nothing lost, only line breaks
    for name in NAMES[lang] + ["--format csv", "COLUMNS=N"]:
        assert any(name in line for line in lines), (name, lines)
    assert not any(line.startswith(("、", "；", "，")) for line in lines)
