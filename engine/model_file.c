/* model_file.c: the .irm model file (model_file.h; the layout is in
 * models/FORMAT.md).
 *
 * Writing walks the model once into a growing byte buffer: the header, the
 * metadata, a table describing every layer and tensor, the tensors' floats
 * and the CRC. The table's tensor offsets are patched in as the data is
 * written, because only then is the table's own length known. The buffer
 * is parsed back before anyone sees it, so the writer can never produce a
 * file this reader refuses (a window or provenance over the reader's
 * limits, say): the limits live in the reader alone.
 *
 * Reading goes the other way through a cursor that checks each field
 * against the bytes left before it touches them: first the envelope (magic,
 * version, length, CRC), then the metadata, the layer table and each
 * layer's tensor entries against the shape just read. Only when the
 * entries tile the data section exactly are the weights allocated, so a
 * hostile count can never make us allocate more than the file holds; then
 * the floats are decoded, non-finite ones rejected, and the model has to
 * pass model_validate.
 *
 * Layers are handled through layer_tensors and one table of shape
 * parameters below (layer_params), so a new kind of layer is one case in
 * each of layer_params and layer_set_params.
 *
 * Format 3 added the pretrained front-end efficientat-mn04, which holds
 * the CRC-32 of its weights instead of them. Format 2 added the image
 * parameters, the front-end kind 0 ("none", for
 * a CNN) and the conv2d, maxpool and stats layers. A model that needs none
 * of these is still written as format 1 (model_file_version), so readers
 * that predate format 2 keep reading recurrent models; a format-1 file
 * that holds one of them is refused as damaged (the *_since functions say
 * which format brought each kind).
 */
#include "model_file.h"

#include "atomic_file.h"
#include "bytes.h"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* PNG's trick: a high byte catches 7-bit transfers, CR LF and the lone LF
 * catch line-ending conversion, ^Z stops a DOS `type`. */
static const unsigned char irm_magic[8] = {0x89, 'I', 'R', 'M',
                                           '\r', '\n', 0x1a, '\n'};

#define IRM_VERSION 3
#define IRM_HEADER_BYTES 20 /* magic, version, file size */
#define IRM_CRC_BYTES 4
#define IRM_MAX_FILE_BYTES (1L << 30)
#define IRM_MAX_RATE 1000000
#define IRM_MAX_SIZE (1 << 24) /* any count of samples, units or bands */
#define IRM_MAX_NAME 32        /* kind and tensor names, with the NUL */
#define IRM_MAX_PROVENANCE 65536
#define IRM_MAX_PARAMS 8
#define IRM_MAX_TENSORS (MODEL_MAX_LAYERS * LAYER_MAX_TENSORS + 2)

/* ---- What the file stores of each layer and of the whole model ---- */

/* A shape parameter as stored: its name in messages, and the values a
 * reader accepts. */
typedef struct {
    const char *name;
    uint32_t min, max;
} param_spec;

#define UNITS(name) {name, 1, IRM_MAX_SIZE}
static const param_spec dense_params[] = {
    UNITS("inputs"), UNITS("outputs"), {"activation", ACT_NONE, ACT_SOFTMAX}};
static const param_spec cell_params[] = {UNITS("inputs"), UNITS("hidden")};
static const param_spec gru_params[] = {UNITS("inputs"), UNITS("hidden"),
                                        {"reset_after", 0, 1}};
/* Image layers: every size at most IMAGE_MAX_SIZE, as model_validate wants,
 * which keeps the tensor counts computed from them within an int. */
#define SIDE(name) {name, 1, IMAGE_MAX_SIZE}
static const param_spec conv2d_params[] = {
    SIDE("channels"), SIDE("height"), SIDE("width"), SIDE("filters"),
    SIDE("kernel"), SIDE("stride"), {"padding", 0, IMAGE_MAX_SIZE - 1},
    {"activation", ACT_NONE, ACT_RELU}};
static const param_spec maxpool_params[] = {
    SIDE("channels"), SIDE("height"), SIDE("width"), SIDE("size"),
    SIDE("stride")};
static const param_spec stats_params[] = {UNITS("inputs")};

static int conv2d_params_of(const conv2d_layer *c,
                            uint32_t values[IRM_MAX_PARAMS])
{
    int fields[] = {c->channels, c->height, c->width, c->filters,
                    c->kernel, c->stride, c->padding, (int)c->act};
    for (int i = 0; i < 8; i++) values[i] = (uint32_t)fields[i];
    return 8;
}

static int maxpool_params_of(const pool_layer *p,
                             uint32_t values[IRM_MAX_PARAMS])
{
    int fields[] = {p->channels, p->height, p->width, p->size, p->stride};
    for (int i = 0; i < 5; i++) values[i] = (uint32_t)fields[i];
    return 5;
}

/* l's shape parameters in file order into values[], and what each may be;
 * returns how many. A blstm stores one direction's shape: both are equal. */
static int layer_params(const layer *l, uint32_t values[IRM_MAX_PARAMS],
                        const param_spec **specs)
{
    switch (l->kind) {
    case LAYER_DENSE:
        values[0] = (uint32_t)l->u.dense.inputs;
        values[1] = (uint32_t)l->u.dense.outputs;
        values[2] = (uint32_t)l->u.dense.act;
        *specs = dense_params;
        return 3;
    case LAYER_RNN:
    case LAYER_LSTM:
    case LAYER_BLSTM:
        values[0] = (uint32_t)layer_inputs(l);
        values[1] = (uint32_t)(l->kind == LAYER_BLSTM ? l->u.blstm.fwd.hidden
                                                      : layer_outputs(l));
        *specs = cell_params;
        return 2;
    case LAYER_GRU:
        values[0] = (uint32_t)l->u.gru.inputs;
        values[1] = (uint32_t)l->u.gru.hidden;
        values[2] = (uint32_t)l->u.gru.reset_after;
        *specs = gru_params;
        return 3;
    case LAYER_CONV2D:
        *specs = conv2d_params;
        return conv2d_params_of(&l->u.conv2d, values);
    case LAYER_MAXPOOL:
        *specs = maxpool_params;
        return maxpool_params_of(&l->u.pool, values);
    case LAYER_STATS:
        values[0] = (uint32_t)l->u.stats.inputs;
        *specs = stats_params;
        return 1;
    }
    return 0;
}

/* The inverse of layer_params, for values the specs have accepted. */
static void layer_set_params(layer *l, const uint32_t values[IRM_MAX_PARAMS])
{
    int inputs = (int)values[0], outputs = (int)values[1];
    int v[IRM_MAX_PARAMS];
    for (int i = 0; i < IRM_MAX_PARAMS; i++) v[i] = (int)values[i];
    switch (l->kind) {
    case LAYER_DENSE:
        l->u.dense = (dense_layer){.inputs = inputs, .outputs = outputs,
                                   .act = (activation)values[2]};
        break;
    case LAYER_RNN:
        l->u.rnn = (rnn_layer){.inputs = inputs, .hidden = outputs};
        break;
    case LAYER_LSTM:
        l->u.lstm = (lstm_layer){.inputs = inputs, .hidden = outputs};
        break;
    case LAYER_GRU:
        l->u.gru = (gru_layer){.inputs = inputs, .hidden = outputs,
                               .reset_after = (int)values[2]};
        break;
    case LAYER_BLSTM:
        l->u.blstm.fwd = (lstm_layer){.inputs = inputs, .hidden = outputs};
        l->u.blstm.bwd = l->u.blstm.fwd;
        break;
    case LAYER_CONV2D:
        l->u.conv2d = (conv2d_layer){
            .channels = v[0], .height = v[1], .width = v[2], .filters = v[3],
            .kernel = v[4], .stride = v[5], .padding = v[6],
            .act = (activation)v[7]};
        break;
    case LAYER_MAXPOOL:
        l->u.pool = (pool_layer){.channels = v[0], .height = v[1],
                                 .width = v[2], .size = v[3],
                                 .stride = v[4]};
        break;
    case LAYER_STATS:
        l->u.stats = (stats_layer){.inputs = inputs};
        break;
    }
}

/* The names the file gives kinds: kind 0 of a front-end or an image is
 * "none", what a model that reads no frames or no image has. */
static const char *frontend_name(uint32_t kind)
{
    return kind == 0 ? "none" : frontend_kind_name((frontend_kind)kind);
}

static const char *image_name(uint32_t kind)
{
    return kind == 0 ? "none" : image_kind_name((image_kind)kind);
}

static const char *layer_name(uint32_t kind)
{
    return layer_kind_name((layer_kind)kind);
}

/* The format each kind first appeared in. */
static uint32_t frontend_since(uint32_t kind)
{
    return kind == FRONTEND_EFFICIENTAT_MN04 ? 3 : kind == 0 ? 2 : 1;
}
static uint32_t image_since(uint32_t kind) { return kind == 0 ? 1 : 2; }
static uint32_t layer_since(uint32_t kind)
{
    return kind > LAYER_BLSTM ? 2 : 1;
}

/* The lowest format that holds m: the one its newest kind needs. */
static uint32_t model_file_version(const irmas_model *m)
{
    uint32_t version = frontend_since(m->frontend.kind);
    if (image_since(m->image.kind) > version)
        version = image_since(m->image.kind);
    for (int i = 0; i < m->n_layers; i++)
        if (layer_since(m->layers[i].kind) > version)
            version = layer_since(m->layers[i].kind);
    return version;
}

/* Every tensor the file holds, in file order: each layer's, then the
 * feature normalisation's. */
static int model_file_tensors(irmas_model *m, int with_norm,
                              layer_tensor out[IRM_MAX_TENSORS])
{
    int n = 0;
    for (int i = 0; i < m->n_layers; i++)
        n += layer_tensors(&m->layers[i], out + n);
    if (with_norm) {
        long features = model_features(m);
        out[n++] = (layer_tensor){"feature_mean", &m->feature_mean, features};
        out[n++] = (layer_tensor){"feature_scale", &m->feature_scale,
                                  features};
    }
    return n;
}

/* ---- Writing ---- */

typedef struct {
    bytes_writer out;
    size_t offset_at[IRM_MAX_TENSORS]; /* table offsets still to patch */
    int entries;
} writer;

static void put_le(writer *w, uint64_t value, int bytes)
{
    bytes_put_le(&w->out, value, bytes);
}

static void put_str(writer *w, const char *text)
{
    size_t n = strlen(text) + 1;
    put_le(w, n, 4);
    bytes_put(&w->out, text, n);
}

/* A kind: its number, then its name, so a reader that does not know the
 * number can still say what it is missing. */
static void put_kind(writer *w, unsigned kind, const char *name)
{
    put_le(w, kind, 4);
    put_str(w, name);
}

static void put_frontend(writer *w, const frontend_params *p)
{
    put_kind(w, p->kind, frontend_name(p->kind));
    if (p->kind == 0) {
        put_le(w, 0, 4);
        return;
    }
    if (p->kind == FRONTEND_RAW || p->kind == FRONTEND_EFFICIENTAT_MN04) {
        put_le(w, 1, 4);
        put_le(w, p->kind == FRONTEND_RAW ? (uint32_t)p->frame : p->checksum,
               4);
        return;
    }
    put_le(w, 5, 4);
    put_le(w, (uint32_t)p->fft_size, 4);
    put_le(w, (uint32_t)p->frame, 4);
    put_le(w, (uint32_t)p->mels, 4);
    put_le(w, bytes_float_bits(p->fmin), 4);
    put_le(w, bytes_float_bits(p->fmax), 4);
}

static void put_image(writer *w, const image_params *p)
{
    put_kind(w, p->kind, image_name(p->kind));
    put_le(w, p->kind == 0 ? 0 : 2, 4);
    if (p->kind == 0) return;
    put_le(w, (uint32_t)p->size, 4);
    put_le(w, (uint32_t)p->channels, 4);
}

/* A tensor's entry in the table; its offset is patched by put_data. */
static void put_entry(writer *w, const layer_tensor *t)
{
    put_str(w, t->name);
    put_le(w, (uint64_t)t->count, 8);
    w->offset_at[w->entries++] = w->out.size;
    put_le(w, 0, 8);
}

static void put_layer(writer *w, layer *l)
{
    uint32_t values[IRM_MAX_PARAMS];
    const param_spec *specs;
    put_kind(w, l->kind, layer_kind_name(l->kind));
    int n = layer_params(l, values, &specs);
    put_le(w, (uint32_t)n, 4);
    for (int i = 0; i < n; i++) put_le(w, values[i], 4);

    layer_tensor t[LAYER_MAX_TENSORS];
    int tensors = layer_tensors(l, t);
    put_le(w, (uint32_t)tensors, 4);
    for (int i = 0; i < tensors; i++) put_entry(w, &t[i]);
}

/* The floats of t[0..n), patching each one's offset into the table. */
static void put_data(writer *w, const layer_tensor *t, int n)
{
    for (int k = 0; k < n && !w->out.failed; k++) {
        bytes_store_le(w->out.bytes + w->offset_at[k], w->out.size, 8);
        bytes_put_floats(&w->out, *t[k].data, t[k].count);
    }
}

/* The whole file for a validated model. m is a shallow copy: layer_tensors
 * wants writable layers, though nothing is written through them. */
static void put_model(writer *w, irmas_model *m)
{
    int with_norm = m->feature_mean != NULL;
    uint32_t version = model_file_version(m);
    bytes_put(&w->out, irm_magic, sizeof irm_magic);
    put_le(w, version, 4);
    put_le(w, 0, 8); /* the file size, known at the end */
    put_le(w, (uint32_t)m->sample_rate, 4);
    put_le(w, (uint32_t)m->window_samples, 4);
    put_frontend(w, &m->frontend);
    if (version >= 2) put_image(w, &m->image);
    put_le(w, m->norm, 4);
    put_le(w, (uint32_t)with_norm, 4);
    put_le(w, (uint32_t)m->classes, 4);
    for (int c = 0; c < m->classes; c++) put_str(w, m->labels[c]);
    put_str(w, m->provenance ? m->provenance : "");

    layer_tensor t[IRM_MAX_TENSORS];
    int n = model_file_tensors(m, with_norm, t);
    put_le(w, (uint32_t)m->n_layers, 4);
    for (int i = 0; i < m->n_layers; i++) put_layer(w, &m->layers[i]);
    for (int k = w->entries; k < n; k++) put_entry(w, &t[k]); /* the norm's */
    put_data(w, t, n);

    if (w->out.failed) return;
    bytes_store_le(w->out.bytes + 12, w->out.size + IRM_CRC_BYTES, 8);
    put_le(w, crc32_z(0, w->out.bytes, w->out.size), 4);
}

/* ---- Reading ---- */

/* A tensor entry of the table, kept until the data section is checked. */
typedef struct {
    uint64_t count, offset;
    int layer; /* or -1 for the feature normalisation */
} tensor_entry;

typedef struct {
    bytes_cursor in; /* its end is where the CRC starts */
    const char *name;
    const char *remedy; /* what a message ends with: what to do */
    uint32_t version;
    char where[48]; /* "layer 2 (lstm): " while inside a layer */
    tensor_entry entries[IRM_MAX_TENSORS];
    int n_entries;
    char *err;
    size_t errlen;
} reader;

/* Rejects the buffer: "<name>: <where><message>; <remedy>". In a file
 * newer than this reader, what we do not understand is probably new, not
 * damaged, so the message (and the status) says to update instead. */
static irmas_status reader_fail(const reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static irmas_status reader_fail(const reader *r, const char *fmt, ...)
{
    char message[320];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    if (r->version > IRM_VERSION)
        return status_fail(r->err, r->errlen, IRMAS_ERR_UNSUPPORTED,
                           "%s: %s%s; this irmas reads format %d and the "
                           "file is format %u; update irmas", r->name,
                           r->where, message, IRM_VERSION, r->version);
    return status_fail(r->err, r->errlen, IRMAS_ERR_FORMAT, "%s: %s%s; %s",
                       r->name, r->where, message, r->remedy);
}

static irmas_status read_le(reader *r, const char *field, int bytes,
                            uint64_t *value)
{
    if (bytes_get_le(&r->in, bytes, value) != 0)
        return reader_fail(r, "%s at byte %zu runs into the checksum at "
                              "byte %zu", field, r->in.at, r->in.end);
    return IRMAS_OK;
}

static irmas_status read_u32(reader *r, const char *field, uint32_t min,
                             uint32_t max, uint32_t *value)
{
    size_t at = r->in.at;
    uint64_t raw = 0;
    irmas_status status = read_le(r, field, 4, &raw);
    if (status != IRMAS_OK) return status;
    if ((raw < min || raw > max) && min == max)
        return reader_fail(r, "%s is %llu (byte %zu); it must be %u", field,
                           (unsigned long long)raw, at, min);
    if (raw < min || raw > max)
        return reader_fail(r, "%s is %llu (byte %zu); it must be %u to %u",
                           field, (unsigned long long)raw, at, min, max);
    *value = (uint32_t)raw;
    return IRMAS_OK;
}

static irmas_status read_int(reader *r, const char *field, int min, int max,
                             int *value)
{
    uint32_t v;
    irmas_status status = read_u32(r, field, (uint32_t)min, (uint32_t)max,
                                   &v);
    if (status == IRMAS_OK) *value = (int)v;
    return status;
}

static irmas_status read_finite(reader *r, const char *field, float *value)
{
    size_t at = r->in.at;
    uint64_t bits = 0;
    irmas_status status = read_le(r, field, 4, &bits);
    if (status != IRMAS_OK) return status;
    *value = bytes_bits_float(bits);
    if (!isfinite(*value))
        return reader_fail(r, "%s (byte %zu) is not a finite number", field,
                           at);
    return IRMAS_OK;
}

/* A string: its length with the NUL, at most max, then its bytes. *text
 * points into the buffer. */
static irmas_status read_str(reader *r, const char *field, uint32_t max,
                             const char **text)
{
    size_t at = r->in.at;
    uint64_t n = 0;
    irmas_status status = read_le(r, field, 4, &n);
    if (status != IRMAS_OK) return status;
    if (n < 1 || n > max)
        return reader_fail(r, "%s (byte %zu) is %llu bytes long; it must be "
                              "1 to %u with its NUL", field, at,
                           (unsigned long long)n, max);
    if (n > r->in.end - r->in.at)
        return reader_fail(r, "%s (%llu bytes at byte %zu) runs into the "
                              "checksum at byte %zu", field,
                           (unsigned long long)n, at, r->in.end);
    const char *s = (const char *)r->in.bytes + r->in.at;
    if (memchr(s, '\0', (size_t)n) != s + n - 1)
        return reader_fail(r, "%s (byte %zu) does not end at its first NUL",
                           field, at);
    r->in.at += (size_t)n;
    *text = s;
    return IRMAS_OK;
}

/* A kind's number and name. known is this irmas's name for the number, or
 * NULL when it has none: then the file's name says what is missing. since
 * gives the format that introduced the kind: an older file cannot hold it. */
static irmas_status read_kind(reader *r, const char *what,
                              const char *(*known)(uint32_t),
                              uint32_t (*since)(uint32_t), uint32_t *kind)
{
    size_t at = r->in.at;
    uint64_t number = 0;
    const char *name;
    char field[32];
    snprintf(field, sizeof field, "%s kind", what);
    irmas_status status = read_le(r, field, 4, &number);
    snprintf(field, sizeof field, "%s kind name", what);
    if (status == IRMAS_OK) status = read_str(r, field, IRM_MAX_NAME, &name);
    if (status != IRMAS_OK) return status;
    const char *ours = known((uint32_t)number);
    if (!ours)
        return reader_fail(r, "unknown %s kind %llu ('%s', byte %zu)", what,
                           (unsigned long long)number, name, at);
    if (strcmp(ours, name) != 0)
        return reader_fail(r, "%s kind %llu (byte %zu) is named '%s' but "
                              "this irmas calls it '%s'", what,
                           (unsigned long long)number, at, name, ours);
    if (since((uint32_t)number) > r->version)
        return reader_fail(r, "%s kind %llu ('%s', byte %zu) is new in "
                              "format %u but the file is format %u", what,
                           (unsigned long long)number, name, at,
                           since((uint32_t)number), r->version);
    *kind = (uint32_t)number;
    return IRMAS_OK;
}

static irmas_status read_frontend(reader *r, frontend_params *p)
{
    uint32_t kind = 0;
    irmas_status status = read_kind(r, "front-end", frontend_name,
                                    frontend_since, &kind);
    if (status != IRMAS_OK) return status;
    p->kind = (frontend_kind)kind;
    int params = p->kind == 0 ? 0 : p->kind == FRONTEND_LOGMEL ? 5 : 1, count;
    status = read_int(r, "frontend parameter count", params, params, &count);
    if (status != IRMAS_OK || p->kind == 0) return status;
    if (p->kind == FRONTEND_EFFICIENTAT_MN04) {
        uint32_t checksum = 0;
        status = read_u32(r, "frontend.checksum", 0, UINT32_MAX, &checksum);
        p->checksum = checksum;
        return status;
    }
    if (p->kind == FRONTEND_RAW)
        return read_int(r, "frontend.frame", 1, IRM_MAX_SIZE, &p->frame);
    status = read_int(r, "frontend.fft_size", 1, IRM_MAX_SIZE, &p->fft_size);
    if (status == IRMAS_OK)
        status = read_int(r, "frontend.hop", 1, IRM_MAX_SIZE, &p->frame);
    if (status == IRMAS_OK)
        status = read_int(r, "frontend.mels", 1, IRM_MAX_SIZE, &p->mels);
    if (status == IRMAS_OK) status = read_finite(r, "frontend.fmin", &p->fmin);
    if (status == IRMAS_OK) status = read_finite(r, "frontend.fmax", &p->fmax);
    return status;
}

/* Format 2 on: the image parameters; an older file has no image. */
static irmas_status read_image(reader *r, image_params *p)
{
    uint32_t kind = 0;
    if (r->version < 2) return IRMAS_OK;
    irmas_status status = read_kind(r, "image", image_name, image_since,
                                    &kind);
    if (status != IRMAS_OK) return status;
    p->kind = (image_kind)kind;
    int params = p->kind == 0 ? 0 : 2, count;
    status = read_int(r, "image parameter count", params, params, &count);
    if (status != IRMAS_OK || p->kind == 0) return status;
    status = read_int(r, "image.size", 1, IMAGE_MAX_SIZE, &p->size);
    if (status == IRMAS_OK)
        status = read_int(r, "image.channels", 1, IMAGE_MAX_CHANNELS,
                          &p->channels);
    return status;
}

static irmas_status read_labels(reader *r, irmas_model *m)
{
    irmas_status status = read_int(r, "classes", 1, MODEL_MAX_CLASSES,
                                   &m->classes);
    for (int c = 0; status == IRMAS_OK && c < m->classes; c++) {
        char field[32];
        const char *label;
        snprintf(field, sizeof field, "label %d", c);
        status = read_str(r, field, MODEL_LABEL_MAX, &label);
        if (status == IRMAS_OK) strcpy(m->labels[c], label);
    }
    return status;
}

static irmas_status read_metadata(reader *r, irmas_model *m, int *with_norm)
{
    int norm;
    const char *provenance;
    irmas_status status = read_int(r, "sample_rate", 1, IRM_MAX_RATE,
                                   &m->sample_rate);
    if (status == IRMAS_OK)
        status = read_int(r, "window_samples", 1, IRM_MAX_SIZE,
                          &m->window_samples);
    if (status == IRMAS_OK) status = read_frontend(r, &m->frontend);
    if (status == IRMAS_OK) status = read_image(r, &m->image);
    if (status == IRMAS_OK)
        status = read_int(r, "norm", NORM_NONE, NORM_PEAK, &norm);
    if (status == IRMAS_OK)
        status = read_int(r, "feature_norm", 0, m->frontend.kind ? 1 : 0,
                          with_norm);
    if (status == IRMAS_OK) status = read_labels(r, m);
    if (status == IRMAS_OK)
        status = read_str(r, "provenance", IRM_MAX_PROVENANCE, &provenance);
    if (status != IRMAS_OK) return status;
    m->norm = (norm_kind)norm;
    if (model_set_provenance(m, provenance) != IRMAS_OK)
        return status_fail(r->err, r->errlen, IRMAS_ERR_NOMEM,
                           "%s: out of memory", r->name);
    return IRMAS_OK;
}

/* A tensor entry: it must be the tensor the shape before it implies. */
static irmas_status read_entry(reader *r, const layer_tensor *expected,
                               int owner)
{
    size_t at = r->in.at;
    const char *name = NULL;
    tensor_entry *e = &r->entries[r->n_entries];
    irmas_status status = read_str(r, "tensor name", IRM_MAX_NAME, &name);
    if (status != IRMAS_OK) return status;
    if (strcmp(name, expected->name) != 0)
        return reader_fail(r, "tensor '%s' (byte %zu) is where '%s' should "
                              "be", name, at, expected->name);
    status = read_le(r, "tensor count", 8, &e->count);
    if (status == IRMAS_OK) status = read_le(r, "tensor offset", 8,
                                             &e->offset);
    if (status != IRMAS_OK) return status;
    if (e->count != (uint64_t)expected->count)
        return reader_fail(r, "tensor '%s' (byte %zu) holds %llu floats but "
                              "the shape gives %ld", name, at,
                           (unsigned long long)e->count, expected->count);
    e->layer = owner;
    r->n_entries++;
    return IRMAS_OK;
}

static irmas_status read_layer(reader *r, irmas_model *m, int i)
{
    layer *l = &m->layers[i];
    uint32_t kind = 0, values[IRM_MAX_PARAMS] = {0};
    const param_spec *specs;
    snprintf(r->where, sizeof r->where, "layer %d: ", i);
    irmas_status status = read_kind(r, "layer", layer_name, layer_since,
                                    &kind);
    if (status != IRMAS_OK) return status;
    l->kind = (layer_kind)kind;
    snprintf(r->where, sizeof r->where, "layer %d (%s): ", i,
             layer_kind_name(l->kind));

    int n = layer_params(l, values, &specs), count;
    status = read_int(r, "parameter count", n, n, &count);
    for (int j = 0; status == IRMAS_OK && j < n; j++)
        status = read_u32(r, specs[j].name, specs[j].min, specs[j].max,
                          &values[j]);
    if (status != IRMAS_OK) return status;
    layer_set_params(l, values);

    layer_tensor t[LAYER_MAX_TENSORS];
    int tensors = layer_tensors(l, t);
    status = read_int(r, "tensor count", tensors, tensors, &count);
    for (int j = 0; status == IRMAS_OK && j < tensors; j++)
        status = read_entry(r, &t[j], i);
    if (status == IRMAS_OK) r->where[0] = '\0';
    return status;
}

static irmas_status read_table(reader *r, irmas_model *m, int with_norm)
{
    irmas_status status = read_int(r, "layer count", 1, MODEL_MAX_LAYERS,
                                   &m->n_layers);
    for (int i = 0; status == IRMAS_OK && i < m->n_layers; i++)
        status = read_layer(r, m, i);
    if (status != IRMAS_OK) return status;

    /* The feature normalisation's entries follow the layers'. */
    layer_tensor t[IRM_MAX_TENSORS];
    int n = model_file_tensors(m, with_norm, t);
    for (int k = r->n_entries; status == IRMAS_OK && k < n; k++)
        status = read_entry(r, &t[k], -1);
    return status;
}

/* Names tensor k's owner in r->where for the messages that follow. */
static void reader_at_tensor(reader *r, const irmas_model *m, int k)
{
    int i = r->entries[k].layer;
    if (i < 0) r->where[0] = '\0';
    else snprintf(r->where, sizeof r->where, "layer %d (%s): ", i,
                  layer_kind_name(m->layers[i].kind));
}

/* The tensors must follow the table and each other without gaps or
 * overlaps, and end where the checksum starts. */
static irmas_status check_tiling(reader *r, const irmas_model *m,
                                 const layer_tensor *t)
{
    size_t next = r->in.at;
    for (int k = 0; k < r->n_entries; k++) {
        const tensor_entry *e = &r->entries[k];
        reader_at_tensor(r, m, k);
        if (e->offset != next)
            return reader_fail(r, "tensor '%s' starts at byte %llu but "
                                  "should start at byte %zu, right after "
                                  "what comes before it", t[k].name,
                               (unsigned long long)e->offset, next);
        if (e->count > (r->in.end - next) / 4)
            return reader_fail(r, "tensor '%s' (%llu floats from byte %zu) "
                                  "runs into the checksum at byte %zu",
                               t[k].name, (unsigned long long)e->count,
                               next, r->in.end);
        next += 4 * (size_t)e->count;
    }
    r->where[0] = '\0';
    if (next != r->in.end)
        return reader_fail(r, "the tensors end at byte %zu but the checksum "
                              "is at byte %zu", next, r->in.end);
    return IRMAS_OK;
}

static irmas_status read_data(reader *r, irmas_model *m, int with_norm)
{
    layer_tensor t[IRM_MAX_TENSORS];
    model_file_tensors(m, with_norm, t);
    irmas_status status = check_tiling(r, m, t);
    if (status != IRMAS_OK) return status;

    char why[256];
    if (model_alloc_weights(m, with_norm, why, sizeof why) != IRMAS_OK)
        return status_fail(r->err, r->errlen, IRMAS_ERR_NOMEM, "%s: %s",
                           r->name, why);
    for (int k = 0; k < r->n_entries; k++) {
        const unsigned char *at = r->in.bytes + r->entries[k].offset;
        float *x = *t[k].data;
        for (long i = 0; i < t[k].count; i++) {
            x[i] = bytes_bits_float(bytes_load_le(at + 4 * i, 4));
            if (isfinite(x[i])) continue;
            reader_at_tensor(r, m, k);
            return reader_fail(r, "tensor '%s' element %ld (byte %zu) is "
                                  "not a finite number", t[k].name, i,
                               (size_t)(at - r->in.bytes) + 4 * (size_t)i);
        }
    }
    return IRMAS_OK;
}

/* The magic, version, length and checksum, before anything else is read. */
static irmas_status check_envelope(reader *r, size_t size)
{
    const unsigned char *b = r->in.bytes;
    if (size == 0)
        return status_fail(r->err, r->errlen, IRMAS_ERR_FORMAT,
                           "%s is empty (0 bytes); it is not a model file",
                           r->name);
    size_t head = size < sizeof irm_magic ? size : sizeof irm_magic;
    if (memcmp(b, irm_magic, head) != 0)
        return status_fail(r->err, r->errlen, IRMAS_ERR_FORMAT,
                           size >= 8 && memcmp(b, irm_magic, 4) == 0
                               ? "%s: the .irm magic has had its line "
                                 "endings changed; copy the file in binary "
                                 "mode"
                               : "%s does not start with the .irm magic; "
                                 "it is not an irmas model file",
                           r->name);
    if (size < IRM_HEADER_BYTES + IRM_CRC_BYTES)
        return status_fail(r->err, r->errlen, IRMAS_ERR_FORMAT,
                           "%s is only %zu bytes, too short for a model "
                           "file; it is truncated, copy it again", r->name,
                           size);
    r->version = (uint32_t)bytes_load_le(b + 8, 4);
    if (r->version == 0)
        return reader_fail(r, "format version is 0");
    uint64_t declared = bytes_load_le(b + 12, 8);
    if (declared > size)
        return status_fail(r->err, r->errlen, IRMAS_ERR_FORMAT,
                           "%s is %zu bytes but its header says %llu; the "
                           "file is truncated, copy it again", r->name, size,
                           (unsigned long long)declared);
    if (declared < size)
        return reader_fail(r, "its header says it ends at byte %llu but %zu "
                              "more bytes follow", (unsigned long long)declared,
                           size - (size_t)declared);
    uint32_t stored = (uint32_t)bytes_load_le(b + size - IRM_CRC_BYTES, 4);
    uint32_t computed = (uint32_t)crc32_z(0, b, size - IRM_CRC_BYTES);
    if (stored != computed)
        return status_fail(r->err, r->errlen, IRMAS_ERR_FORMAT,
                           "%s: checksum mismatch: the file is damaged "
                           "(CRC-32 %08x, stored %08x); copy it again",
                           r->name, computed, stored);
    r->in.at = IRM_HEADER_BYTES;
    r->in.end = size - IRM_CRC_BYTES;
    return IRMAS_OK;
}

/* irmas_model_parse_within, ending messages about the contents with remedy;
 * limits NULL checks none (a model being saved is the caller's own). */
static irmas_status parse(const void *data, size_t size, const char *name,
                          const char *remedy, const irmas_model_limits *limits,
                          irmas_model **out, char *err, size_t errlen)
{
    *out = NULL;
    irmas_model *m = irmas_model_new();
    if (!m)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "%s: out of memory", name);
    reader r = {.in.bytes = data, .name = name, .remedy = remedy, .err = err,
                .errlen = errlen};
    int with_norm = 0;
    irmas_status status = check_envelope(&r, size);
    if (status == IRMAS_OK) status = read_metadata(&r, m, &with_norm);
    if (status == IRMAS_OK) status = read_table(&r, m, with_norm);
    if (status == IRMAS_OK) status = read_data(&r, m, with_norm);
    if (status == IRMAS_OK && r.version > IRM_VERSION)
        status = status_fail(err, errlen, IRMAS_ERR_UNSUPPORTED,
                             "%s is format %u, newer than this irmas (it "
                             "reads format %d); update irmas", name,
                             r.version, IRM_VERSION);
    char why[384];
    if (status == IRMAS_OK && model_validate(m, why, sizeof why) != IRMAS_OK)
        status = status_fail(err, errlen, IRMAS_ERR_FORMAT, "%s: %s", name,
                             why);
    if (status == IRMAS_OK && limits &&
        irmas_model_check_limits(m, limits, why, sizeof why) != IRMAS_OK)
        status = status_fail(err, errlen, IRMAS_ERR_UNSUPPORTED, "%s: %s",
                             name, why);
    if (status != IRMAS_OK) {
        irmas_model_free(m);
        return status;
    }
    *out = m;
    return IRMAS_OK;
}

irmas_status irmas_model_parse_within(const void *data, size_t size,
                                const char *name, const irmas_model_limits *limits,
                                irmas_model **out, char *err, size_t errlen)
{
    return parse(data, size, name, "the file is damaged", limits, out, err,
                 errlen);
}

irmas_status irmas_model_parse(const void *data, size_t size, const char *name,
                         irmas_model **out, char *err, size_t errlen)
{
    irmas_model_limits limits = irmas_model_limits_default();
    return irmas_model_parse_within(data, size, name, &limits, out, err, errlen);
}

/* Opens path for reading and says how long it is, refusing what cannot be
 * a model: a folder, a device, a file over IRM_MAX_FILE_BYTES. */
static irmas_status open_model_file(const char *path, int *fd, size_t *size,
                                    char *err, size_t errlen)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return status_fail(err, errlen, IRMAS_ERR_IO,
                           "cannot open model %s: %s", path,
                           strerror(errno));
    struct stat st;
    irmas_status status = IRMAS_OK;
    if (fstat(*fd, &st) != 0)
        status = status_fail(err, errlen, IRMAS_ERR_IO, "cannot stat %s: %s",
                             path, strerror(errno));
    else if (S_ISDIR(st.st_mode))
        status = status_fail(err, errlen, IRMAS_ERR_IO,
                             "%s is a folder; give the path of an .irm model "
                             "file", path);
    else if (!S_ISREG(st.st_mode))
        status = status_fail(err, errlen, IRMAS_ERR_IO,
                             "%s is not a regular file; give the path of an "
                             ".irm model file", path);
    else if (st.st_size > IRM_MAX_FILE_BYTES)
        status = status_fail(err, errlen, IRMAS_ERR_FORMAT,
                             "%s is %lld bytes; model files over 1 GiB are "
                             "refused, so this is not one", path,
                             (long long)st.st_size);
    if (status != IRMAS_OK) close(*fd);
    *size = status == IRMAS_OK ? (size_t)st.st_size : 0;
    return status;
}

/* Reads up to size bytes; *got is fewer if the file shrank meanwhile, and
 * the parser then calls it truncated. */
static irmas_status read_all(int fd, const char *path, unsigned char *data,
                             size_t size, size_t *got, char *err,
                             size_t errlen)
{
    *got = 0;
    while (*got < size) {
        ssize_t n = read(fd, data + *got, size - *got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return status_fail(err, errlen, IRMAS_ERR_IO,
                               "cannot read %s: %s", path, strerror(errno));
        if (n == 0) break;
        *got += (size_t)n;
    }
    return IRMAS_OK;
}

irmas_status irmas_model_load_within(const char *path, const irmas_model_limits *limits,
                               irmas_model **out, char *err, size_t errlen)
{
    int fd = -1;
    size_t size = 0, got = 0;
    *out = NULL;
    irmas_status status = open_model_file(path, &fd, &size, err, errlen);
    if (status != IRMAS_OK) return status;
    unsigned char *data = malloc(size ? size : 1);
    if (!data)
        status = status_fail(err, errlen, IRMAS_ERR_NOMEM,
                             "%s: out of memory reading %zu bytes", path,
                             size);
    else
        status = read_all(fd, path, data, size, &got, err, errlen);
    close(fd);
    if (status == IRMAS_OK)
        status = irmas_model_parse_within(data, got, path, limits, out, err,
                                    errlen);
    free(data);
    return status;
}

irmas_status irmas_model_load(const char *path, irmas_model **out, char *err,
                        size_t errlen)
{
    irmas_model_limits limits = irmas_model_limits_default();
    return irmas_model_load_within(path, &limits, out, err, errlen);
}

/* ---- Saving ---- */

/* Serialises m, naming target in messages, and parses the result back. */
static irmas_status encode(const irmas_model *m, const char *target, void **data,
                           size_t *size, char *err, size_t errlen)
{
    char why[384] = "";
    if (model_validate(m, why, sizeof why) != IRMAS_OK)
        return status_fail(err, errlen, IRMAS_ERR_ARG, "cannot save %s: %s",
                           target, why);
    if ((m->feature_scale != NULL) != (m->feature_mean != NULL))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "cannot save %s: it has only one of feature_mean "
                           "and feature_scale; the file stores both or "
                           "neither", target);

    irmas_model view = *m;
    writer w = {0};
    put_model(&w, &view);
    if (w.out.failed) {
        free(w.out.bytes);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "cannot save %s: out of memory", target);
    }

    irmas_model *back = NULL;
    irmas_status status = parse(w.out.bytes, w.out.size, target,
                                "irmas will not save a model it could not "
                                "load back", NULL, &back, err, errlen);
    irmas_model_free(back);
    if (status != IRMAS_OK) {
        free(w.out.bytes);
        return status == IRMAS_ERR_NOMEM ? status : IRMAS_ERR_ARG;
    }
    *data = w.out.bytes;
    *size = w.out.size;
    return IRMAS_OK;
}

irmas_status irmas_model_serialise(const irmas_model *m, void **data, size_t *size,
                             char *err, size_t errlen)
{
    return encode(m, "the model", data, size, err, errlen);
}

irmas_status irmas_model_save(const irmas_model *m, const char *path, char *err,
                        size_t errlen)
{
    void *data;
    size_t size;
    irmas_status status = encode(m, path, &data, &size, err, errlen);
    if (status != IRMAS_OK) return status;
    status = atomic_file_write(path, data, size, err, errlen);
    free(data);
    return status;
}

/* installed, or source while installed is missing and source is there. */
static const char *installed_or_source(const char *installed,
                                       const char *source)
{
    if (access(installed, R_OK) != 0 && access(source, R_OK) == 0)
        return source;
    return installed;
}

const char *model_default_path(void)
{
    return installed_or_source(IRMAS_DEFAULT_MODEL,
                               IRMAS_SOURCE_ROOT "/models/default.irm");
}

const char *model_shipped_path(const char *name, char *out, size_t len)
{
    const char *slash = strrchr(IRMAS_DEFAULT_MODEL, '/');
    int folder = slash ? (int)(slash - IRMAS_DEFAULT_MODEL) + 1 : 0;
    char installed[PATH_MAX], source[PATH_MAX];
    snprintf(installed, sizeof installed, "%.*s%s.irm", folder,
             IRMAS_DEFAULT_MODEL, name);
    snprintf(source, sizeof source, "%s/models/%s.irm", IRMAS_SOURCE_ROOT,
             name);
    snprintf(out, len, "%s", installed_or_source(installed, source));
    return out;
}

