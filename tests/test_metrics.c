/* test_metrics.c: the scores against values worked out by hand, the
 * threshold rule, and what the report and the JSON say.
 */
#include "metrics.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char labels[4][MODEL_LABEL_MAX] = {"a", "b", "c", "d\"q"};

/* Truth/prediction pairs: a->a a->b b->b b->b c->a c->c.
 * Confusion rows a: 1 1 0, b: 0 2 0, c: 1 0 1.
 * tp a1 b2 c1, fp a1 b1 c0, fn a1 b0 c1; so
 * precision a 1/2 b 2/3 c 1, recall a 1/2 b 1 c 1/2,
 * f1 a 1/2 b 4/5 c 2/3; macro 59/90; accuracy and micro F1 4/6. */
static metrics *single_label_example(int classes)
{
    static const int pairs[6][2] = {{0, 0}, {0, 1}, {1, 1},
                                    {1, 1}, {2, 0}, {2, 2}};
    metrics *m = metrics_new(classes, labels);
    ck_assert_ptr_nonnull(m);
    for (int i = 0; i < 6; i++) metrics_add(m, pairs[i][0], pairs[i][1]);
    return m;
}

START_TEST(single_label_scores)
{
    metrics *m = single_label_example(3);
    ck_assert_int_eq(metrics_decisions(m), 6);
    ck_assert_int_eq(metrics_correct(m), 4);
    ck_assert_double_eq_tol(metrics_accuracy(m), 4.0 / 6, 1e-12);
    ck_assert_double_eq_tol(metrics_micro_f1(m), 4.0 / 6, 1e-12);
    ck_assert_double_eq_tol(metrics_macro_f1(m), 59.0 / 90, 1e-12);

    metrics_class b = metrics_class_scores(m, 1);
    ck_assert_double_eq_tol(b.precision, 2.0 / 3, 1e-12);
    ck_assert_double_eq_tol(b.recall, 1.0, 1e-12);
    ck_assert_double_eq_tol(b.f1, 0.8, 1e-12);
    ck_assert_int_eq(b.support, 2);
    metrics_class c = metrics_class_scores(m, 2);
    ck_assert_double_eq_tol(c.precision, 1.0, 1e-12);
    ck_assert_double_eq_tol(c.recall, 0.5, 1e-12);

    ck_assert_int_eq(metrics_confusion(m, 2, 0), 1);
    ck_assert_int_eq(metrics_confusion(m, 1, 1), 2);
    ck_assert_int_eq(metrics_confusion(m, 0, 2), 0);
    metrics_free(m);
}
END_TEST

START_TEST(absent_classes_do_not_count_in_macro_f1)
{
    metrics *m = single_label_example(4);
    ck_assert_double_eq_tol(metrics_macro_f1(m), 59.0 / 90, 1e-12);
    metrics_class d = metrics_class_scores(m, 3);
    ck_assert_double_eq(d.precision, 0.0);
    ck_assert_double_eq(d.f1, 0.0);
    ck_assert_int_eq(d.support, 0);
    metrics_free(m);

    m = metrics_new(2, labels);
    ck_assert_double_eq(metrics_accuracy(m), 0.0);
    ck_assert_double_eq(metrics_macro_f1(m), 0.0);
    metrics_add(m, 5, 0); /* out of range: ignored */
    ck_assert_int_eq(metrics_decisions(m), 0);
    metrics_free(m);
    ck_assert_ptr_null(metrics_new(0, labels));
    ck_assert_ptr_null(metrics_new(MODEL_MAX_CLASSES + 1, labels));
}
END_TEST

/* Truth {a,b} predicted {a}; {c} predicted {b,c}; {a} predicted {a}.
 * tp a2 b0 c1, fp b1, fn b1: f1 a 1, b 0, c 1; macro 2/3;
 * micro 2*3 / (2*3 + 1 + 1) = 3/4; exact matches 1 of 3. */
START_TEST(multi_label_scores)
{
    metrics *m = metrics_new(3, labels);
    metrics_add_labels(m, 0x3, 0x1);
    metrics_add_labels(m, 0x4, 0x6);
    metrics_add_labels(m, 0x1, 0x1);
    ck_assert_double_eq_tol(metrics_micro_f1(m), 0.75, 1e-12);
    ck_assert_double_eq_tol(metrics_macro_f1(m), 2.0 / 3, 1e-12);
    ck_assert_double_eq_tol(metrics_accuracy(m), 1.0 / 3, 1e-12);
    ck_assert_int_eq(metrics_class_scores(m, 1).support, 1);
    ck_assert_double_eq(metrics_class_scores(m, 1).f1, 0.0);
    metrics_free(m);
}
END_TEST

START_TEST(threshold_is_relative_to_the_largest)
{
    float probs[4] = {0.1f, 0.6f, 0.35f, 0.29f};
    ck_assert_int_eq(metrics_argmax(probs, 4), 1);
    ck_assert(metrics_threshold_labels(probs, 4, 0.5) == 0x6);
    ck_assert(metrics_threshold_labels(probs, 4, 1.0) == 0x2);
    ck_assert(metrics_threshold_labels(probs, 4, 0.1) == 0xf);
    float ties[3] = {0.4f, 0.4f, 0.2f};
    ck_assert_int_eq(metrics_argmax(ties, 3), 0);
}
END_TEST

/* metrics_print's report, as a string the caller frees. */
static char *report_of(const metrics *m)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    metrics_print(m, f);
    fclose(f);
    return text;
}

/* metrics_json's members in an object of their own, likewise. */
static char *json_of(const metrics *m)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    json_writer w;
    json_init(&w, f);
    json_begin_object(&w, NULL);
    metrics_json(m, &w);
    json_end_object(&w);
    fclose(f);
    return text;
}

START_TEST(report_and_json)
{
    metrics *m = single_label_example(4);
    char *text = report_of(m);
    ck_assert_ptr_nonnull(strstr(text, "accuracy   0.6667 (4 of 6)"));
    ck_assert_ptr_nonnull(strstr(text, "macro F1   0.6556"));
    ck_assert_ptr_nonnull(strstr(text, "rows: true class"));
    ck_assert_ptr_nonnull(strstr(text, "\nc        1    0    1    0\n"));
    free(text);

    char *json = json_of(m);
    ck_assert_ptr_nonnull(strstr(json, "\"accuracy\": 0.666667,"));
    ck_assert_ptr_nonnull(strstr(json, "\"macro_f1\": 0.655556,"));
    ck_assert_ptr_nonnull(strstr(json, "\"recall\": 0.5,"));
    ck_assert_ptr_nonnull(strstr(json, "\"labels\": [\"a\", \"b\", \"c\", \"d\\\"q\"]"));
    ck_assert_ptr_nonnull(strstr(json, "[1, 1, 0, 0],"));
    ck_assert(json[0] == '{' && json[strlen(json) - 2] == '}');
    free(json);
    metrics_free(m);

    /* Multi-label tallies have no confusion matrix. */
    m = metrics_new(2, labels);
    metrics_add_labels(m, 0x3, 0x1);
    json = json_of(m);
    ck_assert_ptr_null(strstr(json, "confusion"));
    ck_assert_ptr_nonnull(strstr(json, "\"micro_f1\": 0.666667"));
    free(json);
    metrics_free(m);
}
END_TEST

static Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, single_label_scores);
    tcase_add_test(tc, absent_classes_do_not_count_in_macro_f1);
    tcase_add_test(tc, multi_label_scores);
    tcase_add_test(tc, threshold_is_relative_to_the_largest);
    tcase_add_test(tc, report_and_json);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(metrics_suite());
}
