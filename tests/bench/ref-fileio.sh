#!/bin/bash
# ref-fileio.sh - ocibench-fileio against `sysbench fileio` (sync engine, per
# mode) and against fio (io_uring + O_DIRECT, same pattern).  A part of
# tests/bench/compare-reference, which sources it; also runnable alone:
#
#     bash tests/bench/ref-fileio.sh [SECONDS]    (binaries from build/)
#
# Both sides use one file set: 128 files, 256 MiB in all (2 MiB each), 16 KiB
# blocks, in a fresh directory under $OB_BENCH_DIR (default /var/tmp: a disk,
# not tmpfs), removed at exit.  Every run is preceded by an untimed prepare
# (seqwr recreates the files, so later modes need it).  Figures (higher is
# better): read MiB/s for seqrd/rndrd, written MiB/s for seqwr/rndwr, with
# sysbench's defaults (fsync every 100 requests and at the end); for the fio
# pairs, IOPS of 16 KiB random reads / writes at queue depth 32 with O_DIRECT
# (no fsync on either side).

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	# standalone: hand over to the driver when it is there
	here=$(cd "$(dirname "$0")" && pwd)
	[ -x "$here/compare-reference" ] && exec "$here/compare-reference" -t "${1:-5}" -o fileio
	set -uo pipefail
	TIME=${1:-5}
	THREADS=1
	BUILDDIR=${OB_BUILDDIR:-$here/../../build}
	ours() {
		local name=$1 out; shift
		out=$("$BUILDDIR/ocibench-$name" --format=json "$@") && jq -e '.status == "ok"' >/dev/null <<<"$out" &&
			printf '%s\n' "$out"
	}
	need() { command -v "$1" >/dev/null || { echo "ref-fileio: $1 not found (apt-get install $2)" >&2; return 1; }; }
	compare() { # run at once: NAME OURS_FN REF_FN
		local o r
		o=$("$2") && r=$("$3") && awk -v n="$1" -v o="$o" -v r="$r" \
			'BEGIN { printf "%s %.2f %.2f %.3f\n", n, o, r, o / r }' ||
			echo "ref-fileio: $1: no figure" >&2
	}
	echo "# name ours reference ratio   (ours/reference, higher is better; --time=$TIME)"
fi

FILEIO_DIR=$(mktemp -d "${OB_BENCH_DIR:-/var/tmp}/ob-fileio.XXXXXX") || return 1 2>/dev/null || exit 1
trap 'rm -rf "$FILEIO_DIR"' EXIT

fileio_set() { echo --file-num=128 --file-total-size=256M --file-block-size=16K; }

# Untimed prepare of the shared set (reuses full files, completes short ones).
fileio_prepare() {
	# shellcheck disable=SC2046
	"$BUILDDIR/ocibench-fileio" --file-dir="$FILEIO_DIR" $(fileio_set) prepare >/dev/null
}

fileio_key() { case $1 in *rd) echo read_mib_per_s ;; *) echo written_mib_per_s ;; esac; }

fileio_ours_mode() { # MODE
	fileio_prepare || return 1
	# shellcheck disable=SC2046
	ours fileio --file-dir="$FILEIO_DIR" $(fileio_set) --file-test-mode="$1" \
		--threads="$THREADS" --time="$TIME" run | jq ".$(fileio_key "$1")"
}

fileio_sysbench_mode() { # MODE
	need sysbench sysbench || return 1
	fileio_prepare || return 1
	local pat='read, MiB/s'
	case $1 in *wr) pat='written, MiB/s' ;; esac
	# sysbench works in the current directory
	# shellcheck disable=SC2046
	(cd "$FILEIO_DIR" && sysbench fileio $(fileio_set) --file-test-mode="$1" \
		--threads="$THREADS" --time="$TIME" run) | sed -n "s|^ *$pat: *\([0-9.]*\)$|\1|p"
}

fileio_uring_args() { # MODE
	echo --file-io-mode=io_uring --file-io-depth=32 --file-extra-flags=direct \
		--file-test-mode="$1" --file-fsync-freq=0 --file-fsync-end=off
}

fileio_ours_uring() { # MODE
	fileio_prepare || return 1
	local key=reads_per_s
	[ "$1" = rndwr ] && key=writes_per_s
	# shellcheck disable=SC2046
	ours fileio --file-dir="$FILEIO_DIR" $(fileio_set) $(fileio_uring_args "$1") \
		--threads="$THREADS" --time="$TIME" run | jq ".$key"
}

fileio_fio() { # randread|randwrite
	need fio fio || return 1
	fileio_prepare || return 1
	local files
	files=$(seq -f 'test_file.%g' 0 127 | paste -sd:)
	fio --name=ob --directory="$FILEIO_DIR" --filename="$files" --size=256M \
		--rw="$1" --bs=16k --ioengine=io_uring --iodepth=32 --direct=1 \
		--numjobs="$THREADS" --group_reporting --norandommap --randrepeat=0 \
		--time_based --runtime="$TIME" --output-format=json |
		jq "if \"$1\" == \"randread\" then .jobs[0].read.iops else .jobs[0].write.iops end"
}

for m in seqrd rndrd seqwr rndwr; do
	eval "fileio_ours_$m() { fileio_ours_mode $m; }"
	eval "fileio_sysbench_$m() { fileio_sysbench_mode $m; }"
	compare "fileio-$m" "fileio_ours_$m" "fileio_sysbench_$m"
done
fileio_ours_uring_rndrd() { fileio_ours_uring rndrd; }
fileio_ours_uring_rndwr() { fileio_ours_uring rndwr; }
fileio_fio_randread() { fileio_fio randread; }
fileio_fio_randwrite() { fileio_fio randwrite; }
compare fileio-uring-rndrd fileio_ours_uring_rndrd fileio_fio_randread
compare fileio-uring-rndwr fileio_ours_uring_rndwr fileio_fio_randwrite
