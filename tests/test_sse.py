"""The SSE decoder's ``feed_data`` (the path streams use) follows WHATWG whatever the chunking."""

from __future__ import annotations

import itertools
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openresponses._errors import ResponseValidationError
from openresponses._sse import DEFAULT_MAX_EVENT_BYTES, SSEDecoder

ENDINGS = ["\n", "\r", "\r\n"]


def reference(stream: bytes) -> list[str]:
    """A literal transcription of the spec over the whole stream: the data of each event."""
    text = stream.decode("utf-8", "replace").removeprefix("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text)[:-1]  # the last piece has no terminator
    out: list[str] = []
    data = ""
    for line in lines:
        if not line:
            if data:
                out.append(data[:-1])
            data = ""
            continue
        field, _, value = line.partition(":")
        if field == "data":
            data += (value[1:] if value.startswith(" ") else value) + "\n"
    return out


def decode(chunks: list[bytes], **kwargs: int | None) -> list[str]:
    """``feed_data`` over every chunk, as the stream feeds it, collecting all data."""
    decoder = SSEDecoder(**kwargs)
    out: list[str] = []
    for chunk in chunks:
        out.extend(decoder.feed_data(chunk))
    return out


def pieces(data: bytes, size: int) -> list[bytes]:
    """``data`` cut into ``size``-byte chunks."""
    return [data[i : i + size] for i in range(0, len(data), size)]


def assert_decodes(stream: bytes, expected: list[str]) -> None:
    """``stream`` gives ``expected``, as the spec reads it, whole, byte by byte, and cut anywhere.

    Each cut is surrounded by empty chunks, and the whole-chunk fast path sees every cut too.
    """
    assert reference(stream) == expected
    assert decode([stream]) == expected
    assert decode(pieces(stream, 1)) == expected
    for i in range(len(stream) + 1):
        assert decode([b"", stream[:i], b"", b"", stream[i:], b""]) == expected, i


def frame(ending: str) -> bytes:
    """Two events exercising event, multi-line data, id and a comment, with ``ending`` lines."""
    lines = [": keep-alive", "event: first", "data: a", "data: b", "id: 7", "", "data: c", "", ""]
    return ending.join(lines).encode()


EXPECTED = ["a\nb", "c"]


@pytest.mark.parametrize("ending", ENDINGS, ids=["LF", "CR", "CRLF"])
def test_every_single_split_point(ending: str) -> None:
    """Splitting a frame at any byte, with empty chunks around the cut, changes nothing."""
    assert_decodes(frame(ending), EXPECTED)


@pytest.mark.parametrize("ending", ENDINGS, ids=["LF", "CR", "CRLF"])
def test_every_pair_of_split_points(ending: str) -> None:
    """Cutting a frame into three pieces anywhere yields the same events."""
    data = frame(ending)
    for i in range(len(data) + 1):
        for j in range(i, len(data) + 1):
            assert decode([data[:i], data[i:j], data[j:]]) == EXPECTED, (i, j)


@pytest.mark.parametrize("size", [1, 97, 10**9], ids=["1", "97", "whole"])
@pytest.mark.parametrize("ending", ENDINGS, ids=["LF", "CR", "CRLF"])
def test_fragment_sizes(size: int, ending: str) -> None:
    """Fixed-size fragments of a long transcript give the spec's events."""
    data = frame(ending) * 50
    assert decode(pieces(data, size)) == EXPECTED * 50


def test_cr_then_lf_in_next_chunk_is_one_terminator() -> None:
    """A CR ending one chunk and an LF starting the next make one line end, not two."""
    assert decode([b"data: x\r", b"\n", b"data: y\r", b"\n\r", b"\n"]) == ["x\ny"]
    assert_decodes(b"data: x\r\ndata: y\r\n\r\n", ["x\ny"])


def test_lone_cr_then_cr_lf() -> None:
    """CR then CRLF is a line end followed by a blank line."""
    assert_decodes(b"data: x\r\r\n", ["x"])


def test_thousands_of_events_in_one_chunk() -> None:
    """Five thousand events delivered in one chunk all come out, in order."""
    data = b"".join(b'event: delta\ndata: {"n":%d}\n\n' % i for i in range(5000))
    expected = [f'{{"n":{i}}}' for i in range(5000)]
    assert decode([data]) == expected
    assert decode(pieces(data, 4096)) == expected


def test_event_larger_than_aiohttp_line_cap() -> None:
    """A 700 KiB single-line event (aiohttp's readline caps at 512 KiB) decodes whole."""
    payload = "x" * (700 * 1024)
    data = f"data: {payload}\n\n".encode()
    assert decode(pieces(data, 997)) == [payload]
    assert decode([data]) == [payload]


def test_ten_megabyte_line_is_linear() -> None:
    """A 10 MB line fed in 4 KiB chunks is not rescanned: it decodes in well under a second."""
    payload = b"y" * (10 * 1024 * 1024)
    chunks = pieces(b"data: " + payload + b"\n\n", 4096)
    started = time.perf_counter()
    events = decode(chunks)
    elapsed = time.perf_counter() - started
    assert len(events) == 1
    assert len(events[0]) == len(payload)
    assert elapsed < 2.0  # linear is ~0.05 s; a rescanning decoder needs minutes


def test_data_repeated_ten_thousand_times() -> None:
    """Ten thousand ``data:`` lines in one event are joined with LF."""
    data = b"data: z\n" * 10_000 + b"\n"
    expected = ["\n".join(["z"] * 10_000)]
    assert decode([data]) == expected
    assert decode(pieces(data, 7)) == expected


def test_unicode_line_separators_are_data() -> None:
    """U+2028/U+2029/NEL inside data are content, not line ends; UTF-8 survives any split."""
    text = "a\u2028b\u2029c\x85d é 漢 🎉"
    assert_decodes(f"data: {text}\n\n".encode(), [text])


def test_invalid_utf8_is_replaced_per_line() -> None:
    """Bytes that are not UTF-8 become U+FFFD without spilling into the next line."""
    assert_decodes(b"data: \xff\xe2\x82\ndata: ok\n\n", ["\ufffd\ufffd\nok"])


def test_unterminated_trailing_event_is_never_dispatched() -> None:
    """An event without its blank line, or a last line without a terminator, yields nothing."""
    for tail in [b"data: x", b"data: x\n", b"data: x\r", b"event: e\ndata: x\r\n"]:
        assert_decodes(b"data: 1\n\n" + tail, ["1"])


def test_comments_and_keepalives_are_ignored() -> None:
    """``:`` lines, OpenRouter's keep-alive included, dispatch nothing and do not disturb events."""
    data = b": OPENROUTER PROCESSING\n\n:\n\ndata: x\n: in the middle\ndata: y\n\n"
    assert_decodes(data, ["x\ny"])
    assert decode([b": OPENROUTER PROCESSING\n\n"] * 3) == []


def test_done_is_not_special() -> None:
    """``data: [DONE]`` is an ordinary event here; the event source gives it meaning."""
    assert_decodes(b"data: [DONE]\n\ndata: after\n\n", ["[DONE]", "after"])


def test_one_leading_bom_is_stripped() -> None:
    """One BOM at stream start is dropped (even split across chunks); a second is kept."""
    bom = b"\xef\xbb\xbf"
    assert_decodes(bom + b"data: x\n\n", ["x"])
    assert_decodes(bom + bom + b"data: x\n\n", [])  # the field is "\ufeffdata"
    assert_decodes(b"data: x\n\n" + bom + b"data: y\n\n", ["x"])


def test_field_parsing() -> None:
    """Split at the first colon, drop one space; no colon: empty value; other fields ignored."""
    data = b"data:no-space\ndata:  two spaces\ndata: a:b\ndata\nfoo: bar\nevent:e\n\n"
    assert_decodes(data, ["no-space\n two spaces\na:b\n"])


def test_bare_data_dispatches_empty_message() -> None:
    """A bare ``data:`` or ``data`` line dispatches an event with empty data."""
    assert_decodes(b"data:\n\ndata\n\n", ["", ""])


def test_block_without_data_dispatches_nothing() -> None:
    """``event:`` and ``id:`` alone dispatch nothing, and the next event is read whole."""
    assert_decodes(b"event: lonely\nid: 5\n\ndata: x\n\n", ["x"])


def test_id_and_retry_lines_never_reach_the_data() -> None:
    """``id`` and ``retry`` lines, valid or not (NUL, non-digits), are read past."""
    data = b"id: 1\ndata: a\n\nretry: 12x\ndata: b\n\nid: bad\x00id\nretry: 1500\ndata: c\n\nid\n\n"
    assert_decodes(data, ["a", "b", "c"])


def test_event_begun_in_one_chunk_and_finished_in_the_next() -> None:
    """An event begun in one chunk and finished by a whole block in the next keeps its data."""
    assert decode([b"event: a\n", b"data: x\n\n"]) == ["x"]
    assert decode([b"data: x\n", b"event: b\ndata: y\n\n"]) == ["x\ny"]
    assert decode([b"event: a\n", b"event: \ndata: y\n\n"]) == ["y"]
    assert decode([b"data: x\n", b"\n", b"data: y\n\n"]) == ["x", "y"]


def test_size_limit_on_a_single_line() -> None:
    """A line longer than max_event_bytes raises, whether it arrives whole or in pieces."""
    data = b"data: " + b"q" * 2000 + b"\n\n"
    for chunks in ([data], pieces(data, 100), pieces(data, 1)):
        with pytest.raises(ResponseValidationError, match="max_event_bytes=1000") as info:
            decode(chunks, max_event_bytes=1000)
        assert isinstance(info.value.payload, str)
        assert 0 < len(info.value.payload) <= 1024


def test_size_limit_on_many_data_lines() -> None:
    """Data lines adding up past the limit raise; an event under the limit passes."""
    with pytest.raises(ResponseValidationError, match="max_event_bytes=1000"):
        decode([b"data: 0123456789\n" * 100 + b"\n"], max_event_bytes=1000)
    with pytest.raises(ResponseValidationError):
        decode(pieces(b"data: 0123456789\n" * 100 + b"\n", 33), max_event_bytes=1000)
    ok = b"data: 0123456789\n" * 50 + b"\n"
    assert len(decode([ok], max_event_bytes=1000)) == 1
    assert len(decode(pieces(ok, 33), max_event_bytes=1000)) == 1


def test_size_limit_counts_bytes_not_characters() -> None:
    """Multi-byte text counts by its UTF-8 size."""
    data = ("data: " + "漢" * 400 + "\n\n").encode()  # 1200 bytes of data, 400 characters
    for chunks in ([data], pieces(data, 7)):
        with pytest.raises(ResponseValidationError):
            decode(chunks, max_event_bytes=1000)
        assert len(decode(chunks, max_event_bytes=2000)) == 1


def test_size_limit_is_per_event() -> None:
    """Many events each under the limit never trip it, and None disables it."""
    assert SSEDecoder().max_event_bytes == DEFAULT_MAX_EVENT_BYTES == 16 * 1024 * 1024
    data = b"data: " + b"k" * 900 + b"\n\n"
    assert len(decode([data * 20], max_event_bytes=1000)) == 20
    assert len(decode(pieces(data * 20, 450), max_event_bytes=1000)) == 20
    assert len(decode([b"data: " + b"k" * 5000 + b"\n\n"], max_event_bytes=None)) == 1


def test_bad_limit_is_refused() -> None:
    """A zero or negative max_event_bytes is a programming error."""
    with pytest.raises(ValueError, match="max_event_bytes"):
        SSEDecoder(max_event_bytes=0)


LINES = st.sampled_from(
    [
        "",
        "",
        "data: x",
        "data:y",
        "data",
        "data:",
        "data:  spaced",
        "data: é\u2028漢",
        "data: [DONE]",
        "event: e",
        "event:",
        "event",
        "id: 1",
        "id: a\0b",
        "id",
        "retry: 250",
        "retry: 2x",
        ": OPENROUTER PROCESSING",
        ":",
        "other: field",
        "data: a:b:c",
    ]
)
# Whole blocks as servers send them, so that the fast path for whole events is taken often.
BLOCKS = st.sampled_from(
    [
        'event: response.output_text.delta\ndata: {"delta": "a"}\n',
        "event: e\ndata: x\n",
        "data: y\n",
        "data:nospace\n",
        "event:x\ndata: z\n",
        "data: [DONE]\n",
        "data: \n",  # empty data
        "data: a\ndata: b\n",  # two data lines
    ]
)


@st.composite
def transcripts(draw: st.DrawFn) -> bytes:
    """A stream of lines and whole blocks with mixed terminators, maybe a BOM and a bare tail."""
    parts = draw(st.lists(LINES | BLOCKS.map(lambda block: block + "\n"), max_size=40))
    out = "\ufeff" if draw(st.booleans()) else ""
    for piece in parts:
        ending = draw(st.sampled_from(ENDINGS))
        out += piece.replace("\n", ending) if piece.endswith("\n") else piece + ending
    if draw(st.booleans()):
        out += draw(LINES)  # an unterminated tail
    return out.encode()


@st.composite
def chunked(draw: st.DrawFn, data: bytes) -> list[bytes]:
    """``data`` cut at arbitrary points, empty chunks allowed."""
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=12)))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_rechunking_gives_the_same_events(data: st.DataObject) -> None:
    """Any re-chunking of a transcript yields exactly the data of a literal spec reading."""
    stream = data.draw(transcripts())
    chunks = data.draw(chunked(stream))
    assert decode(chunks) == reference(stream) == decode([stream])


NOISE = st.lists(
    st.sampled_from([b"data", b"event", b"id", b":", b" ", b"\r", b"\n", b"\xef\xbb\xbf", b"\x00"])
    | st.binary(max_size=4),
    max_size=60,
).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_bytes_match_the_reference(data: st.DataObject) -> None:
    """Arbitrary bytes, arbitrarily chunked, decode exactly as the literal spec reading does."""
    stream = data.draw(NOISE)
    assert decode(data.draw(chunked(stream))) == reference(stream)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_bytes_never_raise_anything_else(data: st.DataObject) -> None:
    """Random bytes under a tiny limit give data or ResponseValidationError, nothing else."""
    stream = data.draw(NOISE | st.binary(max_size=200))
    outcome: object
    try:
        outcome = decode(data.draw(chunked(stream)), max_event_bytes=16)
    except ResponseValidationError as error:
        outcome = error
    if isinstance(outcome, ResponseValidationError):
        assert "max_event_bytes=16" in str(outcome)
    else:
        assert isinstance(outcome, list)
        assert all(isinstance(item, str) for item in outcome)
