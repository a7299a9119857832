"""A splice-site-like set where position is everything (gdl's tests and benchmarks, not a tool).

Three classes of 60-bp windows centred on a candidate exon/intron boundary (between bases 30 and
31, 1-based), as the classic splice-junction sets are: EI (exon->intron, a donor site: MAG|GTRAGT),
IE (intron->exon, an acceptor site: a pyrimidine tract, then YAG|G) and N (neither: background,
half of it carrying a decoy GT or AG at the boundary). Every consensus base is drawn from a
position-specific distribution, so a site is a weight matrix, not a fixed word; exons are
slightly GC-rich, introns AT-rich. Deterministic for a seed (random.Random, its random() only).

  splice_like.py PREFIX N SEED  ->  PREFIX.fa, PREFIX.labels.tsv (id, site: EI, IE or N)
"""
import random
import sys

L, B = 60, 30  # window length; the boundary lies after B bases
BASES = "ACGT"


def draw(rng, probs):
    u, acc = rng.random(), 0.0
    for base, p in zip(BASES, probs):
        acc += p
        if u < acc:
            return base
    return BASES[-1]


def background(gc):
    return (0.5 - gc / 2, gc / 2, gc / 2, 0.5 - gc / 2)


# weight matrices (A, C, G, T) by offset from the boundary: -1 is the last base before it
DONOR = {-3: (0.35, 0.4, 0.15, 0.1), -2: (0.7, 0.1, 0.1, 0.1), -1: (0.08, 0.04, 0.84, 0.04),
         1: (0.0, 0.0, 1.0, 0.0), 2: (0.0, 0.0, 0.0, 1.0), 3: (0.62, 0.02, 0.34, 0.02),
         4: (0.74, 0.06, 0.1, 0.1), 5: (0.06, 0.04, 0.84, 0.06), 6: (0.12, 0.14, 0.16, 0.58)}
ACCEPTOR = {-3: (0.05, 0.7, 0.02, 0.23), -2: (1.0, 0.0, 0.0, 0.0), -1: (0.0, 0.0, 1.0, 0.0),
            1: (0.24, 0.14, 0.5, 0.12)}
TRACT = (0.06, 0.45, 0.04, 0.45)  # the pyrimidine tract, offsets -18..-5 of an acceptor


def window(rng, kind):
    left_exon = kind == "EI"
    seq = []
    for i in range(L):
        off = i - B + 1 if i >= B else i - B  # -30..-1, then 1..30
        exon = (off < 0) == left_exon if kind != "N" else rng.random() < 0.5
        probs = background(0.55 if exon else 0.45)
        if kind == "EI" and off in DONOR:
            probs = DONOR[off]
        elif kind == "IE" and off in ACCEPTOR:
            probs = ACCEPTOR[off]
        elif kind == "IE" and -18 <= off <= -5 and rng.random() < 0.9:
            probs = TRACT
        seq.append(draw(rng, probs))
    if kind == "N" and rng.random() < 0.5:  # a decoy: the boundary's dinucleotide alone
        if rng.random() < 0.5:
            seq[B:B + 2] = "GT"
        else:
            seq[B - 2:B] = "AG"
    return "".join(seq)


def main():
    prefix, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    with open(prefix + ".fa", "w") as fa, open(prefix + ".labels.tsv", "w") as lab:
        lab.write("id\tsite\n")
        for i in range(n):
            u = rng.random()
            kind = "EI" if u < 0.25 else "IE" if u < 0.5 else "N"
            fa.write(">w%d\n%s\n" % (i + 1, window(rng, kind)))
            lab.write("w%d\t%s\n" % (i + 1, kind))


if __name__ == "__main__":
    main()
