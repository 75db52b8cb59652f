#!/bin/bash
# End-to-end checks of --seccomp on the bare OCI path (and its docker
# parity): the default profile comes from containers-common at run time and
# the manifest holds its sha256; the kernel really applies a profile (one
# that refuses write() leaves the workload without output); unconfined
# bundles have no filter; bad values are one line and exit 2.
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
PROFILE=/usr/share/containers/seccomp.json

t_runner_env "seccomp tests" runc crun
[ -r $PROFILE ] || { echo "Bail out! $PROFILE is missing (golang-github-containers-common)"; exit 99; }
# RESULTS_DIR -> a file of its records after a leading null (jq: . then inputs)
recs() { { echo null; cat "$1/raw.jsonl"; } >"$T_TMP/recs.json"; echo "$T_TMP/recs.json"; }

t_exit 2 "a missing profile file" OB --seccomp="$T_TMP/nosuch.json" --tests=cpu --runtimes=runc --out="$T_TMP/never"
t_err_line "... one line naming it" nosuch.json
echo '{"syscalls": 3}' >"$T_TMP/junk.json"
t_exit 2 "a file that is no profile" OB --seccomp="$T_TMP/junk.json" --tests=cpu --runtimes=runc --out="$T_TMP/never"
t_err_line "... one line naming it" junk.json

# the default: containers-common's profile, converted for this container
t_ok "bundle with the default profile" OB bundle "$T_TMP/b-default" --tests=cpu
t_jq "linux.seccomp: errno by default, this arch, rules from the profile" \
	".linux.seccomp.defaultAction == \"SCMP_ACT_ERRNO\" and (.linux.seccomp.architectures | length) > 0
	 and ([.linux.seccomp.syscalls[].names[]] | index(\"getpid\") != null)" "$T_TMP/b-default/config.json"
# perf_event_open: allowed with CAP_SYS_ADMIN, refused without; the container has none
t_jq "capability rules follow the container's capabilities" \
	'[.linux.seccomp.syscalls[] | select(.names | index("perf_event_open")) | .action] == ["SCMP_ACT_ERRNO"]' \
	"$T_TMP/b-default/config.json"
t_ok "bundle unconfined" OB bundle "$T_TMP/b-unconf" --tests=cpu --seccomp=unconfined
t_jq "unconfined: no linux.seccomp" '.linux | has("seccomp") | not' "$T_TMP/b-unconf/config.json"

R=$T_TMP/res-default
t_ok "a run with the default profile" OB --runtimes=runc,crun --profile=smoke --tests=lifecycle,cpu,syscall --out="$R"
t_jq "every record ok" '[inputs] | all(.status == "ok")' "$(recs "$R")"
sum=$(sha256sum $PROFILE | cut -d' ' -f1)
t_jq "manifest: profile default, its path and sha256" \
	".seccomp.profile == \"default\" and .seccomp.path == \"$PROFILE\" and .seccomp.sha256 == \"$sum\"" "$R/manifest.json"

# the kernel applies it: a profile that refuses write() silences the workload
NOWRITE=$S/tests/fixtures/seccomp/nowrite.json
R=$T_TMP/res-nowrite
t_exit 1 "a profile refusing write(): the cells fail" OB --seccomp="$NOWRITE" --runtimes=runc,crun \
	--profile=smoke --tests=cpu --out="$R"
t_jq "... with no workload JSON" '[inputs] | length == 2 and all(.status == "failed" and .workload == null)' \
	"$(recs "$R")"
t_jq "manifest: profile file, with its sha256" \
	".seccomp.profile == \"file\" and .seccomp.sha256 == \"$(sha256sum "$NOWRITE" | cut -d' ' -f1)\"" "$R/manifest.json"
R=$T_TMP/res-unconf
t_ok "unconfined runs" OB --seccomp=unconfined --runtimes=runc --profile=smoke --tests=cpu --out="$R"
t_jq "manifest: unconfined, no sha256" '.seccomp.profile == "unconfined" and (.seccomp | has("sha256") | not)' "$R/manifest.json"

t_done
