# ref-cpu.sh - ocibench-cpu against `sysbench cpu --cpu-max-prime=20000`
# (sourced by compare-reference).  Figure: events per second, same --time.
cpu_ours() {
	ours cpu --cpu-max-prime=20000 --threads="$THREADS" --time="$TIME" | jq '.events_per_s'
}

cpu_reference() {
	need sysbench sysbench || return 1
	sysbench cpu --cpu-max-prime=20000 --threads="$THREADS" --time="$TIME" run |
		awk '/events per second:/ { print $NF }'
}

compare cpu cpu_ours cpu_reference
