# A training run killed with kill -9 leaves its last checkpoint valid, and the next start
# removes the temp files of this host's dead processes (MODEL.tmp.HOST.PID, MODEL.ckpt.tmp...),
# leaving those of live processes and of other hosts (a shared file system) alone.
. "$(dirname "$0")/lib.sh"
data="$(dirname "$0")/../../data"
cfgs="$(dirname "$0")/../../configs"
T=$TMP
"$GDL" encode -q "$data/cohort.vcf.gz" --pheno "$data/cohort.pheno.tsv" --pheno-col disease -o "$T/c.gdl" || fail "encode"
host=$(hostname | tr './' '__')
sh -c 'exit 0' & dead=$!
wait "$dead"
for f in "m.gdl.tmp.$host.$dead" "m.gdl.ckpt.tmp.$host.$dead" "m.gdl.tmp.$host.$$" "m.gdl.tmp.othernode.$dead"; do
    echo partial >"$T/$f"
done
expect "train with stale temp files around" 0 "$GDL" train -v -c "$cfgs/genotype-mlp.json" -d "$T/c.gdl" -o "$T/m.gdl" --epochs 1
[ ! -e "$T/m.gdl.tmp.$host.$dead" ] && [ ! -e "$T/m.gdl.ckpt.tmp.$host.$dead" ] && pass "dead processes' temp files removed" ||
    fail "dead processes' temp files removed"
contains "the removal is said" "$T/err" "m.gdl.ckpt.tmp.$host.$dead: removed, left by process $dead, which is gone"
[ -e "$T/m.gdl.tmp.$host.$$" ] && [ -e "$T/m.gdl.tmp.othernode.$dead" ] && pass "a live process's and another host's temp files stay" ||
    fail "a live process's and another host's temp files stay"

# kill -9 after the first checkpoint: --resume continues from it to the uninterrupted run's model
"$GDL" train -q -c "$cfgs/genotype-mlp.json" -d "$T/c.gdl" -o "$T/full.gdl" --epochs 30 --patience 0 || fail "full run"
"$GDL" train -q -c "$cfgs/genotype-mlp.json" -d "$T/c.gdl" -o "$T/k.gdl" --epochs 30 --patience 0 &
pid=$!
i=0
while [ ! -e "$T/k.gdl.ckpt" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ -e "$T/k.gdl" ]; then
    pass "kill -9: the run had finished (nothing to check)"
else
    expect "resume after kill -9" 0 "$GDL" train -q -c "$cfgs/genotype-mlp.json" -d "$T/c.gdl" -o "$T/k.gdl" --epochs 30 --patience 0 --resume
    "$GDL" predict -q -m "$T/full.gdl" -d "$T/c.gdl" -o "$T/full.tsv" && "$GDL" predict -q -m "$T/k.gdl" -d "$T/c.gdl" -o "$T/k.tsv"
    same "resumed after kill -9 = uninterrupted" "$T/full.tsv" "$T/k.tsv"
fi
ls "$T" | grep -q "^k\.gdl.*\.tmp\." && fail "no temp file left after the next start" "$(ls "$T" | grep tmp)" || pass "no temp file left after the next start"
finish
