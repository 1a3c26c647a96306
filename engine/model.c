/* model.c: a model in memory: its weight arena, its validation, and the
 * small steps every way of running it shares (see model.h).
 *
 * model_alloc_weights asks each layer for its tensors (layer_tensors) and
 * carves them out of one zeroed arena, so no code here knows which tensors
 * a kind of layer has. model_validate checks the model as a whole in the
 * order a reader would: the layer count, the recording (rate, window,
 * front-end, image), the classes, then the layers one by one (their own
 * fields, their place among the three parts, their weights), naming the
 * first thing wrong. The parts are found by scanning the layers' families
 * (model_image_end, model_head_start), so they mean something even for a
 * model that does not validate, and the messages can say which layer is
 * out of place. The head (the dense layers after the frame layers, or
 * after a plain CNN's image layers) is run here because the whole-window
 * and streaming classifiers both end with it.
 */
#include "model.h"

#include "sample.h"
#include "teacher.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

irmas_model *irmas_model_new(void) { return calloc(1, sizeof(irmas_model)); }

void irmas_model_free(irmas_model *m)
{
    if (!m) return;
    free(m->arena);
    free(m->provenance);
    teacher_weights_free(m->pretrained);
    free(m);
}

int model_features(const irmas_model *m)
{
    if (m->frontend.kind == 0) return 0;
    return frontend_params_features(&m->frontend);
}

int model_frames(const irmas_model *m)
{
    if (m->frontend.kind == 0) return 0;
    return frontend_params_frames(&m->frontend, m->window_samples);
}

/* The layers that exist: n_layers, clamped so that a model that does not
 * validate can still be asked about its parts. */
static int layer_count(const irmas_model *m)
{
    if (m->n_layers < 0) return 0;
    return m->n_layers < MODEL_MAX_LAYERS ? m->n_layers : MODEL_MAX_LAYERS;
}

int model_reads_frames(const irmas_model *m)
{
    for (int i = 0; i < layer_count(m); i++)
        if (layer_reads_frames(&m->layers[i])) return 1;
    return 0;
}

int model_reads_image(const irmas_model *m)
{
    for (int i = 0; i < layer_count(m); i++)
        if (layer_reads_image(&m->layers[i])) return 1;
    return 0;
}

void model_describe_input(const irmas_model *m, char *out, size_t size)
{
    int n = 0;
    if (size) out[0] = '\0';
    if (model_reads_image(m))
        n = snprintf(out, size, "%dx%d %s images (%d channel%s)",
                     m->image.size, m->image.size,
                     image_kind_name(m->image.kind), m->image.channels,
                     m->image.channels == 1 ? "" : "s");
    if (model_reads_frames(m) && n >= 0 && (size_t)n < size)
        snprintf(out + n, size - (size_t)n, "%s%s frames (%d features)",
                 n ? " and " : "", frontend_kind_name(m->frontend.kind),
                 model_features(m));
}

/* The first frame layer when there is one (a CRNN's branch ends there);
 * otherwise the first layer after the leading image layers. */
int model_image_end(const irmas_model *m)
{
    int i = 0, n = layer_count(m);
    if (!model_reads_image(m)) return 0;
    if (model_reads_frames(m)) {
        while (i < n && !layer_reads_frames(&m->layers[i])) i++;
        return i;
    }
    while (i < n && layer_reads_image(&m->layers[i])) i++;
    return i;
}

int model_head_start(const irmas_model *m)
{
    int i = model_image_end(m), n = layer_count(m);
    while (i < n && layer_reads_frames(&m->layers[i])) i++;
    return i;
}

/* The tensors of a read-only layer. layer_tensors hands out where the layer
 * keeps its pointers; a copy lets us read them without a writable model. */
static int layer_tensors_of(const layer *l, layer *copy,
                            layer_tensor t[LAYER_MAX_TENSORS])
{
    *copy = *l;
    return layer_tensors(copy, t);
}

static irmas_status check_layer_count(const irmas_model *m, char *err,
                                      size_t errlen)
{
    if (m->n_layers < 1 || m->n_layers > MODEL_MAX_LAYERS)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "n_layers is %d; a model has 1 to %d layers",
                           m->n_layers, MODEL_MAX_LAYERS);
    for (int i = 0; i < m->n_layers; i++)
        if (!layer_kind_name(m->layers[i].kind))
            return status_fail(err, errlen, IRMAS_ERR_ARG,
                               "layer %d: unknown kind %d", i,
                               (int)m->layers[i].kind);
    return IRMAS_OK;
}

/* Floats the arena needs, or -1 (with a message) if a shape is unset. */
static long arena_size(const irmas_model *m, int norm_features, char *err,
                       size_t errlen)
{
    long total = 2L * norm_features;
    for (int i = 0; i < m->n_layers; i++) {
        layer copy;
        layer_tensor t[LAYER_MAX_TENSORS];
        int n = layer_tensors_of(&m->layers[i], &copy, t);
        for (int j = 0; j < n; j++) {
            if (t[j].count <= 0 || t[j].count > LONG_MAX / 4 - total) {
                status_fail(err, errlen, IRMAS_ERR_ARG,
                            "layer %d (%s): tensor '%s' would hold %ld "
                            "floats; set the layer's shape first", i,
                            layer_kind_name(m->layers[i].kind), t[j].name,
                            t[j].count);
                return -1;
            }
            total += t[j].count;
        }
    }
    return total;
}

irmas_status model_alloc_weights(irmas_model *m, int with_norm, char *err,
                                 size_t errlen)
{
    irmas_status status = check_layer_count(m, err, errlen);
    if (status != IRMAS_OK) return status;
    int features = with_norm ? model_features(m) : 0;
    if (with_norm && features <= 0)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "the front-end gives %d features per frame; set "
                           "it before allocating feature normalisation",
                           features);
    long total = arena_size(m, features, err, errlen);
    if (total < 0) return IRMAS_ERR_ARG;

    float *arena = calloc((size_t)total, sizeof *arena);
    if (!arena)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory allocating %ld weights", total);
    free(m->arena);
    m->arena = arena;
    m->arena_floats = total;

    float *next = arena;
    for (int i = 0; i < m->n_layers; i++) {
        layer_tensor t[LAYER_MAX_TENSORS];
        int n = layer_tensors(&m->layers[i], t);
        for (int j = 0; j < n; j++) {
            *t[j].data = next;
            next += t[j].count;
        }
    }
    m->feature_mean = with_norm ? next : NULL;
    m->feature_scale = with_norm ? next + features : NULL;
    for (int i = 0; i < features; i++) m->feature_scale[i] = 1.0f;
    return IRMAS_OK;
}

/* Characters a label may not hold: it is printed as it is and becomes part
 * of OSC addresses, where these have a meaning (OSC 1.0's address rules);
 * control characters and bytes over 0x7e are refused separately. */
static const char label_forbidden[] = " #*,/?[]{}";

irmas_status model_label_check(const char *label, char *err, size_t errlen)
{
    size_t n = strnlen(label, MODEL_LABEL_MAX);
    if (n == 0 || n == MODEL_LABEL_MAX)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "label '%.*s' is empty or longer than %d bytes; "
                           "give every class a short name", (int)n, label,
                           MODEL_LABEL_MAX - 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)label[i];
        if (ch > 0x20 && ch < 0x7f && !strchr(label_forbidden, ch)) continue;
        char shown[MODEL_LABEL_MAX * 4 + 1]; /* each byte at most \xNN */
        size_t at = 0;
        for (size_t k = 0; k < n; k++) {
            unsigned char c = (unsigned char)label[k];
            at += (size_t)snprintf(shown + at, sizeof shown - at,
                                   c > 0x20 && c < 0x7f ? "%c" : "\\x%02x",
                                   c);
        }
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "label '%s' has %s (byte %zu); labels go into OSC "
                           "addresses, so use printable ASCII without space "
                           "or any of #*,/?[]{}", shown,
                           ch > 0x20 && ch < 0x7f ? "a character OSC "
                           "addresses reserve" : ch == ' ' ? "a space"
                           : "a control or non-ASCII byte", i);
    }
    return IRMAS_OK;
}

static irmas_status validate_labels(const irmas_model *m, char *err, size_t errlen)
{
    if (m->classes < 1 || m->classes > MODEL_MAX_CLASSES)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "classes is %d; a model has 1 to %d classes",
                           m->classes, MODEL_MAX_CLASSES);
    for (int c = 0; c < m->classes; c++) {
        const char *label = m->labels[c];
        char why[256];
        if (model_label_check(label, why, sizeof why) != IRMAS_OK)
            return status_fail(err, errlen, IRMAS_ERR_ARG, "label %d: %s", c,
                               why);
        for (int other = 0; other < c; other++)
            if (strcmp(label, m->labels[other]) == 0)
                return status_fail(err, errlen, IRMAS_ERR_ARG,
                                   "labels %d and %d are both '%s'; class "
                                   "names must be distinct", other, c,
                                   label);
    }
    return IRMAS_OK;
}

static irmas_status validate_recording(const irmas_model *m, char *err,
                                       size_t errlen)
{
    if (m->sample_rate <= 0 || m->window_samples <= 0)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "sample_rate %d and window_samples %d must both "
                           "be positive", m->sample_rate, m->window_samples);
    if (m->norm != NORM_NONE && m->norm != NORM_PEAK)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "norm is %d; use %d (none) or %d (peak)",
                           (int)m->norm, NORM_NONE, NORM_PEAK);
    return IRMAS_OK;
}

/* The front-end must make at least one frame when frame layers read them,
 * and be unset (kind 0) in a CNN, which reads none. A model with neither
 * frame nor image layers is left for the layer checks to explain. */
static irmas_status validate_frontend(const irmas_model *m, char *err,
                                      size_t errlen)
{
    if (!model_reads_frames(m)) {
        if (m->frontend.kind == 0 || !model_reads_image(m)) return IRMAS_OK;
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "frontend.kind is %d but the model has no frame "
                           "layers to read frames; set frontend.kind to 0",
                           (int)m->frontend.kind);
    }
    irmas_status status = frontend_check(&m->frontend, m->sample_rate, err,
                                         errlen);
    if (status != IRMAS_OK) return status;
    if (model_frames(m) < 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "window_samples %d is shorter than one front-end "
                           "frame; lengthen the window", m->window_samples);
    return IRMAS_OK;
}

static irmas_status validate_image(const irmas_model *m, char *err, size_t errlen)
{
    if (model_reads_image(m))
        return image_check(&m->image, m->sample_rate, m->window_samples, err,
                           errlen);
    if (m->image.kind != 0)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "image.kind is %d but the model has no image "
                           "layers (conv2d, maxpool) to read an image; set "
                           "image.kind to 0", (int)m->image.kind);
    return IRMAS_OK;
}

static int all_finite(const float *x, long n)
{
    for (long i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

static irmas_status validate_norm(const irmas_model *m, char *err, size_t errlen)
{
    int n = model_features(m);
    if ((m->feature_mean || m->feature_scale) && n == 0)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "feature_mean and feature_scale are set but the "
                           "model reads no frames; allocate its weights "
                           "without feature normalisation");
    if ((m->feature_mean && !all_finite(m->feature_mean, n)) ||
        (m->feature_scale && !all_finite(m->feature_scale, n)))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "feature_mean or feature_scale holds a NaN or "
                           "infinite value; the model is corrupt");
    return IRMAS_OK;
}

/* Every size of an image layer is at most IMAGE_MAX_SIZE, so that no
 * product of them overflows an int: not the taps (channels x kernel x
 * kernel), not the floats of an input or output image. */
static irmas_status validate_image_sizes(const layer *l, const char *name,
                                         char *err, size_t errlen)
{
    static const char *const conv_fields[] = {"channels", "height", "width",
                                              "filters", "kernel", "stride"};
    static const char *const pool_fields[] = {"channels", "height", "width",
                                              "size", "stride"};
    const conv2d_layer *c = &l->u.conv2d;
    const pool_layer *p = &l->u.pool;
    int conv_values[] = {c->channels, c->height, c->width,
                         c->filters, c->kernel, c->stride};
    int pool_values[] = {p->channels, p->height, p->width, p->size,
                         p->stride};
    int conv = l->kind == LAYER_CONV2D, n = conv ? 6 : 5;
    const char *const *fields = conv ? conv_fields : pool_fields;
    const int *values = conv ? conv_values : pool_values;
    for (int j = 0; j < n; j++)
        if (values[j] > IMAGE_MAX_SIZE)
            return status_fail(err, errlen, IRMAS_ERR_ARG,
                               "%s: %s is %d; at most %d", name, fields[j],
                               values[j], IMAGE_MAX_SIZE);
    return IRMAS_OK;
}

/* An image layer's shape: sizes in range, then conv2d_check or pool_check,
 * and an output no larger than IMAGE_MAX_SIZE a side (padding can make a
 * convolution's output larger than its input). */
static irmas_status validate_image_layer(const layer *l, int i, char *err,
                                         size_t errlen)
{
    char name[48];
    snprintf(name, sizeof name, "layer %d (%s)", i, layer_kind_name(l->kind));
    irmas_status status = validate_image_sizes(l, name, err, errlen);
    if (status != IRMAS_OK) return status;
    if (l->kind == LAYER_MAXPOOL) return pool_check(&l->u.pool, name, err,
                                                    errlen);
    status = conv2d_check(&l->u.conv2d, name, err, errlen);
    if (status != IRMAS_OK) return status;
    int height = conv2d_out_height(&l->u.conv2d),
        width = conv2d_out_width(&l->u.conv2d);
    if (height > IMAGE_MAX_SIZE || width > IMAGE_MAX_SIZE)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s: its output is %d x %d pixels; at most %d a "
                           "side, so pad less", name, height, width,
                           IMAGE_MAX_SIZE);
    return IRMAS_OK;
}

/* Checks one layer's own fields: its shape and activation. */
static irmas_status validate_layer_fields(const irmas_model *m, int i, char *err,
                                          size_t errlen)
{
    const layer *l = &m->layers[i];
    const char *kind = layer_kind_name(l->kind);
    if (layer_reads_image(l)) {
        irmas_status status = validate_image_layer(l, i, err, errlen);
        if (status != IRMAS_OK) return status;
    }
    if (layer_inputs(l) <= 0 || layer_outputs(l) <= 0)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer %d (%s): inputs %d and outputs %d must "
                           "both be positive", i, kind, layer_inputs(l),
                           layer_outputs(l));
    if (l->kind == LAYER_DENSE && !activation_name(l->u.dense.act))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer %d (dense): unknown activation %d", i,
                           (int)l->u.dense.act);
    if (l->kind == LAYER_GRU && (unsigned)l->u.gru.reset_after > 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer %d (gru): reset_after is %d; use 0 or 1", i,
                           l->u.gru.reset_after);
    if (l->kind == LAYER_BLSTM &&
        (l->u.blstm.fwd.inputs != l->u.blstm.bwd.inputs ||
         l->u.blstm.fwd.hidden != l->u.blstm.bwd.hidden))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer %d (blstm): fwd is %d -> %d but bwd is "
                           "%d -> %d; both directions must have the same "
                           "shape", i, l->u.blstm.fwd.inputs,
                           l->u.blstm.fwd.hidden, l->u.blstm.bwd.inputs,
                           l->u.blstm.bwd.hidden);
    return IRMAS_OK;
}

static irmas_status validate_tensors(const irmas_model *m, int i, char *err,
                                     size_t errlen)
{
    layer copy;
    layer_tensor t[LAYER_MAX_TENSORS];
    int n = layer_tensors_of(&m->layers[i], &copy, t);
    const char *kind = layer_kind_name(m->layers[i].kind);
    for (int j = 0; j < n; j++) {
        if (!*t[j].data)
            return status_fail(err, errlen, IRMAS_ERR_ARG,
                               "layer %d (%s): tensor '%s' has no weights; "
                               "call model_alloc_weights", i, kind,
                               t[j].name);
        if (!all_finite(*t[j].data, t[j].count))
            return status_fail(err, errlen, IRMAS_ERR_ARG,
                               "layer %d (%s): tensor '%s' holds a NaN or "
                               "infinite weight; the model is corrupt", i,
                               kind, t[j].name);
    }
    return IRMAS_OK;
}

/* An image as a layer reads or writes it. */
typedef struct {
    int channels, height, width;
} image_shape;

static image_shape image_layer_input(const layer *l)
{
    if (l->kind == LAYER_CONV2D)
        return (image_shape){l->u.conv2d.channels, l->u.conv2d.height,
                             l->u.conv2d.width};
    return (image_shape){l->u.pool.channels, l->u.pool.height,
                         l->u.pool.width};
}

static image_shape image_layer_output(const layer *l)
{
    if (l->kind == LAYER_CONV2D)
        return (image_shape){l->u.conv2d.filters,
                             conv2d_out_height(&l->u.conv2d),
                             conv2d_out_width(&l->u.conv2d)};
    return (image_shape){l->u.pool.channels, pool_out_height(&l->u.pool),
                         pool_out_width(&l->u.pool)};
}

/* An image layer reads the image (layer 0) or the image the one before it
 * wrote, shape for shape: equal float counts are not enough. */
static irmas_status validate_image_input(const irmas_model *m, int i, char *err,
                                         size_t errlen)
{
    const layer *l = &m->layers[i];
    image_shape want = image_layer_input(l), given;
    if (i == 0)
        given = (image_shape){m->image.channels, m->image.size,
                              m->image.size};
    else if (layer_reads_image(l - 1))
        given = image_layer_output(l - 1);
    else
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer %d (%s) follows layer %d (%s); image "
                           "layers must come first, before any dense or "
                           "frame layer", i, layer_kind_name(l->kind), i - 1,
                           layer_kind_name(l[-1].kind));
    if (want.channels == given.channels && want.height == given.height &&
        want.width == given.width)
        return IRMAS_OK;
    return status_fail(err, errlen, IRMAS_ERR_ARG,
                       "layer %d (%s): its input is %d x %d x %d (channels "
                       "x height x width) but %s gives %d x %d x %d", i,
                       layer_kind_name(l->kind), want.channels, want.height,
                       want.width,
                       i == 0 ? "the image" : "the layer before it",
                       given.channels, given.height, given.width);
}

/* The first recurrent layer of a CRNN starts from the image branch's
 * output, so it must keep a plain h of that width. */
static irmas_status validate_crnn_start(const irmas_model *m, int i, char *err,
                                        size_t errlen)
{
    const layer *l = &m->layers[i];
    const char *kind = layer_kind_name(l->kind);
    if (l->kind == LAYER_STATS || l->kind == LAYER_BLSTM)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer %d (%s) follows the image branch, which "
                           "gives the first frame layer its initial state; "
                           "that layer must be an rnn, lstm or gru", i, kind);
    int branch = layer_outputs(l - 1), hidden = layer_outputs(l);
    if (branch != hidden)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer %d (%s) has %d units but the image branch "
                           "(layer %d, %s) gives %d values as its initial "
                           "state; make them equal", i, kind, hidden, i - 1,
                           layer_kind_name(l[-1].kind), branch);
    return IRMAS_OK;
}

/* Where the frame layers may be: together, before the head, a blstm only
 * as the last of them, a stats layer only alone. */
static irmas_status validate_frame_place(const irmas_model *m, int i, char *err,
                                         size_t errlen)
{
    const layer *l = &m->layers[i];
    const char *kind = layer_kind_name(l->kind);
    int first = model_image_end(m), head = model_head_start(m);
    if (i >= head)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer %d (%s) follows dense layer %d; frame "
                           "layers (recurrent, stats) must come before "
                           "dense ones", i, kind, head);
    if (l->kind == LAYER_BLSTM && i != head - 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer %d (blstm) is followed by recurrent layer "
                           "%d; a blstm yields only its final state, so it "
                           "must be the last recurrent layer", i, i + 1);
    if (l->kind == LAYER_STATS && head - first != 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer %d (stats) is one of %d frame layers "
                           "(layers %d to %d); a stats layer must be the "
                           "only one", i, head - first, first, head - 1);
    if (i == first && i > 0 && model_reads_image(m))
        return validate_crnn_start(m, i, err, errlen);
    return IRMAS_OK;
}

/* Checks where layer i sits: what feeds it, and what may follow it. */
static irmas_status validate_layer_place(const irmas_model *m, int i, char *err,
                                         size_t errlen)
{
    const layer *l = &m->layers[i];
    const char *kind = layer_kind_name(l->kind);
    if (i == 0 && !layer_reads_frames(l) && !layer_reads_image(l))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer 0 (%s): the first layer must be recurrent "
                           "(rnn, lstm, gru or blstm) or stats to read the "
                           "frames, or conv2d or maxpool to read the image",
                           kind);
    irmas_status status = IRMAS_OK;
    if (layer_reads_image(l))
        status = validate_image_input(m, i, err, errlen);
    if (layer_reads_frames(l))
        status = validate_frame_place(m, i, err, errlen);
    if (status != IRMAS_OK || layer_reads_image(l)) return status;
    int from_frames = layer_reads_frames(l) && i == model_image_end(m);
    int given = from_frames ? model_features(m) : layer_outputs(l - 1);
    if (layer_inputs(l) != given)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer %d (%s): inputs is %d but %s gives %d", i,
                           kind, layer_inputs(l),
                           from_frames ? "the front-end"
                                       : "the layer before it", given);
    return IRMAS_OK;
}

static irmas_status validate_output(const irmas_model *m, char *err, size_t errlen)
{
    int last = m->n_layers - 1;
    const layer *l = &m->layers[last];
    if (l->kind != LAYER_DENSE || l->u.dense.act != ACT_SOFTMAX)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer %d (%s): the last layer must be a dense "
                           "softmax over the classes", last,
                           layer_kind_name(l->kind));
    if (l->u.dense.outputs != m->classes)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer %d (dense): outputs is %d but the model "
                           "has %d classes", last, l->u.dense.outputs,
                           m->classes);
    return IRMAS_OK;
}

irmas_status model_validate(const irmas_model *m, char *err, size_t errlen)
{
    irmas_status status = check_layer_count(m, err, errlen);
    if (status == IRMAS_OK) status = validate_recording(m, err, errlen);
    if (status == IRMAS_OK) status = validate_frontend(m, err, errlen);
    if (status == IRMAS_OK) status = validate_image(m, err, errlen);
    if (status == IRMAS_OK) status = validate_labels(m, err, errlen);
    if (status == IRMAS_OK) status = validate_norm(m, err, errlen);
    for (int i = 0; status == IRMAS_OK && i < m->n_layers; i++) {
        status = validate_layer_fields(m, i, err, errlen);
        if (status == IRMAS_OK)
            status = validate_layer_place(m, i, err, errlen);
        if (status == IRMAS_OK) status = validate_tensors(m, i, err, errlen);
    }
    if (status == IRMAS_OK) status = validate_output(m, err, errlen);
    return status;
}

irmas_status model_set_provenance(irmas_model *m, const char *text)
{
    char *copy = strdup(text ? text : "");
    if (!copy) return IRMAS_ERR_NOMEM;
    free(m->provenance);
    m->provenance = copy;
    return IRMAS_OK;
}

void model_prepare_samples(const irmas_model *m, float *samples, long n)
{
    for (long i = 0; i < n; i++) samples[i] = sample_finite(samples[i]);
    if (m->norm != NORM_PEAK) return;
    float peak = 0.0f;
    for (long i = 0; i < n; i++)
        peak = fabsf(samples[i]) > peak ? fabsf(samples[i]) : peak;
    if (peak == 0.0f) return;
    for (long i = 0; i < n; i++) samples[i] /= peak;
}

void model_standardise(const irmas_model *m, float *features, int frames,
                       int features_per_frame)
{
    for (int t = 0; t < frames; t++) {
        float *x = features + (long)t * features_per_frame;
        if (m->feature_mean)
            for (int i = 0; i < features_per_frame; i++)
                x[i] -= m->feature_mean[i];
        if (m->feature_scale)
            for (int i = 0; i < features_per_frame; i++)
                x[i] *= m->feature_scale[i];
    }
}

/* The accessors of the public interface (irmas/irmas.h), which keeps the
 * model's structure to the engine. */
int irmas_model_sample_rate(const irmas_model *m)
{
    return m->sample_rate;
}

int irmas_model_window_samples(const irmas_model *m)
{
    return m->window_samples;
}

int irmas_model_classes(const irmas_model *m)
{
    return m->classes;
}

const char *irmas_model_label(const irmas_model *m, int c)
{
    return m->labels[c];
}

/* The index of label among the model's classes, or -1. */
int irmas_model_class_index(const irmas_model *m, const char *label)
{
    for (int c = 0; c < m->classes; c++)
        if (strncmp(m->labels[c], label, MODEL_LABEL_MAX) == 0) return c;
    return -1;
}

/* 1 if front-ends p and q compute the same frames. */
static int same_frontend(const frontend_params *p, const frontend_params *q)
{
    return p->kind == q->kind && p->frame == q->frame &&
           p->fft_size == q->fft_size && p->mels == q->mels &&
           p->fmin == q->fmin && p->fmax == q->fmax &&
           p->checksum == q->checksum;
}

/* ", each scaled to peak 1" for a model that scales its windows, else "". */
static const char *peak_scaled(const irmas_model *m)
{
    return m->norm == NORM_PEAK ? ", each scaled to peak 1" : "";
}

/* IRMAS_OK if a and b read the same input: the same rate, window and
 * scaling, front-end settings and image; else IRMAS_ERR_ARG, the message
 * saying which differs. */
static irmas_status same_input(const irmas_model *a, const irmas_model *b,
                               char *err, size_t errlen)
{
    if (a->sample_rate != b->sample_rate ||
        a->window_samples != b->window_samples || a->norm != b->norm)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "the windows differ: %d samples at %d Hz%s, and "
                           "%d samples at %d Hz%s", a->window_samples,
                           a->sample_rate, peak_scaled(a), b->window_samples,
                           b->sample_rate, peak_scaled(b));
    if (!same_frontend(&a->frontend, &b->frontend) ||
        a->image.kind != b->image.kind || a->image.size != b->image.size ||
        a->image.channels != b->image.channels) {
        char what_a[128], what_b[128];
        model_describe_input(a, what_a, sizeof what_a);
        model_describe_input(b, what_b, sizeof what_b);
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "the inputs differ: %s, and %s%s", what_a, what_b,
                           strcmp(what_a, what_b) == 0
                               ? " (computed with other front-end settings: "
                                 "hop, frame size, bands or weights)"
                               : "");
    }
    return IRMAS_OK;
}

/* IRMAS_OK if layer i of a and of b are of one kind with tensors of the
 * same names and lengths; else IRMAS_ERR_ARG, naming the first tensor
 * that differs. */
static irmas_status same_layer(const irmas_model *a, const irmas_model *b,
                               int i, char *err, size_t errlen)
{
    layer la = a->layers[i], lb = b->layers[i];
    layer_tensor ta[LAYER_MAX_TENSORS], tb[LAYER_MAX_TENSORS];
    int na = layer_tensors(&la, ta), nb = layer_tensors(&lb, tb);
    if (la.kind != lb.kind || na != nb)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer %d differs: %s with %d tensors, %s with %d",
                           i, layer_kind_name(la.kind), na,
                           layer_kind_name(lb.kind), nb);
    for (int k = 0; k < na; k++)
        if (strcmp(ta[k].name, tb[k].name) != 0 || ta[k].count != tb[k].count)
            return status_fail(err, errlen, IRMAS_ERR_ARG,
                               "layer %d (%s) differs: tensor %s of %ld "
                               "floats, %s of %ld", i,
                               layer_kind_name(la.kind), ta[k].name,
                               ta[k].count, tb[k].name, tb[k].count);
    return IRMAS_OK;
}

/* The shape of a and b but for the number of classes: as many layers and
 * features, the same layers before the softmax, a softmax reading as many
 * inputs, and feature statistics in both or neither. */
static irmas_status same_shape_but_classes(const irmas_model *a,
                                           const irmas_model *b, char *err,
                                           size_t errlen)
{
    if (a->n_layers != b->n_layers || model_features(a) != model_features(b))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "the shapes differ: %d and %d layers, %d and %d "
                           "features", a->n_layers, b->n_layers,
                           model_features(a), model_features(b));
    int last = a->n_layers - 1;
    for (int i = 0; i < last; i++) {
        irmas_status status = same_layer(a, b, i, err, errlen);
        if (status != IRMAS_OK) return status;
    }
    int in_a = a->layers[last].u.dense.inputs,
        in_b = b->layers[last].u.dense.inputs;
    if (in_a != in_b)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "layer %d (the softmax) differs: %d and %d "
                           "inputs", last, in_a, in_b);
    if ((a->feature_mean == NULL) != (b->feature_mean == NULL))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "the shapes differ: only the %s stores feature "
                           "statistics", a->feature_mean ? "first" : "second");
    return IRMAS_OK;
}

irmas_status model_same_body(const irmas_model *a, const irmas_model *b,
                             char *err, size_t errlen)
{
    irmas_status status = same_input(a, b, err, errlen);
    if (status != IRMAS_OK) return status;
    return same_shape_but_classes(a, b, err, errlen);
}

irmas_status model_same_shape(const irmas_model *a, const irmas_model *b,
                              char *err, size_t errlen)
{
    if (a->classes != b->classes)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "the shapes differ: %d and %d classes",
                           a->classes, b->classes);
    return same_shape_but_classes(a, b, err, errlen);
}

long model_parameters(const irmas_model *m)
{
    long total = 0;
    for (int i = 0; i < m->n_layers; i++) {
        layer copy;
        layer_tensor t[LAYER_MAX_TENSORS];
        int n = layer_tensors_of(&m->layers[i], &copy, t);
        for (int j = 0; j < n; j++) total += t[j].count;
    }
    return total;
}

/* Two buffers as wide as the widest dense output: layers alternate
 * between them, since a dense layer cannot write over its input. */
int model_head_scratch(const irmas_model *m)
{
    int widest = 0;
    for (int i = model_head_start(m); i < m->n_layers; i++)
        if (layer_outputs(&m->layers[i]) > widest)
            widest = layer_outputs(&m->layers[i]);
    return 2 * widest;
}

void model_head(const irmas_model *m, const float *in, float *scratch,
                float *probs)
{
    int half = model_head_scratch(m) / 2;
    const float *x = in;
    for (int i = model_head_start(m); i < m->n_layers; i++) {
        float *out = scratch + (x == scratch ? half : 0);
        if (i == m->n_layers - 1) out = probs;
        dense_forward(&m->layers[i].u.dense, x, out, 1);
        x = out;
    }
}

double model_top_frequency(const irmas_model *m)
{
    if (m->frontend.kind == FRONTEND_LOGMEL) return m->frontend.fmax;
    return m->sample_rate / 2.0;
}

irmas_status model_check_rate(const irmas_model *m, int rate, const char *source,
                              char *err, size_t errlen)
{
    double top = model_top_frequency(m);
    if (rate / 2.0 >= top) return IRMAS_OK;
    return status_fail(err, errlen, IRMAS_ERR_ARG,
                       "%s is at %d Hz, which carries nothing above %d Hz, "
                       "but the model reads up to %.0f Hz: give it audio at "
                       "%.0f Hz or more (a faster device, or the file "
                       "resampled)", source, rate, rate / 2, top, 2 * top);
}
