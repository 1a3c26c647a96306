/* printer.h: --print's lines, written to standard output by a thread of
 * their own.
 *
 * The worker hands each line over and goes on; a writer thread writes it.
 * Standard output may block (a pipe nobody reads, a terminal on hold), and
 * the worker must not block with it: when the queue is full the line is
 * dropped and counted (daemon_stats_line_dropped), never waited for.
 */
#ifndef IRMASD_PRINTER_H
#define IRMASD_PRINTER_H

#include "daemon_stats.h"
#include "status.h"

#define PRINTER_LINE_MAX 4096 /* bytes, with the newline and the NUL */

typedef struct printer printer;

/* Starts the writer thread; dropped lines are counted in st, which must
 * outlive the printer. */
irmas_status printer_new(daemon_stats *st, printer **out, char *err,
                         size_t errlen);

/* Writes what is queued within two seconds, stops the thread and frees
 * everything; a standard output that stays blocked is given up (the lines
 * left are counted, and the thread, stuck, is left with its memory). */
void printer_free(printer *p);

/* Queues line (a newline is added), or drops and counts it when the queue
 * is full. Never blocks on the output; one thread calls it. */
void printer_put(printer *p, const char *line);

#endif
