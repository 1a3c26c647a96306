/* work_queue.c: an atomic counter of the next item, and pthreads (see
 * work_queue.h). */
#include "work_queue.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct {
    atomic_int next;    /* the next item to take */
    atomic_int stopped; /* an item asked to stop */
    int n_items;
    work_queue_fn fn;
} work_queue;

typedef struct {
    work_queue *q;
    void *worker;
} work_thread;

/* Takes items until none are left or the queue stops. */
static void *work_queue_thread(void *arg)
{
    work_thread *t = arg;
    work_queue *q = t->q;
    int item;
    while (!atomic_load(&q->stopped) &&
           (item = atomic_fetch_add(&q->next, 1)) < q->n_items)
        if (q->fn(t->worker, item) != 0) atomic_store(&q->stopped, 1);
    return NULL;
}

int work_queue_run(void *workers, size_t worker_size, int threads,
                   int n_items, work_queue_fn fn)
{
    if (threads > WORK_QUEUE_MAX_THREADS) threads = WORK_QUEUE_MAX_THREADS;
    if (threads < 1) threads = 1;
    work_queue q = {.n_items = n_items, .fn = fn};
    atomic_init(&q.next, 0);
    atomic_init(&q.stopped, 0);
    work_thread args[WORK_QUEUE_MAX_THREADS] = {{0}};
    pthread_t ids[WORK_QUEUE_MAX_THREADS];
    int started[WORK_QUEUE_MAX_THREADS] = {0};
    for (int t = 0; t < threads; t++)
        args[t] = (work_thread){&q, (char *)workers + (size_t)t * worker_size};
    for (int t = 1; t < threads; t++)
        started[t] = pthread_create(&ids[t], NULL, work_queue_thread,
                                    &args[t]) == 0;
    work_queue_thread(&args[0]);
    for (int t = 1; t < threads; t++)
        if (started[t]) pthread_join(ids[t], NULL);
    return atomic_load(&q.stopped) ? -1 : 0;
}
