/* daemon_check.c: see daemon_check.h. */
#include "daemon_check.h"

#include "testutil.h"

int daemon_check_run(const char *name, const TTest *const *tests, int n,
                     int timeout_seconds)
{
    Suite *s = suite_create(name);
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, timeout_seconds);
    for (int i = 0; i < n; i++) tcase_add_test(tc, tests[i]);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
