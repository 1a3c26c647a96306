/* daemon_check.h: what the daemon's Check suites share: running one suite
 * of one test case, so each test file ends with the list of its tests.
 *
 *     int main(void)
 *     {
 *         const TTest *tests[] = {first_test, second_test};
 *         return daemon_check_run("daemon ring", tests, 2, 60);
 *     }
 */
#ifndef IRMAS_DAEMON_CHECK_H
#define IRMAS_DAEMON_CHECK_H

#include <check.h>

/* Runs the tests (each with timeout_seconds) and returns the exit status
 * for main: 0 when all passed. */
int daemon_check_run(const char *name, const TTest *const *tests, int n,
                     int timeout_seconds);

#endif
