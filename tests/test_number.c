/* test_number.c: the programs' number parser takes the whole text and the
 * range, and nothing else.
 */
#include "number.h"
#include "testutil.h"

#include <check.h>
#include <limits.h>
#include <math.h>

START_TEST(whole_numbers)
{
    long v = 7;
    ck_assert_int_eq(number_whole("12", 1, 100, &v), 0);
    ck_assert_int_eq(v, 12);
    ck_assert_int_eq(number_whole("-3", -5, 5, &v), 0);
    ck_assert_int_eq(v, -3);
    static const char *const bad[] = {"", "x", "12x", "1.5", " ", "0", "101",
                                      "99999999999999999999999"};
    for (int i = 0; i < 8; i++) {
        v = 7;
        ck_assert_msg(number_whole(bad[i], 1, 100, &v) == -1, "'%s'", bad[i]);
        ck_assert_int_eq(v, 7);
    }
    ck_assert_int_eq(number_whole("9223372036854775807", 0, LONG_MAX, &v), 0);
    ck_assert(v == LONG_MAX);
}
END_TEST

START_TEST(real_numbers)
{
    double v = 7;
    ck_assert_int_eq(number_real("0.25", 0, 1, &v), 0);
    ck_assert_double_eq(v, 0.25);
    ck_assert_int_eq(number_real("1e-3", 0, 1, &v), 0);
    ck_assert_double_eq(v, 1e-3);
    static const char *const bad[] = {"", "x", "0.5s", "nan", "inf", "-inf",
                                      "1.5", "-0.1"};
    for (int i = 0; i < 8; i++) {
        v = 7;
        ck_assert_msg(number_real(bad[i], 0, 1, &v) == -1, "'%s'", bad[i]);
        ck_assert_double_eq(v, 7);
    }
    /* An open bound is the next double inside it. */
    ck_assert_int_eq(number_real("0", nextafter(0.0, 1.0), 1, &v), -1);
    ck_assert_int_eq(number_real("1e-300", nextafter(0.0, 1.0), 1, &v), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("number");
    TCase *tc = tcase_create("number");
    tcase_add_test(tc, whole_numbers);
    tcase_add_test(tc, real_numbers);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
