/* irmas-lv2.c: irmas as an LV2 plugin: an audio track (mono, or a stereo
 * pair with the optional right ports) passes through unchanged while
 * control outputs say which instruments play.
 *
 * The host's audio goes through the host tagger (host_tagger.h), irmasd's
 * own resampler, classifier, gate and moving average; each window (every
 * 0.5 s) sets the class probability outputs, the top class and its
 * probability, which hold until the next window.
 *
 * Threads, as LV2 has them:
 *   run()                 the audio thread: reads the control events,
 *                         feeds the tagger, writes the outputs. It
 *                         allocates, locks and logs nothing.
 *   work()                the host's worker thread: loads a model the
 *                         control port asked for (patch:Set irmas:model)
 *                         and builds its tagger; frees the one replaced.
 *   work_response()       the audio thread again, between two run()s:
 *                         swaps the new tagger in and hands the old one
 *                         back to the worker to free.
 *   instantiate, cleanup, save, restore: the host's main thread, with the
 *                         plugin not running: they may allocate and block.
 * The model's path is the plugin's state: saved with the session, and
 * restored with it.
 */
#include "classes.h"
#include "host_tagger.h"
#include "model_file.h"

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

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define IRMAS_LV2_URI "urn:irmasd:lv2:tagger"
#define IRMAS_LV2_MODEL IRMAS_LV2_URI "#model"
#define IRMAS_LV2_CLASSES CLASSES_IRMAS /* the probability ports */
#define IRMAS_LV2_PATH_MAX 1024
#define IRMAS_LV2_HOP 0.5 /* seconds between windows */
#define IRMAS_LV2_CONTROL_MAX 8192 /* bytes of control events read a run */

enum {
    PORT_IN, PORT_OUT, PORT_CONTROL, PORT_NOTIFY, PORT_SMOOTH, PORT_GATE,
    PORT_TOP, PORT_TOP_PROBABILITY, PORT_FIRST_CLASS,
    /* The optional stereo pair's right side, after the classes. */
    PORT_IN_RIGHT = PORT_FIRST_CLASS + IRMAS_LV2_CLASSES, PORT_OUT_RIGHT
};

/* A model at work: its tagger, where each of its classes is shown, and
 * the file it came from. */
typedef struct {
    host_tagger *tagger;
    int port_of_class[MODEL_MAX_CLASSES]; /* -1: no port shows it */
    char path[IRMAS_LV2_PATH_MAX];
} loaded_model;

/* What run() sends the worker, and the worker answers. */
typedef enum { WORK_LOAD, WORK_LOADED, WORK_FREE } work_kind;
typedef struct {
    work_kind kind;
    loaded_model *model;            /* WORK_LOADED, WORK_FREE */
    char path[IRMAS_LV2_PATH_MAX];  /* WORK_LOAD */
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

    double rate;
    loaded_model *model;
    float smooth_in_force, gate_in_force;
    /* The latest window, held on the outputs until the next one. */
    float latest[IRMAS_LV2_CLASSES], latest_top, latest_top_probability;
    bool announce; /* tell the host which model runs, on notify */
} irmas_lv2;

/* ---- models: main and worker threads ---- */

static void loaded_model_free(loaded_model *l)
{
    if (!l) return;
    host_tagger_free(l->tagger);
    free(l);
}

/* Loads path (NULL or "": the streaming model, model_file.h: run() feeds
 * the tagger in the audio thread, where a model must do one frame's work
 * per hop) for the host's rate with the settings in force; NULL after
 * logging why not. */
static loaded_model *loaded_model_new(irmas_lv2 *self, const char *path)
{
    loaded_model *l = calloc(1, sizeof *l);
    char err[1024] = "out of memory";
    irmas_model *m = NULL;
    if (!l ||
        host_tagger_load(path && *path ? path : model_streaming_path(), &m,
                         err, sizeof err) ||
        host_tagger_new(m, self->rate, IRMAS_LV2_HOP, self->gate_in_force,
                        self->smooth_in_force, &l->tagger, err, sizeof err)) {
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

/* ---- the audio thread ---- */

/* Shows no window yet: silence on every output. */
static void clear_latest(irmas_lv2 *self)
{
    memset(self->latest, 0, sizeof self->latest);
    self->latest_top = -1.0f;
    self->latest_top_probability = 0.0f;
}

/* The host tagger's callback: one window's verdict onto the outputs. */
static void on_window(void *user, const float *probs, double level_dbfs,
                      double end_seconds)
{
    (void)level_dbfs, (void)end_seconds;
    irmas_lv2 *self = user;
    clear_latest(self);
    if (!probs) return; /* below the gate */
    const irmas_model *m = host_tagger_model(self->model->tagger);
    int top = 0;
    for (int c = 0; c < m->classes; c++) {
        int port = self->model->port_of_class[c];
        if (port >= 0) self->latest[port] = probs[c];
        if (probs[c] > probs[top]) top = c;
    }
    self->latest_top = (float)self->model->port_of_class[top];
    self->latest_top_probability = probs[top];
}

/* Writes patch:Set irmas:model PATH to the notify port. */
static void write_model_set(irmas_lv2 *self)
{
    const char *path = self->model ? self->model->path : "";
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
    work_message msg = {.kind = WORK_LOAD};
    memcpy(msg.path, LV2_ATOM_BODY_CONST(value), value->size);
    msg.path[value->size] = '\0';
    self->schedule->schedule_work(self->schedule->handle, sizeof msg, &msg);
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

    if (self->model && (*self->smooth != self->smooth_in_force ||
                        *self->gate != self->gate_in_force)) {
        self->smooth_in_force = *self->smooth;
        self->gate_in_force = *self->gate;
        host_tagger_set(self->model->tagger, self->gate_in_force,
                        self->smooth_in_force);
    }
    if (self->out != self->in) memcpy(self->out, self->in, n * sizeof *self->in);
    if (self->in_right && self->out_right && self->out_right != self->in_right)
        memcpy(self->out_right, self->in_right, n * sizeof *self->in_right);
    if (self->model) {
        const float *channels[2] = {self->in, self->in_right};
        host_tagger_push(self->model->tagger, channels, self->in_right ? 2 : 1,
                         n, on_window, self);
    }
    for (int p = 0; p < IRMAS_LV2_CLASSES; p++)
        if (self->probability[p]) *self->probability[p] = self->latest[p];
    if (self->top) *self->top = self->latest_top;
    if (self->top_probability)
        *self->top_probability = self->latest_top_probability;
    if (self->announce) {
        write_model_set(self);
        self->announce = false;
    }
    lv2_atom_forge_pop(&self->forge, &notify_frame);
}

/* ---- the worker ---- */

static LV2_Worker_Status work(LV2_Handle instance,
                              LV2_Worker_Respond_Function respond,
                              LV2_Worker_Respond_Handle handle, uint32_t size,
                              const void *data)
{
    irmas_lv2 *self = instance;
    if (size != sizeof(work_message)) return LV2_WORKER_ERR_UNKNOWN;
    work_message msg; /* the host's copy need not be aligned */
    memcpy(&msg, data, sizeof msg);
    if (msg.kind == WORK_FREE) {
        loaded_model_free(msg.model);
    } else if (msg.kind == WORK_LOAD) {
        work_message reply = {.kind = WORK_LOADED,
                              .model = loaded_model_new(self, msg.path)};
        if (reply.model) respond(handle, sizeof reply, &reply);
    }
    return LV2_WORKER_SUCCESS;
}

static LV2_Worker_Status work_response(LV2_Handle instance, uint32_t size,
                                       const void *data)
{
    irmas_lv2 *self = instance;
    if (size != sizeof(work_message)) return LV2_WORKER_ERR_UNKNOWN;
    work_message msg; /* the host's copy need not be aligned */
    memcpy(&msg, data, sizeof msg);
    if (msg.kind != WORK_LOADED) return LV2_WORKER_SUCCESS;
    work_message old = {.kind = WORK_FREE, .model = self->model};
    self->model = msg.model;
    /* The settings may have moved while it loaded. */
    host_tagger_set(self->model->tagger, self->gate_in_force, self->smooth_in_force);
    clear_latest(self);
    self->announce = true;
    if (old.model)
        self->schedule->schedule_work(self->schedule->handle, sizeof old, &old);
    return LV2_WORKER_SUCCESS;
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
    if (!self->model || !self->model->path[0]) return LV2_STATE_SUCCESS;
    LV2_State_Map_Path *map_path = find_map_path(features);
    char *abstract = map_path ? map_path->abstract_path(map_path->handle,
                                                        self->model->path)
                              : NULL;
    const char *path = abstract ? abstract : self->model->path;
    LV2_State_Status st = store(handle, self->uris.irmas_model, path,
                                strlen(path) + 1, self->uris.atom_Path,
                                LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
    free(abstract);
    return st;
}

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
    /* Restore runs with the plugin stopped: the model loads here. */
    loaded_model *l = loaded_model_new(self, absolute ? absolute : value);
    free(absolute);
    if (!l) return LV2_STATE_ERR_UNKNOWN;
    loaded_model_free(self->model);
    self->model = l;
    clear_latest(self);
    self->announce = true;
    return LV2_STATE_SUCCESS;
}

/* ---- life ---- */

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
    self->smooth_in_force = 0.0f;
    self->gate_in_force = -60.0f;
    clear_latest(self);
    /* The streaming model, so the plugin tags from the start; a session's
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

/* The host starts (again) to run the plugin: windows start afresh. */
static void activate(LV2_Handle instance)
{
    irmas_lv2 *self = instance;
    if (self->model) host_tagger_reset(self->model->tagger);
    clear_latest(self);
    self->announce = true;
}

static void cleanup(LV2_Handle instance)
{
    irmas_lv2 *self = instance;
    loaded_model_free(self->model);
    free(self);
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
