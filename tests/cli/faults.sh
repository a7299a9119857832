# Faults at the output: a full disk during encode (VCF and FASTA), a training checkpoint,
# predict, attribute and eval (its JSON, its curves) exits 2 with one line naming the file and
# the reason, and leaves neither the file nor a temp file (FILE.tmp.HOST.PID); eval's outputs
# take their final names together, so a failed one leaves none of them. The full disk is
# a file-size limit (ulimit -f: gdl ignores SIGXFSZ, so the write fails with EFBIG), and, where
# this runs as root and may mount, a small tmpfs filled up (ENOSPC). A read-only output
# directory (a read-only tmpfs as root, chmod 555 otherwise) is an error before any work: exit
# 2, one line naming the directory, nothing written.
. "$(dirname "$0")/lib.sh"
data="$(dirname "$0")/../../data"
cfgs="$(dirname "$0")/../../configs"
T=$TMP
mounts=""
trap 'for m in $mounts; do umount "$m" 2>/dev/null; done; rm -rf "$TMP"' EXIT

"$GDL" encode -q "$data/cohort.vcf.gz" --pheno "$data/cohort.pheno.tsv" --pheno-col disease -o "$T/c.gdl" &&
    "$GDL" train -q -c "$cfgs/genotype-mlp.json" -d "$T/c.gdl" -o "$T/m.gdl" --epochs 2 &&
    "$GDL" predict -q -m "$T/m.gdl" -d "$T/c.gdl" -o "$T/p.tsv" || fail "inputs made"

# the unit of this shell's ulimit -f (512 or 1024 bytes)
(trap "" XFSZ; ulimit -f 8; dd if=/dev/zero of="$T/probe" bs=512 count=64 2>/dev/null)
blk=$(($(wc -c <"$T/probe") / 8))
[ "$blk" -gt 0 ] || blk=512

# nothing_left NAME DIR: no temp file and nothing but what was there before (the list in $T/before)
nothing_left() {
    ls -a "$2" | grep -v '^\.\.\?$' >"$T/after"
    if grep -q '\.tmp\.' "$T/after"; then fail "$1: no temp file" "$(grep '\.tmp\.' "$T/after")"
    elif ! cmp -s "$T/before" "$T/after"; then fail "$1: no partial file" "$(diff "$T/before" "$T/after" | grep '^>')"
    else pass "$1: no partial file, no temp file"; fi
}

# one_line_error NAME WANT: exit 2 (in $rc), stderr one line holding WANT and a full-disk reason
one_line_error() {
    if [ "$rc" -ne 2 ]; then fail "$1: exit 2" "exit $rc"; sed 's/^/    /' "$T/err" >&2
    elif [ "$(wc -l <"$T/err")" -ne 1 ]; then fail "$1: one line" "$(cat "$T/err")"
    elif ! grep -qF -- "$2" "$T/err"; then fail "$1: names $2" "$(cat "$T/err")"
    elif ! grep -qE "File too large|No space left on device" "$T/err"; then fail "$1: says why" "$(cat "$T/err")"
    else pass "$1: exit 2, one line naming $2 ($(sed 's/^gdl [a-z]*: //' "$T/err"))"; fi
}

# limited NAME BYTES FILE CMD...: CMD under a file-size limit of BYTES fails on FILE (in $T/o)
limited() {
    local name bytes file
    name=$1 bytes=$2 file=$3; shift 3
    rm -rf "$T/o" && mkdir "$T/o" && : >"$T/before"
    (ulimit -f $((bytes / blk)); exec "$@") >"$T/out" 2>"$T/err"
    rc=$?
    one_line_error "$name" "$file"
    nothing_left "$name" "$T/o"
}

o=$T/o
limited "encode VCF, size limit" 65536 "o/c.gdl" "$GDL" encode -q "$data/cohort.vcf.gz" --pheno "$data/cohort.pheno.tsv" --pheno-col disease -o "$o/c.gdl"
limited "encode FASTA, size limit" 16384 "o/s.gdl" "$GDL" encode -q "$data/motifs.fa" --labels "$data/motifs.labels.tsv" -o "$o/s.gdl"
limited "train checkpoint, size limit" 32768 "o/m.gdl.ckpt" "$GDL" train -q -c "$cfgs/genotype-mlp.json" -d "$T/c.gdl" -o "$o/m.gdl" --epochs 2
limited "predict, size limit" 8192 "o/p.tsv" "$GDL" predict -q -m "$T/m.gdl" -d "$T/c.gdl" -o "$o/p.tsv"
limited "attribute, size limit" 8192 "o/a.tsv" "$GDL" attribute -q -m "$T/m.gdl" -d "$T/c.gdl" -o "$o/a.tsv"
limited "eval JSON, size limit" 1024 "o/e.json" "$GDL" eval -q -p "$T/p.tsv" -o "$o/e.json"
# the JSON and TSV fit, the curves do not: none of the outputs takes its final name
limited "eval JSON, TSV and curves, size limit" 16384 "o/cur.roc.tsv" "$GDL" eval -q -p "$T/p.tsv" -o "$o/e.json" --tsv "$o/e.tsv" --curves "$o/cur"

# ---- a real full disk: a tmpfs of 256 KiB, filled but for 8 KiB ------------------------------------
full=$T/full
mkdir "$full"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=256k tmpfs "$full" 2>/dev/null; then
    mounts="$full $mounts"
    # full_disk NAME FILE CMD...: CMD writing FILE into the full tmpfs
    full_disk() {
        local name file
        name=$1 file=$2; shift 2
        rm -f "$full"/*
        dd if=/dev/zero of="$full/filler" bs=4096 count=62 2>/dev/null
        ls -a "$full" | grep -v '^\.\.\?$' >"$T/before"
        "$@" >"$T/out" 2>"$T/err"
        rc=$?
        one_line_error "$name" "$file"
        nothing_left "$name" "$full"
    }
    full_disk "encode VCF, full disk" "full/c.gdl" "$GDL" encode -q "$data/cohort.vcf.gz" --pheno "$data/cohort.pheno.tsv" --pheno-col disease -o "$full/c.gdl"
    full_disk "train checkpoint, full disk" "full/m.gdl.ckpt" "$GDL" train -q -c "$cfgs/genotype-mlp.json" -d "$T/c.gdl" -o "$full/m.gdl" --epochs 2
    full_disk "predict, full disk" "full/p.tsv" "$GDL" predict -q -m "$T/m.gdl" -d "$T/c.gdl" -o "$full/p.tsv"
    full_disk "attribute, full disk" "full/a.tsv" "$GDL" attribute -q -m "$T/m.gdl" -d "$T/c.gdl" -o "$full/a.tsv"
    full_disk "eval JSON and curves, full disk" "full/cur.roc.tsv" "$GDL" eval -q -p "$T/p.tsv" -o "$full/e.json" --curves "$full/cur"
else
    pass "full tmpfs: not run (needs root and mount); the size limit above stands for it"
fi

# ---- a read-only output directory: refused before any work ----------------------------------------
ro=$T/ro
mkdir "$ro"
how=""
if [ "$(id -u)" = 0 ]; then
    mount -t tmpfs -o ro,size=64k tmpfs "$ro" 2>/dev/null && mounts="$ro $mounts" && how="a read-only tmpfs"
else
    chmod 555 "$ro" && how="chmod 555"
fi
if [ -n "$how" ]; then
    # read_only NAME CMD...: exit 2 at once, one line naming the directory and the output
    read_only() {
        local name
        name=$1; shift
        : >"$T/before"
        "$@" >"$T/out" 2>"$T/err"
        rc=$?
        if [ "$rc" -ne 2 ]; then fail "$name: exit 2" "exit $rc"; sed 's/^/    /' "$T/err" >&2
        elif [ "$(wc -l <"$T/err")" -ne 1 ] || ! grep -q "^gdl [a-z]*: $ro: cannot write .* there: " "$T/err"; then
            fail "$name: one line naming the directory" "$(cat "$T/err")"
        else pass "$name: exit 2 before any work ($(sed 's/^gdl [a-z]*: //; s#'"$T"'/##' "$T/err"), $how)"; fi
        nothing_left "$name" "$ro"
    }
    read_only "encode, read-only directory" "$GDL" encode "$data/cohort.vcf.gz" --pheno "$data/cohort.pheno.tsv" --pheno-col disease -o "$ro/c.gdl"
    read_only "encode FASTA, read-only directory" "$GDL" encode "$data/motifs.fa" --labels "$data/motifs.labels.tsv" -o "$ro/s.gdl"
    read_only "train, read-only directory" "$GDL" train -c "$cfgs/genotype-mlp.json" -d "$T/c.gdl" -o "$ro/m.gdl" --epochs 2
    read_only "train --log, read-only directory" "$GDL" train -c "$cfgs/genotype-mlp.json" -d "$T/c.gdl" -o "$T/m2.gdl" --epochs 2 --log "$ro/log.tsv"
    [ ! -e "$T/m2.gdl" ] && pass "train --log: no model trained" || fail "train --log: no model trained"
    read_only "predict, read-only directory" "$GDL" predict -m "$T/m.gdl" -d "$T/c.gdl" -o "$ro/p.tsv"
    read_only "attribute, read-only directory" "$GDL" attribute -m "$T/m.gdl" -d "$T/c.gdl" -o "$ro/a.tsv"
    read_only "eval, read-only directory" "$GDL" eval -p "$T/p.tsv" -o "$ro/e.json"
    read_only "eval --plot, read-only directory" "$GDL" eval -p "$T/p.tsv" --plot "$ro/fig"
    [ ! -s "$T/out" ] && pass "eval: no table printed before the error" || fail "eval: no table printed before the error"
else
    pass "read-only directory: not run (root without mount)"
fi
expect "a missing output directory: exit 2" 2 "$GDL" predict -m "$T/m.gdl" -d "$T/c.gdl" -o "$T/nodir/p.tsv"
contains "a missing output directory: named" "$T/err" "$T/nodir: cannot write p.tsv there: No such file or directory"
finish
