#!/bin/bash
# The folder tree is the architecture (docs/ARCHITECTURE.md): each folder
# includes only the headers of the folders it may call, and no two modules
# (foo.c + foo.h) include each other, directly or through others.
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"

DIRS="lib workloads results runner/oci runner/net runner/host runner/engine runner"

# folder -> the folders (or single headers) it may include, itself first
allowed() {
	case $1 in
	lib) echo "lib" ;;
	workloads) echo "workloads lib" ;;
	results) echo "results lib" ;;
	runner/oci) echo "runner/oci lib" ;;
	# the net and host cells are tests of the matrix: they take the
	# matrix's types (suite.h) and container names (state.h), and call
	# only oci/ and lib/
	runner/net) echo "runner/net runner/oci lib runner/suite.h runner/state.h" ;;
	runner/host) echo "runner/host runner/oci lib runner/suite.h runner/state.h" ;;
	# the engines run the same tests through docker, podman, containerd:
	# they take the matrix's types and names, the OCI plumbing, the net
	# cell's private network (containerd) and the host cells' idle
	# containers and process accounting (footprint, density)
	runner/engine) echo "runner/engine runner/oci runner/net runner/host lib runner/suite.h runner/state.h" ;;
	runner) echo "runner runner/oci runner/net runner/host runner/engine lib results/results.h" ;;
	esac
}

# check ROOT OUT: OUT.bad gets "FILE includes HEADER" for each include a
# folder of the tree at ROOT may not make, OUT.edges "MODULE MODULE" for
# each include
check() {
	local root=$1 out=$2 dir f inc h d a ok may
	: >"$out.bad"
	: >"$out.edges"
	for dir in $DIRS; do
		may=$(allowed "$dir")
		for f in "$root/$dir"/*.[ch]; do
			[ -f "$f" ] || continue
			for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
				h=
				for d in "$dir" $DIRS; do
					[ -f "$root/$d/$inc" ] && { h=$d/$inc; break; }
				done
				[ -n "$h" ] || continue # generated (config.h)
				ok=
				for a in $may; do
					{ [ "$a" = "${h%/*}" ] || [ "$a" = "$h" ]; } && ok=1
				done
				[ -n "$ok" ] || echo "${f#"$root"/} includes $h" >>"$out.bad"
				f=${f#"$root"/}
				[ "${f%.[ch]}" = "${h%.[ch]}" ] || echo "${f%.[ch]} ${h%.[ch]}" >>"$out.edges"
				f=$root/$f
			done
		done
	done
}

# cycles OUT: the loops tsort finds in OUT.edges (nothing when none)
cycles() { tsort "$1.edges" 2>&1 >/dev/null; }

check "$OB_SRCDIR" "$T_TMP/src"
t_ok "it read the tree ($(wc -l <"$T_TMP/src.edges") includes)" test -s "$T_TMP/src.edges"
t_ok "every folder includes only what it may call" test ! -s "$T_TMP/src.bad"
sed 's/^/# /' "$T_TMP/src.bad"
t_ok "the modules' includes have no cycle" test -z "$(cycles "$T_TMP/src")"
cycles "$T_TMP/src" | sed 's/^/# /'

# the checks see what they claim to: a small tree with an OCI module that
# includes the matrix, and two matrix modules that include each other
F=$T_TMP/fake
mkdir -p "$F/lib" "$F/runner/oci" "$F/runner/net" "$F/workloads" "$F/results"
printf '#include "ob-error.h"\n' >"$F/runner/suite.h"
printf '#include "run.h"\n' >"$F/runner/cli.h"
printf '#include "cli.h"\n' >"$F/runner/run.h"
: >"$F/lib/ob-error.h"
printf '#include "suite.h"\n#include "ob-error.h"\n' >"$F/runner/oci/lifecycle.c"
check "$F" "$F"
t_ok "it notices an include across the layers" grep -qx 'runner/oci/lifecycle.c includes runner/suite.h' "$F.bad"
t_ok "and only that one" test "$(wc -l <"$F.bad")" = 1
t_ok "it notices a cycle" sh -c "tsort '$F.edges' 2>&1 >/dev/null | grep -q 'runner/cli'"
t_done
