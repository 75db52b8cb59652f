#!/bin/bash
# End-to-end checks of how the runner classifies a workload's end, with a
# fake workload (tests/e2e/fake-workload.c) as /bin/ocibench-cpu under runc:
# exit 1 -> failed with the stderr tail; exit 77 -> unsupported; exit 0
# with no JSON, a truncated object or a non-object -> failed.
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
FAKE=$B/tests/e2e/fake-workload

t_runner_env "runner outcome tests" runc
[ -x "$FAKE" ] || { echo "Bail out! $FAKE is missing from this build"; exit 99; }
if [ -n "${OB_EMU:-}" ]; then
	t_skip "runner outcome tests" "a cross build's binaries do not run in a container here"; t_done; exit
fi
# outcome WHAT: run the cpu test once under runc with the fake as the workload
outcome() {
	local root=$T_TMP/rootfs-$1
	mkdir -p "$root/bin" "$root/tmp"
	cp "$FAKE" "$root/bin/ocibench-cpu"
	# a sanitizer build's fake is dynamic: its shared libraries go along
	if [ "${OB_SANITIZERS:-}" = yes ]; then
		ldd "$FAKE" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' |
			while read -r so; do cp -L --parents "$so" "$root"; done
	fi
	echo "$1" >"$root/fake-outcome"
	"$OCIBENCH" --state-dir="$ST" --bundle-dir="$BD" --rootfs-from="$root" --profile=smoke \
		--repeat=1 --runtimes=runc --tests=cpu --out="$T_TMP/res-$1" >"$T_TMP/out" 2>"$T_TMP/err"
	echo $? >"$T_TMP/rc-$1"
	jq -s . "$T_TMP/res-$1/raw.jsonl" >"$T_TMP/$1.json" 2>/dev/null || echo '[]' >"$T_TMP/$1.json"
}

outcome exit1
t_ok "exit 1: the run exits 1" test "$(cat "$T_TMP/rc-exit1")" = 1
t_jq "exit 1: a failed cell with exit_status 1 and the workload's stderr in stderr_tail" \
	'length == 1 and .[0].status == "failed" and .[0].exit_status == 1
	 and (.[0].stderr_tail | contains("the test failed on purpose"))' "$T_TMP/exit1.json"

outcome exit77
t_jq "exit 77: an unsupported cell" \
	'length == 1 and .[0].status == "unsupported" and .[0].exit_status == 77' "$T_TMP/exit77.json"

for what in nojson badjson array; do
	outcome $what
	t_ok "$what: the run exits 1" test "$(cat "$T_TMP/rc-$what")" = 1
	t_jq "$what: exit 0 without a JSON object is a failed cell" \
		'length == 1 and .[0].status == "failed" and .[0].exit_status == 0 and .[0].workload == null' \
		"$T_TMP/$what.json"
done

t_ok "no container or bundle left" sh -c \
	"! runc --root '$ST/root/runc' list --quiet 2>/dev/null | grep -q . && [ -z \"\$(ls -A '$BD' 2>/dev/null | grep -vx .ocibench-owned)\" ]"
t_done
