/* teacher.c: see teacher.h. */
#include "classes.h"
#include "teacher.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activation.h"
#include "conv2d.h"
#include "gemm.h"
#include "mobilenet.h"

/* One inverted-residual block: channels after its expansion (its input's,
 * for b01, which has none), after its projection, the depthwise kernel,
 * the squeeze-excitation's inner width (0: none), hardswish (else ReLU),
 * and the stride. From EfficientAT's mn04 (width 0.4). */
typedef struct {
    int expand, out, kernel, squeeze, hardswish, stride;
} block_spec;

#define BLOCKS 15
#define STEM_CHANNELS 8
#define FC1 512

static const block_spec blocks[BLOCKS] = {
    {8, 8, 3, 0, 0, 1},       {24, 16, 3, 0, 0, 2},
    {32, 16, 3, 0, 0, 1},     {32, 16, 5, 8, 0, 2},
    {48, 16, 5, 16, 0, 1},    {48, 16, 5, 16, 0, 1},
    {96, 32, 3, 0, 1, 2},     {80, 32, 3, 0, 1, 1},
    {72, 32, 3, 0, 1, 1},     {72, 32, 3, 0, 1, 1},
    {192, 48, 3, 48, 1, 1},   {272, 48, 3, 72, 1, 1},
    {272, 64, 5, 72, 1, 2},   {384, 64, 5, 96, 1, 1},
    {384, 64, 5, 96, 1, 1},
};

#define MAX_TENSORS 128
#define NAME_MAX_LEN 48

/* One tensor the architecture needs: its name and shape in tensors.tsv. */
typedef struct {
    char name[NAME_MAX_LEN];
    int dims[4], n_dims;
    long count, offset;
} tensor_spec;

struct teacher_weights {
    float *data;
    const float *tensors[MAX_TENSORS]; /* in architecture order */
    int n_tensors;
};

struct teacher {
    const teacher_weights *w;
    long max_samples;
    teacher_frontend *frontend;
    float *logmel;   /* [TEACHER_MELS][frames] */
    float *x, *e, *d, *y; /* block input, expansion, depthwise, output */
    float *work;     /* conv2d's patches, then the SE's means */
    float *frame_embeddings; /* [columns][TEACHER_EMBEDDING] */
    int frame_columns;
    float hidden[FC1];
};

/* Appends a tensor to the architecture's list, at the next offset. */
static void add_tensor(tensor_spec *list, int *n, const char *name,
                       const char *suffix, int n_dims, int d0, int d1, int d2,
                       int d3)
{
    tensor_spec *t = &list[*n];
    snprintf(t->name, sizeof t->name, "%s%s", name, suffix);
    t->n_dims = n_dims;
    int dims[4] = {d0, d1, d2, d3};
    t->count = 1;
    for (int i = 0; i < n_dims; i++) t->count *= t->dims[i] = dims[i];
    t->offset = *n ? list[*n - 1].offset + list[*n - 1].count : 0;
    (*n)++;
}

/* A convolution's weights and bias. */
static void add_conv(tensor_spec *list, int *n, const char *name, int out,
                     int in, int kernel)
{
    add_tensor(list, n, name, "_w", 4, out, in, kernel, kernel);
    add_tensor(list, n, name, "_b", 1, out, 0, 0, 0);
}

/* "b04_2": part `part` of block `block` (counted from 1), in buf. */
static const char *part_name(char *buf, size_t len, int block, int part)
{
    snprintf(buf, len, "b%02d_%d", block, part);
    return buf;
}

/* Every tensor of mn04_as in file order; returns how many. In each block
 * the parts are numbered in order: expansion (not in b01), depthwise,
 * squeeze-excitation (when it has one), projection. */
static int architecture(tensor_spec *list)
{
    int n = 0, in = STEM_CHANNELS;
    char name[24];
    add_conv(list, &n, "features.0", STEM_CHANNELS, 1, 3);
    for (int b = 0; b < BLOCKS; b++) {
        const block_spec *s = &blocks[b];
        int part = 0;
        if (b > 0)
            add_conv(list, &n, part_name(name, sizeof name, b + 1, part++),
                     s->expand, in, 1);
        add_conv(list, &n, part_name(name, sizeof name, b + 1, part++),
                 s->expand, 1, s->kernel);
        if (s->squeeze) {
            part_name(name, sizeof name, b + 1, part++);
            add_tensor(list, &n, name, "_se_fc1_w", 2, s->squeeze, s->expand, 0, 0);
            add_tensor(list, &n, name, "_se_fc1_b", 1, s->squeeze, 0, 0, 0);
            add_tensor(list, &n, name, "_se_fc2_w", 2, s->expand, s->squeeze, 0, 0);
            add_tensor(list, &n, name, "_se_fc2_b", 1, s->expand, 0, 0, 0);
        }
        add_conv(list, &n, part_name(name, sizeof name, b + 1, part++),
                 s->out, s->expand, 1);
        in = s->out;
    }
    add_conv(list, &n, "last", TEACHER_EMBEDDING, in, 1);
    add_tensor(list, &n, "fc1", "_w", 2, FC1, TEACHER_EMBEDDING, 0, 0);
    add_tensor(list, &n, "fc1", "_b", 1, FC1, 0, 0, 0);
    add_tensor(list, &n, "fc2", "_w", 2, TEACHER_LABELS, FC1, 0, 0);
    add_tensor(list, &n, "fc2", "_b", 1, TEACHER_LABELS, 0, 0, 0);
    return n;
}

/* The floats of the tensors spec[0..n), which lie end to end. */
static long total_floats(const tensor_spec *spec, int n)
{
    return spec[n - 1].offset + spec[n - 1].count;
}

/* The shape as tensors.tsv writes it: "24x8x1x1". */
static void format_shape(const tensor_spec *t, char *out, size_t len)
{
    int used = 0;
    for (int i = 0; i < t->n_dims && (size_t)used < len; i++)
        used += snprintf(out + used, len - (size_t)used, "%s%d", i ? "x" : "",
                         t->dims[i]);
}

/* Splits a line into its four tab-separated fields in place; 0 or -1. */
static int split_fields(char *line, char *fields[4])
{
    line[strcspn(line, "\r\n")] = '\0';
    for (int i = 0; i < 4; i++) {
        fields[i] = line;
        char *tab = strchr(line, '\t');
        if (i < 3 && !tab) return -1;
        if (tab) {
            if (i == 3) return -1;
            *tab = '\0';
            line = tab + 1;
        }
    }
    return 0;
}

/* Checks one line of tensors.tsv against the tensor the architecture has
 * at that place. */
static irmas_status check_line(const char *path, int line_no, char *line,
                               const tensor_spec *t, char *err, size_t errlen)
{
    char *f[4], want[64];
    if (split_fields(line, f))
        return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                           "%s: line %d: expected 4 tab-separated fields "
                           "(name, shape, offset_floats, count) for tensor "
                           "'%s'; the file is damaged, get it again",
                           path, line_no, t->name);
    format_shape(t, want, sizeof want);
    char offset[32], count[32];
    snprintf(offset, sizeof offset, "%ld", t->offset);
    snprintf(count, sizeof count, "%ld", t->count);
    static const char *const field_names[4] = {"name", "shape",
                                                "offset_floats", "count"};
    const char *wanted[4] = {t->name, want, offset, count};
    for (int i = 0; i < 4; i++)
        if (strcmp(f[i], wanted[i]))
            return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                               "%s: line %d: field '%s' is '%s', but mn04_as "
                               "needs '%s' there (tensor '%s'); these are not "
                               "the mn04_as weights, or the file is damaged",
                               path, line_no, field_names[i], f[i], wanted[i],
                               t->name);
    return IRMAS_OK;
}

/* Opens dir/name into *f, its path in path[pathlen]; a missing file says
 * where to get the weights. */
static irmas_status open_file(const char *dir, const char *name,
                              const char *mode, char *path, size_t pathlen,
                              FILE **f, char *err, size_t errlen)
{
    snprintf(path, pathlen, "%s/%s", dir, name);
    *f = fopen(path, mode);
    if (!*f)
        return status_fail(err, errlen, IRMAS_ERR_IO,
                           "%s: %s; the teacher's weights are missing: get "
                           "them from %s", path, strerror(errno),
                           TEACHER_WEIGHTS_SOURCE);
    return IRMAS_OK;
}

/* Reads tensors.tsv and checks it line by line against spec[n]. */
static irmas_status read_index(const char *dir, const tensor_spec *spec, int n,
                               char *err, size_t errlen)
{
    char path[4096];
    FILE *f;
    irmas_status opened = open_file(dir, "tensors.tsv", "r", path, sizeof path,
                                    &f, err, errlen);
    if (opened != IRMAS_OK) return opened;
    char line[512];
    int line_no = 0, tensors = 0;
    irmas_status status = IRMAS_OK;
    while (status == IRMAS_OK && fgets(line, sizeof line, f)) {
        line_no++;
        if (line_no == 1) {
            if (strncmp(line, "name\tshape\toffset_floats\tcount", 30))
                status = status_fail(err, errlen, IRMAS_ERR_FORMAT,
                                     "%s: line 1: expected the header "
                                     "'name, shape, offset_floats, count' "
                                     "(tab-separated)", path);
            continue;
        }
        if (line[0] == '\n' || line[0] == '\0') continue;
        if (tensors == n)
            status = status_fail(err, errlen, IRMAS_ERR_FORMAT,
                                 "%s: line %d: field 'name': a tensor past "
                                 "the %d of mn04_as", path, line_no, n);
        else
            status = check_line(path, line_no, line, &spec[tensors++], err,
                                errlen);
    }
    if (status == IRMAS_OK && ferror(f))
        status = status_fail(err, errlen, IRMAS_ERR_IO, "%s: read error: %s",
                             path, strerror(errno));
    if (status == IRMAS_OK && tensors < n)
        status = status_fail(err, errlen, IRMAS_ERR_FORMAT,
                             "%s: line %d: the file ends after %d of mn04_as's "
                             "%d tensors (the next is '%s'); it is truncated, "
                             "get it again", path, line_no + 1, tensors, n,
                             spec[tensors].name);
    fclose(f);
    return status;
}

/* Reads weights.f32, which must hold exactly floats little-endian floats,
 * into data, and checks that every weight is finite. */
static irmas_status read_data(const char *dir, const tensor_spec *spec, int n,
                              float *data, char *err, size_t errlen)
{
    char path[4096];
    long floats = total_floats(spec, n);
    FILE *f;
    irmas_status opened = open_file(dir, "weights.f32", "rb", path,
                                    sizeof path, &f, err, errlen);
    if (opened != IRMAS_OK) return opened;
    size_t got = fread(data, sizeof *data, (size_t)floats, f);
    int extra = got == (size_t)floats && fgetc(f) != EOF;
    fclose(f);
    if (got != (size_t)floats || extra)
        return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                           "%s: %s %ld floats (%ld bytes) but tensors.tsv "
                           "needs exactly %ld; the file is %s, get it again",
                           path, extra ? "holds more than" : "holds only",
                           extra ? floats : (long)got,
                           (extra ? floats : (long)got) * 4, floats,
                           extra ? "not the one tensors.tsv describes"
                                 : "truncated");
    for (int t = 0; t < n; t++)
        for (long i = 0; i < spec[t].count; i++)
            if (!isfinite(data[spec[t].offset + i]))
                return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                                   "%s: byte %ld: tensor '%s' element %ld is "
                                   "not a finite number; the file is damaged, "
                                   "get it again", path,
                                   (spec[t].offset + i) * 4, spec[t].name, i);
    return IRMAS_OK;
}

long teacher_weight_floats(void)
{
    tensor_spec spec[MAX_TENSORS];
    int n = architecture(spec);
    return total_floats(spec, n);
}

irmas_status teacher_write_index(const char *path, char *err, size_t errlen)
{
    tensor_spec spec[MAX_TENSORS];
    int n = architecture(spec);
    FILE *f = fopen(path, "w");
    if (!f)
        return status_fail(err, errlen, IRMAS_ERR_IO, "%s: %s", path,
                           strerror(errno));
    fprintf(f, "name\tshape\toffset_floats\tcount\n");
    for (int t = 0; t < n; t++) {
        char shape[64];
        format_shape(&spec[t], shape, sizeof shape);
        fprintf(f, "%s\t%s\t%ld\t%ld\n", spec[t].name, shape, spec[t].offset,
                spec[t].count);
    }
    if (fclose(f))
        return status_fail(err, errlen, IRMAS_ERR_IO, "%s: %s", path,
                           strerror(errno));
    return IRMAS_OK;
}

irmas_status teacher_weights_load(const char *dir, teacher_weights **out,
                                  char *err, size_t errlen)
{
    *out = NULL;
    tensor_spec spec[MAX_TENSORS];
    int n = architecture(spec);
    irmas_status status = read_index(dir, spec, n, err, errlen);
    if (status != IRMAS_OK) return status;
    teacher_weights *w = calloc(1, sizeof *w);
    long floats = total_floats(spec, n);
    if (w) w->data = malloc((size_t)floats * sizeof *w->data);
    if (!w || !w->data) {
        teacher_weights_free(w);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory for the teacher's %ld weights",
                           floats);
    }
    status = read_data(dir, spec, n, w->data, err, errlen);
    if (status != IRMAS_OK) {
        teacher_weights_free(w);
        return status;
    }
    for (int t = 0; t < n; t++) w->tensors[t] = w->data + spec[t].offset;
    w->n_tensors = n;
    *out = w;
    return IRMAS_OK;
}

void teacher_weights_free(teacher_weights *w)
{
    if (!w) return;
    free(w->data);
    free(w);
}

/* The depthwise convolution of block s on h x w pixels. */
static mobilenet_depthwise block_depthwise(const block_spec *s, int h, int w)
{
    return (mobilenet_depthwise){.channels = s->expand, .height = h,
                                 .width = w, .kernel = s->kernel,
                                 .stride = s->stride,
                                 .padding = (s->kernel - 1) / 2};
}

/* The shapes one run goes through: the largest activation (channels x
 * height x width) of any layer, the most work any depthwise convolution
 * needs, and the last feature map's size. */
static long largest_activation(int frames, long *depthwise_work,
                               int *last_height, int *last_width)
{
    int h = conv2d_output_size(TEACHER_MELS, 3, 2, 1);
    int w = conv2d_output_size(frames, 3, 2, 1);
    long largest = (long)STEM_CHANNELS * h * w;
    *depthwise_work = 0;
    for (int b = 0; b < BLOCKS; b++) {
        const block_spec *s = &blocks[b];
        long expanded = (long)s->expand * h * w;
        largest = expanded > largest ? expanded : largest;
        mobilenet_depthwise dw = block_depthwise(s, h, w);
        long work = mobilenet_depthwise_work_floats(&dw);
        if (work > *depthwise_work) *depthwise_work = work;
        h = mobilenet_depthwise_out_height(&dw);
        w = mobilenet_depthwise_out_width(&dw);
    }
    long last = (long)TEACHER_EMBEDDING * h * w;
    *last_height = h;
    *last_width = w;
    return last > largest ? last : largest;
}

irmas_status teacher_new(const teacher_weights *w, long max_samples,
                         teacher **out, char *err, size_t errlen)
{
    *out = NULL;
    int frames = teacher_frontend_frames(max_samples);
    if (frames == 0 || max_samples > 3600L * TEACHER_SAMPLE_RATE)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "the teacher reads from %d samples to an hour at "
                           "32 kHz, not %ld", TEACHER_MIN_SAMPLES,
                           max_samples);
    teacher *t = calloc(1, sizeof *t);
    if (!t) return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                               "out of memory creating the teacher");
    t->w = w;
    t->max_samples = max_samples;
    gemm_prepare_runner();
    irmas_status status = teacher_frontend_new(&t->frontend, err, errlen);
    if (status != IRMAS_OK) {
        teacher_free(t);
        return status;
    }
    int last_h, last_w;
    long depthwise_work;
    long size = largest_activation(frames, &depthwise_work, &last_h, &last_w);
    long stem_patches = 9L * conv2d_output_size(TEACHER_MELS, 3, 2, 1) *
                        conv2d_output_size(frames, 3, 2, 1);
    long work = stem_patches > 2 * TEACHER_EMBEDDING ? stem_patches
                                                     : 2 * TEACHER_EMBEDDING;
    if (depthwise_work > work) work = depthwise_work;
    t->logmel = malloc((size_t)TEACHER_MELS * frames * sizeof *t->logmel);
    t->x = malloc((size_t)size * sizeof *t->x);
    t->e = malloc((size_t)size * sizeof *t->e);
    t->d = malloc((size_t)size * sizeof *t->d);
    t->y = malloc((size_t)size * sizeof *t->y);
    t->work = malloc((size_t)work * sizeof *t->work);
    t->frame_embeddings =
        malloc((size_t)last_w * TEACHER_EMBEDDING * sizeof *t->frame_embeddings);
    if (!t->logmel || !t->x || !t->e || !t->d || !t->y || !t->work ||
        !t->frame_embeddings) {
        teacher_free(t);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory for the teacher's buffers (%ld "
                           "samples)", max_samples);
    }
    *out = t;
    return IRMAS_OK;
}

void teacher_free(teacher *t)
{
    if (!t) return;
    teacher_frontend_free(t->frontend);
    free(t->logmel);
    free(t->x);
    free(t->e);
    free(t->d);
    free(t->y);
    free(t->work);
    free(t->frame_embeddings);
    free(t);
}

/* ReLU or hardswish in place. */
static void block_activation(int hardswish, float *x, long n)
{
    if (hardswish)
        mobilenet_hardswish(x, n);
    else
        activation_apply(ACT_RELU, x, 1, (int)n);
}

/* One inverted-residual block from t->x (in channels, *h x *w) to t->x
 * (s->out channels, the new *h x *w); next is its first tensor. */
static const float *const *run_block(teacher *t, const block_spec *s, int in,
                                     int first, int *h, int *w,
                                     const float *const *next)
{
    long pixels = (long)*h * *w;
    const float *dw_in = t->x;
    if (!first) {
        mobilenet_pointwise(in, s->expand, pixels, next[0], next[1], t->x,
                            t->e);
        block_activation(s->hardswish, t->e, s->expand * pixels);
        dw_in = t->e;
        next += 2;
    }
    mobilenet_depthwise dw = block_depthwise(s, *h, *w);
    dw.weights = next[0];
    dw.bias = next[1];
    next += 2;
    mobilenet_depthwise_forward(&dw, dw_in, t->d, t->work);
    int out_h = mobilenet_depthwise_out_height(&dw);
    int out_w = mobilenet_depthwise_out_width(&dw);
    long out_pixels = (long)out_h * out_w;
    block_activation(s->hardswish, t->d, s->expand * out_pixels);
    if (s->squeeze) {
        mobilenet_squeeze_excite(s->expand, out_pixels, s->squeeze, next[0],
                                 next[1], next[2], next[3], t->d, t->work);
        next += 4;
    }
    mobilenet_pointwise(s->expand, s->out, out_pixels, next[0], next[1], t->d,
                        t->y);
    next += 2;
    if (s->stride == 1 && in == s->out)
        for (long i = 0; i < s->out * out_pixels; i++) t->y[i] += t->x[i];
    float *swap = t->x;
    t->x = t->y;
    t->y = swap;
    *h = out_h;
    *w = out_w;
    return next;
}

void teacher_run(teacher *t, const float *samples, long n, float *logmel,
                 float *embedding, float *probs)
{
    int frames = teacher_frontend_frames(n);
    teacher_frontend_compute(t->frontend, samples, n, t->logmel);
    if (logmel)
        memcpy(logmel, t->logmel, (size_t)TEACHER_MELS * frames * sizeof *logmel);

    /* conv2d_layer holds writable pointers, but its forward pass only
     * reads them. */
    const float *const *next = t->w->tensors;
    conv2d_layer stem = {.channels = 1, .height = TEACHER_MELS,
                         .width = frames, .filters = STEM_CHANNELS,
                         .kernel = 3, .stride = 2, .padding = 1,
                         .act = ACT_NONE, .weights = (float *)next[0],
                         .bias = (float *)next[1]};
    next += 2;
    conv2d_forward(&stem, t->logmel, t->x, 1, t->work);
    int h = conv2d_out_height(&stem), w = conv2d_out_width(&stem);
    mobilenet_hardswish(t->x, (long)STEM_CHANNELS * h * w);
    int channels = STEM_CHANNELS;
    for (int b = 0; b < BLOCKS; b++) {
        next = run_block(t, &blocks[b], channels, b == 0, &h, &w, next);
        channels = blocks[b].out;
    }
    long pixels = (long)h * w;
    mobilenet_pointwise(channels, TEACHER_EMBEDDING, pixels, next[0], next[1],
                        t->x, t->y);
    next += 2;
    mobilenet_hardswish(t->y, TEACHER_EMBEDDING * pixels);
    mobilenet_mean_pool_height(TEACHER_EMBEDDING, h, w, t->y,
                               t->frame_embeddings);
    t->frame_columns = w;

    float pooled[TEACHER_EMBEDDING], out[TEACHER_LABELS];
    mobilenet_mean_pool(TEACHER_EMBEDDING, h, w, t->y, pooled);
    if (embedding) memcpy(embedding, pooled, sizeof pooled);
    if (!probs) return;
    gemm_affine(1, FC1, TEACHER_EMBEDDING, pooled, next[0], NULL, next[1],
                t->hidden);
    mobilenet_hardswish(t->hidden, FC1);
    gemm_affine(1, TEACHER_LABELS, FC1, t->hidden, next[2], NULL, next[3], out);
    activation_apply(ACT_SIGMOID, out, 1, TEACHER_LABELS);
    memcpy(probs, out, sizeof out);
}

const float *teacher_frame_embeddings(const teacher *t, int *frames)
{
    *frames = t->frame_columns;
    return t->frame_embeddings;
}

/* Our classes and the AudioSet labels (audioset_labels.csv indices) each
 * one is the maximum of; -1 ends a list. */
static const struct {
    int labels[6];
} irmas_classes[TEACHER_IRMAS_CLASSES] = {
    {{193, -1}},                 /* cel: Cello */
    {{198, -1}},                 /* cla: Clarinet */
    {{196, -1}},                 /* flu: Flute */
    {{143, -1}},                 /* gac: Acoustic guitar */
    {{141, -1}},                 /* gel: Electric guitar */
    {{155, 156, 157, -1}},       /* org: Organ, Electronic, Hammond organ */
    {{153, -1}},                 /* pia: Piano */
    {{197, -1}},                 /* sax: Saxophone */
    {{187, -1}},                 /* tru: Trumpet */
    {{191, -1}},                 /* vio: Violin, fiddle */
    {{27, 28, 32, 33, 34, -1}},  /* voi: Singing, Choir, Male, Female,
                                    Child singing */
};

void teacher_irmas_probs(const float *probs, float *irmas)
{
    for (int c = 0; c < TEACHER_IRMAS_CLASSES; c++) {
        const int *label = irmas_classes[c].labels;
        float top = probs[*label];
        for (label++; *label >= 0; label++)
            top = probs[*label] > top ? probs[*label] : top;
        irmas[c] = top;
    }
}

const char *teacher_irmas_label(int c)
{
    return c >= 0 && c < TEACHER_IRMAS_CLASSES ? classes_code(c) : NULL;
}
