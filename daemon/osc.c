/* osc.c: see osc.h.
 *
 * The worker copies each window into every target's queue (a few kB, a
 * few times a second) and returns; each target's thread builds the liblo
 * bundle and sends it, so a TCP connect that hangs blocks only its own
 * thread. Latency is measured when lo_send_bundle returns.
 */
#include "osc.h"

#include "clock.h"
#include "irmas/osc.h"
#include "log.h"
#include "thread.h"

#include <lo/lo.h>
#include <math.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OSC_QUEUE 32
#define OSC_STALL_SECONDS 2 /* a lossless push waits no longer than this */
#define OSC_CLOSE_SECONDS 2 /* to send what is queued when closing */
#define OSC_SECONDS_1900_TO_1970 2208988800.0

/* What a receiver may size by is what a model may hold. */
_Static_assert(IRMAS_OSC_MAX_CLASSES == MODEL_MAX_CLASSES,
               "irmas/osc.h's class limit is the model's");
_Static_assert(IRMAS_OSC_LABEL_MAX == MODEL_LABEL_MAX,
               "irmas/osc.h's label limit is the model's");

typedef enum { ITEM_WINDOW, ITEM_CLASSES } item_kind;

typedef struct {
    item_kind kind;
    int silent;
    float level_dbfs;
    double capture_wall, capture_mono;
    int classes;
    char labels[MODEL_MAX_CLASSES][MODEL_LABEL_MAX];
    float probs[MODEL_MAX_CLASSES];
} osc_item;

typedef struct {
    char *url;
    lo_address address;
    daemon_stats *st;
    const osc_format *format; /* the osc_out's */
    atomic_int active; /* sent to; 0 after an unsubscribe */
    int lossless;
    pthread_t thread;
    int running;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    osc_item queue[OSC_QUEUE];
    int head, count, stopping;
    int stuck; /* took nothing for OSC_STALL_SECONDS: pushes do not wait */
    int abandoned; /* left behind at close, stuck in a send: reports nothing */
    int failing; /* sender thread only: the last send failed */
} osc_target;

struct osc_out {
    atomic_int n;        /* targets opened, --osc ones first */
    osc_target *targets; /* [n_static + OSC_MAX_SUBSCRIBERS] */
    int n_static, lossless;
    daemon_stats *st;
    osc_format format;   /* its prefix owned */
    osc_item scratch; /* the worker's, where an item is put together */
};

/* Seconds since 1970 as an OSC (NTP) timetag. */
static lo_timetag osc_timetag(double wall)
{
    double ntp = wall + OSC_SECONDS_1900_TO_1970;
    double whole = floor(ntp);
    return (lo_timetag){(uint32_t)whole,
                        (uint32_t)((ntp - whole) * 4294967296.0)};
}

/* The label as one OSC address part. */
static void osc_address_part(const char *label, char *out, size_t len)
{
    size_t i = 0;
    for (; label[i] && i + 1 < len; i++)
        out[i] = strchr(IRMAS_OSC_RESERVED, label[i]) ? '_' : label[i];
    out[i] = '\0';
}

/* Sends one message of a window to t: into the bundle b, or alone with
 * the capture time as its last argument when there is no bundle. Frees m.
 * Returns liblo's result, or 0 for a message put in the bundle. */
static int osc_put(osc_target *t, lo_bundle b, const char *address,
                   lo_message m, double capture_wall)
{
    char path[OSC_PREFIX_MAX + MODEL_LABEL_MAX + 32];
    snprintf(path, sizeof path, "%s%s", t->format->prefix, address);
    if (b) {
        lo_bundle_add_message(b, path, m);
        return 0;
    }
    lo_message_add_double(m, capture_wall);
    int result = lo_send_message(t->address, path, m);
    lo_message_free(m);
    return result;
}

static lo_message message_float(float value)
{
    lo_message m = lo_message_new();
    lo_message_add_float(m, value);
    return m;
}

/* Sends a window to t, as a bundle or as messages (osc.h). */
static int osc_send_window(osc_target *t, const osc_item *it)
{
    lo_bundle b = t->format->bundles ? lo_bundle_new(osc_timetag(it->capture_wall))
                                     : NULL;
    double wall = it->capture_wall;
    int result = 0;
    if (it->silent) {
        result |= osc_put(t, b, IRMAS_OSC_SILENCE,
                          message_float(it->level_dbfs), wall);
    } else {
        lo_message probs = lo_message_new(), top = lo_message_new(),
                   index = lo_message_new();
        int best = 0;
        for (int c = 0; c < it->classes; c++) {
            lo_message_add_float(probs, it->probs[c]);
            if (it->probs[c] > it->probs[best]) best = c;
        }
        lo_message_add_string(top, it->labels[best]);
        lo_message_add_float(top, it->probs[best]);
        lo_message_add_int32(index, best);
        lo_message_add_float(index, it->probs[best]);
        result |= osc_put(t, b, IRMAS_OSC_PROBS, probs, wall);
        result |= osc_put(t, b, IRMAS_OSC_TOP, top, wall);
        result |= osc_put(t, b, IRMAS_OSC_TOP_INDEX, index, wall);
        for (int c = 0; c < it->classes; c++) {
            char path[MODEL_LABEL_MAX + 16] = IRMAS_OSC_CLASS;
            osc_address_part(it->labels[c], path + strlen(path),
                             sizeof path - strlen(path));
            result |= osc_put(t, b, path, message_float(it->probs[c]), wall);
        }
    }
    if (b) {
        result = lo_send_bundle(t->address, b);
        lo_bundle_free_recursive(b);
    }
    return result;
}

static int osc_send(osc_target *t, const osc_item *it)
{
    if (it->kind == ITEM_CLASSES) {
        lo_message m = lo_message_new();
        for (int c = 0; c < it->classes; c++)
            lo_message_add_string(m, it->labels[c]);
        char path[OSC_PREFIX_MAX + 32];
        snprintf(path, sizeof path, "%s" IRMAS_OSC_CLASSES, t->format->prefix);
        int result = lo_send_message(t->address, path, m);
        lo_message_free(m);
        return result;
    }
    return osc_send_window(t, it);
}

/* Counts a send (a window's with its latency) and says when a target
 * starts failing and when it recovers; not in between, since a target that
 * is down would otherwise fill the log. With t->lock held. */
static void osc_report(osc_target *t, const osc_item *it, int ok)
{
    if (ok && it->kind == ITEM_WINDOW)
        daemon_stats_sent(t->st, clock_seconds(CLOCK_MONOTONIC) - it->capture_mono);
    if (!ok) daemon_stats_failed(t->st);
    if (!ok && !t->failing)
        log_warn("%s: cannot send: %s; irmasd goes on and keeps trying",
                 t->url, lo_address_errstr(t->address));
    if (ok && t->failing) log_info("%s: sending again", t->url);
    t->failing = !ok;
}

/* Takes the next item; 0 when stopping with nothing left. */
static int osc_pop(osc_target *t, osc_item *it)
{
    pthread_mutex_lock(&t->lock);
    while (t->count == 0 && !t->stopping)
        pthread_cond_wait(&t->changed, &t->lock);
    int got = t->count > 0;
    if (got) {
        *it = t->queue[t->head];
        t->head = (t->head + 1) % OSC_QUEUE;
        t->count--;
        if (t->stuck) log_info("%s: taking bundles again", t->url);
        t->stuck = 0;
        pthread_cond_broadcast(&t->changed);
    }
    pthread_mutex_unlock(&t->lock);
    return got;
}

static void *osc_run(void *arg)
{
    osc_target *t = arg;
    osc_item it;
    while (osc_pop(t, &it)) {
        int ok = osc_send(t, &it) >= 0;
        pthread_mutex_lock(&t->lock);
        if (!t->abandoned) osc_report(t, &it, ok);
        pthread_mutex_unlock(&t->lock);
    }
    return NULL;
}

/* Queues it for t. With the file backend (lossless) a full queue is
 * waited on, but only for OSC_STALL_SECONDS without the sender taking
 * anything: a receiver that stops reading (a TCP peer that never reads
 * blocks its sender in the kernel) must not hold up the worker. Such a
 * target is then marked stuck, and its bundles are dropped and counted
 * without waiting until it takes one again. */
static void osc_push(osc_target *t, const osc_item *it)
{
    pthread_mutex_lock(&t->lock);
    if (t->lossless && t->count == OSC_QUEUE && !t->stuck) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += OSC_STALL_SECONDS;
        int waited = 0;
        while (t->count == OSC_QUEUE && !t->stopping && waited == 0)
            waited = pthread_cond_timedwait(&t->changed, &t->lock, &deadline);
        if (t->count == OSC_QUEUE && !t->stopping) {
            t->stuck = 1;
            log_warn("%s: the target has taken nothing for %d s; its bundles "
                     "are dropped (counted as failed) until it reads again",
                     t->url, OSC_STALL_SECONDS);
        }
    }
    if (t->count < OSC_QUEUE) {
        t->queue[(t->head + t->count) % OSC_QUEUE] = *it;
        t->count++;
        pthread_cond_broadcast(&t->changed);
    } else {
        daemon_stats_failed(t->st); /* the target cannot keep up: drop */
    }
    pthread_mutex_unlock(&t->lock);
}

static void osc_push_all(osc_out *o, const osc_item *it)
{
    int n = atomic_load_explicit(&o->n, memory_order_acquire);
    for (int i = 0; i < n; i++)
        if (atomic_load_explicit(&o->targets[i].active, memory_order_relaxed))
            osc_push(&o->targets[i], it);
}

static void copy_labels(osc_item *it, const char (*labels)[MODEL_LABEL_MAX],
                        int classes)
{
    it->classes = classes;
    memcpy(it->labels, labels, (size_t)classes * MODEL_LABEL_MAX);
}

void osc_out_window(osc_out *o, const osc_window *w)
{
    osc_item *it = &o->scratch;
    it->kind = ITEM_WINDOW;
    it->silent = w->silent;
    it->level_dbfs = w->level_dbfs;
    it->capture_wall = w->capture_wall;
    it->capture_mono = w->capture_mono;
    copy_labels(it, w->labels, w->classes);
    if (!w->silent)
        memcpy(it->probs, w->probs, (size_t)w->classes * sizeof *w->probs);
    osc_push_all(o, it);
}

void osc_out_classes(osc_out *o, const char (*labels)[MODEL_LABEL_MAX],
                     int classes)
{
    osc_item *it = &o->scratch;
    it->kind = ITEM_CLASSES;
    copy_labels(it, labels, classes);
    osc_push_all(o, it);
}

/* 0 when host and port resolve to an address of family, else
 * getaddrinfo's error. */
static int osc_resolve(const char *host, const char *port, int family)
{
    struct addrinfo hints = {.ai_family = family}, *found = NULL;
    int error = getaddrinfo(host, port, &hints, &found);
    if (found) freeaddrinfo(found);
    return error;
}

/* Parses url and checks that its port is in range and its host resolves
 * to an IPv4 address. */
static irmas_status osc_address(const char *url, lo_address *out, char *err,
                                size_t errlen)
{
    lo_address a = lo_address_new_from_url(url);
    *out = a;
    if (!a)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "--osc %s: not an OSC URL; write it as "
                           "osc.udp://HOST:PORT or osc.tcp://HOST:PORT",
                           url);
    if (lo_address_get_protocol(a) == LO_UNIX) return IRMAS_OK;
    const char *host = lo_address_get_hostname(a);
    const char *port = lo_address_get_port(a);
    if (!host || !*host || !port || !*port || !strcmp(port, "0"))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "--osc %s: the URL needs a host and a port, as in "
                           "osc.udp://127.0.0.1:9000", url);
    char *end;
    long number = strtol(port, &end, 10);
    if (*end == '\0' && (number < 1 || number > 65535))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "--osc %s: port %s is out of range; ports go from "
                           "1 to 65535", url, port);
    /* liblo sends over IPv4 here; a host it cannot reach that way would
     * fail every send, so it is refused now. */
    int error = osc_resolve(host, port, AF_INET);
    if (error && !osc_resolve(host, port, AF_UNSPEC))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "--osc %s: host '%s' has only IPv6 addresses, and "
                           "irmasd sends OSC over IPv4: give an IPv4 address "
                           "or a name that has one", url, host);
    if (error)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "--osc %s: cannot resolve host '%s' port '%s': %s",
                           url, host, port, gai_strerror(error));
    return IRMAS_OK;
}

static irmas_status osc_target_open(osc_target *t, const char *url,
                                    const osc_out *o, char *err, size_t errlen)
{
    t->st = o->st;
    t->lossless = o->lossless;
    t->format = &o->format;
    atomic_init(&t->active, 1);
    pthread_condattr_t monotonic;
    pthread_condattr_init(&monotonic);
    pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->changed, &monotonic);
    pthread_condattr_destroy(&monotonic);
    t->url = strdup(url);
    if (!t->url) return status_fail(err, errlen, IRMAS_ERR_NOMEM, "osc: out of memory");
    irmas_status st2 = osc_address(url, &t->address, err, errlen);
    if (st2 != IRMAS_OK) return st2;
    if (pthread_create(&t->thread, NULL, osc_run, t) != 0)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "%s: cannot start a sender thread", url);
    t->running = 1;
    return IRMAS_OK;
}

irmas_status osc_out_new(const char *const *urls, int n, int lossless,
                         const osc_format *format, daemon_stats *st,
                         osc_out **out, char *err, size_t errlen)
{
    osc_out *o = calloc(1, sizeof *o);
    *out = NULL;
    const char *prefix = format->prefix ? format->prefix : "";
    if (!o || !(o->targets = calloc((size_t)n + OSC_MAX_SUBSCRIBERS,
                                    sizeof *o->targets)) ||
        !(o->format.prefix = strdup(prefix))) {
        if (o) free(o->targets);
        free(o);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM, "osc: out of memory");
    }
    if (strlen(prefix) >= OSC_PREFIX_MAX) {
        osc_out_free(o);
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "osc prefix longer than %d bytes", OSC_PREFIX_MAX - 1);
    }
    o->format.bundles = format->bundles;
    o->lossless = lossless;
    o->st = st;
    o->n_static = n;
    irmas_status s = IRMAS_OK;
    int opened = 0;
    for (; opened < n && s == IRMAS_OK; opened++) {
        s = osc_target_open(&o->targets[opened], urls[opened], o, err, errlen);
        atomic_store(&o->n, opened + 1);
    }
    if (s != IRMAS_OK) {
        osc_out_free(o);
        return s;
    }
    *out = o;
    return IRMAS_OK;
}

/* Frees what a target holds; its thread has stopped or never started. */
static void osc_target_clear(osc_target *t)
{
    if (t->address) lo_address_free(t->address);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->changed);
    free(t->url);
    memset(t, 0, sizeof *t);
}

/* The target sending to url, or NULL. */
static osc_target *osc_find(osc_out *o, const char *url)
{
    int n = atomic_load(&o->n);
    for (int i = 0; i < n; i++)
        if (o->targets[i].url && !strcmp(o->targets[i].url, url))
            return &o->targets[i];
    return NULL;
}

irmas_status osc_out_subscribe(osc_out *o, const char *url, char *err,
                               size_t errlen)
{
    osc_target *t = osc_find(o, url);
    if (t && atomic_load(&t->active))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s is subscribed already", url);
    if (t) {
        atomic_store(&t->active, 1);
        return IRMAS_OK;
    }
    int n = atomic_load(&o->n);
    if (n == o->n_static + OSC_MAX_SUBSCRIBERS)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%d subscribers already: no room for %s",
                           OSC_MAX_SUBSCRIBERS, url);
    /* The slot is filled before n counts it: the worker reads n first. */
    osc_target *slot = &o->targets[n];
    irmas_status s = osc_target_open(slot, url, o, err, errlen);
    if (s != IRMAS_OK) {
        osc_target_clear(slot);
        return s;
    }
    atomic_store_explicit(&o->n, n + 1, memory_order_release);
    return IRMAS_OK;
}

irmas_status osc_out_unsubscribe(osc_out *o, const char *url, char *err,
                                 size_t errlen)
{
    osc_target *t = osc_find(o, url);
    if (!t || !atomic_load(&t->active))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s is not subscribed", url);
    atomic_store(&t->active, 0);
    return IRMAS_OK;
}

/* Waits for t's thread to send what is queued and stop, until deadline
 * (CLOCK_REALTIME): a target that hangs must not hang the daemon's exit. */
static void osc_target_finish(osc_target *t, const struct timespec *deadline)
{
    if (!t->running) return;
    t->running = 0;
    if (thread_join_by(t->thread, deadline)) return;
    log_warn("%s: still sending after %d s; giving up", t->url,
             OSC_CLOSE_SECONDS);
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i <= t->count; i++)
        daemon_stats_failed(t->st); /* and the one in flight */
    t->count = 0;
    t->abandoned = 1;
    pthread_mutex_unlock(&t->lock);
}

void osc_out_finish(osc_out *o)
{
    if (!o) return;
    int n = atomic_load(&o->n);
    for (int i = 0; i < n; i++) {
        osc_target *t = &o->targets[i];
        pthread_mutex_lock(&t->lock);
        t->stopping = 1;
        pthread_cond_broadcast(&t->changed);
        pthread_mutex_unlock(&t->lock);
    }
    struct timespec deadline = thread_deadline(OSC_CLOSE_SECONDS);
    for (int i = 0; i < n; i++) osc_target_finish(&o->targets[i], &deadline);
}

void osc_out_free(osc_out *o)
{
    if (!o) return;
    osc_out_finish(o);
    int n = atomic_load(&o->n);
    for (int i = 0; i < n; i++)
        if (o->targets[i].abandoned) return; /* its thread still uses o */
    for (int i = 0; i < n; i++) osc_target_clear(&o->targets[i]);
    free(o->targets);
    free((char *)o->format.prefix);
    free(o);
}
