"""Read a FASTA file into a dict of id -> upper-case sequence (the tests' independent reader).

    from fasta import read_fasta
    seqs = read_fasta("sp.fa")
"""


def read_fasta(path):
    seqs, name, parts = {}, None, []
    for line in open(path):
        line = line.strip()
        if line.startswith(">"):
            if name is not None:
                seqs[name] = "".join(parts).upper()
            name, parts = line[1:].split()[0], []
        elif line:
            parts.append(line)
    if name is not None:
        seqs[name] = "".join(parts).upper()
    return seqs
