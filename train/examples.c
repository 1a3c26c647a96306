/* examples.c: reading a data set into memory as quantised frames and
 * images (see examples.h).
 *
 * Files are shared among threads through a work queue (work_queue.h);
 * each thread has its own front-end and image builder (frontend.h,
 * image.h: one per thread) and buffers, and keeps each item's examples
 * apart, so joining them in item order at the end gives the same set
 * whatever the number of threads.
 *
 * With a cache folder, a file's examples are first looked for there
 * (file_cache.h): an entry is a header (magic, examples, frames,
 * features, image floats) and then, per example, its two steps and its
 * quantised values and pixels, exactly as held in memory, so a cached
 * example is the computed one bit for bit.
 */
#include "examples.h"

#include "atomic_file.h"
#include "audio_file.h"
#include "bytes.h"
#include "file_cache.h"
#include "reader.h"
#include "work_queue.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What reading one item gave. */
typedef struct {
    example *list;
    int count;
    int unreadable;      /* 1: reported and skipped */
    irmas_status status; /* IRMAS_ERR_NOMEM: the run cannot go on */
} item_result;

typedef struct {
    const dataset *d;
    int first;              /* the items read: first.. */
    const irmas_model *m;
    const examples_settings *s;
    item_result *results;   /* [items read] */
    char settings_key[17];  /* with a cache: the settings' part of names */
    atomic_int cached, computed;
    atomic_flag failed;     /* set by the first cache entry not written */
    char failure[768];      /* its message, written by that thread alone */
} load_job;

/* Bump when what the front-ends or image builders compute changes, so
 * that entries of the old computation are not read as the new one's. */
static const char cache_magic[8] = "IRMFRM1";

typedef struct {
    int32_t examples, frames, features, image_floats;
} entry_header;

/* One thread's tools: a reader (reader.h) and its outputs. */
typedef struct {
    load_job *job;
    reader *reader;
    float *frames; /* [frames][features] */
    float *pixels; /* [image floats] */
} loader;

/* Stores values[n] in *out as 16-bit steps of the largest magnitude, which
 * goes to *step. */
static irmas_status quantise(const float *values, long n, int16_t **out,
                             float *step)
{
    float peak = 0.0f;
    for (long i = 0; i < n; i++)
        if (fabsf(values[i]) > peak) peak = fabsf(values[i]);
    *step = peak > 0.0f ? peak / 32767.0f : 1.0f;
    *out = malloc((size_t)n * sizeof **out);
    if (!*out) return IRMAS_ERR_NOMEM;
    for (long i = 0; i < n; i++) {
        long q = lrintf(values[i] / *step);
        (*out)[i] = (int16_t)(q > 32767 ? 32767 : q < -32767 ? -32767 : q);
    }
    return IRMAS_OK;
}

static void example_free(example *e)
{
    free(e->values);
    free(e->pixels);
}

/* One example from the first available samples at x (zero-padded to a
 * window). */
static irmas_status load_window(loader *l, const float *x, long available,
                                example *out)
{
    const irmas_model *m = l->job->m;
    int frames = model_reads_frames(m), image = model_reads_image(m);
    reader_read(l->reader, x, available, IMAGE_ANYWHERE,
                frames ? l->frames : NULL, image ? l->pixels : NULL);
    irmas_status status = IRMAS_OK;
    if (frames)
        status = quantise(l->frames, (long)model_frames(m) * model_features(m),
                          &out->values, &out->step);
    if (image && status == IRMAS_OK)
        status = quantise(l->pixels, image_floats(&m->image), &out->pixels,
                          &out->pixel_step);
    return status;
}

/* ---- the cache -------------------------------------------------------- */

/* The settings' part of every entry's name: what decides the examples of
 * a file besides its bytes. */
static void settings_key(load_job *job)
{
    const irmas_model *m = job->m;
    const frontend_params *f = &m->frontend;
    char text[512];
    int n = snprintf(text, sizeof text,
                     "%.8s\nrate %d\nwindow %d\nnorm %d\nfrontend %d %d %d "
                     "%d %.9g %.9g %08x\nimage %d %d %d\nmixdown %d",
                     cache_magic, m->sample_rate, m->window_samples,
                     (int)m->norm, (int)f->kind, f->frame, f->fft_size,
                     f->mels, f->fmin, f->fmax, f->checksum,
                     (int)m->image.kind, m->image.size, m->image.channels,
                     job->s->mixdown);
    file_cache_settings_key(text, (size_t)n, job->settings_key);
}

/* The shape every entry of the job must have. */
static entry_header entry_shape(const load_job *job, int examples)
{
    const irmas_model *m = job->m;
    return (entry_header){
        .examples = examples,
        .frames = model_reads_frames(m) ? model_frames(m) : 0,
        .features = model_reads_frames(m) ? model_features(m) : 0,
        .image_floats = model_reads_image(m) ? (int32_t)image_floats(&m->image)
                                             : 0};
}

/* Reads one example's steps and values from f; 1 if they are whole, else
 * 0 with nothing of e left allocated. */
static int entry_read_example(FILE *f, const entry_header *h, example *e)
{
    size_t values = (size_t)h->frames * h->features;
    size_t pixels = (size_t)h->image_floats;
    if (fread(&e->step, sizeof e->step, 1, f) != 1 ||
        fread(&e->pixel_step, sizeof e->pixel_step, 1, f) != 1 ||
        !isfinite(e->step) || !isfinite(e->pixel_step))
        return 0;
    e->values = values ? malloc(values * sizeof *e->values) : NULL;
    e->pixels = pixels ? malloc(pixels * sizeof *e->pixels) : NULL;
    int whole = (!values || (e->values && fread(e->values, sizeof *e->values,
                                                values, f) == values)) &&
                (!pixels || (e->pixels && fread(e->pixels, sizeof *e->pixels,
                                                pixels, f) == pixels));
    if (!whole) {
        example_free(e);
        e->values = NULL;
        e->pixels = NULL;
    }
    return whole;
}

/* Reads path's entry into r when it is whole and of the job's shape; 1 if
 * it did (r's examples still need their label and item). */
static int entry_read(const char *path, const load_job *job, item_result *r)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char magic[sizeof cache_magic];
    entry_header h, want;
    int ok = fread(magic, sizeof magic, 1, f) == 1 &&
             memcmp(magic, cache_magic, sizeof magic) == 0 &&
             fread(&h, sizeof h, 1, f) == 1 && h.examples > 0 &&
             h.examples <= 1 << 20;
    want = entry_shape(job, ok ? h.examples : 0);
    ok = ok && memcmp(&h, &want, sizeof h) == 0;
    r->list = ok ? calloc((size_t)h.examples, sizeof *r->list) : NULL;
    for (r->count = 0; r->list && r->count < h.examples; r->count++)
        if (!entry_read_example(f, &h, &r->list[r->count])) break;
    ok = r->list && r->count == h.examples && fgetc(f) == EOF;
    fclose(f);
    if (!ok) {
        for (int i = 0; i < r->count; i++) example_free(&r->list[i]);
        free(r->list);
        *r = (item_result){0};
    }
    return ok;
}

/* Writes r's examples to path, whole or not at all. */
static irmas_status entry_write(const char *path, const load_job *job,
                                const item_result *r, char *err,
                                size_t errlen)
{
    entry_header h = entry_shape(job, r->count);
    size_t values = (size_t)h.frames * h.features * sizeof(int16_t);
    size_t pixels = (size_t)h.image_floats * sizeof(int16_t);
    size_t each = 2 * sizeof(float) + values + pixels;
    size_t size = sizeof cache_magic + sizeof h + (size_t)r->count * each;
    char *data = malloc(size), *at = data;
    if (!data)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory for %s", path);
    memcpy(at, cache_magic, sizeof cache_magic);
    memcpy(at += sizeof cache_magic, &h, sizeof h);
    at += sizeof h;
    for (int i = 0; i < r->count; i++) {
        const example *e = &r->list[i];
        memcpy(at, &e->step, sizeof e->step);
        memcpy(at += sizeof e->step, &e->pixel_step, sizeof e->pixel_step);
        at += sizeof e->pixel_step;
        if (values) memcpy(at, e->values, values);
        if (pixels) memcpy(at + values, e->pixels, pixels);
        at += values + pixels;
    }
    irmas_status status = atomic_file_write(path, data, size, err, errlen);
    free(data);
    return status;
}

/* Keeps the first entry that could not be written as the job's failure. */
static void job_fail(load_job *job, const char *message)
{
    if (!atomic_flag_test_and_set(&job->failed))
        snprintf(job->failure, sizeof job->failure, "%s", message);
}

/* ---- reading ---------------------------------------------------------- */

/* Computes r's examples from the audio of item. */
static void compute_item(loader *l, const dataset_item *item, int index,
                         item_result *r)
{
    const load_job *job = l->job;
    audio_clip clip;
    char err[512];
    if (audio_file_read(item->path, job->m->sample_rate, job->s->mixdown,
                        &clip, err, sizeof err) != IRMAS_OK) {
        fprintf(stderr, "%s; skipped\n", err);
        r->unreadable = 1;
        return;
    }
    long size = job->m->window_samples;
    long windows = clip.frames <= size ? 1 : clip.frames / size;
    r->list = calloc((size_t)(clip.channels * windows), sizeof *r->list);
    r->status = r->list ? IRMAS_OK : IRMAS_ERR_NOMEM;
    for (int c = 0; c < clip.channels && r->status == IRMAS_OK; c++)
        for (long w = 0; w < windows && r->status == IRMAS_OK; w++) {
            example *e = &r->list[r->count];
            e->label = item->label;
            e->item = job->first + index;
            r->status = load_window(l, clip.data + c * clip.frames + w * size,
                                    clip.frames - w * size, e);
            if (r->status != IRMAS_OK) example_free(e);
            r->count += r->status == IRMAS_OK;
        }
    audio_clip_free(&clip);
}

/* Item index's examples: from the cache when it has them, else computed
 * (and then put in the cache). */
static void load_item(loader *l, int index)
{
    load_job *job = l->job;
    const dataset_item *item = &job->d->items[job->first + index];
    item_result *r = &job->results[index];
    char entry[4096], err[768];
    const char *dir = job->s->cache_dir;
    if (dir && file_cache_entry(dir, item->path, job->settings_key, ".frames",
                                entry, sizeof entry, err,
                                sizeof err) != IRMAS_OK) {
        fprintf(stderr, "%s; skipped\n", err);
        r->unreadable = 1;
        return;
    }
    if (dir && entry_read(entry, job, r)) {
        for (int i = 0; i < r->count; i++) {
            r->list[i].label = item->label;
            r->list[i].item = job->first + index;
        }
        atomic_fetch_add(&job->cached, 1);
        return;
    }
    compute_item(l, item, index, r);
    if (r->unreadable || r->status != IRMAS_OK) return;
    atomic_fetch_add(&job->computed, 1);
    if (dir && entry_write(entry, job, r, err, sizeof err) != IRMAS_OK)
        job_fail(job, err);
}

/* One item of the work queue; a failure is the item's, the rest go on. */
static int load_queued(void *worker, int index)
{
    load_item(worker, index);
    return 0;
}

static irmas_status loader_init(loader *l, load_job *job, char *err,
                                size_t errlen)
{
    const irmas_model *m = job->m;
    *l = (loader){.job = job};
    irmas_status status = reader_new(m, &l->reader, err, errlen);
    if (status != IRMAS_OK) return status;
    l->frames = malloc(((size_t)model_frames(m) * model_features(m) + 1) *
                       sizeof(float));
    l->pixels = malloc(((size_t)image_floats(&m->image) + 1) * sizeof(float));
    if (l->frames && l->pixels) return IRMAS_OK;
    return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                       "out of memory for a window of %d samples",
                       m->window_samples);
}

static void loader_free(loader *l)
{
    reader_free(l->reader);
    free(l->frames);
    free(l->pixels);
}

/* Runs the job over its count items on threads threads (the calling one
 * among them). */
static irmas_status load_all(load_job *job, int count, int threads,
                             char *err, size_t errlen)
{
    loader loaders[WORK_QUEUE_MAX_THREADS] = {0};
    irmas_status status = IRMAS_OK;
    if (threads > WORK_QUEUE_MAX_THREADS) threads = WORK_QUEUE_MAX_THREADS;
    for (int i = 0; i < threads && status == IRMAS_OK; i++)
        status = loader_init(&loaders[i], job, err, errlen);
    if (status == IRMAS_OK)
        work_queue_run(loaders, sizeof *loaders, threads, count,
                       load_queued);
    for (int i = 0; i < threads; i++) loader_free(&loaders[i]);
    return status;
}

/* Moves the items' examples into e in item order. */
static irmas_status gather(example_set *e, item_result *results, int items,
                           int *unreadable, char *err, size_t errlen)
{
    long total = 0;
    irmas_status status = IRMAS_OK;
    for (int i = 0; i < items; i++) {
        total += results[i].count;
        *unreadable += results[i].unreadable;
        if (results[i].status != IRMAS_OK) status = results[i].status;
    }
    e->list = status == IRMAS_OK && total > 0
                  ? malloc((size_t)total * sizeof *e->list)
                  : NULL;
    if (status == IRMAS_OK && total > 0 && !e->list) status = IRMAS_ERR_NOMEM;
    for (int i = 0; i < items; i++) {
        for (int j = 0; j < results[i].count; j++) {
            if (status == IRMAS_OK)
                e->list[e->count++] = results[i].list[j];
            else
                example_free(&results[i].list[j]);
        }
        free(results[i].list);
    }
    if (status != IRMAS_OK)
        return status_fail(err, errlen, status,
                           "out of memory holding the frames and images of "
                           "the data set; use a smaller --window or "
                           "--image-size, fewer --data folders or "
                           "--mixdown");
    return IRMAS_OK;
}

/* An empty set for m's examples. */
static example_set examples_empty(const irmas_model *m)
{
    return (example_set){.frames = model_frames(m),
                         .features = model_features(m),
                         .image_floats = model_reads_image(m)
                                             ? image_floats(&m->image)
                                             : 0};
}

irmas_status examples_load_share(example_set *e, const dataset *d, int first,
                                 int count, const irmas_model *m,
                                 const examples_settings *s,
                                 examples_counts *counts, char *err,
                                 size_t errlen)
{
    *e = examples_empty(m);
    *counts = (examples_counts){0};
    load_job job = {.d = d, .first = first, .m = m, .s = s,
                    .failed = ATOMIC_FLAG_INIT};
    if (s->cache_dir) settings_key(&job);
    job.results = calloc((size_t)count + 1, sizeof *job.results);
    if (!job.results)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory for %d files", count);
    irmas_status status = load_all(&job, count, s->threads < 1 ? 1 : s->threads,
                                   err, errlen);
    if (status == IRMAS_OK && atomic_flag_test_and_set(&job.failed))
        status = status_fail(err, errlen, IRMAS_ERR_IO, "%s", job.failure);
    if (status == IRMAS_OK)
        status = gather(e, job.results, count, &counts->unreadable, err,
                        errlen);
    else
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < job.results[i].count; j++)
                example_free(&job.results[i].list[j]);
            free(job.results[i].list);
        }
    free(job.results);
    counts->cached = atomic_load(&job.cached);
    counts->computed = atomic_load(&job.computed);
    if (status != IRMAS_OK) examples_free(e);
    return status;
}

irmas_status examples_load(example_set *e, const dataset *d, const irmas_model *m,
                           const examples_settings *s, examples_counts *counts,
                           char *err, size_t errlen)
{
    irmas_status status = examples_load_share(e, d, 0, d->n_items, m, s,
                                              counts, err, errlen);
    if (status == IRMAS_OK && e->count == 0)
        return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                           "none of the %d files could be read; see the "
                           "messages above", d->n_items);
    return status;
}

void examples_free(example_set *e)
{
    for (int i = 0; i < e->count; i++) example_free(&e->list[i]);
    free(e->list);
    e->list = NULL;
    e->count = 0;
}

irmas_status examples_append(example_set *to, example_set *from,
                             int first_item)
{
    if (from->count == 0) return IRMAS_OK;
    example *grown = realloc(to->list, (size_t)(to->count + from->count) *
                                           sizeof *grown);
    if (!grown) return IRMAS_ERR_NOMEM;
    to->list = grown;
    for (int i = 0; i < from->count; i++) {
        example *e = &to->list[to->count++];
        *e = from->list[i];
        e->item += first_item;
    }
    free(from->list);
    from->list = NULL;
    from->count = 0;
    return IRMAS_OK;
}

/* ---- between processes ------------------------------------------------ */

/* The packed form: the unreadable count, the example count and shape, then
 * each example's label, item, steps, and its 16-bit values and pixels in
 * the host's byte order (the processes of one run run one build). */

irmas_status examples_pack(const example_set *e, int unreadable, void **data,
                           size_t *size)
{
    bytes_writer w = {0};
    size_t values = (size_t)e->frames * e->features * sizeof(int16_t);
    size_t pixels = (size_t)e->image_floats * sizeof(int16_t);
    bytes_put_le(&w, (uint64_t)unreadable, 4);
    bytes_put_le(&w, (uint64_t)e->count, 4);
    bytes_put_le(&w, (uint64_t)e->frames, 4);
    bytes_put_le(&w, (uint64_t)e->features, 4);
    bytes_put_le(&w, (uint64_t)e->image_floats, 8);
    for (int i = 0; i < e->count; i++) {
        const example *x = &e->list[i];
        bytes_put_le(&w, (uint64_t)(uint32_t)x->label, 4);
        bytes_put_le(&w, (uint64_t)x->item, 4);
        bytes_put_le(&w, bytes_float_bits(x->step), 4);
        bytes_put_le(&w, bytes_float_bits(x->pixel_step), 4);
        if (values) bytes_put(&w, x->values, values);
        if (pixels) bytes_put(&w, x->pixels, pixels);
    }
    if (w.failed) {
        free(w.bytes);
        return IRMAS_ERR_NOMEM;
    }
    *data = w.bytes;
    *size = w.size;
    return IRMAS_OK;
}

/* n bytes at the cursor copied into a new buffer, or NULL (cut short, or
 * out of memory: *status says which). */
static int16_t *get_block(bytes_cursor *c, size_t n, irmas_status *status)
{
    if (n > c->end - c->at) {
        *status = IRMAS_ERR_FORMAT;
        return NULL;
    }
    int16_t *block = malloc(n);
    if (!block) {
        *status = IRMAS_ERR_NOMEM;
        return NULL;
    }
    memcpy(block, c->bytes + c->at, n);
    c->at += n;
    return block;
}

/* One example from the cursor into *x. */
static irmas_status get_example(bytes_cursor *c, const example_set *e,
                                example *x)
{
    uint64_t label, item, step, pixel_step;
    if (bytes_get_le(c, 4, &label) || bytes_get_le(c, 4, &item) ||
        bytes_get_le(c, 4, &step) || bytes_get_le(c, 4, &pixel_step))
        return IRMAS_ERR_FORMAT;
    *x = (example){.label = (int)(int32_t)label, .item = (int)item,
                   .step = bytes_bits_float(step),
                   .pixel_step = bytes_bits_float(pixel_step)};
    irmas_status status = IRMAS_OK;
    if (e->frames > 0)
        x->values = get_block(
            c, (size_t)e->frames * e->features * sizeof(int16_t), &status);
    if (status == IRMAS_OK && e->image_floats > 0)
        x->pixels =
            get_block(c, (size_t)e->image_floats * sizeof(int16_t), &status);
    if (status != IRMAS_OK) example_free(x);
    return status;
}

irmas_status examples_unpack_append(example_set *e, const void *data,
                                    size_t size, int *unreadable)
{
    bytes_cursor c = {.bytes = data, .end = size};
    uint64_t lost, count, frames, features, image_floats;
    if (bytes_get_le(&c, 4, &lost) || bytes_get_le(&c, 4, &count) ||
        bytes_get_le(&c, 4, &frames) || bytes_get_le(&c, 4, &features) ||
        bytes_get_le(&c, 8, &image_floats) || frames != (uint64_t)e->frames ||
        features != (uint64_t)e->features ||
        image_floats != (uint64_t)e->image_floats || count > size)
        return IRMAS_ERR_FORMAT;
    example *grown = realloc(e->list, ((size_t)e->count + count + 1) *
                                          sizeof *grown);
    if (!grown) return IRMAS_ERR_NOMEM;
    e->list = grown;
    irmas_status status = IRMAS_OK;
    int added = 0;
    while (status == IRMAS_OK && added < (int)count) {
        status = get_example(&c, e, &e->list[e->count + added]);
        added += status == IRMAS_OK;
    }
    if (status == IRMAS_OK && c.at != c.end) status = IRMAS_ERR_FORMAT;
    if (status != IRMAS_OK) {
        for (int i = 0; i < added; i++) example_free(&e->list[e->count + i]);
        return status;
    }
    e->count += added;
    *unreadable = (int)lost;
    return IRMAS_OK;
}

irmas_status examples_split(const example_set *e, const int *assignment,
                            example_split *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < e->count; i++)
        out->count[assignment[e->list[i].item]]++;
    for (int s = 0; s < 3; s++) {
        out->which[s] = malloc((size_t)(out->count[s] + 1) * sizeof(int));
        if (!out->which[s]) {
            example_split_free(out);
            return IRMAS_ERR_NOMEM;
        }
        out->count[s] = 0;
    }
    for (int i = 0; i < e->count; i++) {
        int s = assignment[e->list[i].item];
        out->which[s][out->count[s]++] = i;
    }
    return IRMAS_OK;
}

void example_split_free(example_split *s)
{
    for (int i = 0; i < 3; i++) {
        free(s->which[i]);
        s->which[i] = NULL;
    }
}

irmas_status examples_standardise(const example_set *e, const int *which,
                                  int n, irmas_model *m)
{
    int features = e->features;
    if (features == 0) return IRMAS_OK;
    double *sum = calloc(2 * (size_t)features, sizeof *sum);
    if (!sum) return IRMAS_ERR_NOMEM;
    double *squares = sum + features;
    for (int i = 0; i < n; i++) {
        const example *ex = &e->list[which[i]];
        for (long t = 0; t < e->frames; t++)
            for (int f = 0; f < features; f++) {
                double v = ex->values[t * features + f] * (double)ex->step;
                sum[f] += v;
                squares[f] += v * v;
            }
    }
    double count = (double)n * e->frames;
    for (int f = 0; f < features; f++) {
        double mean = count > 0 ? sum[f] / count : 0.0;
        double variance = count > 0 ? squares[f] / count - mean * mean : 0.0;
        m->feature_mean[f] = (float)mean;
        m->feature_scale[f] = variance > 1e-12 ? (float)(1.0 / sqrt(variance))
                                               : 1.0f;
    }
    free(sum);
    return IRMAS_OK;
}

void examples_batch(const example_set *e, const irmas_model *m, const int *which,
                    int batch, float *x)
{
    int features = e->features;
    const float *mean = m->feature_mean, *scale = m->feature_scale;
    for (int r = 0; r < batch; r++) {
        const example *ex = &e->list[which[r]];
        for (long t = 0; t < e->frames; t++) {
            const int16_t *q = ex->values + t * features;
            float *out = x + (t * batch + r) * features;
            for (int f = 0; f < features; f++)
                out[f] = (q[f] * ex->step - mean[f]) * scale[f];
        }
    }
}

void examples_images(const example_set *e, const int *which, int batch,
                     float *images)
{
    long n = e->image_floats;
    for (int r = 0; r < batch; r++) {
        const example *ex = &e->list[which[r]];
        float *out = images + r * n;
        for (long i = 0; i < n; i++) out[i] = ex->pixels[i] * ex->pixel_step;
    }
}
