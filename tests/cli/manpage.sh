# The man page covers every command in the command table and every long option each
# command's --help lists; it is valid roff (man renders it without warnings).
. "$(dirname "$0")/lib.sh"
man="$(dirname "$0")/../../src/cli/gdl.1"

"$GDL" --help >"$TMP/help"
cmds=$(sed -n '/^Commands:/,/^$/p' "$TMP/help" | awk 'NF && $1 != "Commands:" && $1 != "help" {print $1}')
[ -n "$cmds" ] && pass "command table read from gdl --help" || fail "no commands in gdl --help"
for c in $cmds; do
    contains "man page has a section for $c" "$man" ".SS gdl $c"
    "$GDL" "$c" --help >"$TMP/usage"
    for opt in $(grep -o -- '--[a-z][a-z0-9-]*' "$TMP/usage" | sort -u); do
        roff=$(printf '%s' "$opt" | sed 's/-/\\-/g')
        contains "man page documents $c $opt" "$man" "$roff"
    done
done
if command -v man >/dev/null 2>&1; then
    MANWIDTH=80 man --warnings -l "$man" >"$TMP/rendered" 2>"$TMP/warn"
    lines "man page renders without warnings" "$TMP/warn" 0
    contains "rendered man page names gdl inspect" "$TMP/rendered" "gdl inspect"
fi
finish
