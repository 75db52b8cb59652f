# ref-memory.sh - ocibench-memory against
# `sysbench memory --memory-block-size=1M --memory-total-size=100G`
# (sourced by compare-reference).  Figure: MiB/s; --time caps both runs.
memory_args() {
	echo --memory-block-size=1M --memory-total-size=100G --threads="$THREADS" --time="$TIME"
}

memory_ours() {
	# shellcheck disable=SC2046
	ours memory $(memory_args) | jq '.mib_per_s'
}

memory_reference() {
	need sysbench sysbench || return 1
	# shellcheck disable=SC2046
	sysbench memory $(memory_args) run | sed -n 's/.* MiB transferred (\([0-9.]*\) MiB\/sec).*/\1/p'
}

compare memory memory_ours memory_reference
