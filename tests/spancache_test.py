from __future__ import annotations

from pathlib import Path

import pytest
from quality_gates import spancache
from quality_gates.pysource import parse

CODE = b"import os\n\n\ndef f(a):\n    if a:\n        return 1\n    return os.sep\n"


def test_second_parse_reads_the_stored_spans(tmp_path: Path) -> None:
    first = spancache.parse_cached(tmp_path, CODE)
    entry = spancache._entry(tmp_path, spancache.key(CODE))
    assert entry.is_file()
    assert (tmp_path / ".quality-gates" / "cache" / ".gitignore").read_text() == "*\n"
    assert spancache.parse_cached(tmp_path, CODE) == first == parse(CODE)


def test_unparsable_content_is_cached_as_such(tmp_path: Path) -> None:
    spancache.parse_cached(tmp_path, b"def (:\n")
    cached = spancache.parse_cached(tmp_path, b"def (:\n")
    assert cached.spans is None
    assert cached.line_count == 1


@pytest.mark.parametrize(
    "damage", [b"", b"{", b'{"spans": [[1]], "lines": 3}', b'{"lines": 3}', b"[1, 2]"]
)
def test_a_damaged_entry_is_parsed_again(tmp_path: Path, damage: bytes) -> None:
    spancache.parse_cached(tmp_path, CODE)
    spancache._entry(tmp_path, spancache.key(CODE)).write_bytes(damage)
    assert spancache.parse_cached(tmp_path, CODE) == parse(CODE)


def test_a_read_only_cache_still_parses(tmp_path: Path) -> None:
    (tmp_path / ".quality-gates").write_text("not a folder")
    assert spancache.parse_cached(tmp_path, CODE) == parse(CODE)


def test_comments_are_cached_and_equal_the_tokenizer(tmp_path: Path) -> None:
    code = b"x = '# not a comment'  # noqa: E501\n# nosec\n"
    first = spancache.comments_cached(tmp_path, code)
    assert first == [(1, "# noqa: E501"), (2, "# nosec")]
    assert spancache._entry(tmp_path, spancache.key(code), "comments").is_file()
    assert spancache.comments_cached(tmp_path, code) == first
