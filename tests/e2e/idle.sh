#!/bin/bash
# End-to-end checks of ocibench-idle: the ready byte comes first, a signal
# ends it with a report, --memory is resident (the kernel's count), errors.
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
IDLE=$B/ocibench-idle

t_static idle

t_ok "--time ends an idle run (json)" W idle --time=0.2 --format=json
t_result "$([ "$(head -c 1 "$T_TMP/out" | od -An -tx1 | tr -d ' ')" = 0a ] && echo 0 || echo 1)" \
	"the first byte is the ready newline"
t_jq "one JSON object with the common keys and CPU times" \
	'.schema == "ocibench-workload/1" and .workload == "idle" and .status == "ok"
	 and .started_wall_ns > 0 and .params.time == 0.2 and .memory_touched_bytes == 0
	 and .cpu_user_s >= 0 and .cpu_system_s >= 0' "$T_TMP/out"
t_jq "idled about the time asked, no signal" '.idle_s >= 0.2 and .signal == null' "$T_TMP/out"

# SIGTERM after the ready byte (a FIFO shows when it is out); the memory
# is resident by then.
fifo=$T_TMP/ready.fifo
mkfifo "$fifo"
${OB_EMU:-} "$IDLE" --memory=16M --format=json >"$fifo" 2>"$T_TMP/err" &
pid=$!
exec 7<"$fifo"
IFS= read -r -N 1 byte <&7
rss=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null)
kill -TERM $pid
cat <&7 >"$T_TMP/sig.json"
exec 7<&-
wait $pid
rc=$?
t_result "$([ "$byte" = $'\n' ] && echo 0 || echo 1)" "ready byte read through a FIFO before any report"
t_result "$([ $rc = 0 ] && echo 0 || echo 1)" "SIGTERM: exit 0 (got $rc)"
t_jq "SIGTERM is reported, 16 MiB touched" '.signal == "SIGTERM" and .memory_touched_bytes == 16777216' "$T_TMP/sig.json"
if [ -n "${OB_EMU:-}" ]; then
	t_skip "--memory is resident (VmRSS >= 16 MiB)" "under an emulator the RSS is the emulator's"
else
	t_result "$([ "${rss:-0}" -ge 16384 ] && echo 0 || echo 1)" "--memory is resident (VmRSS ${rss:-?} kB >= 16384)"
fi

t_exit 2 "bad --memory is rejected" W idle --memory=lots
t_err_line "one line naming the value" "'lots'"
t_exit 2 "a stray argument is rejected" W idle stray
t_err_line "one line naming it" "'stray'"
t_exit 0 "--help exits 0" W idle --help
t_done
