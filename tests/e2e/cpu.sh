#!/bin/bash
# End-to-end checks of ocibench-cpu: invariants, JSON schema, error paths.
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"

t_static cpu

t_ok "cpu run (json, 20 events)" W cpu --cpu-max-prime=20000 --events=20 --time=0 --format=json
cp "$T_TMP/out" "$T_TMP/cpu.json"
t_schema cpu "$T_TMP/cpu.json" events_per_s primes_per_event
t_jq "2261 primes per event for max prime 20000" '.primes_per_event == 2261' "$T_TMP/cpu.json"
t_jq "exactly --events events" '.events == 20 and .events_per_s > 0' "$T_TMP/cpu.json"
# Each event's trial divisions, summed: 301 275 per pass for 20000 (sysbench's
# loop, counted by hand: WORKLOADS.md), so 20 real passes give 6 025 500.
t_jq "trial divisions = events x 301275" '.trial_divisions == 20 * 301275' "$T_TMP/cpu.json"
t_jq "every effective parameter in params" \
	'.params.cpu_max_prime == 20000 and .params.threads == 1 and .params.time == 0 and .params.percentile == 95' \
	"$T_TMP/cpu.json"
t_jq "latency ordered min <= avg <= max" '.latency_ms.min <= .latency_ms.avg and .latency_ms.avg <= .latency_ms.max' "$T_TMP/cpu.json"

t_ok "cpu run: 1228 primes for 10000, 2 threads" W cpu --threads=2 --events=10 --time=0 --format=json
t_jq "primes for 10000 and events split over threads" \
	'.primes_per_event == 1228 and .events == 10 and .params.threads == 2' "$T_TMP/out"
t_jq "trial divisions = events x 117526 for 10000, over both threads" '.trial_divisions == 10 * 117526' "$T_TMP/out"

# Work that cannot be skipped takes time: twice the events, or twice the
# prime limit (more than twice the divisions), take at least 1.6x as long.
CPU="${OB_EMU:-} $B/ocibench-cpu --time=0"
t_scaling "2N events take at least 1.6x the time of N" 1.6 \
	"$CPU --cpu-max-prime=20000 --events=300" "$CPU --cpu-max-prime=20000 --events=600"
t_scaling "prime limit 2N takes at least 1.6x the time of N" 1.6 \
	"$CPU --cpu-max-prime=20000 --events=300" "$CPU --cpu-max-prime=40000 --events=300"

t_ok "--time limit ends the run" W cpu --time=1 --format=json
t_jq "time-limited run lasts about 1 s" '.total_time_s >= 1 and .total_time_s < 3 and .events > 0' "$T_TMP/out"

t_ok "text report looks like sysbench" W cpu --events=5 --time=0 --histogram=on
cp "$T_TMP/out" "$T_TMP/cpu.txt"
t_ok "text report has the sysbench sections" sh -c "grep -q 'events per second:' '$T_TMP/cpu.txt' && grep -q 'General statistics:' '$T_TMP/cpu.txt' && grep -q '95th percentile:' '$T_TMP/cpu.txt' && grep -q 'Latency histogram' '$T_TMP/cpu.txt'"

t_ok77 "--cpu-affinity=0 pins the worker (libnuma)" W cpu --cpu-affinity=0 --events=2 --time=0
t_ok77 "--numa-node=0 places the run on node 0 (libnuma)" W cpu --numa-node=0 --events=2 --time=0
t_exit 2 "--cpu-affinity with no valid CPU is rejected" W cpu --cpu-affinity=abc --events=1
t_exit 2 "--cpu-max-prime=0 is rejected" W cpu --cpu-max-prime=0
t_err_line "one line naming the bad value" "'0' for --cpu-max-prime"
t_exit 2 "--threads=-1 is rejected" W cpu --threads=-1
t_err_line "one line naming --threads" "--threads"
t_exit 2 "--time=abc is rejected" W cpu --time=abc
t_err_line "one line naming abc" "abc"
t_exit 2 "unknown option is rejected" W cpu --no-such-option=1
t_err_line "one line naming the option" "no-such-option"
t_exit 2 "unknown format is rejected" W cpu --format=xml
t_err_line "one line naming xml" "xml"
t_exit 2 "histogram without percentile is rejected" W cpu --histogram=on --percentile=0
t_exit 2 "unknown command is rejected" W cpu prepare
t_exit 0 "--help exits 0" W cpu --help
t_done
