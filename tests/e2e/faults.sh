#!/bin/bash
# Fault injection: the runner is stopped (OB_TEST_STOP_AT, a test-only hook)
# at each named point of a cell and killed with SIGKILL there; then
# `ocibench cleanup`, or the next run, must leave nothing of the killed
# run: no container in any runtime root, no runsc sandbox or gofer, no
# mount, no network namespace (the veths live only inside them), no bundle
# directory.  Then a full disk under --out and under --bundle-dir, and a
# corrupt, truncated or swapped image layer.  Needs root, runc and runsc.
# Only this test's directories and run ids are looked at.
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
t_runner_env "fault injection" runc runsc ip
MOUNTS=()
trap 'for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done; rm -rf "$T_TMP"' EXIT

# stop_at POINT ARGS...: start a run that stops at POINT; sets PID and RUNID
stop_at() {
	local point=$1; shift
	OB_TEST_STOP_AT=$point "$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" \
		--out="$T_TMP/res-$point-$RANDOM" --timeout=120 "$@" >/dev/null 2>"$T_TMP/stop.err" &
	PID=$!
	RUNID=
	for _ in $(seq 1 $((1200 * T_SCALE))); do # 120 s
		if [ "$(awk '{print $3}' /proc/$PID/stat 2>/dev/null)" = T ]; then
			RUNID=$(ls "$BD" 2>/dev/null | grep -E "^[0-9]{8}T[0-9]{6}-$PID\$")
			return 0
		fi
		kill -0 $PID 2>/dev/null || break
		sleep 0.1
	done
	echo "# the run did not stop at $point:"; sed 's/^/# /' "$T_TMP/stop.err" | tail -5
	kill -KILL $PID 2>/dev/null
	return 1
}

# leftovers RUNID: one line per thing of that run still there
leftovers() {
	local id=$1 root rt
	for root in "$ST"/root/*/; do
		[ -d "$root" ] || continue
		rt=$(basename "$root")
		case $rt in runc | crun | runsc) ;; *) continue ;; esac
		# (--quiet: runsc knows no -q; a list that fails is a leftover too,
		# never a silent zero)
		if ! $rt --root "$root" list --quiet >"$T_TMP/list" 2>&1; then
			echo "cannot list the $rt containers: $(head -1 "$T_TMP/list")"
			continue
		fi
		grep -F -- "ocibench-$id-" "$T_TMP/list" | sed "s/^/container ($rt): /"
	done
	grep -l -a -F -e "ocibench-$id-" -e "$BD/$id/" /proc/[0-9]*/cmdline 2>/dev/null |
		while read -r f; do
			tr '\0' ' ' 2>/dev/null <"$f" | grep -q runsc && echo "runsc process $f"
		done
	grep -F -- "/$id" /proc/self/mountinfo | grep -F -e " $BD/" -e " $ST/" | awk '{print "mount " $5}'
	ls /var/run/netns 2>/dev/null | grep -F -- "ocibench-$id-" | sed 's/^/netns /'
	ls "$BD" 2>/dev/null | grep -Fx -- "$id" | sed 's/^/bundle dir /'
}

# check POINT SWEEP DESC: after the sweep, nothing of RUNID is left
check_clean() {
	local desc=$1
	leftovers "$RUNID" >"$T_TMP/left"
	[ ! -s "$T_TMP/left" ]
	local rc=$?
	[ $rc = 0 ] || sed 's/^/# left: /' "$T_TMP/left" | head -8
	t_result $rc "$desc"
}

LC=(--profile=smoke --tests=lifecycle --repeat=1)
# point -> the tests that reach it
tests_for() { case $1 in net) echo net ;; *) echo lifecycle ;; esac; }

MATRIX=
for rt in runc runsc; do
	for point in unpack create start wait delete net record report; do
		# runsc: the points where its sandbox and gofer are alive
		[ $rt = runsc ] && case $point in create | start | wait | net) ;; *) continue ;; esac
		for sweep in cleanup next-run; do
			if ! stop_at $point --profile=smoke --runtimes=$rt --tests="$(tests_for $point)" --repeat=1; then
				t_result 1 "$rt: stopped at $point"
				MATRIX="$MATRIX$rt $point $sweep: did not stop\n"
				continue
			fi
			leftovers "$RUNID" >"$T_TMP/before-kill"
			kill -KILL $PID
			wait $PID 2>/dev/null
			if [ $sweep = cleanup ]; then
				OB cleanup >"$T_TMP/sweep.out" 2>&1
			else
				OB "${LC[@]}" --runtimes=runc --out="$T_TMP/next-$RANDOM" >"$T_TMP/sweep.out" 2>&1
			fi
			src=$?
			check_clean "$rt: killed at $point ($(wc -l <"$T_TMP/before-kill") things alive), $sweep (exit $src) leaves nothing of run $RUNID"
			MATRIX="$MATRIX$rt $point: $(wc -l <"$T_TMP/before-kill") alive at kill -> $sweep -> $(wc -l <"$T_TMP/left") left\n"
		done
	done
done
printf "# %b" "$MATRIX" | sed 's/^\([^#]\)/# \1/'
t_ok "a last cleanup finds nothing more" OB cleanup
cp "$T_TMP/out" "$T_TMP/last"
t_ok "... says 0 items" grep -q ' 0 leftover items' "$T_TMP/last"

# ---- full disk ------------------------------------------------------------------
# --out on a tmpfs with room for the manifest and a few lines of raw.jsonl
mkdir -p "$T_TMP/full-out"
mount -t tmpfs -o size=12k ob-e2e-full "$T_TMP/full-out" && MOUNTS+=("$T_TMP/full-out")
t_exit 1 "a full disk under --out stops the run with exit 1" \
	OB --profile=smoke --runtimes=runc --tests=lifecycle --repeat=30 --out="$T_TMP/full-out/res"
cp "$T_TMP/err" "$T_TMP/full.err"
t_ok "... one line names raw.jsonl and the errno" \
	sh -c "[ \$(grep -c 'No space left on device' '$T_TMP/full.err') = 1 ] && grep -q 'raw.jsonl: No space left on device' '$T_TMP/full.err'"
t_ok "... it stopped at once (fewer than 30 cells)" sh -c "[ \$(grep -c ' ok ' '$T_TMP/full.err') -lt 30 ]"
t_ok "... raw.jsonl holds only whole lines" sh -c "[ -s '$T_TMP/full-out/res/raw.jsonl' ] && [ \"\$(tail -c 1 '$T_TMP/full-out/res/raw.jsonl' | od -An -c | tr -d ' ')\" = '\\n' ] && jq -e . '$T_TMP/full-out/res/raw.jsonl' >/dev/null"
t_jq "... the manifest says incomplete" '.incomplete == true' "$T_TMP/full-out/res/manifest.json"
t_ok "... no container, bundle or state file left" sh -c "[ -z \"\$(ls '$BD')\" ] && [ -z \"\$(ls '$ST/runs')\" ] && [ -z \"\$(runc --root '$ST/root/runc' list --quiet 2>/dev/null)\" ]"

# --bundle-dir on a tmpfs too small for one rootfs
mkdir -p "$T_TMP/full-bd"
mount -t tmpfs -o size=256k ob-e2e-fullbd "$T_TMP/full-bd" && MOUNTS+=("$T_TMP/full-bd")
t_exit 1 "a full disk under --bundle-dir stops the run with exit 1" \
	"$OCIBENCH" --state-dir="$ST" --bundle-dir="$T_TMP/full-bd" --profile=smoke --runtimes=runc \
	--tests=lifecycle --repeat=3 --out="$T_TMP/res-fullbd"
cp "$T_TMP/err" "$T_TMP/fullbd.err"
t_ok "... one line names the file and the errno" \
	sh -c "[ \$(grep -c 'No space left on device' '$T_TMP/fullbd.err') = 1 ] && grep -q 'full-bd/.*No space left on device' '$T_TMP/fullbd.err'"
t_ok "... nothing left in the bundle directory" sh -c "[ -z \"\$(ls '$T_TMP/full-bd')\" ]"

# ---- corrupt, truncated and swapped layers ----------------------------------------
IMG=$B/containers/oci
layer_of() { # IMAGE: path of its (only) layer blob
	local m
	m=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$1/index.json")
	echo "$1/blobs/sha256/$(jq -r '.layers[0].digest | sub("sha256:"; "")' "$1/blobs/sha256/$m")"
}
cp -r "$IMG" "$T_TMP/img-corrupt"
L=$(layer_of "$T_TMP/img-corrupt")
t_flip_byte "$L" 1000
t_exit 1 "a corrupt layer is refused" OB --profile=smoke --runtimes=runc --tests=lifecycle --image="$T_TMP/img-corrupt" --out="$T_TMP/res-corrupt"
t_err_line "... in one line naming its digest" "is corrupt"
cp -r "$IMG" "$T_TMP/img-trunc"
L=$(layer_of "$T_TMP/img-trunc")
truncate -s 2000 "$L"
t_exit 1 "a truncated layer is refused" OB --profile=smoke --runtimes=runc --tests=lifecycle --image="$T_TMP/img-trunc" --out="$T_TMP/res-trunc"
t_err_line "... in one line naming its digest" "is corrupt"
# swapped after the image was opened and checked: stop after the first
# cell's unpack, replace the blob with another valid gzip tar, go on
cp -r "$IMG" "$T_TMP/img-swap"
L=$(layer_of "$T_TMP/img-swap")
mkdir -p "$T_TMP/evil/bin"
tar xzf "$L" -C "$T_TMP/evil"
echo evil >"$T_TMP/evil/bin/EVIL"
tar czf "$T_TMP/evil.tgz" -C "$T_TMP/evil" .
OB_TEST_STOP_AT=unpack "$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --profile=smoke --runtimes=runc \
	--tests=lifecycle --repeat=3 --image="$T_TMP/img-swap" --out="$T_TMP/res-swap" >/dev/null 2>"$T_TMP/swap.err" &
PID=$!
for _ in $(seq 1 1200); do [ "$(awk '{print $3}' /proc/$PID/stat 2>/dev/null)" = T ] && break; sleep 0.1; done
cp "$T_TMP/evil.tgz" "$L"
kill -CONT $PID
wait $PID
t_result $([ $? = 1 ] && echo 0 || echo 1) "a layer swapped between cells: the run exits 1"
t_ok "... the cells after the swap failed, naming the digest" \
	jq -e -s 'length == 3 and .[0].status == "ok" and (.[1:] | all(.status == "failed" and (.stderr_tail | test("unpacked bytes have digest"))))' "$T_TMP/res-swap/raw.jsonl"
t_ok "... the swapped content never ran (no EVIL in any record)" sh -c "! grep -q EVIL '$T_TMP/res-swap/raw.jsonl'"

t_done
