"""Byte-level mutations of YAML-ish inputs for the fuzz tests (hypothesis strategies).

Byte flips, truncation, deletions, duplicated spans, YAML syntax and tags inserted, values of
``key: value`` lines replaced by wrong types, huge numbers, deep nesting, alias bombs, binary junk.
"""

from __future__ import annotations

from hypothesis import strategies as st

DEEP = b"[" * 3000 + b"]" * 3000
BOMB = (b"a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        + b"".join(b"a%d: &a%d [" % (i, i) + b", ".join([b"*a%d" % (i - 1)] * 10) + b"]\n" for i in range(1, 8)))

SNIPPETS = [
    b":", b": ", b"-", b"- ", b" ", b"\n", b"\n- x\n", b"[", b"]", b"{", b"}", b"'", b'"', b"#", b"\t", b",",
    b"&a ", b"*a", b"*undefined_alias", b"<<: *a\n", b"? [a, b]\n: c\n", b"!!python/object/apply:os.system ['true']",
    b"!!binary aGVsbG8=", b"!!set {a, b}", b"!!omap [a: 1]", b"!!timestamp 2001-12-14", b"!custom tag",
    b"%YAML 1.1\n", b"%TAG ! tag:example.com,2000:\n", b"---\n", b"...\n", b"|\n  block\n", b">-\n  folded\n",
    b"~", b"null", b"true", b"no", b"1e999", b"-1", b"0", b".nan", b".inf", b"0x1F", b"0o17", b"1_000",
    b"99999999999999999999999999999999999999", b"2023-02-30", b"23:59", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf",
    b"\xc3", b"\xe2\x80\xa8", b"\r", b"\r\n", b"\x1b[2J", "\u202e".encode(),
    b"schema_version: 99\n", b"schema_version: 0\n", b"schema_version: one\n", DEEP, b"{a: {b: {c: {d: {e: 1}}}}}",
    BOMB, b"x: &r [*r]\n", b"x" * 5000,
]

VALUES = [
    b"", b"~", b"[]", b"{}", b"-1", b"0", b"1e999", b"10000000000000000000000000000", b"true", b"'text'",
    b"[1, 2, [3]]", b"{a: 1}", b"2023-13-45", b"\"\\uD800\"", b"!!binary AAAA", b"*nope", b"&a x", b"|\n  a\n  b",
    DEEP, b"'" + b"y" * 3000 + b"'", b".nan", b"-.inf", b"2023-09-28T23:59:00+25:00",
]


@st.composite
def mutated(draw, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "duplicate", "value", "junk",
                                     "drop_line", "indent"]))
        if not data:
            data.extend(draw(st.sampled_from(SNIPPETS)))
            continue
        pos = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[pos] = draw(st.integers(0, 255))
        elif kind == "delete":
            del data[pos:pos + draw(st.integers(1, 40))]
        elif kind == "insert":
            data[pos:pos] = draw(st.sampled_from(SNIPPETS))
        elif kind == "truncate":
            del data[pos:]
        elif kind == "duplicate":
            end = min(len(data), pos + draw(st.integers(1, 300)))
            data[pos:pos] = data[pos:end]
        elif kind == "junk":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=32))
        else:  # operate on the line that holds `pos`
            start = data.rfind(b"\n", 0, pos) + 1
            end = data.find(b"\n", pos)
            end = len(data) if end < 0 else end
            line = bytes(data[start:end])
            if kind == "drop_line":
                del data[start:end + 1]
            elif kind == "indent":
                data[start:start] = draw(st.sampled_from([b"  ", b"    ", b"\t", b"- "]))
            elif b": " in line:  # replace the value of a `key: value` line
                colon = start + line.index(b": ") + 2
                data[colon:end] = draw(st.sampled_from(VALUES))
    return bytes(data)
