# One thread limit for every command: -@ up to GDL_MAX_THREADS (256) on this 2-core machine,
# results equal to -@ 1 where gdl is bitwise reproducible, and a bad input still found and
# reported by whichever of 100 chunks reads it; above the limit a usage error naming it.
. "$(dirname "$0")/lib.sh"
data="$(dirname "$0")/../../data"
cfgs="$(dirname "$0")/../../configs"
T=$TMP
"$PYTHON" - "$T" <<'PY' || fail "predictions fixture"
import random, sys
d = sys.argv[1]
r = random.Random(3)
names = [f"t{k}" for k in range(100)]
with open(f"{d}/p.tsv", "w") as f, open(f"{d}/bad.tsv", "w") as g:
    head = "id" + "".join(f"\t{t}:label\t{t}:score" for t in names) + "\n"
    f.write(head), g.write(head)
    for i in range(1000):
        row = f"s{i}"
        for k in range(100):
            y = r.random() < 0.3
            row += "\t%d\t%.6f" % (y, min(1, max(0, 0.3 * y + r.random() * 0.7)))
        f.write(row + "\n")
        if i == 900:  # line 902: a score that is not a number, read by chunk 90 of 100
            f_ = row.split("\t")
            f_[2] = "abc"
            row = "\t".join(f_)
        g.write(row + "\n")
PY
expect "eval -@ 100: a bad score on line 902 is an error" 2 "$GDL" eval -p "$T/bad.tsv" -@ 100
contains "eval -@ 100 names the line" "$T/err" "bad.tsv:902: t0:score 'abc' is not a finite number"
expect "eval -@ 1, bootstrap over 100 targets" 0 "$GDL" eval -p "$T/p.tsv" -b 5 -s 3 -@ 1 -o "$T/e1.json"
expect "eval -@ 100, bootstrap over 100 targets" 0 "$GDL" eval -p "$T/p.tsv" -b 5 -s 3 -@ 100 -o "$T/e100.json"
same "eval: -@ 100 = -@ 1" "$T/e1.json" "$T/e100.json"
expect "-@ 257: usage error" 1 "$GDL" eval -p "$T/p.tsv" -@ 257
contains "-@ error names the limit" "$T/err" "--threads: expected an integer from 0 (the cores this process may use) to 256, got '257'"
expect "-@ 0: the cores this process may use" 0 "$GDL" eval -p "$T/p.tsv" -@ 0 -o "$T/e0.json"

# encode, train, predict and attribute at -@ 100 give -@ 1's bytes (models trained on one
# dataset file: a model names the file it was trained on)
for t in 1 100; do
    "$GDL" encode -q -@ "$t" "$data/cohort.vcf.gz" --pheno "$data/cohort.pheno.tsv" --pheno-col disease -o "$T/c$t.gdl" &&
    "$GDL" train -q -@ "$t" -c "$cfgs/genotype-mlp.json" -d "$T/c1.gdl" -o "$T/m$t.gdl" --epochs 2 &&
    "$GDL" predict -q -@ "$t" -m "$T/m$t.gdl" -d "$T/c$t.gdl" -o "$T/p$t.tsv" &&
    "$GDL" attribute -q -@ "$t" -m "$T/m$t.gdl" -d "$T/c$t.gdl" --method gradxinput -o "$T/a$t.tsv" ||
        fail "encode, train, predict, attribute at -@ $t"
done
same "encode: -@ 100 = -@ 1" "$T/c1.gdl" "$T/c100.gdl"
same "train: -@ 100 = -@ 1" "$T/m1.gdl" "$T/m100.gdl"
same "predict: -@ 100 = -@ 1" "$T/p1.tsv" "$T/p100.tsv"
same "attribute: -@ 100 = -@ 1" "$T/a1.tsv" "$T/a100.tsv"
finish
