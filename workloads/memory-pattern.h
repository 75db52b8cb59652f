/* memory-pattern.h - what ocibench-memory leaves in its buffer.
 *
 * Pure functions, unit-tested (tests/unit/test-memory-pattern.c): the
 * readback that proves the measured stores happened.
 */
#ifndef OB_MEMORY_PATTERN_H
#define OB_MEMORY_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { MEM_OPER_WRITE, MEM_OPER_READ, MEM_OPER_NONE };
enum { MEM_ACCESS_SEQ, MEM_ACCESS_RND };

/* Check the n words at w after at least one event of (oper, access) ran
 * (ran) or none did; the buffer starts zeroed.  seq write leaves word
 * i = n - i; rnd write leaves 0 or a byte offset 8k < 8n in every word and
 * at least one non-zero word when n > 1; read and none leave zeros.
 * Returns 0, or -1 with *bad the index of the first wrong word. */
int mem_pattern_check(int oper, int access, const uint64_t *w, size_t n, bool ran, size_t *bad);

#endif
