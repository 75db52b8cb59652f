# tests/scratch-copy.sh - sourced by the harnesses that build a copy of the
# source tree (tests/mutants/run, tests/repro/check).
#
#   scratch_copy SRC DEST   copies SRC's source files to DEST: in a git
#                           checkout the files git tracks plus new ones it
#                           does not ignore, as they are in the working tree;
#                           in an unpacked tarball, everything but build*/
scratch_copy() {
	local src=$1 dest=$2
	mkdir -p "$dest" || return
	if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		(cd "$src" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) |
			tar -C "$dest" -xf - || return
		# the revision the copy's binaries will name, as the checkout's
		(cd "$src" && git describe --always --tags --dirty --abbrev=12) >"$dest/.tarball-version"
		(cd "$src" && git log -1 --format=%ct) >"$dest/.tarball-timestamp"
	else
		tar -C "$src" --exclude='./build*' -cf - . | tar -C "$dest" -xf -
	fi
}
