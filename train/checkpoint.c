/* checkpoint.c: the checkpoint file (see checkpoint.h).
 *
 * Saving lays the fields out in a growing buffer (bytes.h) and ends it
 * with the CRC-32 (zlib) of what came before. Loading checks the length,
 * magic, version and CRC first, then reads each field through a cursor
 * that refuses to run past the end, so a damaged file is an error and
 * never a crash.
 */
#include "checkpoint.h"

#include "atomic_file.h"
#include "bytes.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define CHECKPOINT_MAGIC "IRMSCKPT"
#define CHECKPOINT_VERSION 1u

static void put_fields(bytes_writer *w, const checkpoint *c)
{
    uint64_t loss_bits;
    memcpy(&loss_bits, &c->best_loss, sizeof loss_bits);
    bytes_put(w, CHECKPOINT_MAGIC, 8);
    bytes_put_le(w, CHECKPOINT_VERSION, 4);
    bytes_put_le(w, c->run_size, 4);
    bytes_put(w, c->run, c->run_size);
    for (int i = 0; i < 3; i++) bytes_put_le(w, (uint32_t)c->examples[i], 4);
    bytes_put_le(w, (uint32_t)c->epoch, 4);
    bytes_put_le(w, (uint32_t)c->best_epoch, 4);
    bytes_put_le(w, loss_bits, 8);
    bytes_put_le(w, (uint32_t)c->bad_epochs, 4);
    bytes_put_le(w, c->rng_state, 8);
    bytes_put_le(w, (uint64_t)c->adam_step, 8);
    bytes_put_le(w, (uint64_t)c->params, 8);
    bytes_put_le(w, (uint32_t)c->features, 4);
    bytes_put_floats(w, c->weights, c->params);
    bytes_put_floats(w, c->best, c->params);
    bytes_put_floats(w, c->adam_m, c->params);
    bytes_put_floats(w, c->adam_v, c->params);
    bytes_put_floats(w, c->feature_mean, c->features);
    bytes_put_floats(w, c->feature_scale, c->features);
}

irmas_status checkpoint_save(const checkpoint *c, const char *path,
                             char *err, size_t errlen)
{
    bytes_writer w = {0};
    put_fields(&w, c);
    if (!w.failed) bytes_put_le(&w, crc32(0L, w.bytes, (uInt)w.size), 4);
    irmas_status status =
        w.failed ? status_fail(err, errlen, IRMAS_ERR_NOMEM,
                               "%s: out of memory for a checkpoint", path)
                 : atomic_file_write(path, w.bytes, w.size, err, errlen);
    free(w.bytes);
    return status;
}

/* A cursor over a loaded file, with what its messages need. */
typedef struct {
    bytes_cursor in; /* its end is where the CRC starts, once checked */
    const char *path;
    char *err;
    size_t errlen;
} reader;

static irmas_status reader_fail(const reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static irmas_status reader_fail(const reader *r, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return status_fail(r->err, r->errlen, IRMAS_ERR_FORMAT,
                       "%s: %s; it is not a usable irmas-train checkpoint",
                       r->path, why);
}

static irmas_status get_le(reader *r, const char *field, int bytes,
                           uint64_t *value)
{
    if (bytes_get_le(&r->in, bytes, value) != 0)
        return reader_fail(r, "'%s' at byte %zu runs past the end", field,
                           r->in.at);
    return IRMAS_OK;
}

/* A count field: at most max. */
static irmas_status get_count(reader *r, const char *field, int bytes,
                              uint64_t max, long *value)
{
    uint64_t v = 0;
    irmas_status status = get_le(r, field, bytes, &v);
    if (status != IRMAS_OK) return status;
    if (v > max)
        return reader_fail(r, "'%s' is %llu, more than %llu", field,
                           (unsigned long long)v, (unsigned long long)max);
    *value = (long)v;
    return IRMAS_OK;
}

static irmas_status get_floats(reader *r, const char *field, long n,
                               float **out)
{
    if ((r->in.end - r->in.at) / 4 < (size_t)n)
        return reader_fail(r, "'%s' (%ld floats) runs past the end", field,
                           n);
    *out = malloc((size_t)(n > 0 ? n : 1) * sizeof **out);
    if (!*out)
        return status_fail(r->err, r->errlen, IRMAS_ERR_NOMEM,
                           "%s: out of memory for %ld floats", r->path, n);
    for (long i = 0; i < n; i++) {
        uint64_t bits = 0;
        get_le(r, field, 4, &bits);
        (*out)[i] = bytes_bits_float(bits);
        if (!isfinite((*out)[i]))
            return reader_fail(r, "'%s' holds a NaN or infinite value",
                               field);
    }
    return IRMAS_OK;
}

static irmas_status check_envelope(reader *r)
{
    const unsigned char *data = r->in.bytes;
    size_t size = r->in.end;
    if (size < 16 || memcmp(data, CHECKPOINT_MAGIC, 8) != 0)
        return reader_fail(r, "it does not start with '%s'",
                           CHECKPOINT_MAGIC);
    uint32_t stored = (uint32_t)bytes_load_le(data + size - 4, 4);
    if (crc32(0L, data, (uInt)(size - 4)) != stored)
        return reader_fail(r, "its CRC-32 does not match (the file is "
                              "damaged or truncated)");
    r->in.end -= 4;
    r->in.at = 8;
    uint64_t version = 0;
    get_le(r, "version", 4, &version);
    if (version != CHECKPOINT_VERSION)
        return reader_fail(r, "version %llu, this build reads %u",
                           (unsigned long long)version, CHECKPOINT_VERSION);
    return IRMAS_OK;
}

/* The counters between the run options and the arrays. */
static irmas_status get_counters(reader *r, checkpoint *c)
{
    long v[6] = {0};
    static const char *const names[] = {"training examples",
                                        "validation examples",
                                        "test examples", "epoch",
                                        "best epoch"};
    irmas_status status = IRMAS_OK;
    for (int i = 0; i < 5 && status == IRMAS_OK; i++)
        status = get_count(r, names[i], 4, INT32_MAX, &v[i]);
    uint64_t loss_bits = 0, rng_state = 0;
    if (status == IRMAS_OK) status = get_le(r, "best loss", 8, &loss_bits);
    if (status == IRMAS_OK)
        status = get_count(r, "bad epochs", 4, INT32_MAX, &v[5]);
    if (status == IRMAS_OK) status = get_le(r, "rng state", 8, &rng_state);
    if (status == IRMAS_OK)
        status = get_count(r, "adam step", 8, INT64_MAX, &c->adam_step);
    if (status != IRMAS_OK) return status;
    for (int i = 0; i < 3; i++) c->examples[i] = (int)v[i];
    c->epoch = (int)v[3];
    c->best_epoch = (int)v[4];
    c->bad_epochs = (int)v[5];
    memcpy(&c->best_loss, &loss_bits, sizeof c->best_loss);
    c->rng_state = rng_state;
    return IRMAS_OK;
}

static irmas_status get_fields(reader *r, checkpoint *c)
{
    long run_size = 0, features = 0;
    irmas_status status =
        get_count(r, "run options", 4, r->in.end, &run_size);
    if (status != IRMAS_OK) return status;
    if (r->in.end - r->in.at < (size_t)run_size)
        return reader_fail(r, "the run options run past the end");
    c->run = malloc((size_t)run_size + 1);
    if (!c->run)
        return status_fail(r->err, r->errlen, IRMAS_ERR_NOMEM,
                           "%s: out of memory", r->path);
    memcpy(c->run, r->in.bytes + r->in.at, (size_t)run_size);
    c->run[run_size] = '\0';
    c->run_size = (size_t)run_size;
    r->in.at += (size_t)run_size;
    status = get_counters(r, c);
    if (status == IRMAS_OK)
        status = get_count(r, "params", 8, r->in.end / 16, &c->params);
    if (status == IRMAS_OK)
        status = get_count(r, "features", 4, r->in.end / 8, &features);
    if (status != IRMAS_OK) return status;
    c->features = (int)features;
    float **arrays[] = {&c->weights, &c->best, &c->adam_m, &c->adam_v};
    static const char *const names[] = {"weights", "best weights",
                                        "adam m", "adam v"};
    for (int i = 0; i < 4 && status == IRMAS_OK; i++)
        status = get_floats(r, names[i], c->params, arrays[i]);
    if (status == IRMAS_OK)
        status = get_floats(r, "feature mean", features, &c->feature_mean);
    if (status == IRMAS_OK)
        status = get_floats(r, "feature scale", features, &c->feature_scale);
    if (status == IRMAS_OK && r->in.at != r->in.end)
        return reader_fail(r, "%zu bytes follow the last field",
                           r->in.end - r->in.at);
    return status;
}

/* The whole of path in a new buffer. */
static irmas_status read_whole(const char *path, unsigned char **data,
                               size_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return status_fail(err, errlen, IRMAS_ERR_IO,
                           "%s: cannot open: %s", path, strerror(errno));
    long length = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    *data = length >= 0 ? malloc((size_t)length + 1) : NULL;
    int ok = *data && fseek(f, 0, SEEK_SET) == 0 &&
             fread(*data, 1, (size_t)length, f) == (size_t)length;
    fclose(f);
    if (!ok) {
        free(*data);
        return status_fail(err, errlen, IRMAS_ERR_IO, "%s: cannot read it",
                           path);
    }
    *size = (size_t)length;
    return IRMAS_OK;
}

irmas_status checkpoint_load(const char *path, checkpoint *c, char *err,
                             size_t errlen)
{
    memset(c, 0, sizeof *c);
    unsigned char *data = NULL;
    size_t size = 0;
    irmas_status status = read_whole(path, &data, &size, err, errlen);
    if (status != IRMAS_OK) return status;
    reader r = {.in = {.bytes = data, .end = size}, .path = path,
                .err = err, .errlen = errlen};
    status = check_envelope(&r);
    if (status == IRMAS_OK) status = get_fields(&r, c);
    free(data);
    if (status != IRMAS_OK) checkpoint_free(c);
    return status;
}

void checkpoint_free(checkpoint *c)
{
    free(c->run);
    free(c->weights);
    free(c->best);
    free(c->adam_m);
    free(c->adam_v);
    free(c->feature_mean);
    free(c->feature_scale);
    memset(c, 0, sizeof *c);
}
