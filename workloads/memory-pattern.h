/* memory-pattern.h - what ocibench-memory leaves in its buffer.
 *
 * Pure functions, unit-tested (tests/unit/test-memory-pattern.c): the
 * patterns that make the measured loads and stores checkable from outside.
 *
 *  - read:  the buffer holds word i = n - i (never zero), filled untimed
 *           before the clock starts, so the loads of a seq pass sum to
 *           n (n + 1) / 2 and read_checksum = events x that;
 *  - write: event k (1, 2, ... of the thread that runs it) stores, in seq
 *           mode, k n - i into word i (the first event stores sysbench's
 *           n, n-1, ..., 1), and in rnd mode the running byte offset
 *           8 ((k - 1) n + j) at iteration j; the final contents therefore
 *           show how many events the last writer did;
 *  - none:  the buffer stays zero.
 */
#ifndef OB_MEMORY_PATTERN_H
#define OB_MEMORY_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { MEM_OPER_WRITE, MEM_OPER_READ, MEM_OPER_NONE };
enum { MEM_ACCESS_SEQ, MEM_ACCESS_RND };

/* The read pattern: word i = n - i. */
void mem_pattern_fill_read(uint64_t *w, size_t n);

/* The sum of one seq read pass over the read pattern, n (n + 1) / 2. */
uint64_t mem_pattern_read_sum(size_t n);

/* Check the n words at w after a run of (oper, access).  events: the events
 * done by the buffer's writer (single), or at most by any of its writers
 * (several threads on one global buffer; UINT64_MAX when unbounded); 0
 * when no event ran.  single: one thread wrote the buffer, so it must hold
 * exactly what that thread's last event (number `events`) leaves.
 * Returns 0, or -1 with *bad the index of the first wrong word. */
int mem_pattern_check(int oper, int access, const uint64_t *w, size_t n, uint64_t events,
		      bool single, size_t *bad);

#endif
