/* distill.c: the teacher's soft targets, computed or read from the cache
 * (see distill.h).
 *
 * The parts, in the order a run meets them:
 *   the plan     which examples each file has (examples are in item
 *                order, channel, then window) and which of the teacher's
 *                classes each of the model's is;
 *   the key      the file's content and the settings, naming its cache
 *                entry (file_cache.h);
 *   the entry    a header (magic, floats a window, channels, windows) and the
 *                raw values, read back when it fits what is asked;
 *   the threads  files shared out through a work queue (work_queue.h),
 *                each thread with its own runner of the teacher;
 *   the targets  the raw values of the model's classes, normalised.
 */
#include "distill.h"

#include "atomic_file.h"
#include "audio_file.h"
#include "file_cache.h"
#include "work_queue.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DISTILL_FLOOR 1e-6f /* the least share a class's target gets */

static const char cache_magic[8] = "IRMTGT1";

typedef struct {
    int row, channels, windows; /* row: floats a window */
} entry_header;

/* The work: what every thread reads, and what each file gave. */
typedef struct {
    const distill_teacher *t;
    const distill_settings *s;
    const char *const *paths;
    int first_item, n_items;  /* the files taught: [first_item, + n_items) */
    const int *first, *count; /* [items]: each file's examples in e */
    int row;                  /* floats a window: the teacher's classes,
                                 then its embedding if asked for */
    float *raw;               /* [examples][row] */
    long window;              /* samples at the teacher's rate */
    char settings_key[17];    /* hex: the settings' part of the key */
    char wider_key[17];       /* without embeddings asked, that of entries
                                 which keep them too ("" if the teacher
                                 gives none) */
    atomic_int cached, computed;
    atomic_long runs;
} distill_job;

typedef struct {
    distill_job *job;
    void *runner;
    float *buffer; /* [the runner's input] */
    long input;    /* its length: a window, or the teacher's shortest */
    irmas_status status;
    char err[1024];
} distill_worker;

/* ---- the key ---------------------------------------------------------- */

/* The settings' part of a key, into key: the teacher, its rate, the
 * window, the mixdown and, when embedding_dims is not 0, the embedding
 * (keys without one are as they were before embeddings were kept). */
static void settings_key(const distill_job *job, int embedding_dims,
                         char key[17])
{
    char text[1024];
    int n = snprintf(text, sizeof text, "%s\nrate %d\nwindow %ld\nmixdown %d",
                     job->t->identity, job->t->rate, job->window,
                     job->s->mixdown);
    if (embedding_dims)
        n += snprintf(text + n, sizeof text - (size_t)n, "\nembedding %d",
                      embedding_dims);
    file_cache_settings_key(text, (size_t)n, key);
}

/* ---- the entry -------------------------------------------------------- */

/* Reads path's entry into raw when it holds rows of `row` floats
 * (the teacher's, and its embedding if kept) for examples windows in all
 * (channels times windows); 1 if it did. */
static int entry_read(const char *path, int row, int examples,
                      float *raw)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char magic[sizeof cache_magic];
    entry_header h;
    int ok = fread(magic, sizeof magic, 1, f) == 1 &&
             memcmp(magic, cache_magic, sizeof magic) == 0 &&
             fread(&h, sizeof h, 1, f) == 1 && h.row == row &&
             h.channels > 0 && h.windows > 0 &&
             (long)h.channels * h.windows == examples;
    size_t n = (size_t)examples * row;
    ok = ok && fread(raw, sizeof *raw, n, f) == n && fgetc(f) == EOF;
    fclose(f);
    for (size_t i = 0; ok && i < n; i++) ok = isfinite(raw[i]);
    return ok;
}

static irmas_status entry_write(const char *path, const entry_header *h,
                                const float *raw, char *err, size_t errlen)
{
    size_t values = (size_t)h->channels * h->windows * h->row * sizeof *raw;
    size_t size = sizeof cache_magic + sizeof *h + values;
    char *data = malloc(size);
    if (!data)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory for %s", path);
    memcpy(data, cache_magic, sizeof cache_magic);
    memcpy(data + sizeof cache_magic, h, sizeof *h);
    memcpy(data + sizeof cache_magic + sizeof *h, raw, values);
    irmas_status status = atomic_file_write(path, data, size, err, errlen);
    free(data);
    return status;
}

/* A run that does not ask for embeddings reads its targets from the
 * entry of a run that did (they lead each of its rows) rather than run the
 * teacher again; hex is the file's hash. 1 if it did. */
static int entry_read_from_wider(const distill_job *job, const char *hex,
                                 int examples, float *raw)
{
    char entry[4096], err[1024];
    if (!job->wider_key[0] ||
        file_cache_entry_of_hash(job->s->cache_dir, hex, job->wider_key,
                                 ".tgt", entry, sizeof entry, err,
                                 sizeof err) != IRMAS_OK)
        return 0;
    int classes = job->t->classes, row = classes + job->t->embedding_dims;
    float *wide = malloc((size_t)examples * (size_t)row * sizeof *wide);
    int ok = wide && entry_read(entry, row, examples, wide);
    for (long i = 0; ok && i < examples; i++)
        memcpy(raw + i * classes, wide + i * row, (size_t)classes * sizeof *raw);
    free(wide);
    return ok;
}

/* ---- one file --------------------------------------------------------- */

/* Runs the teacher over every window of every channel of clip into raw,
 * a row a window. */
static void teach_clip(distill_worker *w, const audio_clip *clip,
                       int windows, float *raw)
{
    const distill_teacher *t = w->job->t;
    long window = w->job->window;
    for (int c = 0; c < clip->channels; c++)
        for (int k = 0; k < windows; k++) {
            const float *from = clip->data + c * clip->frames + k * window;
            long available = clip->frames - k * window;
            if (available > window) available = window;
            if (available < 0) available = 0;
            memset(w->buffer, 0, (size_t)w->input * sizeof *w->buffer);
            memcpy(w->buffer, from, (size_t)available * sizeof *w->buffer);
            float *row = raw + ((long)c * windows + k) * w->job->row;
            t->run(w->runner, w->buffer, w->input, row,
                   w->job->s->embeddings ? row + t->classes : NULL);
        }
    atomic_fetch_add(&w->job->runs, (long)clip->channels * windows);
}

static irmas_status teach_file(distill_worker *w, int item)
{
    distill_job *job = w->job;
    const char *path = job->paths[item];
    int examples = job->count[item];
    if (examples == 0) return IRMAS_OK; /* unreadable: skipped already */
    float *raw = job->raw + (long)job->first[item] * job->row;
    char hex[65], entry[4096];
    irmas_status status = file_cache_hash_file(path, hex, w->err,
                                               sizeof w->err);
    if (status == IRMAS_OK)
        status = file_cache_entry_of_hash(job->s->cache_dir, hex,
                                          job->settings_key, ".tgt", entry,
                                          sizeof entry, w->err,
                                          sizeof w->err);
    if (status != IRMAS_OK) return status;
    if (entry_read(entry, job->row, examples, raw) ||
        entry_read_from_wider(job, hex, examples, raw)) {
        atomic_fetch_add(&job->cached, 1);
        return IRMAS_OK;
    }
    audio_clip clip;
    status = audio_file_read(path, job->t->rate, job->s->mixdown, &clip,
                             w->err, sizeof w->err);
    if (status != IRMAS_OK) return status;
    entry_header h = {.row = job->row, .channels = clip.channels,
                      .windows = examples / clip.channels};
    if (examples % clip.channels != 0) {
        status = status_fail(w->err, sizeof w->err, IRMAS_ERR_FORMAT,
                             "%s: %d examples but %d channels at %d Hz: the "
                             "file changed while it was read", path,
                             examples, clip.channels, job->t->rate);
    } else {
        teach_clip(w, &clip, h.windows, raw);
        status = entry_write(entry, &h, raw, w->err, sizeof w->err);
        atomic_fetch_add(&job->computed, 1);
    }
    audio_clip_free(&clip);
    return status;
}

/* ---- the threads ------------------------------------------------------ */

/* One item of the work queue; a failure stops every thread. */
static int distill_queued(void *worker, int item)
{
    distill_worker *w = worker;
    w->status = teach_file(w, w->job->first_item + item);
    return w->status != IRMAS_OK;
}

static irmas_status worker_init(distill_worker *w, distill_job *job)
{
    const distill_teacher *t = job->t;
    *w = (distill_worker){.job = job, .input = job->window};
    if (w->input < t->min_samples) w->input = t->min_samples;
    w->buffer = malloc((size_t)w->input * sizeof *w->buffer);
    if (!w->buffer)
        return status_fail(w->err, sizeof w->err, IRMAS_ERR_NOMEM,
                           "out of memory for a window of %ld samples",
                           w->input);
    return t->open(t->shared, w->input, &w->runner, w->err, sizeof w->err);
}

/* Runs the job on up to threads threads; the first failure's message goes
 * to err. */
static irmas_status distill_all(distill_job *job, int threads, char *err,
                                size_t errlen)
{
    distill_worker workers[WORK_QUEUE_MAX_THREADS];
    if (threads > WORK_QUEUE_MAX_THREADS) threads = WORK_QUEUE_MAX_THREADS;
    if (threads < 1) threads = 1;
    int ready = 0;
    irmas_status status = IRMAS_OK;
    for (; ready < threads && status == IRMAS_OK; ready++)
        status = workers[ready].status = worker_init(&workers[ready], job);
    if (status == IRMAS_OK)
        work_queue_run(workers, sizeof *workers, ready, job->n_items,
                       distill_queued);
    irmas_status result = IRMAS_OK;
    for (int i = 0; i < ready; i++) {
        if (result == IRMAS_OK && workers[i].status != IRMAS_OK) {
            result = workers[i].status;
            status_fail(err, errlen, result, "%s", workers[i].err);
        }
        job->t->close(workers[i].runner);
        free(workers[i].buffer);
    }
    return result;
}

/* ---- the targets ------------------------------------------------------ */

irmas_status distill_match_classes(const distill_teacher *t, const irmas_model *m,
                                   int *map, char *err, size_t errlen)
{
    for (int c = 0; c < m->classes; c++) {
        map[c] = -1;
        for (int k = 0; k < t->classes; k++)
            if (strcmp(m->labels[c], t->labels[k]) == 0) map[c] = k;
        if (map[c] >= 0) continue;
        char known[1024] = "";
        for (int k = 0; k < t->classes; k++)
            snprintf(known + strlen(known), sizeof known - strlen(known),
                     "%s%s", k ? "," : "", t->labels[k]);
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "the teacher has no class '%s' (it knows %s); "
                           "choose those with --classes, or train without "
                           "--teacher", m->labels[c], known);
    }
    return IRMAS_OK;
}

/* Each file's examples: first[item] and count[item] in e's list. */
static irmas_status plan_files(const example_set *e, int n_items, int **first,
                               int **count)
{
    *first = calloc((size_t)n_items + 1, sizeof **first);
    *count = calloc((size_t)n_items + 1, sizeof **count);
    if (!*first || !*count) return IRMAS_ERR_NOMEM;
    for (int i = e->count - 1; i >= 0; i--) {
        (*first)[e->list[i].item] = i;
        (*count)[e->list[i].item]++;
    }
    return IRMAS_OK;
}

/* The model's share of each row of raw (rows of `row` floats, the
 * teacher's classes first), and its confidence, as distill.h says. */
static void normalise(const float *raw, int examples, int row,
                      const int *map, int classes, float *targets,
                      float *confidence)
{
    for (int i = 0; i < examples; i++) {
        const float *q = raw + (long)i * row;
        float *out = targets + (long)i * classes;
        double sum = 0.0;
        confidence[i] = q[map[0]];
        for (int c = 0; c < classes; c++) {
            if (q[map[c]] > confidence[i]) confidence[i] = q[map[c]];
            out[c] = q[map[c]] > DISTILL_FLOOR ? q[map[c]] : DISTILL_FLOOR;
            sum += out[c];
        }
        for (int c = 0; c < classes; c++) out[c] = (float)(out[c] / sum);
    }
}

/* Teaches files [first_item, first_item + n_items) of e (reading what
 * the cache has) into job->raw, [examples][teacher classes], which the
 * caller frees. */
static irmas_status teach_files(distill_job *job, const example_set *e,
                                int first_item, int n_items, char *err,
                                size_t errlen)
{
    int items = e->count > 0 ? e->list[e->count - 1].item + 1 : 0;
    if (first_item < 0 || n_items < 0 || first_item + n_items > items)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "files %d to %d of %d: no such files", first_item,
                           first_item + n_items, items);
    job->first_item = first_item;
    job->n_items = n_items;
    job->window = lround(job->s->window_seconds * job->t->rate);
    int *first = NULL, *count = NULL;
    irmas_status status = plan_files(e, items, &first, &count);
    job->first = first;
    job->count = count;
    job->row = job->t->classes +
               (job->s->embeddings ? job->t->embedding_dims : 0);
    job->raw = malloc(((size_t)e->count * job->row + 1) * sizeof *job->raw);
    if (status != IRMAS_OK || !job->raw) {
        status = status_fail(err, errlen, IRMAS_ERR_NOMEM,
                             "out of memory for the targets of %d examples",
                             e->count);
    } else {
        status = file_cache_make_folder(job->s->cache_dir, "--teacher-cache",
                                        err, errlen);
        int dims = job->t->embedding_dims;
        settings_key(job, job->s->embeddings ? dims : 0, job->settings_key);
        if (!job->s->embeddings && dims > 0)
            settings_key(job, dims, job->wider_key);
        if (status == IRMAS_OK)
            status = distill_all(job, job->s->threads, err, errlen);
    }
    free(first);
    free(count);
    job->first = job->count = NULL;
    return status;
}

/* The embeddings that follow the teacher's classes in each row of raw,
 * each dimension standardised over the examples (a constant one to 0). */
static void standardise_embeddings(const float *raw, int examples, int row,
                                   int classes, int dims, float *out)
{
    for (int d = 0; d < dims; d++) {
        double sum = 0.0, squares = 0.0;
        for (int i = 0; i < examples; i++) {
            double v = raw[(long)i * row + classes + d];
            sum += v;
            squares += v * v;
        }
        double mean = examples > 0 ? sum / examples : 0.0;
        double var = examples > 0 ? squares / examples - mean * mean : 0.0;
        double scale = var > 1e-12 ? 1.0 / sqrt(var) : 0.0;
        for (int i = 0; i < examples; i++)
            out[(long)i * dims + d] =
                (float)((raw[(long)i * row + classes + d] - mean) * scale);
    }
}

/* out->embeddings, when s asks for them. */
static irmas_status load_embeddings(distill_targets *out,
                                    const distill_job *job, int examples,
                                    char *err, size_t errlen)
{
    if (!job->s->embeddings) return IRMAS_OK;
    int dims = job->t->embedding_dims;
    out->embeddings = malloc(((size_t)examples * dims + 1) *
                             sizeof *out->embeddings);
    if (!out->embeddings)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory for the embeddings of %d "
                           "examples", examples);
    out->embedding_dims = dims;
    standardise_embeddings(job->raw, examples, job->row, job->t->classes,
                           dims, out->embeddings);
    return IRMAS_OK;
}

irmas_status distill_targets_load(distill_targets *out,
                                  const distill_teacher *t,
                                  const distill_settings *s,
                                  const example_set *e,
                                  const char *const *paths, const irmas_model *m,
                                  char *err, size_t errlen)
{
    *out = (distill_targets){.classes = m->classes};
    int map[MODEL_MAX_CLASSES];
    irmas_status status = distill_match_classes(t, m, map, err, errlen);
    if (status != IRMAS_OK) return status;
    if (s->embeddings && t->embedding_dims <= 0)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "this teacher (%s) gives no embedding; match one "
                           "with the AudioSet teacher's folder as --teacher, "
                           "or a model on its frames (efficientat-mn04)",
                           t->identity);
    distill_job job = {.t = t, .s = s, .paths = paths};
    int items = e->count > 0 ? e->list[e->count - 1].item + 1 : 0;
    status = teach_files(&job, e, 0, items, err, errlen);
    out->targets = malloc(((size_t)e->count * m->classes + 1) *
                          sizeof *out->targets);
    out->confidence = malloc(((size_t)e->count + 1) *
                             sizeof *out->confidence);
    if (status == IRMAS_OK && (!out->targets || !out->confidence))
        status = status_fail(err, errlen, IRMAS_ERR_NOMEM,
                             "out of memory for the targets of %d examples",
                             e->count);
    if (status == IRMAS_OK)
        normalise(job.raw, e->count, job.row, map, m->classes, out->targets,
                  out->confidence);
    if (status == IRMAS_OK)
        status = load_embeddings(out, &job, e->count, err, errlen);
    out->files_cached = atomic_load(&job.cached);
    out->files_computed = atomic_load(&job.computed);
    out->teacher_runs = atomic_load(&job.runs);
    free(job.raw);
    if (status != IRMAS_OK) distill_targets_free(out);
    return status;
}

irmas_status distill_targets_share(const distill_teacher *t,
                                   const distill_settings *s,
                                   const example_set *e,
                                   const char *const *paths, int first_item,
                                   int n_items, int *computed, char *err,
                                   size_t errlen)
{
    distill_job job = {.t = t, .s = s, .paths = paths};
    irmas_status status = teach_files(&job, e, first_item, n_items, err,
                                      errlen);
    *computed = atomic_load(&job.computed);
    free(job.raw);
    return status;
}

void distill_targets_free(distill_targets *d)
{
    if (!d) return;
    free(d->targets);
    free(d->confidence);
    free(d->embeddings);
    d->targets = d->confidence = d->embeddings = NULL;
}

char *distill_default_cache(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char *dir = NULL;
    int n = -1;
    if (xdg && xdg[0] == '/')
        n = asprintf(&dir, "%s/irmasd/teacher-targets", xdg);
    else if (home && home[0])
        n = asprintf(&dir, "%s/.cache/irmasd/teacher-targets", home);
    return n < 0 ? NULL : dir;
}
