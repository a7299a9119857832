# Hostile files: models and datasets whose headers ask for absurd sizes (a layer of 10^12 units,
# shapes whose product overflows 64 bits, JSON nested 10^5 deep) are refused before anything of
# that size is allocated, with the size named and exit 2; gdl inspect on them does not crash.
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
T=$TMP

printf '>a\nACGTACGTAC\n>b\nTTGCANNACG\n>c\nGGGGCCCCAA\n' >"$T/s.fa"
printf 'id\tm\na\t1\nb\t0\nc\t1\n' >"$T/l.tsv"
cat >"$T/cnn.json" <<'JSON'
{"inputs": [{"name": "dna", "from": "dna"}],
 "layers": [{"name": "c1", "type": "conv1d", "input": "dna", "filters": 2, "width": 3},
            {"name": "p", "type": "global_maxpool", "input": "c1"},
            {"name": "logits", "type": "dense", "input": "p", "units": "outputs"}],
 "output": {"layer": "logits", "loss": "auto"},
 "training": {"optimizer": "sgd", "lr": 0.01, "batch": 2, "epochs": 1, "val_frac": 0, "seed": 1}}
JSON
"$GDL" encode -q "$T/s.fa" -l "$T/l.tsv" -o "$T/d.gdl" &&
    "$GDL" train -q -c "$T/cnn.json" -d "$T/d.gdl" -o "$T/m.gdl" && pass "dataset and model made" ||
    fail "dataset and model made"

# edit SRC DST PYTHON: DST is SRC with its header (h), metadata (m) and config (cfg, models) edited
edit() {
    "$PYTHON" - "$@" <<'PY'
import json, struct, sys
src, dst, code = sys.argv[1:4]
b = open(src, "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n]); m = h["__metadata__"]
cfg = json.loads(m["gdl.config"]) if "gdl.config" in m else None
raw = None
exec(code)
if cfg is not None: m["gdl.config"] = json.dumps(cfg)
hb = raw if raw is not None else json.dumps(h).encode()
hb += b" " * (-len(hb) % 8)
open(dst, "wb").write(struct.pack("<Q", len(hb)) + hb + b[8 + n:])
PY
}

# refused NAME FILE MESSAGE CMD...: CMD exits 2 with MESSAGE on its one line of stderr
refused() {
    local name=$1 msg=$3
    shift 3
    expect "$name: exit 2" 2 "$@"
    contains "$name: the size named" "$T/err" "$msg"
    lines "$name: one line" "$T/err" 1
}

# model NAME EDIT MESSAGE: gdl predict refuses the edited model; gdl inspect too, or prints it
model() {
    edit "$T/m.gdl" "$T/bad.gdl" "$2" || fail "$1: file made"
    refused "model, $1: predict" "$T/bad.gdl" "$3" "$GDL" predict -m "$T/bad.gdl" -d "$T/d.gdl" -o "$T/p.tsv"
    refused "model, $1: inspect" "$T/bad.gdl" "$3" "$GDL" inspect "$T/bad.gdl"
}
model "a conv1d of 10^12 filters" 'cfg["layers"][0]["filters"] = 10**12' \
    "layers[0] (c1): node 'c1': filters=1000000000000 is beyond gdl's limit of 2147483647"
model "a dense layer of 10^12 units" 'cfg["layers"][2]["units"] = 10**12' \
    "layers[2] (logits): node 'logits': units=1000000000000 is beyond gdl's limit of 2147483647"
model "a weight of 2e9 x 4 x 2e9" 'cfg["layers"][0].update(filters=2 * 10**9, width=2 * 10**9)' \
    "node 'c1': parameter weight of 2000000000 x 4 x 2000000000 values is beyond gdl's limits (2147483647 per dimension, 68719476736 values)"
model "a config larger than its tensors" 'cfg["layers"][0]["filters"] = 2 * 10**9' \
    "tensor param:c1.weight holds 24 F32 values, the config's layers need 24000000000 F32"
model "an input of 4 x 2^32 x 2^32" 'm["gdl.input:dna"] = "4x4294967296x4294967296"' \
    "input 'dna': shape 4 x 4294967296 x 4294967296 per sample is beyond gdl's limits"
model "a config nested 10^5 deep" 'm["gdl.config"] = "{\"x\": " + "[" * 100000 + "]" * 100000 + "}"; cfg = None' \
    "(gdl.config):1: JSON nested more than 64 levels deep"
[ ! -e "$T/p.tsv" ] && pass "refused models write no predictions" || fail "a refused model wrote predictions"

# dataset NAME EDIT MESSAGE: gdl predict and gdl inspect --samples refuse the edited dataset;
# plain gdl inspect (the container alone) prints it or refuses it, without crashing
dataset() {
    edit "$T/d.gdl" "$T/bad.gdl" "$2" || fail "$1: file made"
    refused "dataset, $1: predict" "$T/bad.gdl" "$3" "$GDL" predict -m "$T/m.gdl" -d "$T/bad.gdl" -o "$T/p.tsv"
    refused "dataset, $1: inspect --samples" "$T/bad.gdl" "$3" "$GDL" inspect --samples "$T/bad.gdl"
    "$GDL" inspect "$T/bad.gdl" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] && pass "dataset, $1: inspect exits $rc" || fail "dataset, $1: inspect exits $rc"
}
dataset "10^12 examples" 'm["gdl.examples"] = str(10**12)' \
    "tensor 'ids': expected 1000000000000 NUL-terminated strings, the tensor holds 6 bytes"
dataset "10^12 targets" 'm["gdl.targets"] = str(10**12)' "1000000000000 targets, at most 1024 supported"
dataset "a sequence length of 10^12" 'm["input:dna.length"] = str(10**12)' \
    "tensor 'input:dna' has the wrong dtype or shape (format seq8, 3 examples, length 1000000000000)"
dataset "a shape whose product overflows" 'h["input:dna"]["shape"] = [2**32, 2**32, 16]' \
    "tensor 'input:dna': shape [4294967296, 4294967296, 16] of U8 overflows 64 bits"
dataset "a header nested 10^5 deep" 'raw = b"{\"x\": " + b"[" * 100000 + b"]" * 100000 + b"}"' \
    "header JSON nested more than 64 levels deep"
"$PYTHON" -c 'import struct, sys; sys.stdout.buffer.write(struct.pack("<Q", 2**63) + b"{}")' >"$T/bad.gdl"
refused "a header length of 2^63" "$T/bad.gdl" "header length 9223372036854775808 is larger than the file (10 bytes)" \
    "$GDL" inspect "$T/bad.gdl"
finish
