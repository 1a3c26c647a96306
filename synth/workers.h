/* workers.h: renders a corpus's sources on several threads, with progress
 * on stderr.
 *
 * Threads take the next source from a work queue (work_queue.h); each owns a
 * soundfont player, and every source is rendered from its own seed, so the
 * files and the manifest come out byte for byte the same for any number of
 * threads. The first error stops everyone and is returned.
 */
#ifndef SYNTH_WORKERS_H
#define SYNTH_WORKERS_H

#include <stddef.h>

#include "sfplayer.h"
#include "source.h"
#include "status.h"

enum { WORKERS_REPORT_SIZE = 1024 };

/* Renders jobs[0..n_jobs) with one thread per player. reports[i] (of
 * WORKERS_REPORT_SIZE bytes) receives job i's manifest line. */
irmas_status workers_run(const source_setup *setup, sfplayer *const *players,
                         int n_threads, const source_job *jobs, int n_jobs,
                         char **reports, char *err, size_t errlen);

#endif
