/* control.c: see control.h.
 *
 * A plain UDP socket bound to the address asked for (liblo's servers bind
 * every interface), read by a thread of its own in poll() with a pipe to
 * wake it for stopping; each datagram is parsed with liblo
 * (lo_message_deserialise) and answered to the address it came from.
 */
#include "control.h"

#include "irmas/osc.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <lo/lo.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONTROL_DATAGRAM_MAX 4096

struct control {
    int socket, wake[2];
    osc_out *osc;
    daemon_worker *worker;
    pthread_t thread;
    atomic_long refused;

    pthread_mutex_t lock; /* guards what follows */
    char model_path[1024];
    int rate, classes;
    double hop, window, gate, smooth;
    char labels[MODEL_MAX_CLASSES][MODEL_LABEL_MAX];
    int hop_pending;            /* a /irmas/set/hop the main thread has not taken */
    double hop_asked;
    struct sockaddr_in hop_from;  /* who asked */
    struct sockaddr_in answering; /* the request taken, to answer */
};

/* ---- answers ---- */

/* Sends path with m (freed) to the sender at from. */
static void control_send(const struct sockaddr_in *from, const char *path,
                         lo_message m)
{
    char host[INET_ADDRSTRLEN], port[8];
    inet_ntop(AF_INET, &from->sin_addr, host, sizeof host);
    snprintf(port, sizeof port, "%d", ntohs(from->sin_port));
    lo_address to = lo_address_new(host, port);
    if (to) {
        lo_send_message(to, path, m);
        lo_address_free(to);
    }
    lo_message_free(m);
}

/* Refuses a message: counted, logged, answered with /irmas/error. */
static void control_refuse(control *c, const struct sockaddr_in *from,
                           const char *path, const char *why)
{
    long n = atomic_fetch_add(&c->refused, 1) + 1;
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &from->sin_addr, host, sizeof host);
    log_warn("control: refused %s from %s:%d: %s (%ld refused so far)",
             path ? path : "a datagram", host, ntohs(from->sin_port), why, n);
    lo_message m = lo_message_new();
    lo_message_add_string(m, why);
    control_send(from, IRMAS_OSC_ERROR, m);
}

/* Answers path with one float. */
static void control_answer_float(const struct sockaddr_in *from,
                                 const char *path, double value)
{
    lo_message m = lo_message_new();
    lo_message_add_float(m, (float)value);
    control_send(from, path, m);
}

/* ---- requests ---- */

static void control_info(control *c, const struct sockaddr_in *from)
{
    lo_message m = lo_message_new();
    pthread_mutex_lock(&c->lock);
    lo_message_add_string(m, c->model_path);
    lo_message_add_int32(m, c->rate);
    lo_message_add_float(m, (float)c->hop);
    lo_message_add_float(m, (float)c->window);
    for (int i = 0; i < c->classes; i++) lo_message_add_string(m, c->labels[i]);
    pthread_mutex_unlock(&c->lock);
    control_send(from, IRMAS_OSC_INFO, m);
}

/* ---- reading a message ---- */

/* The one number a message carries (f, d or i), or NAN. liblo hands
 * arguments at 4-byte alignment while its union lo_arg wants 8, so they
 * are read through memcpy, never as union members. */
static double control_number(const char *types, lo_arg **argv)
{
    float f;
    double d;
    int32_t i;
    if (!strcmp(types, "f")) return memcpy(&f, (const void *)argv[0], sizeof f), f;
    if (!strcmp(types, "d")) return memcpy(&d, (const void *)argv[0], sizeof d), d;
    if (!strcmp(types, "i")) return memcpy(&i, (const void *)argv[0], sizeof i), i;
    return NAN;
}

/* Reads the arguments of a message at a known address into r; NULL, or
 * why they are refused. */
static const char *control_arguments(control_request *r, const char *types,
                                     lo_arg **argv)
{
    switch (r->kind) {
    case CONTROL_INFO:
        return *types ? "takes no argument" : NULL;
    case CONTROL_SUBSCRIBE:
    case CONTROL_UNSUBSCRIBE:
        if (!*types) return NULL;
        if (strcmp(types, "i"))
            return "takes no argument, or a port from 1 to 65535 (i)";
        r->port = (int)control_number(types, argv);
        return r->port >= 1 && r->port <= 65535
                   ? NULL : "takes no argument, or a port from 1 to 65535 (i)";
    case CONTROL_SET_GATE:
        if (!strcmp(types, "s") && !strcmp((const char *)argv[0], "off")) {
            r->value = -INFINITY;
            return NULL;
        }
        r->value = control_number(types, argv);
        return r->value <= 0 ? NULL
                             : "gate takes a level in dBFS at or below 0, or off";
    case CONTROL_SET_SMOOTH:
        r->value = control_number(types, argv);
        return r->value >= 0 && r->value <= 3600
                   ? NULL : "smooth takes 0 to 3600 seconds";
    case CONTROL_SET_HOP:
        r->value = control_number(types, argv);
        return r->value > 0 && r->value <= 3600 ? NULL : "hop takes seconds above 0";
    }
    return "unknown request";
}

irmas_status control_parse(const void *data, size_t size,
                           control_request *request, char *why, size_t whylen)
{
    static const struct {
        const char *path;
        control_kind kind;
    } addresses[] = {
        {IRMAS_OSC_INFO, CONTROL_INFO},
        {IRMAS_OSC_SUBSCRIBE, CONTROL_SUBSCRIBE},
        {IRMAS_OSC_UNSUBSCRIBE, CONTROL_UNSUBSCRIBE},
        {IRMAS_OSC_SET_SMOOTH, CONTROL_SET_SMOOTH},
        {IRMAS_OSC_SET_GATE, CONTROL_SET_GATE},
        {IRMAS_OSC_SET_HOP, CONTROL_SET_HOP},
    };
    *request = (control_request){0};
    int result = 0;
    const char *path = size > 0 ? lo_get_path((void *)data, (ssize_t)size) : NULL;
    lo_message m = path ? lo_message_deserialise((void *)data, size, &result)
                        : NULL;
    if (!m)
        return status_fail(why, whylen, IRMAS_ERR_FORMAT,
                           "not an OSC message (bundles are not taken here)");
    snprintf(request->path, sizeof request->path, "%s", path);
    const char *refusal = "unknown address: " IRMAS_OSC_INFO ", "
                          IRMAS_OSC_SUBSCRIBE ", " IRMAS_OSC_UNSUBSCRIBE ", "
                          IRMAS_OSC_SET_SMOOTH "|gate|hop";
    for (size_t i = 0; i < sizeof addresses / sizeof *addresses; i++) {
        if (strcmp(path, addresses[i].path)) continue;
        request->kind = addresses[i].kind;
        refusal = control_arguments(request, lo_message_get_types(m),
                                    lo_message_get_argv(m));
        break;
    }
    lo_message_free(m);
    return refusal ? status_fail(why, whylen, IRMAS_ERR_FORMAT, "%s", refusal)
                   : IRMAS_OK;
}

/* ---- acting on it ---- */

/* /irmas/subscribe and /irmas/unsubscribe: the sender, at the port it
 * named or the one it sent from. */
static void control_subscription(control *c, const struct sockaddr_in *from,
                                 const control_request *r)
{
    int subscribe = r->kind == CONTROL_SUBSCRIBE;
    char host[INET_ADDRSTRLEN], url[128], err[512];
    inet_ntop(AF_INET, &from->sin_addr, host, sizeof host);
    snprintf(url, sizeof url, "osc.udp://%s:%d", host,
             r->port ? r->port : ntohs(from->sin_port));
    irmas_status st = subscribe ? osc_out_subscribe(c->osc, url, err, sizeof err)
                                : osc_out_unsubscribe(c->osc, url, err, sizeof err);
    if (st != IRMAS_OK) {
        control_refuse(c, from, r->path, err);
        return;
    }
    log_info("control: %s %s", subscribe ? "subscribed" : "unsubscribed", url);
    lo_message m = lo_message_new();
    lo_message_add_string(m, url);
    control_send(from,
                 subscribe ? IRMAS_OSC_SUBSCRIBED : IRMAS_OSC_UNSUBSCRIBED, m);
}

/* /irmas/set/...: smoothing and gate now, the hop through the main thread. */
static void control_set(control *c, const struct sockaddr_in *from,
                        const control_request *r)
{
    pthread_mutex_lock(&c->lock);
    const char *refusal = NULL;
    if (r->kind == CONTROL_SET_SMOOTH) {
        c->smooth = r->value;
    } else if (r->kind == CONTROL_SET_GATE) {
        c->gate = r->value;
    } else if (r->value > c->window) {
        refusal = "hop takes at most the model's window";
    } else if (c->hop_pending) {
        refusal = "a hop change is already under way";
    } else {
        c->hop_pending = 1;
        c->hop_asked = r->value;
        c->hop_from = *from;
    }
    double gate = c->gate, smooth = c->smooth;
    pthread_mutex_unlock(&c->lock);
    if (refusal) {
        control_refuse(c, from, r->path, refusal);
        return;
    }
    if (r->kind == CONTROL_SET_HOP) return; /* answered by the main thread */
    daemon_worker_set_verdict(c->worker, gate, smooth);
    log_info("control: %s %g", r->path, r->value);
    if (isinf(r->value)) { /* the gate off: no infinity goes out over OSC */
        lo_message m = lo_message_new();
        lo_message_add_string(m, "off");
        control_send(from, r->path, m);
    } else {
        control_answer_float(from, r->path, r->value);
    }
}

/* Reads one datagram and acts on it. */
static void control_handle(control *c, const char *data, ssize_t size,
                           const struct sockaddr_in *from)
{
    control_request r;
    char why[256];
    if (control_parse(data, (size_t)size, &r, why, sizeof why) != IRMAS_OK) {
        control_refuse(c, from, r.path[0] ? r.path : NULL, why);
        return;
    }
    if (r.kind == CONTROL_INFO) control_info(c, from);
    else if (r.kind == CONTROL_SUBSCRIBE || r.kind == CONTROL_UNSUBSCRIBE)
        control_subscription(c, from, &r);
    else control_set(c, from, &r);
}

static void *control_run(void *arg)
{
    control *c = arg;
    char data[CONTROL_DATAGRAM_MAX];
    struct pollfd fds[2] = {{.fd = c->socket, .events = POLLIN},
                            {.fd = c->wake[0], .events = POLLIN}};
    for (;;) {
        if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
        if (fds[1].revents) break;
        if (!(fds[0].revents & POLLIN)) continue;
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(c->socket, data, sizeof data, 0,
                             (struct sockaddr *)&from, &len);
        if (n >= 0) control_handle(c, data, n, &from);
    }
    return NULL;
}

/* ---- life ---- */

/* Binds a UDP socket to listen ("PORT" or "HOST:PORT"); -1 after saying
 * why not. */
static int control_bind(const char *listen, char *err, size_t errlen)
{
    char host[64] = "127.0.0.1";
    const char *colon = strrchr(listen, ':'), *port_text = listen;
    if (colon) {
        size_t n = (size_t)(colon - listen);
        if (n == 0 || n >= sizeof host) {
            status_fail(err, errlen, IRMAS_ERR_ARG,
                        "--osc-listen %s: expected PORT or HOST:PORT", listen);
            return -1;
        }
        memcpy(host, listen, n);
        host[n] = '\0';
        port_text = colon + 1;
    }
    char *end;
    long port = strtol(port_text, &end, 10);
    struct sockaddr_in address = {.sin_family = AF_INET,
                                  .sin_port = htons((uint16_t)port)};
    if (end == port_text || *end || port < 1 || port > 65535) {
        status_fail(err, errlen, IRMAS_ERR_ARG,
                    "--osc-listen %s: the port must be 1 to 65535", listen);
        return -1;
    }
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) {
        status_fail(err, errlen, IRMAS_ERR_ARG,
                    "--osc-listen %s: %s is not an IPv4 address (127.0.0.1 "
                    "for this machine only, 0.0.0.0 for every interface)",
                    listen, host);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        status_fail(err, errlen, IRMAS_ERR_IO,
                    "--osc-listen %s: cannot listen there: %s", listen,
                    strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

irmas_status control_new(const char *listen, osc_out *osc,
                         daemon_worker *worker, double gate_dbfs,
                         double smooth_seconds, control **out, char *err,
                         size_t errlen)
{
    *out = NULL;
    control *c = calloc(1, sizeof *c);
    if (!c) return status_fail(err, errlen, IRMAS_ERR_NOMEM, "control: out of memory");
    c->wake[0] = c->wake[1] = -1;
    c->socket = control_bind(listen, err, errlen);
    if (c->socket < 0) {
        free(c);
        return IRMAS_ERR_ARG;
    }
    c->osc = osc;
    c->worker = worker;
    c->gate = gate_dbfs;
    c->smooth = smooth_seconds;
    pthread_mutex_init(&c->lock, NULL);
    if (pipe(c->wake) != 0 ||
        pthread_create(&c->thread, NULL, control_run, c) != 0) {
        status_fail(err, errlen, IRMAS_ERR_NOMEM,
                    "--osc-listen %s: cannot start the control thread", listen);
        close(c->socket);
        if (c->wake[0] >= 0) close(c->wake[0]), close(c->wake[1]);
        pthread_mutex_destroy(&c->lock);
        free(c);
        return IRMAS_ERR_NOMEM;
    }
    log_info("control: listening for OSC on udp %s", listen);
    *out = c;
    return IRMAS_OK;
}

void control_free(control *c)
{
    if (!c) return;
    char byte = 0;
    if (write(c->wake[1], &byte, 1) != 1) log_warn("control: cannot wake its thread");
    pthread_join(c->thread, NULL);
    close(c->socket);
    close(c->wake[0]);
    close(c->wake[1]);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void control_set_model(control *c, const char *path, const irmas_model *m,
                       double hop_seconds)
{
    pthread_mutex_lock(&c->lock);
    snprintf(c->model_path, sizeof c->model_path, "%s", path);
    c->rate = m->sample_rate;
    c->hop = hop_seconds;
    c->window = (double)m->window_samples / m->sample_rate;
    c->classes = m->classes;
    memcpy(c->labels, m->labels, sizeof c->labels);
    pthread_mutex_unlock(&c->lock);
}

int control_take_hop(control *c, double *hop_seconds)
{
    pthread_mutex_lock(&c->lock);
    int pending = c->hop_pending;
    if (pending) {
        *hop_seconds = c->hop_asked;
        c->answering = c->hop_from;
        c->hop_pending = 0;
    }
    pthread_mutex_unlock(&c->lock);
    return pending;
}

void control_answer_hop(control *c, double hop_seconds, const char *error)
{
    if (error) {
        control_refuse(c, &c->answering, IRMAS_OSC_SET_HOP, error);
        return;
    }
    log_info("control: /irmas/set/hop %g", hop_seconds);
    control_answer_float(&c->answering, IRMAS_OSC_SET_HOP, hop_seconds);
}

long control_refused(control *c) { return atomic_load(&c->refused); }
