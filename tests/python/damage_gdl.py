#!/usr/bin/env python3
"""Writes a table of damaged .gdl files into DIR and prints, per file, "NAME<TAB>phrase the
error must contain". Used by tests/cli/container.sh."""
import json
import os
import struct
import sys

out = sys.argv[1]
cases = []


def raw(name, data, phrase):
    with open(os.path.join(out, name + ".gdl"), "wb") as f:
        f.write(data)
    cases.append((name, phrase))


def gdl(name, header, data, phrase, length=None):
    h = header if isinstance(header, bytes) else json.dumps(header).encode()
    raw(name, struct.pack("<Q", len(h) if length is None else length) + h + data, phrase)


def t(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


good = {"a": t("F32", [2], 0, 8), "b": t("U8", [3], 8, 11)}
raw("empty", b"", "empty file")
raw("short", b"\x01\x02\x03", "too short")
gdl("truncated", good, bytes(9), "run past the 9-byte data section")
gdl("header_longer_than_file", good, bytes(11), "larger than the file", length=10 ** 6)
gdl("header_length_huge", good, bytes(11), "larger than the file", length=2 ** 63 + 5)
gdl("bad_json", b'{"a": {"dtype": "F32", "shape": [2], ', bytes(8), "not valid JSON")
gdl("not_object", b"[1, 2, 3]", b"", "not a JSON object")
gdl("trailing_bytes_in_header", json.dumps(good).encode() + b" x", bytes(11), "after its JSON")
gdl("unknown_dtype", {"a": t("Q32", [2], 0, 8)}, bytes(8), "unknown dtype 'Q32'")
gdl("dtype_not_string", {"a": t(4, [2], 0, 8)}, bytes(8), "dtype")
gdl("overflow_shape", {"a": t("F32", [2 ** 40, 2 ** 40, 2 ** 40], 0, 8)}, bytes(8), "overflows")
gdl("overflow_bytes", {"a": t("F64", [2 ** 31, 2 ** 31, 2 ** 2], 0, 8)}, bytes(8), "overflows")
gdl("negative_dim", {"a": t("F32", [-2], 0, 8)}, bytes(8), "not a size")
gdl("fractional_dim", {"a": t("F32", [2.5], 0, 8)}, bytes(8), "not a size")
gdl("too_many_dims", {"a": t("F32", [1] * 9, 0, 4)}, bytes(4), "more than 8 dimensions")
gdl("size_mismatch", {"a": t("F32", [3], 0, 8)}, bytes(8), "need 12 bytes")
gdl("offsets_reversed", {"a": t("F32", [0], 8, 0)}, bytes(8), "end before they begin")
gdl("offsets_not_pair", {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0]}}, bytes(8),
    "two non-negative integers")
gdl("out_of_range", {"a": t("F32", [2], 100, 108)}, bytes(8), "run past")
gdl("overlap", {"a": t("F32", [2], 0, 8), "b": t("F32", [2], 4, 12)}, bytes(12), "overlaps")
gdl("gap", {"a": t("F32", [1], 0, 4), "b": t("F32", [1], 8, 12)}, bytes(12), "gap")
gdl("trailing_data", {"a": t("F32", [1], 0, 4)}, bytes(12), "8 bytes after the last tensor")
gdl("unknown_field", {"a": dict(t("F32", [1], 0, 4), extra=1)}, bytes(4), "unknown or repeated field 'extra'")
gdl("missing_shape", {"a": {"dtype": "F32", "data_offsets": [0, 4]}}, bytes(4), "shape")
gdl("entry_not_object", {"a": 5}, b"", "not an object")
gdl("empty_name", {"": t("F32", [1], 0, 4)}, bytes(4), "empty name")
gdl("metadata_not_string", {"__metadata__": {"k": 1}, "a": t("F32", [1], 0, 4)}, bytes(4),
    "__metadata__ 'k' is not a string")
gdl("duplicate_name", b'{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
    b'"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', bytes(2), "repeated")
gdl("nul_in_header", b'{"a\x00":{}}', b"", "NUL byte")
for name, phrase in cases:
    print(f"{name}\t{phrase}")
