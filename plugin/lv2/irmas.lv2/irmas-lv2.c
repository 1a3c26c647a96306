/* irmas-lv2.c: irmas as an LV2 plugin: an audio track (mono, or a stereo
 * pair with the optional right ports) passes through unchanged while
 * control outputs say which instruments play.
 *
 * The host's audio goes through the host tagger (host_tagger.h), irmasd's
 * own resampler, classifier, gate and moving average; each window (every
 * 0.5 s) sets the class probability outputs, the top class and its
 * probability, which hold until the next window.
 *
 * The model runs on the host's worker thread, as irmasd runs it on its
 * own: a model may do a whole window's work at each hop (the default, a
 * CNN, does), which an audio thread must not wait for. run() only copies
 * the audio into a ring (ring.h, irmasd's own hand-off) and asks the worker
 * to read it; each window's verdict comes back to the outputs a run or two
 * later. Audio the ring has no room for (the worker fell behind) is counted
 * and logged, and the windows start afresh after the gap.
 *
 * Threads, as LV2 has them:
 *   run()                 the audio thread: reads the control events,
 *                         writes the audio to the ring and asks the worker
 *                         to read it, shows the latest verdict on the
 *                         outputs. It allocates, locks and logs nothing.
 *   work()                the host's worker thread: owns the model; feeds
 *                         it the ring's audio and answers each window's
 *                         verdict; loads a model the control port asked
 *                         for (patch:Set irmas:model) and frees the one it
 *                         replaces.
 *   work_response()       the audio thread again, between two run()s: a
 *                         verdict onto the outputs, a new model announced.
 *   instantiate, activate, cleanup, save, restore: the host's main thread
 *                         (save may run beside run() and work()): they may
 *                         allocate and block.
 * The model's path is the plugin's state: saved with the session, and
 * restored with it.
 */
#include "classes.h"
#include "host_tagger.h"
#include "mixdown.h"
#include "model_file.h"
#include "ring.h"

#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/core/lv2.h>
#include <lv2/log/log.h>
#include <lv2/log/logger.h>
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define IRMAS_LV2_URI "urn:irmasd:lv2:tagger"
#define IRMAS_LV2_MODEL IRMAS_LV2_URI "#model"
#define IRMAS_LV2_CLASSES CLASSES_IRMAS /* the probability ports */
#define IRMAS_LV2_PATH_MAX 1024
#define IRMAS_LV2_HOP 0.5 /* seconds between windows */
#define IRMAS_LV2_CONTROL_MAX 8192 /* bytes of control events read a run */
#define IRMAS_LV2_RING_SECONDS 4.0 /* of audio the worker may fall behind */

enum {
    PORT_IN, PORT_OUT, PORT_CONTROL, PORT_NOTIFY, PORT_SMOOTH, PORT_GATE,
    PORT_TOP, PORT_TOP_PROBABILITY, PORT_FIRST_CLASS,
    /* The optional stereo pair's right side, after the classes. */
    PORT_IN_RIGHT = PORT_FIRST_CLASS + IRMAS_LV2_CLASSES, PORT_OUT_RIGHT
};

/* A model at work: its tagger, where each of its classes is shown, the
 * file it came from ("": the default) and the settings it runs with. */
typedef struct {
    host_tagger *tagger;
    int port_of_class[MODEL_MAX_CLASSES]; /* -1: no port shows it */
    char path[IRMAS_LV2_PATH_MAX];
    float gate, smooth;
} loaded_model;

/* What run() sends the worker, and the worker answers. Each message starts
 * with its kind. */
typedef enum { WORK_AUDIO, WORK_LOAD, WORK_LOADED, WORK_VERDICT } work_kind;

/* WORK_AUDIO: the ring holds audio to read. WORK_LOAD: load path.
 * WORK_LOADED: path now runs. Sent up to the end of the path. */
typedef struct {
    work_kind kind;
    char path[IRMAS_LV2_PATH_MAX];
} work_request;

/* WORK_VERDICT: one window as the outputs show it; silence (all 0, top -1)
 * below the gate. */
typedef struct {
    work_kind kind;
    float probability[IRMAS_LV2_CLASSES];
    float top, top_probability;
} work_verdict;

typedef union {
    work_kind kind;
    work_request request;
    work_verdict verdict;
} work_message;

typedef struct {
    LV2_URID atom_Path, atom_Object, atom_URID, atom_eventTransfer;
    LV2_URID patch_Get, patch_Set, patch_property, patch_value;
    LV2_URID irmas_model;
} uris;

typedef struct {
    LV2_URID_Map *map;
    LV2_Worker_Schedule *schedule;
    LV2_Log_Logger logger;
    LV2_Atom_Forge forge;
    uris uris;
    double rate;

    /* Ports: the audio thread's. */
    const float *in, *in_right; /* in_right NULL: mono */
    float *out, *out_right;
    const LV2_Atom_Sequence *control;
    LV2_Atom_Sequence *notify;
    const float *smooth, *gate;
    float *top, *top_probability;
    float *probability[IRMAS_LV2_CLASSES];

    /* The control port's events, copied to 64-bit alignment: some hosts
     * (jalv 1.6) hand over buffers only 32-bit aligned, and an event's
     * 64-bit time may not be read there. */
    union {
        LV2_Atom_Sequence sequence;
        uint64_t align;
        unsigned char bytes[IRMAS_LV2_CONTROL_MAX];
    } control_copy;

    /* The audio thread's (and the main thread's while the plugin is not
     * running). */
    ring *audio;              /* run() writes, work() reads */
    bool restart;             /* the next block follows no earlier one */
    work_verdict shown;       /* the latest window, held on the outputs */
    char announced[IRMAS_LV2_PATH_MAX]; /* the model running, for notify */
    bool announce;            /* tell the host which model runs */

    /* Between the audio thread and the worker. */
    atomic_bool audio_asked;  /* a WORK_AUDIO waits for the worker */
    /* The control ports' values: each stands alone, so relaxed order
     * suffices (and run() pays for no fence). */
    _Atomic float gate_asked, smooth_asked;

    /* The worker's. */
    loaded_model *model;
    float *frames, *mono;     /* a block from the ring; its mixdown */
    long long lost_logged;    /* frames of lost audio logged so far */

    /* The model's path is read by save() beside the worker, and restore()
     * leaves its model for the worker to take up: both under model_lock,
     * which the audio thread never takes. */
    pthread_mutex_t model_lock;
    loaded_model *restored;
} irmas_lv2;

/* ---- models: the main and worker threads ---- */

static void loaded_model_free(loaded_model *l)
{
    if (!l) return;
    host_tagger_free(l->tagger);
    free(l);
}

/* The gate and moving average the control ports ask for (any thread). */
static void settings_asked(irmas_lv2 *self, float *gate, float *smooth)
{
    *gate = atomic_load_explicit(&self->gate_asked, memory_order_relaxed);
    *smooth = atomic_load_explicit(&self->smooth_asked, memory_order_relaxed);
}

/* Loads path (NULL or "": the default model) for the host's rate with the
 * settings the control ports ask for; NULL after logging why not. */
static loaded_model *loaded_model_new(irmas_lv2 *self, const char *path)
{
    loaded_model *l = calloc(1, sizeof *l);
    char err[1024] = "out of memory";
    irmas_model *m = NULL;
    if (l) settings_asked(self, &l->gate, &l->smooth);
    if (!l ||
        host_tagger_load(path && *path ? path : model_default_path(), &m,
                         err, sizeof err) ||
        host_tagger_new(m, self->rate, IRMAS_LV2_HOP, l->gate, l->smooth,
                        &l->tagger, err, sizeof err)) {
        lv2_log_error(&self->logger, "irmas: %s; the model in use stays\n", err);
        free(l);
        return NULL;
    }
    const irmas_model *loaded = host_tagger_model(l->tagger);
    for (int c = 0; c < loaded->classes; c++) {
        l->port_of_class[c] = -1;
        for (int p = 0; p < IRMAS_LV2_CLASSES; p++)
            if (!strcmp(loaded->labels[c], classes_code(p)))
                l->port_of_class[c] = p; /* the ports are in IRMAS order */
    }
    snprintf(l->path, sizeof l->path, "%s", path && *path ? path : "");
    return l;
}

/* The bytes of msg worth sending: a request up to its path's end. */
static uint32_t message_size(const work_message *msg)
{
    if (msg->kind == WORK_VERDICT) return sizeof msg->verdict;
    if (msg->kind == WORK_AUDIO) return offsetof(work_request, path);
    return (uint32_t)(offsetof(work_request, path) + strlen(msg->request.path) + 1);
}

/* Copies a message the host hands over (its copy need not be aligned);
 * false when it is none of ours. */
static bool message_read(uint32_t size, const void *data, work_message *msg)
{
    if (size < sizeof msg->kind || size > sizeof *msg) return false;
    memset(msg, 0, sizeof *msg);
    memcpy(msg, data, size);
    msg->request.path[sizeof msg->request.path - 1] = '\0';
    return msg->kind >= WORK_AUDIO && msg->kind <= WORK_VERDICT;
}

/* Makes l the model at work and returns the one it replaces. */
static loaded_model *swap_model(irmas_lv2 *self, loaded_model *l)
{
    pthread_mutex_lock(&self->model_lock);
    loaded_model *old = self->model;
    self->model = l;
    pthread_mutex_unlock(&self->model_lock);
    return old;
}

/* ---- the worker ---- */

/* Where the worker answers, for the tagger's callback. */
typedef struct {
    irmas_lv2 *self;
    LV2_Worker_Respond_Function respond;
    LV2_Worker_Respond_Handle handle;
} worker_answer;

/* The host tagger's callback: one window's verdict, sent to the outputs. */
static void on_window(void *user, const float *probs, double level_dbfs,
                      double end_seconds)
{
    (void)level_dbfs, (void)end_seconds;
    const worker_answer *a = user;
    const loaded_model *l = a->self->model;
    work_message msg = {.verdict = {.kind = WORK_VERDICT, .top = -1.0f}};
    if (probs) {
        int top = 0;
        for (int c = 0; c < host_tagger_model(l->tagger)->classes; c++) {
            int port = l->port_of_class[c];
            if (port >= 0) msg.verdict.probability[port] = probs[c];
            if (probs[c] > probs[top]) top = c;
        }
        msg.verdict.top = (float)l->port_of_class[top];
        msg.verdict.top_probability = probs[top];
    }
    a->respond(a->handle, message_size(&msg), &msg);
}

/* Feeds the model every block waiting in the ring (a block after a gap
 * starts its windows afresh), then logs any audio lost since last time. */
static void read_audio(irmas_lv2 *self, worker_answer *a)
{
    ring_block b;
    while (ring_read(self->audio, &b, self->frames)) {
        loaded_model *l = self->model;
        if (!l) continue;
        float gate, smooth;
        settings_asked(self, &gate, &smooth);
        if (gate != l->gate || smooth != l->smooth) {
            l->gate = gate;
            l->smooth = smooth;
            host_tagger_set(l->tagger, gate, smooth);
        }
        if (b.discontinuous) host_tagger_reset(l->tagger);
        mixdown_interleaved(self->frames, b.frames, 2, self->mono);
        const float *mono = self->mono;
        host_tagger_push(l->tagger, &mono, 1, b.frames, on_window, a);
    }
    long long lost = ring_overruns(self->audio);
    if (lost > self->lost_logged) {
        lv2_log_warning(&self->logger,
                        "irmas: %lld frames of audio lost in all (%lld now): "
                        "the model fell more than %.0f s behind the host, "
                        "whose worker thread is busy or too slow for it; the "
                        "windows start afresh after the gap\n",
                        lost, lost - self->lost_logged, IRMAS_LV2_RING_SECONDS);
        self->lost_logged = lost;
    }
}

/* Takes up the model restore() left, if any: restore announced it. */
static void take_restored(irmas_lv2 *self)
{
    pthread_mutex_lock(&self->model_lock);
    loaded_model *l = self->restored, *old = NULL;
    self->restored = NULL;
    if (l) {
        old = self->model;
        self->model = l;
    }
    pthread_mutex_unlock(&self->model_lock);
    loaded_model_free(old);
}

static LV2_Worker_Status work(LV2_Handle instance,
                              LV2_Worker_Respond_Function respond,
                              LV2_Worker_Respond_Handle handle, uint32_t size,
                              const void *data)
{
    irmas_lv2 *self = instance;
    work_message msg;
    if (!message_read(size, data, &msg)) return LV2_WORKER_ERR_UNKNOWN;
    take_restored(self);
    if (msg.kind == WORK_AUDIO) {
        /* Blocks written from now on need another request. */
        atomic_store(&self->audio_asked, false);
        worker_answer a = {self, respond, handle};
        read_audio(self, &a);
    } else if (msg.kind == WORK_LOAD) {
        loaded_model *l = loaded_model_new(self, msg.request.path);
        if (!l) return LV2_WORKER_SUCCESS;
        loaded_model_free(swap_model(self, l));
        work_message reply = {.request = {.kind = WORK_LOADED}};
        memcpy(reply.request.path, l->path, sizeof l->path);
        respond(handle, message_size(&reply), &reply);
    }
    return LV2_WORKER_SUCCESS;
}

/* ---- the audio thread ---- */

/* No window yet: silence on every output. */
static const work_verdict silence = {.kind = WORK_VERDICT, .top = -1.0f};

static LV2_Worker_Status work_response(LV2_Handle instance, uint32_t size,
                                       const void *data)
{
    irmas_lv2 *self = instance;
    work_message msg;
    if (!message_read(size, data, &msg)) return LV2_WORKER_ERR_UNKNOWN;
    if (msg.kind == WORK_VERDICT) {
        self->shown = msg.verdict;
    } else if (msg.kind == WORK_LOADED) {
        memcpy(self->announced, msg.request.path, sizeof self->announced);
        self->shown = silence;
        self->announce = true;
    }
    return LV2_WORKER_SUCCESS;
}

/* Writes patch:Set irmas:model PATH to the notify port. */
static void write_model_set(irmas_lv2 *self)
{
    const char *path = self->announced;
    LV2_Atom_Forge_Frame frame;
    lv2_atom_forge_frame_time(&self->forge, 0);
    lv2_atom_forge_object(&self->forge, &frame, 0, self->uris.patch_Set);
    lv2_atom_forge_key(&self->forge, self->uris.patch_property);
    lv2_atom_forge_urid(&self->forge, self->uris.irmas_model);
    lv2_atom_forge_key(&self->forge, self->uris.patch_value);
    lv2_atom_forge_path(&self->forge, path, (uint32_t)strlen(path));
    lv2_atom_forge_pop(&self->forge, &frame);
}

/* Handles one control event: patch:Set of the model schedules its loading,
 * patch:Get asks which model runs. */
static void handle_event(irmas_lv2 *self, const LV2_Atom_Event *ev)
{
    const uris *u = &self->uris;
    if (ev->body.type != u->atom_Object) return;
    const LV2_Atom_Object *obj = (const LV2_Atom_Object *)&ev->body;
    if (obj->body.otype == u->patch_Get) {
        self->announce = true;
        return;
    }
    if (obj->body.otype != u->patch_Set) return;
    const LV2_Atom *property = NULL, *value = NULL;
    lv2_atom_object_get(obj, u->patch_property, &property, u->patch_value,
                        &value, 0);
    if (!property || property->type != u->atom_URID ||
        ((const LV2_Atom_URID *)property)->body != u->irmas_model || !value ||
        value->type != u->atom_Path || value->size >= IRMAS_LV2_PATH_MAX)
        return;
    work_message msg = {.request = {.kind = WORK_LOAD}};
    memcpy(msg.request.path, LV2_ATOM_BODY_CONST(value), value->size);
    msg.request.path[value->size] = '\0';
    self->schedule->schedule_work(self->schedule->handle, message_size(&msg),
                                  &msg);
}

/* Writes n frames to the ring (a mono track to both sides) and asks the
 * worker to read them, unless a request is still waiting for it. */
static void send_audio(irmas_lv2 *self, uint32_t n)
{
    if (n == 0) return;
    const float *channels[2] = {self->in, self->in_right ? self->in_right : self->in};
    ring_block b = {.frames = (int)n, .rate = (int)self->rate,
                    .discontinuous = self->restart};
    ring_write_planar(self->audio, &b, channels); /* a loss is counted */
    self->restart = false;
    if (atomic_exchange(&self->audio_asked, true)) return;
    work_message msg = {.kind = WORK_AUDIO};
    if (self->schedule->schedule_work(self->schedule->handle, message_size(&msg),
                                      &msg) != LV2_WORKER_SUCCESS)
        atomic_store(&self->audio_asked, false); /* asked again next run */
}

static void run(LV2_Handle instance, uint32_t n)
{
    irmas_lv2 *self = instance;
    const uint32_t capacity = self->notify->atom.size;
    lv2_atom_forge_set_buffer(&self->forge, (uint8_t *)self->notify, capacity);
    LV2_Atom_Forge_Frame notify_frame;
    lv2_atom_forge_sequence_head(&self->forge, &notify_frame, 0);

    /* Events that do not fit the copy are not read: patch messages are a
     * few dozen bytes. */
    size_t control_size = sizeof(LV2_Atom) + self->control->atom.size;
    if (control_size <= sizeof self->control_copy) {
        memcpy(self->control_copy.bytes, self->control, control_size);
        LV2_ATOM_SEQUENCE_FOREACH (&self->control_copy.sequence, ev)
            handle_event(self, ev);
    }
    atomic_store_explicit(&self->gate_asked, *self->gate, memory_order_relaxed);
    atomic_store_explicit(&self->smooth_asked, *self->smooth,
                          memory_order_relaxed);

    if (self->out != self->in) memcpy(self->out, self->in, n * sizeof *self->in);
    if (self->in_right && self->out_right && self->out_right != self->in_right)
        memcpy(self->out_right, self->in_right, n * sizeof *self->in_right);
    send_audio(self, n);

    for (int p = 0; p < IRMAS_LV2_CLASSES; p++)
        if (self->probability[p]) *self->probability[p] = self->shown.probability[p];
    if (self->top) *self->top = self->shown.top;
    if (self->top_probability) *self->top_probability = self->shown.top_probability;
    if (self->announce) {
        write_model_set(self);
        self->announce = false;
    }
    lv2_atom_forge_pop(&self->forge, &notify_frame);
}

/* ---- state: the model's path ---- */

/* The host's state:mapPath feature, which makes paths portable, or NULL. */
static LV2_State_Map_Path *find_map_path(const LV2_Feature *const *features)
{
    for (int i = 0; features && features[i]; i++)
        if (!strcmp(features[i]->URI, LV2_STATE__mapPath))
            return features[i]->data;
    return NULL;
}

static LV2_State_Status save(LV2_Handle instance,
                             LV2_State_Store_Function store,
                             LV2_State_Handle handle, uint32_t flags,
                             const LV2_Feature *const *features)
{
    (void)flags;
    irmas_lv2 *self = instance;
    char model_path[IRMAS_LV2_PATH_MAX] = "";
    pthread_mutex_lock(&self->model_lock);
    const loaded_model *l = self->restored ? self->restored : self->model;
    if (l) memcpy(model_path, l->path, sizeof model_path);
    pthread_mutex_unlock(&self->model_lock);
    if (!model_path[0]) return LV2_STATE_SUCCESS; /* the default */

    LV2_State_Map_Path *map_path = find_map_path(features);
    char *abstract = map_path ? map_path->abstract_path(map_path->handle,
                                                        model_path)
                              : NULL;
    const char *path = abstract ? abstract : model_path;
    LV2_State_Status st = store(handle, self->uris.irmas_model, path,
                                strlen(path) + 1, self->uris.atom_Path,
                                LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
    free(abstract);
    return st;
}

/* Loads the saved model here, with the plugin stopped, and leaves it for
 * the worker to take up at its next job; the first run() announces it. */
static LV2_State_Status restore(LV2_Handle instance,
                                LV2_State_Retrieve_Function retrieve,
                                LV2_State_Handle handle, uint32_t flags,
                                const LV2_Feature *const *features)
{
    (void)flags;
    irmas_lv2 *self = instance;
    size_t size;
    uint32_t type, value_flags;
    const char *value = retrieve(handle, self->uris.irmas_model, &size, &type,
                                 &value_flags);
    if (!value || type != self->uris.atom_Path) return LV2_STATE_SUCCESS;
    LV2_State_Map_Path *map_path = find_map_path(features);
    char *absolute = map_path ? map_path->absolute_path(map_path->handle, value)
                              : NULL;
    loaded_model *l = loaded_model_new(self, absolute ? absolute : value);
    free(absolute);
    if (!l) return LV2_STATE_ERR_UNKNOWN;
    memcpy(self->announced, l->path, sizeof self->announced);
    pthread_mutex_lock(&self->model_lock);
    loaded_model *old = self->restored;
    self->restored = l;
    pthread_mutex_unlock(&self->model_lock);
    loaded_model_free(old);
    self->shown = silence;
    self->announce = true;
    return LV2_STATE_SUCCESS;
}

/* ---- life ---- */

static void cleanup(LV2_Handle instance)
{
    irmas_lv2 *self = instance;
    loaded_model_free(self->model);
    loaded_model_free(self->restored);
    ring_free(self->audio);
    free(self->frames);
    free(self->mono);
    pthread_mutex_destroy(&self->model_lock);
    free(self);
}

static LV2_Handle instantiate(const LV2_Descriptor *descriptor, double rate,
                              const char *bundle_path,
                              const LV2_Feature *const *features)
{
    (void)descriptor, (void)bundle_path;
    irmas_lv2 *self = calloc(1, sizeof *self);
    if (!self) return NULL;
    LV2_Log_Log *log = NULL;
    for (int i = 0; features[i]; i++) {
        if (!strcmp(features[i]->URI, LV2_URID__map)) self->map = features[i]->data;
        else if (!strcmp(features[i]->URI, LV2_WORKER__schedule))
            self->schedule = features[i]->data;
        else if (!strcmp(features[i]->URI, LV2_LOG__log)) log = features[i]->data;
    }
    lv2_log_logger_init(&self->logger, self->map, log);
    if (!self->map || !self->schedule) {
        lv2_log_error(&self->logger, "irmas: the host lacks %s\n",
                      self->map ? LV2_WORKER__schedule : LV2_URID__map);
        free(self);
        return NULL;
    }
    LV2_URID_Map *map = self->map;
    self->uris = (uris){
        .atom_Path = map->map(map->handle, LV2_ATOM__Path),
        .atom_Object = map->map(map->handle, LV2_ATOM__Object),
        .atom_URID = map->map(map->handle, LV2_ATOM__URID),
        .atom_eventTransfer = map->map(map->handle, LV2_ATOM__eventTransfer),
        .patch_Get = map->map(map->handle, LV2_PATCH__Get),
        .patch_Set = map->map(map->handle, LV2_PATCH__Set),
        .patch_property = map->map(map->handle, LV2_PATCH__property),
        .patch_value = map->map(map->handle, LV2_PATCH__value),
        .irmas_model = map->map(map->handle, IRMAS_LV2_MODEL)};
    lv2_atom_forge_init(&self->forge, map);
    self->rate = rate;
    self->shown = silence;
    atomic_init(&self->audio_asked, false);
    atomic_init(&self->gate_asked, -60.0f);
    atomic_init(&self->smooth_asked, 0.0f);
    pthread_mutex_init(&self->model_lock, NULL);

    char err[256];
    self->frames = malloc(RING_MAX_BLOCK * 2 * sizeof *self->frames);
    self->mono = malloc(RING_MAX_BLOCK * sizeof *self->mono);
    if (!self->frames || !self->mono ||
        ring_new(2, (long)(IRMAS_LV2_RING_SECONDS * rate), &self->audio, err,
                 sizeof err)) {
        lv2_log_error(&self->logger, "irmas: %s\n",
                      self->frames && self->mono ? err : "out of memory");
        cleanup(self);
        return NULL;
    }
    /* The default model, so the plugin tags from the start; a session's
     * state or a patch:Set may replace it. */
    self->model = loaded_model_new(self, NULL);
    return self;
}

static void connect_port(LV2_Handle instance, uint32_t port, void *data)
{
    irmas_lv2 *self = instance;
    switch (port) {
    case PORT_IN: self->in = data; break;
    case PORT_OUT: self->out = data; break;
    case PORT_CONTROL: self->control = data; break;
    case PORT_NOTIFY: self->notify = data; break;
    case PORT_SMOOTH: self->smooth = data; break;
    case PORT_GATE: self->gate = data; break;
    case PORT_TOP: self->top = data; break;
    case PORT_TOP_PROBABILITY: self->top_probability = data; break;
    case PORT_IN_RIGHT: self->in_right = data; break;
    case PORT_OUT_RIGHT: self->out_right = data; break;
    default:
        if (port >= PORT_FIRST_CLASS &&
            port < PORT_FIRST_CLASS + IRMAS_LV2_CLASSES)
            self->probability[port - PORT_FIRST_CLASS] = data;
    }
}

/* The host starts (again) to run the plugin: the windows start afresh with
 * the next block. */
static void activate(LV2_Handle instance)
{
    irmas_lv2 *self = instance;
    self->restart = true;
    self->shown = silence;
    self->announce = true;
}

static const void *extension_data(const char *uri)
{
    static const LV2_Worker_Interface worker = {work, work_response, NULL};
    static const LV2_State_Interface state = {save, restore};
    if (!strcmp(uri, LV2_WORKER__interface)) return &worker;
    if (!strcmp(uri, LV2_STATE__interface)) return &state;
    return NULL;
}

static const LV2_Descriptor descriptor = {
    IRMAS_LV2_URI, instantiate, connect_port, activate, run, NULL, cleanup,
    extension_data};

LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t index)
{
    return index == 0 ? &descriptor : NULL;
}
