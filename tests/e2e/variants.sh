#!/bin/bash
# End-to-end checks of the runner's variants: fileio --mount
# variants under runc and runsc (the filesystem the workload saw is the one
# claimed), runtime variants as columns, a hanging runtime cut by --timeout,
# kata-runtime's --kata-config, `ocibench compare`, and no mount, bundle,
# container or process left behind, also after a SIGKILL.  Needs root, runc,
# runsc and the built image (./quickstart test).
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
t_runner_env "variant tests" runc runsc
# a binary or image the build should have made is missing: a failure, not a skip
if [ ! -f "$B/containers/oci/index.json" ] || [ ! -x "$B/ocibench-fileio" ]; then
	echo "Bail out! ocibench-fileio or the image (containers/oci) is missing from this build"; exit 99
fi

no_leftovers() {
	local n=0
	for r in runc runsc runsc-ptrace; do
		[ -d "$ST/root/$r" ] || continue
		n=$((n + $(runsc --root "$ST/root/$r" list --quiet 2>/dev/null | grep -c '^ocibench-')))
	done
	[ -d "$ST/root/runc" ] && n=$((n + $(runc --root "$ST/root/runc" list --quiet | grep -c '^ocibench-')))
	n=$((n + $(grep -c " $T_TMP/" /proc/self/mountinfo)))
	n=$((n + $(find "$BD" -mindepth 1 -maxdepth 1 ! -name .ocibench-owned 2>/dev/null | wc -l)))
	[ "$n" = 0 ] || { echo "# leftovers:"; grep " $T_TMP/" /proc/self/mountinfo | cut -d' ' -f5 | sed 's/^/# /'; }
	[ "$n" = 0 ]
}

# ---- --mount: bad input, one line, nothing made --------------------------------
bad() { # code desc word args...
	local code=$1 desc=$2 word=$3; shift 3
	t_exit "$code" "$desc" OB --profile=smoke --runtimes=runc --out="$T_TMP/never" "$@"
	t_err_line "$desc: one line naming '$word'" "$word"
}
bad 2 "unknown mount" nfs --tests=fileio --mount=bind,nfs
bad 2 "repeated mount" "'bind'" --tests=fileio --mount=bind,tmpfs,bind
bad 2 "--mount without fileio" fileio --tests=cpu --mount=tmpfs
bad 2 "unknown variant of a test" seqx --tests=fileio:seqx
bad 2 "variants of a test that has none" "'cpu'" --tests=cpu:stream
mkdir "$T_TMP/small"
if mount -t tmpfs -o size=8m ob-small "$T_TMP/small"; then
	bad 1 "bind: too little disk for the file set" "not enough free space" --tests=fileio \
		--mount=bind --bundle-dir="$T_TMP/small/bundles"
	umount "$T_TMP/small"
else
	t_skip "bind: too little disk" "cannot mount a small tmpfs"
fi
t_ok "no results directory, no bundle dir" test ! -e "$T_TMP/never" -a ! -e "$BD"

# ---- each mount variant under runc and runsc -----------------------------------
R=$T_TMP/res
t_ok "fileio x rootfs,bind,bind-tmpfs,tmpfs x runc,runsc" OB --profile=smoke --tests=fileio \
	--mount=rootfs,bind,bind-tmpfs,tmpfs --runtimes=runc,runsc --timeout=60 --out="$R"
jq -s . "$R/raw.jsonl" >"$T_TMP/all.json"
t_jq "32 cells, all ok" 'length == 32 and all(.status == "ok")' "$T_TMP/all.json"
t_jq "variants: each mode plain (rootfs) and -bind, -bind-tmpfs, -tmpfs" \
	'[.[].variant] | unique == ([["seqrd","rndrd","seqwr","rndwr"][] | ., .+"-bind", .+"-bind-tmpfs", .+"-tmpfs"] | sort)' "$T_TMP/all.json"
t_jq "params.mount is the variant's mount" \
	'all(.params.mount == (.variant | capture("^[a-z]+(-(?<m>.*))?$").m // "rootfs"))' "$T_TMP/all.json"
# the disk's filesystem as the workload names it (fs_type)
case $(stat -f -c %T "$T_TMP") in
ext2/ext3) DISK=ext4 ;; xfs) DISK=xfs ;; btrfs) DISK=btrfs ;; *) DISK=$(stat -f -c %T "$T_TMP") ;;
esac
fs() { # runtime mount -> the fs_types seen
	jq -r --arg rt "$1" --arg m "$2" '[.[] | select(.runtime == $rt and .params.mount == $m) | .workload.fs_type] | unique | join(",")' "$T_TMP/all.json"
}
t_eq "runc rootfs: the bundle's disk ($DISK)" "$(fs runc rootfs)" "$DISK"
t_eq "runc bind: the host disk directory ($DISK)" "$(fs runc bind)" "$DISK"
t_eq "runc bind-tmpfs: tmpfs" "$(fs runc bind-tmpfs)" tmpfs
t_eq "runc tmpfs: tmpfs" "$(fs runc tmpfs)" tmpfs
t_eq "runsc rootfs: through the gofer (9p)" "$(fs runsc rootfs)" 9p
t_eq "runsc bind: through the gofer (9p)" "$(fs runsc bind)" 9p
t_eq "runsc bind-tmpfs: through the gofer (9p)" "$(fs runsc bind-tmpfs)" 9p
t_eq "runsc tmpfs: the sandbox's own tmpfs" "$(fs runsc tmpfs)" tmpfs
t_jq "tmpfs cells prepared in the run container (prepare_time_s), the others not" \
	'all(if .params.mount == "tmpfs" then .workload.prepare_time_s > 0 else .workload.prepare_time_s == null end)' "$T_TMP/all.json"
t_jq "manifest: the mounts" '.mounts == ["rootfs","bind","bind-tmpfs","tmpfs"] and .tests == ["fileio"]' "$R/manifest.json"
t_ok "report.md: one row per mount variant" sh -c "grep -qF '| SeqWrite (s) |' '$R/report.md' && grep -qF '| SeqWrite [seqwr-bind] (s) |' '$R/report.md' && grep -qF '| SeqWrite [seqwr-bind-tmpfs] (s) |' '$R/report.md' && grep -qF '| SeqWrite [seqwr-tmpfs] (s) |' '$R/report.md'"
t_ok "summary.csv: runsc seqwr-tmpfs has its own row" grep -q '^runsc,fileio,seqwr-tmpfs,time,' "$R/summary.csv"
t_ok "no container, mount or bundle after the mount variants" no_leftovers

# ---- TEST:VARIANTS: only those, in the test's order (seqwr last) ---------------
t_ok "fileio:seqwr+seqrd under runc on tmpfs" OB --profile=smoke --tests=fileio:seqwr+seqrd \
	--mount=tmpfs --runtimes=runc --timeout=60 --out="$T_TMP/res-pick"
jq -s . "$T_TMP/res-pick/raw.jsonl" >"$T_TMP/pick.json"
t_jq "two cells, seqrd-tmpfs then seqwr-tmpfs, both ok" \
	'map(.variant) == ["seqrd-tmpfs","seqwr-tmpfs"] and all(.status == "ok")' "$T_TMP/pick.json"

# ---- the paper profile's fileio rules (paper-smoke: 4 files, 1M, 16K blocks) ----
# The amounts of work (sysbench 0.4's) and one prepared file set per runtime
# and mount, seen from outside: runcl logs each create's bundle and command.
cat >"$T_TMP/runc-log" <<EOF
#!/bin/sh
prev=
for a; do [ "\$prev" = --bundle ] && b=\$a; prev=\$a; done
case " \$* " in *" create "*) echo "\$b \$(jq -r '.process.args[1]' "\$b/config.json")" >>"$T_TMP/creates" ;; esac
exec runc "\$@"
EOF
chmod +x "$T_TMP/runc-log"
R3=$T_TMP/res-paper
t_ok "paper-smoke fileio x rootfs,bind,tmpfs x runcl (logged runc),runsc" OB --profile=paper-smoke \
	--tests=fileio --mount=rootfs,bind,tmpfs --runtime=runcl="$T_TMP/runc-log" \
	--runtimes=runcl,runsc --timeout=60 --out="$R3"
jq -s . "$R3/raw.jsonl" >"$T_TMP/paper.json"
t_jq "24 cells, all ok, seqwr last of each mount" \
	'length == 24 and all(.status == "ok") and
	 [.[] | select(.runtime == "runsc") | .variant] == ["seqrd","rndrd","rndwr","seqwr","seqrd-bind","rndrd-bind","rndwr-bind","seqwr-bind","seqrd-tmpfs","rndrd-tmpfs","rndwr-tmpfs","seqwr-tmpfs"]' "$T_TMP/paper.json"
# one pass over 1M in 16K blocks = 64 requests; 200 random requests; rndwr: 200
# writes, one burst of 4 fsyncs after the 100th (none after the last), 4 at the end
mode() { echo "all(.[] | select(.variant | startswith(\"$1\")); .workload | $2)"; }
t_jq "seqrd: one pass, 64 reads, no fsync" "$(mode seqrd '.reads == 64 and .writes == 0 and .fsyncs == 0')" "$T_TMP/paper.json"
t_jq "rndrd: 200 reads, no fsync" "$(mode rndrd '.reads == 200 and .writes == 0 and .fsyncs == 0')" "$T_TMP/paper.json"
t_jq "rndwr: 200 writes, 4 + 4 fsyncs" "$(mode rndwr '.reads == 0 and .writes == 200 and .fsyncs == 8')" "$T_TMP/paper.json"
t_jq "seqwr: one pass, 64 writes (1 MiB), 4 fsyncs at the end" "$(mode seqwr '.writes == 64 and .bytes_written == 1048576 and .fsyncs == 4')" "$T_TMP/paper.json"
# runcl: rootfs and bind each one prepare container, then 4 runs in its bundle;
# tmpfs prepares in each run container (4 bundles, no prepare container)
t_eq "runcl: the containers of each bundle" \
	"$(awk '{n[$1] = n[$1] " " $2} END {for (b in n) print n[b]}' "$T_TMP/creates" | sort | uniq -c | sed 's/^ *//' | tr '\n' ';')" \
	"2  prepare run run run run;4  run;"
t_ok "no container, mount or bundle after the paper-smoke run" no_leftovers

# ---- runtime variants: columns; a runtime that hangs is cut by --timeout -------
# slow-rt: create hangs, and leaves a process in its own session behind (like
# a runsc sandbox on a platform that does not boot)
MARK=$T_TMP/left-behind
cat >"$T_TMP/slow-rt" <<EOF
#!/bin/sh
case " \$* " in *" create "*) setsid sh -c 'echo \$\$ >"$MARK"; exec sleep 300' & exec sleep 300 ;; esac
exit 1
EOF
chmod +x "$T_TMP/slow-rt"
R2=$T_TMP/res-rt
t_exit 1 "runc, runsc-ptrace (a variant column), a hanging runtime with --timeout=$((2 * T_SCALE)): exit 1" \
	OB --profile=smoke --tests=lifecycle --runtime=runsc-ptrace=runsc,--platform=ptrace \
	--runtime=hang="$T_TMP/slow-rt" --runtimes=runc,hang,runsc-ptrace --timeout=$((2 * T_SCALE)) --out="$R2"
jq -s . "$R2/raw.jsonl" >"$T_TMP/rt.json"
t_jq "three columns: runc ok, hang timeout (create), runsc-ptrace ok with its flag" \
	'map(.runtime) == ["runc","hang","runsc-ptrace"] and .[0].status == "ok"
	 and (.[1] | .status == "timeout" and (.stderr_tail | startswith("create: timed out")))
	 and (.[2] | .status == "ok" and (.runtime_args | index("--platform=ptrace")) != null)' "$T_TMP/rt.json"
t_ok "the table has the three columns" OB report "$R2"
cp "$T_TMP/out" "$T_TMP/table"
t_ok "... runsc-ptrace separate from runc" grep -qE '^create \(s\) +[0-9.]+ +timeout \(1/1\) +[0-9.]+$' "$T_TMP/table"
gone() { [ -s "$MARK" ] && ! kill -0 "$(cat "$MARK")" 2>/dev/null; }
t_ok "what the hanging create left behind was killed" gone
gone || kill "$(cat "$MARK")" 2>/dev/null
t_ok "no container, mount or bundle after the runtime variants" no_leftovers

# ---- kata-runtime: the configuration file passes through and is checked --------
mkdir "$T_TMP/kata"
printf '#!/bin/sh\necho "kata-runtime  : 1.12.0"\n' >"$T_TMP/kata/kata-runtime"
chmod +x "$T_TMP/kata/kata-runtime"
: >"$T_TMP/kata/configuration-9p.toml"
t_ok "runtimes with two kata columns" OB runtimes \
	--runtime=kata-9p="$T_TMP/kata/kata-runtime,--kata-config=$T_TMP/kata/configuration-9p.toml" \
	--runtime=kata-fs="$T_TMP/kata/kata-runtime,--kata-config,$T_TMP/kata/configuration-fs.toml"
cp "$T_TMP/out" "$T_TMP/kata.out"
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	t_ok "kata-9p: ok, version read, the config flag kept" \
		grep -Eq "^kata-9p +ok +1\.12\.0 .*--kata-config=$T_TMP/kata/configuration-9p.toml" "$T_TMP/kata.out"
else
	t_ok "kata-9p: needs KVM (no /dev/kvm here)" grep -Eq '^kata-9p +unusable .*KVM' "$T_TMP/kata.out"
fi
t_ok "kata-fs: unusable, naming the missing config" \
	grep -Eq "^kata-fs +unusable .*--kata-config $T_TMP/kata/configuration-fs.toml: No such file" "$T_TMP/kata.out"

# ---- ocibench compare ------------------------------------------------------------
FX=$S/tests/fixtures/results
t_ok "compare the fixture with the study (x86_64)" OB compare "$FX" --study=x86_64
cp "$T_TMP/out" "$T_TMP/cmp"
t_ok "... runsc syscall: 0.026 here, 0.024 in the study, same way" \
	grep -qE '^syscall score \(index\) +runsc +4\.5 +0\.026 +\[0\.006, 0\.116\] +0\.024 +yes$' "$T_TMP/cmp"
t_ok "compare --study aarch64 (separate value)" OB compare "$FX" --study aarch64
cp "$T_TMP/out" "$T_TMP/cmp64"
t_ok "... gVisor create illegible in Table 4: -" grep -qE '^create \(s\) +runsc +0\.1100 +9\.167 +\[6\.468, 12\.992\] +- +-$' "$T_TMP/cmp64"
t_ok "compare the mount run with the study" OB compare "$R" --study=x86_64
t_ok "compare two runs" OB compare "$FX" "$FX"
cp "$T_TMP/out" "$T_TMP/cmp2"
t_ok "... runc CPU: ratio 1" grep -qE '^CPU \(s\) +runc +10\.20 +10\.20 +1\.000$' "$T_TMP/cmp2"
t_exit 2 "compare without a second directory or --study" OB compare "$FX"
t_err_line "one line" "compare needs"
t_exit 2 "compare --study mips" OB compare "$FX" --study=mips
t_err_line "one line naming mips" mips
t_exit 2 "compare a directory without results" OB compare "$FX" "$T_TMP/nothing"
t_err_line "one line naming it" "nothing"
t_exit 2 "--study outside compare" OB report "$FX" --study=x86_64
t_err_line "one line" "study"

# ---- SIGKILL while a bind-tmpfs is mounted: the next run removes it ----------------
mounted() { grep -q " $BD/.*/mnt/tmpfs " /proc/self/mountinfo; }
wait_for() { # seconds cmd...
	local end=$((SECONDS + $1)); shift
	until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.05; done
}
"$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --profile=smoke --tests=fileio --mount=bind-tmpfs \
	--runtimes=runsc --repeat=50 --out="$T_TMP/res-kill" >/dev/null 2>&1 &
pid=$!
wait_for 30 mounted
t_ok "a bind-tmpfs is mounted below the run's bundle dir" mounted
kill -KILL $pid
wait $pid 2>/dev/null
leftovers() { ! no_leftovers >/dev/null; }
t_ok "SIGKILL leaves it behind" leftovers
t_ok "ocibench cleanup removes the run's leftovers" OB cleanup
t_ok "no container, mount or bundle left" no_leftovers

t_done
