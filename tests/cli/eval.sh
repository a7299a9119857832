# gdl eval: acceptance against scikit-learn fixtures, malformed input, outputs, options.
. "$(dirname "$0")/lib.sh"
PY=${PYTHON:-/usr/bin/python3}
REF=$(cd "$(dirname "$0")/../ref" && pwd)
DATA=$(cd "$(dirname "$0")/../data/eval" && pwd)

# ---- usage -------------------------------------------------------------------------------------
expect "eval --help exits 0" 0 "$GDL" eval --help
contains "help names --threshold" "$TMP/out" "--threshold"
contains "help explains the kind rule" "$TMP/out" "binary when every label is 0 or 1"
contains "help names --bootstrap" "$TMP/out" "--bootstrap"
contains "help offers -m MODEL -d DATA" "$TMP/out" "gdl eval -m MODEL.gdl"
expect "gdl --help lists eval" 0 "$GDL" --help
contains "gdl --help lists eval" "$TMP/out" "eval"
expect "no -p exits 1" 1 "$GDL" eval
contains "no -p explained" "$TMP/err" "-p predictions.tsv (or -m MODEL -d DATA) is required"
expect "bad --threshold exits 1" 1 "$GDL" eval -p "$DATA/tiny.tsv" --threshold half
contains "bad --threshold explained" "$TMP/err" "--threshold"
expect "bad --bootstrap exits 1" 1 "$GDL" eval -p "$DATA/tiny.tsv" -b -3
expect "bad --ci exits 1" 1 "$GDL" eval -p "$DATA/tiny.tsv" --ci 1.5
expect "unknown option exits 1" 1 "$GDL" eval -p "$DATA/tiny.tsv" --frobnicate
contains "unknown option: usage on stderr" "$TMP/err" "Usage: gdl eval"

# ---- values equal scikit-learn's (fixtures made by tests/ref/make_eval_fixtures.py) --------------
for key in $("$PY" -c "import json,sys; print(' '.join(json.load(open(sys.argv[1]))))" "$DATA/expected.json"); do
    file=$("$PY" -c "import json,sys; e=json.load(open(sys.argv[1]))[sys.argv[2]]; print(e.get('file', sys.argv[2]))" "$DATA/expected.json" "$key")
    args=$("$PY" -c "import json,sys; print(' '.join(json.load(open(sys.argv[1]))[sys.argv[2]]['args']))" "$DATA/expected.json" "$key")
    # shellcheck disable=SC2086
    if "$GDL" eval -p "$DATA/$file" $args -o "$TMP/m.json" >"$TMP/out" 2>"$TMP/err"; then
        "$PY" "$REF/compare_json.py" "$DATA/expected.json" "$key" "$TMP/m.json" || failed=1
    else
        fail "sklearn fixture $key" "gdl eval failed: $(cat "$TMP/err")"
    fi
done

# ---- malformed input: exit 2 and "gdl eval: FILE:LINE: what" on one line --------------------------
bad() { # NAME CONTENT MESSAGE [options]
    name=$1 content=$2 msg=$3; shift 3
    printf "$content" >"$TMP/bad.tsv"
    rm -f "$TMP/bad.json"
    "$GDL" eval -p "$TMP/bad.tsv" -o "$TMP/bad.json" "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
    if [ "$rc" -ne 2 ]; then fail "bad input: $name" "exit $rc, expected 2"; return; fi
    if ! grep -qF -- "gdl eval: $TMP/bad.tsv$msg" "$TMP/err"; then
        fail "bad input: $name" "expected 'gdl eval: $TMP/bad.tsv$msg', got: $(cat "$TMP/err")"; return
    fi
    if [ "$(wc -l <"$TMP/err")" -ne 1 ]; then fail "bad input: $name" "more than one line on stderr"; return; fi
    if ls "$TMP"/bad.json* >/dev/null 2>&1; then fail "bad input: $name" "an output file was left"; return; fi
    pass "bad input: $name"
}
H='id\ta:label\ta:score\n'
bad "empty file" '' ":1: empty file"
bad "header only" "$H" ":2: no rows after the header"
bad "first column not id" 'name\ta:label\ta:score\nx\t1\t0.5\n' ":1: the first column must be 'id'"
bad "no label column" 'id\ta:score\nx\t0.5\n' ":1: no T:label column"
bad "label without score" 'id\ta:label\nx\t1\n' ":1: target 'a' has a label column but no 'a:score' column"
bad "unknown column" 'id\ta:label\ta:score\tjunk\nx\t1\t0.5\t3\n' ":1: column 4 'junk' is none of"
bad "duplicate label column" 'id\ta:label\ta:score\ta:label\nx\t1\t0.5\t1\n' ":1: column 'a:label' appears twice"
bad "two score columns" 'id\ta:label\ta:score\ta:score\nx\t1\t0.5\t1\n' ":1: target 'a' has two T:score columns"
bad "score and class scores" 'id\ta:label\ta:score\ta:score:x\nx\t1\t0.5\t1\n' ":1: target 'a' has both T:score and T:score:CLASS columns"
bad "one class only" 'id\ta:label\ta:score:x\nr\tx\t1\n' ":1: multi-class target 'a' has 1 class column"
bad "row too short" "${H}x\t1\t0.5\ny\t0\n" ":3: 2 fields, the header has 3"
bad "row too long" "${H}x\t1\t0.5\t7\n" ":2: 4 fields, the header has 3"
bad "blank line" "${H}x\t1\t0.5\n\ny\t0\t0.1\n" ":3: empty line; every row needs 3 fields"
bad "non-numeric score" "${H}x\t1\t0.5\ny\t0\tabc\n" ":3: a:score 'abc' is not a finite number"
bad "NaN score" "${H}x\t1\tnan\n" ":2: a:score 'nan' is not a finite number"
bad "infinite score" "${H}x\t1\t1e999\n" ":2: a:score '1e999' is not a finite number"
bad "empty score with a label" "${H}x\t1\t\n" ":2: a has a label but an empty score"
bad "non-numeric label" "${H}x\tyes\t0.5\n" ":2: a:label 'yes' is not a number"
bad "class outside the target's classes" 'id\tc:label\tc:score:u\tc:score:v\nr\tu\t.5\t.5\ns\tw\t.5\t.5\n' \
    ":3: c:label 'w' is not one of the target's 2 classes"
bad "--binary target with label 2" "${H}x\t1\t0.5\ny\t2\t0.5\n" ":3: a:label is 2, but binary targets take 0 or 1" --binary a
bad "--regression names no target" "${H}x\t1\t0.5\n" ": --regression names 'zz', which has no 'zz:label' column" --regression zz
bad "empty fold" 'id\tfold\ta:label\ta:score\nx\t\t1\t0.5\n' ":2: empty fold"
printf "${H}x\t1\t0.9\ny\t0\t0.1\n\n\n" >"$TMP/trail.tsv"
expect "blank lines at the end are not rows" 0 "$GDL" eval -p "$TMP/trail.tsv"
expect "missing file exits 2" 2 "$GDL" eval -p "$TMP/absent.tsv"
contains "missing file named" "$TMP/err" "gdl eval: $TMP/absent.tsv: No such file"

# ---- kinds, missing labels, CRLF, stdin -----------------------------------------------------------
printf 'id\ta:label\ta:score\tr:label\tr:score\tz:label\tz:score\nx\t1\t0.9\t1\t1.5\t0\t0.1\ny\t0\t0.2\t0\t0.1\t1\t0.9\nw\t\t0.5\t2.5\t2\t1\t0.4\n' >"$TMP/k.tsv"
expect "kinds file evaluates" 0 "$GDL" eval -p "$TMP/k.tsv" -o "$TMP/k.json" --regression z
kinds=$("$PY" -c "import json,sys; t=json.load(open(sys.argv[1]))['targets']; print(t['a']['kind'], t['r']['kind'], t['z']['kind'], t['a']['n'])" "$TMP/k.json")
[ "$kinds" = "binary regression regression 2" ] && pass "labels in {0,1} binary, others regression, --regression forces" || fail "kinds" "got '$kinds'"
tr -d '\r' <"$DATA/folds.tsv" | sed 's/$/\r/' >"$TMP/crlf.tsv"
"$GDL" eval -p "$DATA/folds.tsv" -o "$TMP/lf.json" >/dev/null 2>&1
"$GDL" eval -p "$TMP/crlf.tsv" -o "$TMP/crlf.json" >/dev/null 2>&1
grep -v '"file"' "$TMP/lf.json" >"$TMP/a"; grep -v '"file"' "$TMP/crlf.json" >"$TMP/b"
same "CRLF line ends read as LF" "$TMP/a" "$TMP/b"
"$GDL" eval -p - -o "$TMP/stdin.json" <"$DATA/folds.tsv" >/dev/null 2>&1
grep -v '"file"' "$TMP/stdin.json" >"$TMP/b"
same "-p - reads stdin" "$TMP/a" "$TMP/b"
# labels written 0.0 / 1.0 / 00. (read again as numbers) are a binary target like 0 / 1: the same
# metrics (this read a freed label array before; found by fuzzing)
awk 'BEGIN { FS = OFS = "\t" } NR > 1 { $3 = $3 == 1 ? "1.0" : NR % 2 ? "0.0" : "00." } 1' "$DATA/folds.tsv" >"$TMP/dec.tsv"
"$GDL" eval -p "$TMP/dec.tsv" -o "$TMP/dec.json" >/dev/null 2>&1
grep -v '"file"' "$TMP/dec.json" >"$TMP/b"
same "labels 0.0 and 1.0: the binary target's metrics" "$TMP/a" "$TMP/b"
"$GDL" eval -@ 2 -p "$DATA/multilabel.tsv" -o "$TMP/t2.json" >/dev/null 2>&1
"$GDL" eval -@ 1 -p "$DATA/multilabel.tsv" -o "$TMP/t1.json" >/dev/null 2>&1
same "same result with 1 and 2 threads" "$TMP/t1.json" "$TMP/t2.json"

# ---- outputs ---------------------------------------------------------------------------------------
expect "all outputs" 0 "$GDL" eval -p "$DATA/folds.tsv" -o "$TMP/f.json" --tsv "$TMP/f.tsv" --curves "$TMP/c" --plot "$TMP/p"
contains "table on stdout" "$TMP/out" "macro"
contains "table has fold rows" "$TMP/out" "fold mean"
lines "per-target TSV: header + 3 targets x (pooled + 5 folds)" "$TMP/f.tsv" 19
contains "TSV header" "$TMP/f.tsv" "fold	target	kind	n	n_pos	roc_auc	pr_auc"
contains "ROC points TSV" "$TMP/c.roc.tsv" "fold	target	class	threshold	fpr	tpr"
contains "PR points TSV" "$TMP/c.pr.tsv" "fold	target	class	threshold	recall	precision"
# the last ROC point of a curve is (1, 1) and the PR recall reaches 1
"$PY" - "$TMP/c.roc.tsv" <<'PYEOF' && pass "ROC curve ends at (1, 1)" || fail "ROC curve ends at (1, 1)"
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t") if r["fold"] == "all" and r["target"] == "f0"]
sys.exit(0 if float(rows[-1]["fpr"]) == 1 and float(rows[-1]["tpr"]) == 1 and rows[0]["fpr"] == "0" else 1)
PYEOF
"$GDL" eval -p "$DATA/regression.tsv" --plot "$TMP/p" >/dev/null 2>&1
"$GDL" eval -p "$DATA/multiclass.tsv" --plot "$TMP/mc" >/dev/null 2>&1
for svg in p.roc.svg p.pr.svg p.folds.roc.svg p.folds.pr.svg p.r0.scatter.svg mc.roc.svg; do
    if "$PY" -c "
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == '{http://www.w3.org/2000/svg}svg', root.tag
texts = ' '.join(t.text or '' for t in root.iter('{http://www.w3.org/2000/svg}text'))
lines = list(root.iter('{http://www.w3.org/2000/svg}polyline')) + list(root.iter('{http://www.w3.org/2000/svg}circle'))
assert lines, 'nothing drawn'
assert ('AUC' in texts or 'AP' in texts or 'Pearson' in texts), texts
" "$TMP/$svg" 2>"$TMP/xmlerr"; then pass "valid SVG: $svg"; else fail "valid SVG: $svg" "$(cat "$TMP/xmlerr")"; fi
done
contains "ROC legend holds the AUC" "$TMP/p.roc.svg" "(AUC 0."
contains "fold figure has the folds" "$TMP/p.folds.roc.svg" "fold 4"
expect "-o - : JSON on stdout" 0 "$GDL" eval -p "$DATA/tiny.tsv" -o -
"$PY" -c "import json,sys; json.load(open(sys.argv[1]))" "$TMP/out" && pass "-o - is valid JSON" || fail "-o - is valid JSON"
contains "-o - : table on stderr" "$TMP/err" "binary targets"
"$PY" - "$TMP/f.json" <<'PYEOF' && pass "metrics.json has the keys gdl.1 names" || fail "metrics.json has the keys gdl.1 names"
import json, sys
m = json.load(open(sys.argv[1]))
assert all(k in m for k in ("targets", "macro", "weighted", "folds", "micro", "median"))
t = m["targets"]["f0"]
assert all(k in t for k in ("n", "n_pos", "roc_auc", "pr_auc", "fold_mean", "fold_sd"))
assert len(m["folds"]) == 5 and m["folds"][0]["fold"] == "0"
PYEOF

# ---- bootstrap ------------------------------------------------------------------------------------
"$GDL" eval -p "$DATA/multilabel.tsv" -b 200 -s 7 -o "$TMP/b1.json" >/dev/null 2>&1
"$GDL" eval -p "$DATA/multilabel.tsv" -b 200 -s 7 -@ 2 -o "$TMP/b2.json" >/dev/null 2>&1
"$GDL" eval -p "$DATA/multilabel.tsv" -b 200 -s 8 -o "$TMP/b3.json" >/dev/null 2>&1
same "bootstrap: same seed, same intervals (1 or 2 threads)" "$TMP/b1.json" "$TMP/b2.json"
if cmp -s "$TMP/b1.json" "$TMP/b3.json"; then fail "bootstrap: another seed, other intervals"; else pass "bootstrap: another seed, other intervals"; fi
"$PY" - "$TMP/b1.json" <<'PYEOF' && pass "bootstrap intervals hold the estimates" || fail "bootstrap intervals hold the estimates"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["bootstrap"]["replicates"] == 200
for name, t in m["targets"].items():
    if t["roc_auc"] is None:
        assert t["ci"]["roc_auc"] is None, name
        continue
    lo, hi = t["ci"]["roc_auc"]
    assert lo <= t["roc_auc"] <= hi and hi - lo < 0.5, (name, lo, t["roc_auc"], hi)
lo, hi = m["ci"]["macro"]["roc_auc"]
assert lo <= m["macro"]["roc_auc"] <= hi and hi - lo < 0.2
PYEOF
# the table's interval rows stand under their metrics: the same values as the JSON's, column by column
"$GDL" eval -p "$DATA/multilabel.tsv" -b 200 -s 7 >"$TMP/b1.txt" 2>/dev/null
"$PY" - "$TMP/b1.txt" "$TMP/b1.json" <<'PYEOF' && pass "bootstrap table: CI rows under their metric columns" || fail "bootstrap table: CI rows under their metric columns"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
m = json.load(open(sys.argv[2]))
i = next(k for k, l in enumerate(lines) if l.startswith("target") and "roc_auc" in l)
head = lines[i].split()
checked = 0
for k in range(i + 1, len(lines)):
    f = lines[k].split()
    if not f or f[0] not in m["targets"]:
        if not lines[k].startswith("  "): break
        continue
    lo = lines[k + 1].replace("95% CI low", "").split()
    assert len(lo) == len(head) - 1, (lo, head)  # one value per column after "target"
    want = m["targets"][f[0]]["ci"]["roc_auc"]
    got = lo[head.index("roc_auc") - 1]
    assert want is None and got == "NA" or abs(float(got) - want[0]) < 6e-5, (f[0], got, want)
    checked += 1
assert checked >= 2, checked
PYEOF
finish
