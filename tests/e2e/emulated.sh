#!/bin/bash
# End-to-end checks of `ocibench run --platform`: a foreign architecture's
# image (OB_FOREIGN_IMAGE, the aarch64 cross build's containers/oci) run
# under runc and crun through binfmt_misc and QEMU's user-mode emulator.
# The work is counted from outside (the kernel's tracer: the execs of the
# foreign binaries, the syscall loop's umask calls, the bytes fileio moved);
# the host's binfmt_misc (its mount and entries) is as before after a run,
# after a SIGINT, and after a SIGKILL and `ocibench cleanup`; entries
# ocibench did not add are never touched.  Run by `make check-emulated
# OB_FOREIGN_IMAGE=DIR` (./quickstart test does, after the aarch64 build).
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
IMG=${OB_FOREIGN_IMAGE:-}
if [ -z "$IMG" ]; then
	t_skip "foreign platform under emulation" "no OB_FOREIGN_IMAGE (make check-emulated OB_FOREIGN_IMAGE=../build-aarch64/containers/oci)"
	t_done; exit
fi
t_runner_env "foreign platform under emulation" runc crun strace
[ -f "$IMG/index.json" ] || { echo "Bail out! no OCI layout in $IMG"; exit 99; }
[ -f /usr/share/binfmts/qemu-aarch64 ] ||
	{ echo "Bail out! qemu-user-static is not installed (./quickstart test installs it)"; exit 99; }
BM=/proc/sys/fs/binfmt_misc
PLAT=linux/arm64

# The host's binfmt_misc as it is: mounted or not, each entry and its text.
host_state() {
	if [ -e $BM/register ]; then
		echo mounted
		for f in $BM/*; do
			case ${f##*/} in register|status) continue ;; esac
			echo "== ${f##*/}"; cat "$f"
		done
	else
		echo "not mounted"
	fi
	ls /run/ocibench-binfmt.* 2>/dev/null
}
host_state >"$T_TMP/before"
as_before() { host_state >"$T_TMP/now"; diff -u "$T_TMP/before" "$T_TMP/now" >&2; }
echo "# binfmt_misc before: $(head -1 "$T_TMP/before")"

# ---- bad input: one line, exit 2, nothing made --------------------------------
bad() { # desc word args...
	local desc=$1 word=$2; shift 2
	t_exit 2 "$desc" OB --image="$IMG" --out="$T_TMP/never" --tests=cpu "$@"
	t_err_line "$desc: one line naming '$word'" "$word"
}
bad "a platform without an emulator" nosuch --platform=linux/nosuch --runtimes=runc
bad "a malformed platform" "arm64/v8/x" --platform=linux/arm64/v8/x --runtimes=runc
bad "gVisor refuses a foreign platform, saying why" "runsc.*host's architecture" --platform=$PLAT --runtimes=runc,runsc
bad "--platform with --rootfs-from" rootfs-from --platform=$PLAT --rootfs-from="$T_TMP" --runtimes=runc
t_exit 77 "a platform the image lacks is refused" OB --image="$IMG" --platform=linux/s390x --runtimes=runc --tests=cpu --out="$T_TMP/never"
t_err_line "it names the platforms the image has" "has linux/arm64.* only, wanted s390x"
nothing_made() { test ! -e "$T_TMP/never" && as_before; }
t_ok "nothing made: no results, binfmt_misc as before" nothing_made

# ---- the four workloads under runc and crun, traced by the kernel ------------
R=$T_TMP/res
t_ok "cpu, memory, syscall, fileio of $PLAT under runc and crun (strace -f around the run)" \
	strace -f -qq --pidns-translation -e signal=none -e trace=execve,clone,clone3,fork,vfork,umask,pwrite64,pread64 -o "$T_TMP/trace" \
	"$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --image="$IMG" --platform=$PLAT \
	--runtimes=runc,crun --tests=cpu,memory,syscall,fileio --profile=smoke --timeout=300 --out="$R"
cp "$T_TMP/err" "$T_TMP/run.err"
t_ok "host as before after the run (binfmt_misc mount and entries)" as_before
t_ok "it said what it registered and removed" \
	sh -c "grep -q 'registered, during the run' '$T_TMP/run.err' || grep -q 'ocibench-' '$T_TMP/before'"
jq -s . "$R/raw.jsonl" >"$T_TMP/all.json"
t_jq "14 cells, every one ok, emulated, on $PLAT, run by aarch64 binaries" \
	'length == 14 and all(.status == "ok" and .exit_status == 0 and .emulated == true
	 and (.platform | startswith("linux/arm64")) and .workload.build.arch == "aarch64")' "$T_TMP/all.json"
t_jq "runc and crun, each with cpu, memory, syscall and the four fileio modes" \
	'(map(.runtime) | unique) == ["crun","runc"] and
	 ([.[] | select(.test == "fileio") | .variant] | sort) == (["rndrd","rndwr","seqrd","seqwr"] | map(., .) | sort)' \
	"$T_TMP/all.json"
t_jq "manifest: the platform and its emulator" \
	'.image.platform == "linux/arm64/v8" and .image.emulation.emulator == "qemu-user"
	 and (.image.emulation.binfmt_entry | length) > 0 and .incomplete == false' "$R/manifest.json"
# what ran is the image's aarch64 binaries: the hashes the manifest gives
# are those of the ELF files of the image's layer
mkdir -p "$T_TMP/layer"
for l in $(jq -r '.manifests[0].digest' "$IMG/index.json" | sed 's/sha256://' |
	xargs -I{} jq -r '.layers[].digest' "$IMG/blobs/sha256/{}" | sed 's/sha256://'); do
	tar -xf "$IMG/blobs/sha256/$l" -C "$T_TMP/layer"
done
# in_runs W CALL: the calls CALL made by the processes that executed
# ocibench-W and their threads (the tracer's ids, not the container's:
# --pidns-translation), as "count bytes execs" (bytes: the sum of their
# results; execs: the execve calls of ocibench-W that succeeded)
in_runs() {
	# strace splits a call that another traced task interrupts into
	# "NAME(... <unfinished ...>" and "<... NAME resumed> ...) = RESULT":
	# the call counts where it starts, its result where it ends
	awk -v w="execve(\"/bin/ocibench-$1\"" -v c="$2" '
	{ resumed = ($2 == "<..."); name = resumed ? $3 : substr($2, 1, index($2, "(") - 1) }
	!resumed && index($2, w) == 1 { if ($NF == "0") { p[$1] = 1; e++ } else if ($NF == "...>") x[$1] = 1 }
	resumed && name == "execve" && ($1 in x) { delete x[$1]; if ($NF == "0") { p[$1] = 1; e++ } }
	name ~ /^(clone|clone3|fork|vfork)$/ && ($1 in p) && / = [0-9]+ \/\* [0-9]+ in strace/ { p[$(NF - 5)] = 1 }
	name == c && ($1 in p) { if (!resumed) n++; if ($NF ~ /^[0-9]+$/) b += $NF }
	END { printf "%d %.0f %d\n", n, b, e }' "$T_TMP/trace"
}
for w in cpu memory syscall fileio; do
	f=$(find "$T_TMP/layer" -name "ocibench-$w" -type f | head -1)
	t_ok "ocibench-$w: the manifest's hash is the image's aarch64 ELF file's" \
		sh -c "file -b '$f' | grep -q 'ARM aarch64' &&
		       test \"\$(sha256sum <'$f' | cut -d' ' -f1)\" = \"\$(jq -r '.workloads[\"ocibench-$w\"]' '$R/manifest.json')\""
	# an x86_64 kernel ran it in the container: only binfmt_misc does that
	read -r _ _ n < <(in_runs "$w" -)
	t_ok "ocibench-$w: the kernel executed it in every container ($n execs, strace)" \
		test "$n" -ge "$(jq "map(select(.test == \"$w\")) | length" "$T_TMP/all.json")"
done
# syscall: one umask per loop iteration (dup, close, getpid, getuid, umask),
# passed to the host kernel by the emulator
iter=$(jq '[.[] | select(.test == "syscall") | .workload.iterations] | add' "$T_TMP/all.json")
read -r _ _ execs < <(in_runs syscall -)
read -r umasks _ < <(in_runs syscall umask)
echo "# syscall: $iter iterations reported in $execs runs, $umasks umask calls traced in them"
t_ok "syscall: every iteration's umask reached the kernel" \
	test "$iter" -gt 0 -a "$umasks" -ge "$iter" -a "$umasks" -le $((iter + 2 * execs))
# fileio: the bytes each mode reports moved went through pread64/pwrite64
# (the files' preparation writes more)
rd=$(jq '[.[] | select(.test == "fileio") | .workload.bytes_read] | add' "$T_TMP/all.json")
wr=$(jq '[.[] | select(.test == "fileio") | .workload.bytes_written] | add' "$T_TMP/all.json")
read -r _ trd _ < <(in_runs fileio pread64)
read -r _ twr _ < <(in_runs fileio pwrite64)
echo "# fileio: $rd bytes read and $wr written reported; $trd and $twr traced in its runs"
t_ok "fileio: the bytes read went through the kernel" test "$rd" -gt 0 -a "$trd" -ge "$rd"
t_ok "fileio: the bytes written went through the kernel" test "$wr" -gt 0 -a "$twr" -ge "$wr"
# cpu: the primes below 2000 (smoke) counted from 3, as sysbench does: 302
t_jq "cpu: 302 primes per event below 2000, the kernel's CPU time accounted to the container" \
	'map(select(.test == "cpu")) | all(.workload.primes_per_event == 302 and .workload_cpu_s > 0)' "$T_TMP/all.json"
t_jq "memory: the whole size moved, one operation per block" \
	'map(select(.test == "memory")) | all(.workload | .mib_transferred * 1048576 == .params.memory_total_size
	 and .operations * .params.memory_block_size == .params.memory_total_size)' "$T_TMP/all.json"

# footprint: the emulator running the workload is the workload's process
# (its /proc/PID/exe is the emulator, not the workload's binary)
t_ok "footprint of $PLAT under runc" OB --image="$IMG" --platform=$PLAT --runtimes=runc --tests=footprint \
	--profile=smoke --out="$T_TMP/res-fp"
t_jq "  the emulated workload's PSS is the workload's, none is runc's" \
	'.workload_pss_kib > 0 and .runtime_pss_kib == 0 and all(.processes[]; .role == "workload")' \
	"$T_TMP/res-fp/raw.jsonl"

# ---- reports and compare: emulated, never ranked ------------------------------
t_ok "report.md: the columns and the runtime table say emulated" \
	sh -c "grep -q 'runc \[linux/arm64/v8, emulated\]' '$R/report.md' && grep -q \"QEMU's user-mode emulator: emulated\" '$R/report.md'"
N=$T_TMP/native
t_ok "a native run to compare with" OB --runtimes=runc --tests=cpu --profile=smoke --out="$N"
t_ok "compare native emulated" OB compare "$N" "$R"
cp "$T_TMP/out" "$T_TMP/cmp"
t_ok "compare: emulated cells are not ranked, and it says why" \
	sh -c "grep -qE '^CPU \(s\) .*emulated\$' '$T_TMP/cmp' && ! grep -E 'emulated.* [0-9.]+\$' '$T_TMP/cmp' | grep -q . &&
	       grep -q 'not ranked: a figure on an emulated CPU' '$T_TMP/cmp'"
t_ok "compare --study: emulated, never yes or NO" OB compare "$R" --study=aarch64
cp "$T_TMP/out" "$T_TMP/study"
t_ok "  (every study cell of the run)" sh -c "! grep -E ' (yes|NO)\$' '$T_TMP/study' | grep -q . && grep -q ' emulated\$' '$T_TMP/study'"

# ---- entries ocibench did not add are left alone ------------------------------
if [ "$(head -1 "$T_TMP/before")" = "not mounted" ]; then
	# binfmt_misc mounted by "someone else", with an entry of theirs
	mount -t binfmt_misc binfmt_misc $BM
	echo ':obtest-other:E::obtestext::/bin/true:' >$BM/register
	t_ok "a run beside another's entry" OB --image="$IMG" --platform=$PLAT --runtimes=crun --tests=cpu \
		--profile=smoke --out="$T_TMP/res-other"
	t_ok "  the other entry and the mount are kept, ocibench's entry is gone" \
		sh -c "test -e $BM/obtest-other && test -e $BM/register && ! ls $BM | grep -q '^ocibench-'"
	# an aarch64 handler without the F flag: refused, untouched
	grep -v '^ *$' /usr/share/binfmts/qemu-aarch64 >"$T_TMP/desc"
	mg=$(awk '$1 == "magic" { print $2 }' "$T_TMP/desc") mk=$(awk '$1 == "mask" { print $2 }' "$T_TMP/desc")
	echo ":obtest-aarch64:M:0:$mg:$mk:/usr/bin/qemu-aarch64-static:" >$BM/register
	t_exit 77 "an aarch64 handler without the F flag is refused" OB --image="$IMG" --platform=$PLAT \
		--runtimes=runc --tests=cpu --profile=smoke --out="$T_TMP/res-nof"
	t_err_line "  one line naming the entry and the flag" "obtest-aarch64.*F flag"
	t_ok "  the entry is kept as it was" sh -c "test -e $BM/obtest-aarch64 && ! ls $BM | grep -q '^ocibench-'"
	# with the F flag it is used as it is, and kept
	echo -1 >$BM/obtest-aarch64
	echo ":obtest-aarch64:M:0:$mg:$mk:/usr/bin/qemu-aarch64-static:F" >$BM/register
	t_ok "an aarch64 handler with the F flag is used" OB --image="$IMG" --platform=$PLAT --runtimes=runc \
		--tests=cpu --profile=smoke --out="$T_TMP/res-f"
	t_jq "  the manifest names it, not registered by ocibench" \
		'.image.emulation.binfmt_entry == "obtest-aarch64" and .image.emulation.registered_by_ocibench == false' \
		"$T_TMP/res-f/manifest.json"
	t_ok "  the entry is kept" test -e $BM/obtest-aarch64
	echo -1 >$BM/obtest-aarch64
	echo -1 >$BM/obtest-other
	umount $BM
else
	t_skip "entries ocibench did not add are left alone" "binfmt_misc is this host's (mounted before the test)"
fi
t_ok "host as before" as_before

# ---- SIGINT and SIGKILL mid-run ------------------------------------------------
wait_for() { # seconds cmd...: poll until cmd succeeds
	local end=$((SECONDS + $1)); shift
	until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.1; done
}
has_lines() { [ -s "$1" ]; }
for sig in INT KILL; do
	"$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --image="$IMG" --platform=$PLAT --runtimes=runc \
		--tests=cpu --profile=smoke --repeat=200 --out="$T_TMP/res-$sig" >/dev/null 2>"$T_TMP/$sig.err" &
	pid=$!
	wait_for 120 has_lines "$T_TMP/res-$sig/raw.jsonl"
	kill -$sig $pid
	wait $pid
	rc=$?
	if [ $sig = INT ]; then
		t_ok "SIGINT: exit 130 (was $rc)" test $rc = 130
		t_ok "SIGINT: host as before" as_before
	else
		t_ok "SIGKILL: exit 137 (was $rc)" test $rc = 137
		t_ok "SIGKILL: ocibench cleanup" OB cleanup
		cp "$T_TMP/err" "$T_TMP/cleanup.err"
		t_ok "SIGKILL: cleanup said what it removed" \
			sh -c "grep -q 'ocibench-' '$T_TMP/before' || grep -q 'binfmt_misc entry ocibench-qemu-aarch64 removed' '$T_TMP/cleanup.err'"
		t_ok "SIGKILL, then cleanup: host as before" as_before
	fi
done
t_done
