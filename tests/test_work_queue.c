/* test_work_queue.c: the work queue runs every item exactly once, on any
 * number of threads, and stops when an item asks.
 */
#include "testutil.h"
#include "work_queue.h"

#include <check.h>
#include <stdatomic.h>

#define ITEMS 1000

static atomic_int runs[ITEMS];

/* A worker: how many items it ran, and the item that stops the queue. */
typedef struct {
    int done;
    int stop_at; /* -1: never */
} counter;

static int count_item(void *worker, int item)
{
    counter *c = worker;
    atomic_fetch_add(&runs[item], 1);
    c->done++;
    return item == c->stop_at;
}

/* Runs n items on threads threads; returns work_queue_run's result and
 * the items run, summed over the workers. */
static int run(int threads, int n, int stop_at, int *done)
{
    counter workers[WORK_QUEUE_MAX_THREADS];
    for (int i = 0; i < ITEMS; i++) atomic_init(&runs[i], 0);
    for (int t = 0; t < WORK_QUEUE_MAX_THREADS; t++)
        workers[t] = (counter){0, stop_at};
    int result = work_queue_run(workers, sizeof *workers, threads, n,
                                count_item);
    *done = 0;
    for (int t = 0; t < WORK_QUEUE_MAX_THREADS; t++) *done += workers[t].done;
    return result;
}

START_TEST(every_item_runs_once)
{
    static const int threads[] = {1, 2, 3, WORK_QUEUE_MAX_THREADS, 500};
    for (int k = 0; k < 5; k++) {
        int done;
        ck_assert_int_eq(run(threads[k], ITEMS, -1, &done), 0);
        ck_assert_int_eq(done, ITEMS);
        for (int i = 0; i < ITEMS; i++)
            ck_assert_msg(atomic_load(&runs[i]) == 1,
                          "%d threads: item %d ran %d times", threads[k], i,
                          atomic_load(&runs[i]));
    }
}
END_TEST

START_TEST(no_items_run_nothing)
{
    int done;
    ck_assert_int_eq(run(4, 0, -1, &done), 0);
    ck_assert_int_eq(done, 0);
}
END_TEST

START_TEST(an_item_stops_the_queue)
{
    int done;
    /* One thread takes the items in order: nothing after the stop runs. */
    ck_assert_int_eq(run(1, ITEMS, 10, &done), -1);
    ck_assert_int_eq(done, 11);
    ck_assert_int_eq(atomic_load(&runs[11]), 0);
    /* Several: how many the others run before they see the stop depends
     * on the scheduler; still none runs twice. */
    ck_assert_int_eq(run(4, ITEMS, 10, &done), -1);
    ck_assert_int_eq(atomic_load(&runs[10]), 1);
    for (int i = 0; i < ITEMS; i++) ck_assert_int_le(atomic_load(&runs[i]), 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("work_queue");
    TCase *tc = tcase_create("work_queue");
    tcase_add_test(tc, every_item_runs_once);
    tcase_add_test(tc, no_items_run_nothing);
    tcase_add_test(tc, an_item_stops_the_queue);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
