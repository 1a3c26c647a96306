/* control.h: irmasd's OSC control port (--osc-listen [HOST:]PORT, UDP,
 * bound to 127.0.0.1 unless a HOST is given): what a visualiser or a
 * control surface may ask and change while irmasd runs.
 *
 *   /irmas/info              reply /irmas/info s i f f s...: the model file,
 *                            its rate, the hop and window in seconds, the
 *                            class labels in model order
 *   /irmas/subscribe [i]     the sender (at its port, or at the port given)
 *                            becomes a target; reply /irmas/subscribed s URL
 *   /irmas/unsubscribe [i]   it stops being one; reply /irmas/unsubscribed s
 *   /irmas/set/smooth f      the moving average's time constant, 0 to 3600 s
 *   /irmas/set/gate f|s      the silence gate in dBFS (at most 0), or "off"
 *   /irmas/set/hop f         the time between windows (the model is loaded
 *                            again with it, as on SIGHUP)
 * Each /irmas/set/... is answered with the same address and the value now
 * in force ("off" for a gate turned off). Anything refused (an unknown address, wrong arguments, a value
 * out of range, bytes that are not OSC) is answered, when it can be, with
 * /irmas/error s (the reason), counted and logged, never fatal.
 *
 * Threads: one of its own, which reads the port and answers. The main
 * thread creates and frees it, tells it the model in use after each load
 * (control_set_model), and carries out hop changes (control_take_hop,
 * control_answer_hop), since they load a model.
 */
#ifndef IRMASD_CONTROL_H
#define IRMASD_CONTROL_H

#include "model.h"
#include "osc.h"
#include "daemon_worker.h"

typedef struct control control;

/* What one control message asks. */
typedef enum {
    CONTROL_INFO, CONTROL_SUBSCRIBE, CONTROL_UNSUBSCRIBE,
    CONTROL_SET_SMOOTH, CONTROL_SET_GATE, CONTROL_SET_HOP
} control_kind;

typedef struct {
    control_kind kind;
    double value;  /* CONTROL_SET_*: seconds or dBFS (-INFINITY: gate off) */
    int port;      /* CONTROL_(UN)SUBSCRIBE: the port named, 0: the sender's */
    char path[64]; /* the address, cut to fit: what answers name */
} control_request;

/* Reads one datagram as a control message: IRMAS_OK and *request, or
 * IRMAS_ERR_FORMAT with why (not OSC, an unknown address, wrong arguments,
 * a smoothing or gate out of range); request->path then holds the address
 * when there was one, else "". Checks everything but what depends on the
 * model (the hop against its window). Pure: any thread; fuzzed
 * (tests/fuzz/fuzz_control.c). */
irmas_status control_parse(const void *data, size_t size,
                           control_request *request, char *why,
                           size_t whylen);

/* Listens on listen ("PORT" or "HOST:PORT") for control messages; osc
 * takes the subscribers, worker the new gate and smoothing, which start at
 * gate_dbfs and smooth_seconds. A port out of range, a host that is not an
 * IPv4 address of this machine, or a port in use is an error naming it. */
irmas_status control_new(const char *listen, osc_out *osc,
                         daemon_worker *worker, double gate_dbfs,
                         double smooth_seconds, control **out, char *err,
                         size_t errlen);

/* Stops the thread and frees everything; NULL is fine. */
void control_free(control *c);

/* What /irmas/info says: the model at path as a tagger runs it. Main
 * thread, after each load. */
void control_set_model(control *c, const char *path, const irmas_model *m,
                       double hop_seconds);

/* A /irmas/set/hop waiting to be carried out: 1 and *hop_seconds, or 0.
 * Main thread; answer it with control_answer_hop. */
int control_take_hop(control *c, double *hop_seconds);

/* Answers the hop request taken last: the hop in force, or why it was
 * refused (error not NULL). Main thread. */
void control_answer_hop(control *c, double hop_seconds, const char *error);

/* Control messages refused so far. Any thread. */
long control_refused(control *c);

#endif
