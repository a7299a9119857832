"""Benchmark inputs for bench_train.sh (not a test): random one-hot-able sequences with random
0/1 labels, and numeric tracks. Deterministic (fixed seed). Run with /usr/bin/python3.
  gen_seq.py fasta PREFIX N LENGTH TARGETS   -> PREFIX.fa, PREFIX.labels.tsv
  gen_seq.py tracks PREFIX N C L             -> PREFIX.tsv (id, C*L values), PREFIX.labels.tsv
                                                (id, expr) for regression"""
import random
import sys


def main():
    kind, prefix, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(8)
    if kind == "fasta":
        length, targets = int(sys.argv[4]), int(sys.argv[5])
        with open(prefix + ".fa", "w") as fa, open(prefix + ".labels.tsv", "w") as lab:
            lab.write("id\t" + "\t".join("t%d" % t for t in range(targets)) + "\n")
            for i in range(n):
                fa.write(">r%d\n%s\n" % (i, "".join(rng.choices("ACGT", k=length))))
                lab.write("r%d\t%s\n" % (i, "\t".join(rng.choice("01") for _ in range(targets))))
    elif kind == "tracks":
        c, length = int(sys.argv[4]), int(sys.argv[5])
        with open(prefix + ".tsv", "w") as out, open(prefix + ".labels.tsv", "w") as lab:
            lab.write("id\texpr\n")
            for i in range(n):
                vals = ("%.3g" % rng.expovariate(1.0) for _ in range(c * length))
                out.write("r%d\t%s\n" % (i, "\t".join(vals)))
                lab.write("r%d\t%.4f\n" % (i, rng.gauss(5, 2)))
    else:
        sys.exit("usage: gen_seq.py fasta|tracks ...")


main()
