#!/bin/bash
# End-to-end checks of ocibench-memory: sysbench memory semantics (quota per
# thread, --events ignored, scopes, modes), readback, JSON schema, errors.
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"

t_static memory

# 3M / 1M with 2 threads: floor(floor(3M/1M)/2) = 1 event per thread, 2 in all.
t_ok "quota run (3M/1M, 2 threads, --events=100 ignored)" \
	W memory --memory-block-size=1M --memory-total-size=3M --threads=2 --events=100 --format=json
cp "$T_TMP/out" "$T_TMP/q.json"
t_schema memory "$T_TMP/q.json" mib_per_s operations mib_transferred
t_jq "operations == threads x floor(floor(total/block)/threads), remainder dropped" \
	'.operations == 2 and .events == 2 and .events_per_thread == 1' "$T_TMP/q.json"
t_jq "--events is ignored and reported as 0 in params" '.params.events == 0' "$T_TMP/q.json"
t_jq "MiB transferred = operations x block size" \
	'.mib_transferred == .operations * .params.memory_block_size / 1048576 and .mib_per_s > 0' "$T_TMP/q.json"
t_jq "every effective parameter in params" \
	'.params.memory_block_size == 1048576 and .params.memory_total_size == 3145728 and .params.memory_scope == "global"
	 and .params.memory_oper == "write" and .params.memory_access_mode == "seq" and .params.memory_hugetlb == false' "$T_TMP/q.json"

t_ok "default block 1K, total 1M: 1024 events" W memory --memory-total-size=1M --format=json
t_jq "1024 operations of 1 KiB" '.operations == 1024 and .params.memory_block_size == 1024' "$T_TMP/out"

for scope in global local; do
	for mode in seq rnd; do
		for oper in write read none; do
			t_ok "$scope $mode $oper runs with --validate (2 threads)" \
				W memory --memory-scope=$scope --memory-access-mode=$mode --memory-oper=$oper \
				--memory-block-size=4K --memory-total-size=2M --threads=2 --validate --format=json
			t_jq "$scope $mode $oper: 512 operations, readback ok" \
				".status == \"ok\" and .operations == 512 and .params.memory_scope == \"$scope\"" "$T_TMP/out"
		done
	done
done
# Reads load a known non-zero pattern (word i = W - i): a seq pass sums to
# W (W + 1) / 2, computed here, not by the program.
t_ok "seq read run reports its checksum" W memory --memory-oper=read --memory-total-size=64K --format=json
t_jq "64 passes over 1K: the loads sum to 64 x 128 x 129 / 2" '.events == 64 and .read_checksum == 64 * 128 * 129 / 2' "$T_TMP/out"
t_ok "seq read, 1M blocks, 2 local threads" W memory --memory-oper=read --memory-block-size=1M --memory-total-size=12M --memory-scope=local --threads=2 --format=json
t_jq "12 passes over 1M: the loads sum to 12 x 131072 x 131073 / 2" '.events == 12 and .read_checksum == 12 * 131072 * 131073 / 2' "$T_TMP/out"
t_ok "rnd read run reports its checksum" W memory --memory-oper=read --memory-access-mode=rnd --memory-total-size=64K --format=json
t_jq "rnd: 64 x 128 loads of words in 1..128" '.read_checksum >= 64 * 128 and .read_checksum <= 64 * 128 * 128 and .read_checksum != 64 * 128 * 129 / 2' "$T_TMP/out"

# A write run's final contents show that its last event ran: event k stores
# k W - i into word i (seq) or the running byte offset (rnd).  The buffer is
# dumped and read back here.
words() { python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); print(" ".join(str(x) for x in struct.unpack("<%dQ" % (len(d) // 8), d)))' "$1"; }
rm -f "$T_TMP/dump"
t_ok "seq write, 10 events, buffer dumped" W memory --memory-block-size=1K --memory-total-size=10K --memory-dump="$T_TMP/dump" --format=json
t_ok "the dump holds 10 x 128 - i in word i (the 10th event's stores)" sh -c \
	"[ \"\$(python3 -c 'import struct,sys; d=open(sys.argv[1],\"rb\").read(); w=struct.unpack(\"<128Q\", d); print(all(w[i] == 1280 - i for i in range(128)))' '$T_TMP/dump')\" = True ]"
rm -f "$T_TMP/dump"
t_ok "rnd write, 10 events, buffer dumped" W memory --memory-access-mode=rnd --memory-block-size=1K --memory-total-size=10K --memory-dump="$T_TMP/dump" --format=json
t_ok "the dump's largest word is the 10th event's last store, 8 x (10 x 128 - 1)" sh -c \
	"[ \"\$(python3 -c 'import struct,sys; d=open(sys.argv[1],\"rb\").read(); w=struct.unpack(\"<128Q\", d); print(max(w) == 8 * 1279 and all(x % 8 == 0 for x in w))' '$T_TMP/dump')\" = True ]"
t_exit 1 "--memory-dump never overwrites a file" W memory --memory-total-size=10K --memory-dump="$T_TMP/dump"

# Work that cannot be skipped takes time: twice the total, at least 1.6x
# (--time=0: on a busy machine a time limit would cut both runs alike).
# An emulator's start-up (translating the binary) costs a fixed CPU time:
# larger totals there keep it small beside the work.
MEM="${OB_EMU:-} $B/ocibench-memory --memory-block-size=1M --time=0"
N=4 N2=8
[ -n "${OB_EMU:-}" ] && N=16 N2=32
t_scaling "seq write: 2N blocks take at least 1.6x the time of N" 1.6 \
	"$MEM --memory-total-size=${N}G" "$MEM --memory-total-size=${N2}G"
t_scaling "seq read: 2N blocks take at least 1.6x the time of N" 1.6 \
	"$MEM --memory-oper=read --memory-total-size=${N}G" "$MEM --memory-oper=read --memory-total-size=${N2}G"
t_ok "none run" W memory --memory-oper=none --memory-total-size=64K --format=json
t_jq "none transfers nothing" '.operations == 64 and .mib_transferred == 0 and .mib_per_s == 0' "$T_TMP/out"
t_ok "smallest block (8 bytes, one word)" W memory --memory-block-size=8 --memory-total-size=8K --memory-access-mode=rnd --validate --format=json
t_jq "1024 one-word operations" '.operations == 1024' "$T_TMP/out"

t_ok "--time ends an unlimited run" W memory --memory-total-size=0 --time=1 --format=json
t_jq "unlimited total, stopped by time" '.operations > 0 and .events_per_thread == 0 and .total_time_s >= 1 and .total_time_s < 3' "$T_TMP/out"

t_ok "text report looks like sysbench" W memory --memory-block-size=1M --memory-total-size=4M
cp "$T_TMP/out" "$T_TMP/mem.txt"
t_ok "text report has the sysbench lines" sh -c "grep -q '^Total operations: 4 (' '$T_TMP/mem.txt' && grep -q '^4.00 MiB transferred (.* MiB/sec)' '$T_TMP/mem.txt' && grep -q 'General statistics:' '$T_TMP/mem.txt'"

W memory --memory-hugetlb=on --memory-total-size=1M --format=json >"$T_TMP/out" 2>"$T_TMP/err"
rc=$?
if [ $rc = 77 ]; then
	t_skip "hugetlb run" "no huge pages reserved: $(head -c 120 "$T_TMP/err")"
	t_jq "hugetlb refusal is reported as unsupported" '.status == "unsupported" and (.error | test("hugetlb"))' "$T_TMP/out"
else
	t_result $rc "hugetlb run"
fi

t_exit 2 "block size not a power of two" W memory --memory-block-size=3000
t_err_line "one line naming the bad block size" "'3000' for --memory-block-size"
t_exit 2 "block size below one word" W memory --memory-block-size=4
t_err_line "one line naming the small block size" "'4' for --memory-block-size"
t_exit 2 "block size 0" W memory --memory-block-size=0
t_err_line "one line naming block size 0" "'0' for --memory-block-size"
t_exit 2 "bad size suffix" W memory --memory-block-size=1Q
t_err_line "one line naming the bad suffix" "'1Q'"
t_exit 2 "total below one block per thread" W memory --memory-total-size=1K --threads=2
t_err_line "one line naming the total" "--memory-total-size"
t_exit 2 "unknown oper" W memory --memory-oper=copy
t_err_line "one line naming the oper" "'copy' for --memory-oper"
t_exit 2 "unknown access mode" W memory --memory-access-mode=stride
t_err_line "one line naming the mode" "'stride' for --memory-access-mode"
t_exit 2 "unknown scope" W memory --memory-scope=numa
t_err_line "one line naming the scope" "'numa' for --memory-scope"
t_exit 2 "zero threads" W memory --threads=0
t_err_line "one line naming --threads" "--threads"
t_exit 0 "--help exits 0" W memory --help
t_done
