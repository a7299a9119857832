#!/usr/bin/env python3
"""Read a .gdl file (safetensors layout) with NumPy alone.

    from read_gdl import read_gdl
    tensors, metadata = read_gdl("cohort.gdl")   # dict name -> read-only np.memmap, dict str -> str

Layout: 8-byte little-endian header length H, H bytes of JSON mapping each tensor name to
{"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to byte 8 + H) plus an
optional "__metadata__" map of strings. Run as a script to list a file's tensors.
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"BOOL": "?", "U8": "u1", "I8": "i1", "U16": "<u2", "I16": "<i2", "F16": "<f2",
          "U32": "<u4", "I32": "<i4", "F32": "<f4", "U64": "<u8", "I64": "<i8", "F64": "<f8"}


def read_gdl(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        dtype = np.dtype(DTYPES[t["dtype"]])
        if begin == end:
            tensors[name] = np.zeros(t["shape"], dtype)
        else:
            tensors[name] = np.memmap(path, dtype, "r", offset=8 + n + begin, shape=tuple(t["shape"]))
    return tensors, metadata


if __name__ == "__main__":
    tensors, metadata = read_gdl(sys.argv[1])
    for key, value in metadata.items():
        print(f"meta\t{key}\t{value}")
    for name, a in tensors.items():
        print(f"tensor\t{name}\t{a.dtype}\t{list(a.shape)}")
