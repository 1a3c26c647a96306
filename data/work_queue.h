/* work_queue.h: items 0 .. n-1 shared out to a few threads, each taking
 * the next item as it comes free, so a slow item never holds the others
 * back. The offline programs run their files and sources through it:
 * irmas-train's example loading and distillation, irmas-eval's files and
 * irmas-synth's sources.
 *
 * Each thread has a worker of its own (its buffers, its runner); results
 * go wherever the item's index says, so they do not depend on which thread
 * ran what or in what order.
 */
#ifndef IRMAS_WORK_QUEUE_H
#define IRMAS_WORK_QUEUE_H

#include <stddef.h>

#define WORK_QUEUE_MAX_THREADS 64

/* Runs one item on the calling thread with its worker: 0 to go on;
 * anything else stops the queue (no item starts after it, those already
 * running finish). */
typedef int (*work_queue_fn)(void *worker, int item);

/* Runs fn on every item in [0, n_items), on up to threads threads (1 to
 * WORK_QUEUE_MAX_THREADS): thread t with the worker at
 * (char *)workers + t * worker_size, the calling thread being thread 0. A
 * thread that cannot be created leaves its share to the others. Returns
 * when all have finished: 0, or -1 when fn stopped the queue. */
int work_queue_run(void *workers, size_t worker_size, int threads,
                   int n_items, work_queue_fn fn);

#endif
