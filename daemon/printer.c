/* printer.c: see printer.h. A fixed queue of line slots under a mutex the
 * worker holds only to copy a line in; the writer copies a line out and
 * writes it with the mutex released. */
#include "printer.h"

#include "log.h"
#include "thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PRINTER_LINES 64
#define PRINTER_CLOSE_SECONDS 2

struct printer {
    daemon_stats *st;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int head, count, stopping;
    int abandoned; /* left behind, stuck in a write: counts nothing more */
    char lines[PRINTER_LINES][PRINTER_LINE_MAX];
    char out[PRINTER_LINE_MAX]; /* the writer's copy */
};

/* Writes all of text to standard output; 0 when it cannot. */
static int write_all(const char *text, size_t n)
{
    while (n > 0) {
        ssize_t done = write(STDOUT_FILENO, text, n);
        if (done < 0 && errno == EINTR) continue;
        if (done <= 0) return 0;
        text += done;
        n -= (size_t)done;
    }
    return 1;
}

/* Takes the next line into p->out; 0 when stopping with nothing left. */
static int printer_pop(printer *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->count == 0 && !p->stopping)
        pthread_cond_wait(&p->changed, &p->lock);
    int got = p->count > 0;
    if (got) {
        memcpy(p->out, p->lines[p->head], sizeof p->out);
        p->head = (p->head + 1) % PRINTER_LINES;
        p->count--;
    }
    pthread_mutex_unlock(&p->lock);
    return got;
}

static void *printer_run(void *arg)
{
    printer *p = arg;
    while (printer_pop(p)) {
        if (write_all(p->out, strlen(p->out))) continue;
        pthread_mutex_lock(&p->lock);
        if (!p->abandoned) daemon_stats_line_dropped(p->st);
        pthread_mutex_unlock(&p->lock);
    }
    return NULL;
}

irmas_status printer_new(daemon_stats *st, printer **out, char *err,
                         size_t errlen)
{
    printer *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p) return status_fail(err, errlen, IRMAS_ERR_NOMEM, "printer: out of memory");
    p->st = st;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    if (pthread_create(&p->thread, NULL, printer_run, p) != 0) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->changed);
        free(p);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "cannot start the --print writer thread");
    }
    *out = p;
    return IRMAS_OK;
}

void printer_put(printer *p, const char *line)
{
    pthread_mutex_lock(&p->lock);
    if (p->count < PRINTER_LINES) {
        snprintf(p->lines[(p->head + p->count) % PRINTER_LINES],
                 PRINTER_LINE_MAX, "%s\n", line);
        p->count++;
        pthread_cond_signal(&p->changed);
    } else {
        daemon_stats_line_dropped(p->st);
    }
    pthread_mutex_unlock(&p->lock);
}

void printer_free(printer *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_signal(&p->changed);
    pthread_mutex_unlock(&p->lock);
    struct timespec deadline = thread_deadline(PRINTER_CLOSE_SECONDS);
    if (!thread_join_by(p->thread, &deadline)) {
        /* Stuck in a write: the queued lines and the one being written are
         * not printed, and p stays for the thread left behind. */
        log_warn("standard output has taken nothing for %d s; the lines "
                 "still queued are not printed", PRINTER_CLOSE_SECONDS);
        pthread_mutex_lock(&p->lock);
        for (int i = 0; i <= p->count; i++) daemon_stats_line_dropped(p->st);
        p->count = 0;
        p->abandoned = 1;
        pthread_mutex_unlock(&p->lock);
        return;
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->changed);
    free(p);
}
