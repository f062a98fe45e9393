"""Model replies to children: SEARCH/REPLACE parsing and applying, full rewrites, failures."""

from __future__ import annotations

import pytest

from evolve.errors import UnusableReply
from evolve.proposers.edits import (
    SearchReplace,
    apply_diff,
    child_from_reply,
    extract_code,
    parse_diff,
)

PARENT = """def area(r):
    return 3.14 * r * r


def perimeter(r):
    return 2 * 3.14 * r
"""
TWO_BLOCKS = """I will use math.pi in both places.
<<<<<<< SEARCH
    return 3.14 * r * r
=======
    return math.pi * r * r
>>>>>>> REPLACE

and

<<<<<<< SEARCH
    return 2 * 3.14 * r
=======
    return 2 * math.pi * r
>>>>>>> REPLACE
"""


def test_parse_diff_reads_every_block_in_order():
    blocks = parse_diff(TWO_BLOCKS)
    assert blocks == [
        SearchReplace("    return 3.14 * r * r", "    return math.pi * r * r"),
        SearchReplace("    return 2 * 3.14 * r", "    return 2 * math.pi * r"),
    ]


def test_parse_diff_finds_nothing_in_plain_text():
    assert parse_diff("Use a larger radius.\n```python\nx = 1\n```") == []


def test_apply_diff_replaces_each_search_once():
    child = apply_diff(PARENT, parse_diff(TWO_BLOCKS))
    assert "3.14" not in child
    assert child.count("math.pi") == 2
    assert child.endswith("\n")


def test_apply_diff_tolerates_trailing_whitespace_in_the_search():
    block = SearchReplace(
        "def area(r):   \n    return 3.14 * r * r  ", "def area(r):\n    return 0"
    )
    assert apply_diff(PARENT, [block]).startswith("def area(r):\n    return 0\n\n\ndef perimeter")


def test_a_search_not_in_the_parent_is_reported():
    with pytest.raises(UnusableReply, match="SEARCH text not found") as caught:
        apply_diff(PARENT, [SearchReplace("    return 2.71 * r", "    return 0")])
    assert caught.value.reason == "diff_not_applied"


def test_an_empty_search_is_rejected():
    with pytest.raises(UnusableReply) as caught:
        apply_diff(PARENT, [SearchReplace("  \n", "x = 1")])
    assert caught.value.reason == "diff_not_applied"


def test_extract_code_prefers_the_python_block():
    reply = "Output:\n```text\nnot code\n```\nCode:\n```python\nx = 1\n```"
    assert extract_code(reply) == "x = 1\n"
    assert extract_code("no fences here") is None


def test_extract_code_for_texts_takes_an_untagged_fence():
    assert extract_code("```\nnew wording\n```", language="text") == "new wording\n"


def test_child_from_reply_applies_a_diff():
    child, mode = child_from_reply(PARENT, TWO_BLOCKS)
    assert mode == "diff" and "math.pi * r * r" in child


def test_child_from_reply_takes_a_full_rewrite():
    child, mode = child_from_reply(PARENT, "```python\ndef area(r):\n    return r\n```")
    assert (child, mode) == ("def area(r):\n    return r\n", "rewrite")


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("", "empty_reply"),
        ("   \n", "empty_reply"),
        ("Try a bigger constant.", "no_code"),
        ("```python\n```", "no_code"),
        (f"```python\n{PARENT}```", "unchanged"),
        ("```python\ndef area(r)\n    return r\n```", "syntax_error"),
    ],
)
def test_unusable_replies_name_their_reason(reply, reason):
    with pytest.raises(UnusableReply) as caught:
        child_from_reply(PARENT, reply)
    assert caught.value.reason == reason


def test_text_children_are_not_syntax_checked():
    child, mode = child_from_reply("old words", "```\nnew words (\n```", language="text")
    assert (child, mode) == ("new words (\n", "rewrite")
