"""Reads a dataset .gdl with NumPy only and checks it against bcftools' view of the VCF.

  gdl_check.py compare OUT.gdl QUERY.tsv  QUERY.tsv from
      bcftools query -f '%CHROM\t%POS\t%ID\t%REF\t%ALT[\t%GT]\n' IN.vcf
  gdl_check.py tensor OUT.gdl NAME        prints the tensor's values, one row a line
  gdl_check.py strings OUT.gdl NAME       prints a string list, one a line

Interpretation of a GT string for ALT allele a: split on / or |; any '.' allele = missing
(code 3), else the number of alleles equal to a. Symbolic ALTs (<...>, *) are not columns;
records whose GTs all print '.' had no GT field and are not columns either."""
import json
import re
import sys

import numpy as np

DT = {"U8": np.uint8, "I64": np.int64, "F32": np.float32}


def load(path):
    raw = open(path, "rb").read()
    n = int.from_bytes(raw[:8], "little")
    head = json.loads(raw[8:8 + n])
    meta = head.pop("__metadata__", {})
    data = raw[8 + n:]
    t = {}
    for name, e in head.items():
        b, end = e["data_offsets"]
        t[name] = np.frombuffer(data[b:end], dtype=DT[e["dtype"]]).reshape(e["shape"])
    return meta, t


def strings(arr):
    return bytes(arr).decode().split("\0")[:-1]


def codes(meta, t):
    m = int(meta["input:genotypes.variants"])
    g = t["input:genotypes"]
    bits = np.stack([(g >> (2 * k)) & 3 for k in range(4)], axis=2).reshape(g.shape[0], -1)
    return bits[:, :m]


def compare(path, query):
    meta, t = load(path)
    got = codes(meta, t)
    cat = list(zip(strings(t["catalog:chrom"]), t["catalog:pos"].tolist(), strings(t["catalog:id"]),
                   strings(t["catalog:ref"]), strings(t["catalog:alt"])))
    want_cols, want_cat = [], []
    for line in open(query):
        f = line.rstrip("\n").split("\t")
        chrom, pos, vid, ref, alts, gts = f[0], int(f[1]), f[2], f[3], f[4].split(","), f[5:]
        if all(g == "." for g in gts):
            continue
        for a, alt in enumerate(alts, 1):
            if alt.startswith("<") or alt == "*" or alt == ".":
                continue
            col = []
            for g in gts:
                al = re.split("[/|]", g)
                col.append(3 if "." in al else sum(int(x) == a for x in al))
            want_cols.append(col)
            want_cat.append((chrom, pos, vid, ref, alt))
    want = np.array(want_cols, dtype=np.uint8).T if want_cols else np.zeros((got.shape[0], 0), np.uint8)
    ok = True
    if cat != want_cat:
        print("catalog differs:\n  gdl      %s\n  bcftools %s" % (cat[:5], want_cat[:5]), file=sys.stderr)
        ok = False
    if got.shape != want.shape or not np.array_equal(got, want):
        print("genotypes differ: gdl %s, bcftools %s" % (got.shape, want.shape), file=sys.stderr)
        ok = False
    print("%d samples x %d columns %s" % (want.shape[0], want.shape[1], "equal" if ok else "DIFFER"))
    return 0 if ok else 1


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "compare":
        return compare(path, sys.argv[3])
    meta, t = load(path)
    if mode == "strings":
        print("\n".join(strings(t[sys.argv[3]])))
    elif mode == "tensor":
        name = sys.argv[3]
        a = codes(meta, t) if name == "codes" else t[name]
        for row in np.atleast_2d(a) if a.ndim < 2 else a:
            print("\t".join("nan" if isinstance(v, float) and v != v else str(v) for v in row.tolist()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
