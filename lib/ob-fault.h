/* ob-fault.h - test-only fault injection points. */
#ifndef OB_FAULT_H
#define OB_FAULT_H

/* When $OB_TEST_STOP_AT names point, print one line and stop the process
 * (SIGSTOP) the first time the point is reached, so that a test can kill
 * -9 it there.  A no-op otherwise. */
void ob_test_stop_point(const char *point);

#endif
