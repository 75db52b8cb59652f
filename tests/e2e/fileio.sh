#!/bin/bash
# End-to-end checks of ocibench-fileio: sysbench's counting rules (WORKLOADS.md
# section 4, "Counting checks", 4 files x 1 MiB, 1 thread), every mode x engine,
# --validate, the error paths.  Tiny files in a temporary directory.
. "${OB_SRCDIR:-.}/tests/e2e/lib.sh"
FIO=$B/ocibench-fileio
D=$T_TMP/files
mkdir -p "$D"
# the common file set: 4 files x 1 MiB, 16 KiB blocks
F() { W fileio --file-dir="$D" --file-num=4 --file-total-size=4M "$@"; }
FJ() { F --format=json --time=0 "$@"; }
# run one command, keep its JSON in $T_TMP/$name.json
FJ_save() { local name=$1; shift; t_ok "$name" FJ "$@"; cp "$T_TMP/out" "$T_TMP/r.json"; }
# t_run WANT DESC CMD...: passes when CMD exits WANT; exit 77 (unsupported
# here) is a skip for io_uring and O_DIRECT, which a kernel or filesystem may
# refuse, and then t_run returns 1 so dependent checks are left out; from the
# sync and mmap engines, which work everywhere, 77 is a failure
t_run() {
	local want=$1 desc=$2; shift 2
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	local rc=$?
	local may77=
	case " $* " in *io_uring*|*direct*) may77=1 ;; esac
	if [ $rc = 77 ] && [ -n "$may77" ]; then
		t_skip "$desc" "$(tail -1 "$T_TMP/err")"
		return 1
	fi
	[ $rc = "$want" ] || { echo "# exit $rc, wanted $want: $*"; sed 's/^/# /' "$T_TMP/err" | tail -5; }
	[ $rc = "$want" ]
	t_result $? "$desc"
}
# the last command's stderr / stdout contains a pattern
err_has() { cp "$T_TMP/err" "$T_TMP/last"; t_ok "$1" grep -q -- "$2" "$T_TMP/last"; }
out_has() { cp "$T_TMP/out" "$T_TMP/last"; t_ok "$1" grep -q -- "$2" "$T_TMP/last"; }

t_static fileio

# ---- run before prepare, prepare, schema ------------------------------------
t_exit 1 "run before prepare fails" F --file-test-mode=rndrd --events=10 run
err_has "the error names the missing file" "Cannot open file '.*test_file.0'"

FJ_save "prepare 4 files x 1 MiB" prepare
t_jq "prepare reports bytes written and MiB/s" \
	'.command == "prepare" and .status == "ok" and .bytes_written == 4194304 and .written_mib_per_s > 0 and .files_created == 4' "$T_TMP/r.json"
t_ok "the files are 1 MiB each" sh -c "[ \$(stat -c %s '$D'/test_file.* | sort -u) = 1048576 ] && [ \$(ls '$D' | wc -l) = 4 ]"
FJ_save "prepare again reuses the files" prepare
t_jq "nothing written, 4 files reused" '.bytes_written == 0 and .files_reused == 4' "$T_TMP/r.json"

# ---- fs_type (statfs of --file-dir), --file-prepare ------------------------------
# the name stat(1) gives for a directory's filesystem -> the one fs_type says
fs_name() {
	case $(stat -f -c %T "$1") in
	tmpfs) echo tmpfs ;; ext2/ext3) echo ext4 ;; overlayfs) echo overlay ;;
	xfs) echo xfs ;; btrfs) echo btrfs ;; v9fs) echo 9p ;; *) echo "" ;;
	esac
}
want=$(fs_name "$D")
if [ -n "$want" ]; then
	t_jq "fs_type names the test directory's filesystem ($want)" ".fs_type == \"$want\"" "$T_TMP/r.json"
else
	t_skip "fs_type of $D" "stat -f says $(stat -f -c %T "$D"), not in this test's list"
fi
if [ "$(fs_name /dev/shm)" = tmpfs ] && SHM=$(mktemp -d /dev/shm/ob-fileio.XXXXXX); then
	t_ok "run --file-prepare in an empty tmpfs dir" W fileio --file-dir="$SHM" --file-num=2 \
		--file-total-size=1M --format=json --time=0 --file-test-mode=rndrd --events=50 --file-prepare run
	cp "$T_TMP/out" "$T_TMP/p.json"
	t_jq "it prepared first (untimed) and read: fs_type tmpfs" \
		'.fs_type == "tmpfs" and .reads == 50 and .bytes_written == 0 and .prepare_time_s > 0
		 and .params.file_prepare == true' "$T_TMP/p.json"
	t_ok "the 2 files are there, 512 KiB each" sh -c "[ \$(stat -c %s '$SHM'/test_file.* | sort -u) = 524288 ]"
	rm -rf "$SHM"
else
	t_skip "--file-prepare in a tmpfs" "/dev/shm is not a writable tmpfs here"
fi

# ---- counting checks (deterministic: events-limited, 1 thread) --------------
FJ_save "rndwr --events=1000" --file-test-mode=rndwr --events=1000 run
t_jq "rndwr 1000: 964 writes, 36 periodic + 4 end fsyncs" \
	'.events == 1000 and .writes == 964 and .fsyncs == 40 and .reads == 0 and .bytes_written == 964 * 16384' "$T_TMP/r.json"
t_jq "JSON schema: rates, raw counts, latency" \
	'.workload == "fileio" and .status == "ok" and (.params|type) == "object" and .total_time_s > 0
	 and (.latency_ms | has("min") and has("avg") and has("max") and has("p95"))
	 and .writes_per_s > 0 and .fsyncs_per_s > 0 and .reads_per_s == 0 and .written_mib_per_s > 0
	 and .read_mib_per_s == 0 and .bytes_read == 0' "$T_TMP/r.json"
t_jq "every effective parameter in params" \
	'.params.file_num == 4 and .params.file_total_size == 4194304 and .params.file_block_size == 16384
	 and .params.file_test_mode == "rndwr" and .params.file_io_mode == "sync" and .params.file_fsync_freq == 100
	 and .params.file_fsync_end == true and .params.file_rw_ratio == 1.5' "$T_TMP/r.json"

FJ_save "rndwr --file-fsync-freq=0" --file-test-mode=rndwr --events=1000 --file-fsync-freq=0 run
t_jq "freq=0: 1000 writes, only the 4 end fsyncs" '.writes == 1000 and .fsyncs == 4' "$T_TMP/r.json"
FJ_save "rndwr --file-fsync-all" --file-test-mode=rndwr --events=1000 --file-fsync-all run
t_jq "fsync-all: fsyncs == writes == 1000" '.writes == 1000 and .fsyncs == 1000' "$T_TMP/r.json"
FJ_save "rndwr --file-fsync-end=off" --file-test-mode=rndwr --events=1000 --file-fsync-end=off run
t_jq "end=off: 964 writes, 36 fsyncs" '.writes == 964 and .fsyncs == 36' "$T_TMP/r.json"
FJ_save "rndwr fdatasync" --file-test-mode=rndwr --events=1000 --file-fsync-mode=fdatasync run
t_jq "fdatasync counts like fsync" '.writes == 964 and .fsyncs == 40' "$T_TMP/r.json"

FJ_save "rndrw --events=1000" --file-test-mode=rndrw --events=1000 run
t_jq "rndrw 1000: 578 reads, 386 writes, 40 fsyncs" \
	'.reads == 578 and .writes == 386 and .fsyncs == 40' "$T_TMP/r.json"
FJ_save "rndrw --file-rw-ratio=3" --file-test-mode=rndrw --events=401 --file-fsync-freq=0 --file-rw-ratio=3 run
t_jq "rw ratio 3: a read while (reads+1)/(writes+1) < 3 -> 301/100" \
	'.reads == 301 and .writes == 100' "$T_TMP/r.json"
FJ_save "rndwr 2 threads --events=1000" --threads=2 --file-test-mode=rndwr --events=1000 run
t_jq "2 threads share the generator: 964 writes, 36 + 2 x 4 fsyncs" \
	'.events == 1000 and .writes == 964 and .fsyncs == 44' "$T_TMP/r.json"
FJ_save "rndrd --events=500" --file-test-mode=rndrd --events=500 run
t_jq "rndrd: reads only, never an fsync" \
	'.reads == 500 and .writes == 0 and .fsyncs == 0 and .bytes_read == 500 * 16384' "$T_TMP/r.json"

FJ_save "seqwr --events=300" --file-test-mode=seqwr --events=300 run
t_jq "seqwr 300: 292 writes, 12 fsyncs" '.writes == 292 and .fsyncs == 12' "$T_TMP/r.json"
FJ_save "seqwr --events=10" --file-test-mode=seqwr --events=10 run
t_jq "seqwr 10: 10 writes, 4 fsyncs" '.writes == 10 and .fsyncs == 4' "$T_TMP/r.json"
t_ok "seqwr recreates the files: file 0 is 160 KiB, the others empty" \
	sh -c "[ \$(stat -c %s '$D/test_file.0') = 163840 ] && [ \$(stat -c %s '$D/test_file.1' '$D/test_file.2' '$D/test_file.3' | sort -u) = 0 ]"
t_exit 1 "rndrd after seqwr fails the size check, as sysbench" F --file-test-mode=rndrd --events=10 run
err_has "the error says 160KiB < 1MiB" "Size of file '.*test_file.0' is 160KiB, but at least 1MiB is expected"
FJ_save "prepare after seqwr" prepare
t_jq "prepare completes the short files" '.bytes_written == 4194304 - 163840' "$T_TMP/r.json"

FJ_save "seqrd wraps the global cursor" --file-test-mode=seqrd --events=600 --file-merged-requests=2 run
t_jq "seqrd with merged requests: 600 reads of 32 KiB" '.reads == 600 and .bytes_read == 600 * 32768' "$T_TMP/r.json"

# ---- every mode x engine ---------------------------------------------------------
F cleanup >/dev/null
FJ --validate prepare >/dev/null
for io in sync mmap io_uring; do
	for m in seqrd rndrd seqrewr rndwr rndrw seqwr; do
		t_run 0 "$io $m --validate: runs" FJ --file-io-mode=$io --file-test-mode=$m --events=400 --validate run || continue
		case $m in
		seqrd|rndrd) want='.reads == 400 and .writes == 0 and .fsyncs == 0' ;;
		rndrw) want='.reads > 0 and .writes > 0 and .reads + .writes + .fsyncs == 400 + 4' ;;
		*) want='.writes == 388 and .fsyncs == 12 + 4' ;;
		esac
		t_jq "$io $m: counts" "$want and .events == 400" "$T_TMP/out"
		[ $m = seqwr ] && FJ --validate prepare >/dev/null
	done
done
t_ok "mmap seqwr --events=10" FJ --file-io-mode=mmap --file-test-mode=seqwr --events=10 run
t_ok "mmap seqwr grows the recreated files to the file size (ftruncate)" sh -c \
	"[ \$(stat -c %s '$D'/test_file.* | sort -u) = 1048576 ]"

# io_uring depth and --time
t_run 0 "io_uring --file-io-depth=4 --time=1" F --format=json --file-io-mode=io_uring --file-io-depth=4 --file-test-mode=rndrd --time=1 run &&
	t_jq "time-limited io_uring run lasts about 1 s" '.total_time_s >= 1 and .total_time_s < 3 and .reads == .events and .reads > 0' "$T_TMP/out"

# ---- write generations, read back from the disk -----------------------------------
# Every block a --validate write lands in names its run (run_id) and the
# write's sequence.  seqrewr, 400 events = 388 writes over the 256 blocks of
# the set: write j goes to block (j-1) mod 256, so the files must hold
# exactly writes 133..388, each in its own block; a write that never reached
# the disk leaves an older header behind.
blocks_of_run() { python3 "$S/tests/e2e/fileio-blocks.py" "$D" 4 1048576 16384 "$1"; }
for io in sync mmap io_uring; do
	FJ --validate prepare >/dev/null
	t_run 0 "$io seqrewr --validate (388 writes)" FJ --file-io-mode=$io --file-test-mode=seqrewr --events=400 --validate run || continue
	run=$(jq -r .run_id "$T_TMP/out")
	blocks_of_run "$run" >"$T_TMP/blocks" 2>"$T_TMP/err"
	t_ok "$io: the disk holds writes 133..388 of run $run, write j in block (j-1) mod 256" \
		awk '($2 - 1) % 256 != $1 || $2 < 133 || $2 > 388 { bad++ } END { exit !(NR == 256 && !bad) }' "$T_TMP/blocks"
done
FJ --validate prepare >/dev/null
t_run 0 "sync rndwr --validate" FJ --file-test-mode=rndwr --events=400 --validate run &&
	t_ok "rndwr: the last write (sequence = writes) is on disk, no sequence twice or beyond" sh -c \
		"blocks_run=\$(python3 '$S/tests/e2e/fileio-blocks.py' '$D' 4 1048576 16384 \$(jq -r .run_id '$T_TMP/out'));
		 w=\$(jq .writes '$T_TMP/out');
		 echo \"\$blocks_run\" | awk -v w=\"\$w\" '{ if (\$2 > w || seen[\$2]++) bad++; if (\$2 > max) max = \$2 } END { exit !(max == w && !bad) }'"

# ---- --validate finds a corrupted block ----------------------------------------
F cleanup >/dev/null
FJ --validate prepare >/dev/null
t_ok "validated seqrd passes on intact files" F --validate --file-test-mode=seqrd --events=256 --time=0 run
t_flip_byte "$D/test_file.2" 20000
for io in sync mmap io_uring; do
	t_run 1 "$io: a corrupted block under --validate exits 1" F --validate --file-io-mode=$io --file-test-mode=seqrd --events=256 --time=0 run || continue
	err_has "$io: the error names file and offset" "validation failed: file '.*test_file.2' offset 16384"
done
t_exit 0 "without --validate the corrupted block goes unnoticed" F --file-test-mode=seqrd --events=256 --time=0 run
t_exit 1 "reading files prepared without --validate fails under --validate" sh -c \
	"${OB_EMU:-} '$FIO' --file-dir='$D' --file-num=4 --file-total-size=8M prepare >/dev/null &&
	 ${OB_EMU:-} '$FIO' --file-dir='$D' --file-num=4 --file-total-size=8M --validate --file-test-mode=seqrd --events=100 run"

# ---- byte order: files prepared on another machine -------------------------------
# tests/fixtures/fileio-ARCH: `prepare --validate --file-num=2
# --file-total-size=64K` by the x86_64 (little-endian) and the s390x
# (big-endian) builds.  Every build validates both: headers and checksums
# have one byte order on every machine.
for a in x86_64 s390x; do
	rm -rf "$T_TMP/fx" && cp -r "$S/tests/fixtures/fileio-$a" "$T_TMP/fx" && chmod u+w "$T_TMP/fx"/*
	t_ok "files prepared on $a validate here (${OB_HOST_CPU:-native})" W fileio --file-dir="$T_TMP/fx" \
		--file-num=2 --file-total-size=64K --validate --file-test-mode=seqrd --events=4 --time=0 run
done
printf 'OBFI' | dd of="$T_TMP/fx/test_file.1" bs=1 seek=16384 conv=notrunc 2>/dev/null
t_exit 1 "a block of the older native-endian format is refused" W fileio --file-dir="$T_TMP/fx" \
	--file-num=2 --file-total-size=64K --validate --file-test-mode=seqrd --events=4 --time=0 run
err_has "the error says which format and what to do" "format 1 .*prepare --validate again"

# ---- O_DIRECT: works, or 77 on a filesystem that refuses it ------------------------
direct_run() { # dir io-mode
	W fileio --file-dir="$1" --file-num=2 --file-total-size=1M --file-extra-flags=direct prepare >/dev/null &&
	W fileio --file-dir="$1" --file-num=2 --file-total-size=1M --file-extra-flags=direct \
		--file-io-mode="$2" --file-test-mode=rndrw --events=200 --time=0 run
}
for dir in "$D" /dev/shm; do
	[ -d "$dir" ] || continue
	DD=$(mktemp -d "$dir/ob-direct.XXXXXX")
	for io in sync io_uring; do
		t_run 0 "direct $io in $dir" direct_run "$DD" $io
	done
	rm -rf "$DD"
done

# ---- text report, cleanup ---------------------------------------------------------
FJ prepare >/dev/null
t_ok "text report looks like sysbench" F --file-test-mode=rndrw --events=200 --time=0 run
cp "$T_TMP/out" "$T_TMP/report.txt"
t_ok "text report has the sysbench sections" sh -c "grep -q '^File operations:' '$T_TMP/report.txt' && grep -q 'reads/s:' '$T_TMP/report.txt' && grep -q 'written, MiB/s:' '$T_TMP/report.txt' && grep -q 'Doing random r/w test' '$T_TMP/report.txt' && grep -q 'General statistics:' '$T_TMP/report.txt'"
t_ok "cleanup" F cleanup
t_ok "cleanup removed every test file" sh -c "[ -z \"\$(ls -A '$D')\" ]"
t_ok "cleanup of nothing is fine" F cleanup

# ---- usage errors: exit 2, one line ---------------------------------------------
t_exit 2 "bad size suffix" F --file-total-size=4X prepare
t_err_line "one line naming 4X" "'4X' for --file-total-size"
t_exit 2 "unknown test mode" F --file-test-mode=rndfoo run
t_err_line "one line naming rndfoo" "rndfoo"
t_exit 2 "unknown io mode" F --file-io-mode=aio run
t_err_line "one line naming aio" "aio"
t_exit 2 "unknown extra flag" F --file-extra-flags=direct,odd run
t_err_line "one line naming the flags" "direct,odd"
t_exit 2 "--file-num=0" F --file-num=0 run
t_err_line "one line naming --file-num" "'0' for --file-num"
t_exit 2 "--file-block-size=0" F --file-block-size=0 run
t_err_line "one line naming --file-block-size" "--file-block-size"
t_exit 2 "--file-total-size=0" F --file-total-size=0 run
t_err_line "one line naming --file-total-size" "--file-total-size"
t_exit 2 "--file-fsync-freq=-1" F --file-fsync-freq=-1 run
t_err_line "one line naming --file-fsync-freq" "--file-fsync-freq"
t_exit 2 "--file-io-depth=0" F --file-io-depth=0 run
t_err_line "one line naming --file-io-depth" "--file-io-depth"
t_exit 2 "run without --file-test-mode" F run
err_has "the error names --file-test-mode" "--file-test-mode"
t_exit 2 "unknown command" F wipe
t_exit 2 "missing command" F
t_exit 0 "--help exits 0" F --help
t_done
