# Every ```sh block of README.md runs, in order, from a directory laid out like the repository
# (data/ and configs/), with this gdl first on PATH: the README cannot drift from the code.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$TMP/bin" "$TMP/run"
ln -s "$GDL" "$TMP/bin/gdl"
ln -s "$root/data" "$TMP/run/data"
ln -s "$root/configs" "$TMP/run/configs"
awk -v dir="$TMP" '
    /^```sh$/ { n++; f = sprintf("%s/block%02d.sh", dir, n); inside = 1; next }
    /^```/ { inside = 0; next }
    inside { print > f }' "$root/README.md"
n=0
for b in "$TMP"/block*.sh; do
    [ -e "$b" ] || continue
    n=$((n + 1))
    first=$(grep -m1 . "$b")
    if (cd "$TMP/run" && PATH="$TMP/bin:$PATH" sh -e "$b") >"$TMP/out" 2>"$TMP/err"; then
        pass "README block $n: $first"
    else
        fail "README block $n: $first" "$(tail -3 "$TMP/err")"
    fi
done
[ "$n" -ge 6 ] && pass "README has $n command blocks" || fail "README has only $n command blocks"
finish
