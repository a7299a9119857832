#!/bin/sh
# make check-deps: the includes of src/ and include/gdl/ against the table of
# docs/architecture.md ("Who may use whom"). Fails, naming the file, line and include, when
#   - a source includes the public header of a folder its row does not list under "uses";
#   - a source includes another folder's own header ("../x/y_internal.h", or a name that is
#     not in its folder);
#   - an outside library (cblas, htslib, cjson, zlib) is included outside the folders whose
#     row lists it (public headers count for the folder that owns them);
#   - a public header has no owner, or a folder of src/ has no row (or a row no folder);
#   - a row lists a folder under "uses" that its sources never reach (directly or through the
#     public headers they include), so the table says what the code does, no more.
# Prints "PASS ..." or "FAIL ..." lines (tests/cli/lib.sh's format); exits 1 on a failure.
# Usage: check_deps.sh [ROOT]
set -u
ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT" || exit 2
doc=docs/architecture.md
# every file of the tree in one pass: the table first, then a "=FILE path" line before each file
{
    awk '/^\| folder \|/ { on = 1 } on && /^\|/ { print "=ROW" $0; next } on { exit }' "$doc"
    for f in src/*/; do echo "=DIR $(basename "$f")"; done
    for f in include/gdl/*.h src/*/*.c src/*/*.h; do
        [ -e "$f" ] || continue
        echo "=FILE $f"
        grep -n '^#include' "$f"
    done
} | awk -v doc="$doc" '
function trim(s) { gsub(/^ +| +$/, "", s); return s }
function has(list, w,   n, a, i) { n = split(list, a, " "); for (i = 1; i <= n; i++) if (a[i] == w) return 1; return 0 }
function bad(msg) { print "FAIL " msg; failed = 1 }
function lib_of(line) {
    if (line ~ /<cblas\.h>/) return "cblas"
    if (line ~ /<htslib\//) return "htslib"
    if (line ~ /<cjson\//) return "cjson"
    if (line ~ /<zlib\.h>/) return "zlib"
    return ""
}
/^=ROW/ {
    split(substr($0, 5), c, "|")
    f = trim(c[2])
    if (f == "folder" || f ~ /^-+$/) next
    rows[f] = 1; uses[f] = trim(c[5]); libs[f] = trim(c[6])
    n = split(trim(c[4]), hs, " ")
    for (i = 1; i <= n; i++) owner[hs[i]] = f
    next
}
/^=DIR / { dirs[$2] = 1; next }
/^=FILE / {
    file = $2
    if (file ~ /^include\/gdl\//) { pub = 1; name = file; sub(/.*\//, "", name); folder = owner[name]
                                    if (folder == "") bad(file ": no folder owns it in " doc) }
    else { pub = 0; folder = file; sub(/^src\//, "", folder); sub(/\/.*/, "", folder); name = file; sub(/.*\//, "", name)
           files[file] = 1 }
    next
}
{
    split($0, p, ":"); at = file ":" p[1]
    if (folder == "") next
    if (match($0, /"gdl\/[^"]+"/)) {
        inc = substr($0, RSTART + 5, RLENGTH - 6)
        o = owner[inc]
        if (o == "") bad(at ": gdl/" inc " has no owner in " doc)
        else if (o != folder && !has(uses[folder], o)) bad(at ": includes gdl/" inc " of " o ", which " folder " does not use")
        if (pub) pubinc[name] = pubinc[name] " " inc
        else direct[folder] = direct[folder] " " inc
    } else if (!pub && match($0, /"[^"]+"/)) {
        inc = substr($0, RSTART + 1, RLENGTH - 2)
        if (inc ~ /\//) bad(at ": includes " inc ", another folder'"'"'s header")
        else want[file] = want[file] " " inc
    }
    lib = lib_of($0)
    if (lib != "" && !has(libs[folder], lib)) bad(at ": " lib " outside the folders that may use it (" doc ")")
}
END {
    for (d in dirs) if (!(d in rows)) bad("src/" d " has no row in " doc)
    for (r in rows) if (!(r in dirs)) bad(doc ": row " r " is no folder of src/")
    for (f in want) {
        dir = f; sub(/\/[^\/]*$/, "", dir)
        n = split(want[f], w, " ")
        for (i = 1; i <= n; i++) if (!((dir "/" w[i]) in files)) bad(f ": includes " w[i] ", not a header of " dir)
    }
    for (d in dirs) {
        # the public headers reached: those included, closed over what they include
        delete seen; queue = direct[d]
        while (queue != "") {
            n = split(queue, q, " "); queue = ""
            for (i = 1; i <= n; i++) if (!(q[i] in seen)) { seen[q[i]] = 1; queue = queue " " pubinc[q[i]] }
        }
        reached = ""
        for (h in seen) reached = reached " " owner[h]
        n = split(uses[d], u, " ")
        for (i = 1; i <= n; i++)
            if (!has(reached, u[i])) bad(doc ": " d " lists " u[i] " under uses, but src/" d " reaches none of its headers")
    }
    if (!failed) print "PASS the includes of src/ and include/gdl/ follow " doc
    exit failed
}'
