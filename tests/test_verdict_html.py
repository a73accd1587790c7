"""The verdict as HTML (issue #17): the same text as text/plain, wrapping only at spaces, indentation kept.

JupyterLab wraps a <pre> in its output area anywhere, also inside a word, and the wrapped
rows start at the left edge. The verdict is therefore one block per line, styled to wrap at
spaces only, with the line's indentation as a padding and its continuation rows hanging
further in. These tests read the HTML back and check it says exactly the plain text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from cnnlab import exercises
from cnnlab.exercises.results import HANG, verdict_html
from cnnlab.layers import conv_forward_naive


class Blocks(HTMLParser):
    """The text and style of each line block of a verdict's HTML."""

    def __init__(self):
        super().__init__()
        self.blocks, self.depth, self.tags = [], 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if attrs.get("class") == "cnnlab-line":
            self.blocks.append({"style": attrs["style"], "text": ""})

    def handle_data(self, data):
        if self.blocks and data.strip("\n"):
            self.blocks[-1]["text"] += data

    def handle_entityref(self, name):  # pragma: no cover - convert_charrefs handles them
        self.handle_data(f"&{name};")


def read(html: str) -> Blocks:
    parser = Blocks()
    parser.feed(html)
    return parser


def failing_result():
    def no_bias(x, w, b, conv_param):
        out, cache = conv_forward_naive(x, w, b, conv_param)
        return out - b[None, :, None, None], cache

    return exercises.check("conv_forward_naive", no_bias)


def test_every_line_is_a_block_that_wraps_only_at_spaces():
    result = failing_result()
    assert not result.passed
    parsed = read(result._repr_html_())
    assert "pre" not in parsed.tags  # a <pre> is what JupyterLab breaks inside words
    assert len(parsed.blocks) == len(result.lines()) > 3
    for block in parsed.blocks:
        style = dict(part.split(":", 1) for part in block["style"].split(";") if part)
        assert style["white-space"] == "pre-wrap"
        assert style["word-break"] == "normal" and style["overflow-wrap"] == "normal"


def test_the_html_says_the_plain_text_with_its_indentation():
    result = failing_result()
    for line, block in zip(result.lines(), read(result._repr_html_()).blocks):
        indent = len(line) - len(line.lstrip(" "))
        pad = int(re.search(r"padding-left:(\d+)ch", block["style"]).group(1))
        hang = int(re.search(r"text-indent:-(\d+)ch", block["style"]).group(1))
        assert (pad - hang, hang) == (indent, HANG), line  # first row at the indent, wrapped rows further in
        assert block["text"] == (line.lstrip(" ") or "\xa0"), line


def test_verdict_colour_and_escaping():
    html = verdict_html(["x: FAIL", "  a <b> & 'c'", "", "    deeper"], "#cf222e")
    assert "<span style='color:#cf222e;font-weight:bold'>x: FAIL</span>" in html
    assert "&lt;b&gt; &amp; &#x27;c&#x27;" in html and "<b>" not in html
    assert [b["text"] for b in read(html).blocks] == ["x: FAIL", "a <b> & 'c'", "\xa0", "deeper"]
