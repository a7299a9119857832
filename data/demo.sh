#!/bin/sh
# make demo: the main job on the shipped example data. Argument: the gdl binary.
set -eu
GDL=${1:-./gdl}
echo "gdl demo: not yet wired; see README" >&2
"$GDL" --version
