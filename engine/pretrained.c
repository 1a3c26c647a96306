/* pretrained.c: the weights of a pretrained front-end (see pretrained.h).
 *
 * The checksum is zlib's CRC-32 over weights.f32 as it is on disk, read in
 * pieces, so checking it costs one pass over 3.9 MB at load.
 */
#include "pretrained.h"

#include "config.h"
#include "model_file.h"
#include "teacher.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define PRETRAINED_READ_CHUNK 65536

const char *pretrained_weights_dir(const char *dir, const char **why)
{
    const char *env = getenv(PRETRAINED_WEIGHTS_ENV);
    const char *reason = "--weights";
    if (!dir && env && *env) {
        dir = env;
        reason = PRETRAINED_WEIGHTS_ENV;
    } else if (!dir) {
        dir = IRMAS_DEFAULT_WEIGHTS;
        reason = "the installed default";
    }
    if (why) *why = reason;
    return dir;
}

irmas_status pretrained_checksum(const char *dir, unsigned *crc, char *err,
                                 size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/weights.f32", dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return status_fail(err, errlen, IRMAS_ERR_IO, "%s: %s", path,
                           strerror(errno));
    unsigned char *chunk = malloc(PRETRAINED_READ_CHUNK);
    if (!chunk) {
        fclose(f);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory reading %s", path);
    }
    uLong sum = crc32(0L, Z_NULL, 0);
    size_t got;
    while ((got = fread(chunk, 1, PRETRAINED_READ_CHUNK, f)) > 0)
        sum = crc32(sum, chunk, (uInt)got);
    int failed = ferror(f);
    free(chunk);
    fclose(f);
    if (failed)
        return status_fail(err, errlen, IRMAS_ERR_IO, "%s: read error", path);
    *crc = (unsigned)sum;
    return IRMAS_OK;
}

/* The message for weights that are missing or not the model's: what the
 * model needs (the checksum when it has one), what went wrong, where it
 * looked and where to get them. */
static irmas_status attach_fail(const irmas_model *m, int has_checksum,
                                irmas_status status, const char *dir,
                                const char *why, const char *problem,
                                char *err, size_t errlen)
{
    char checksum[32] = "";
    if (has_checksum)
        snprintf(checksum, sizeof checksum, " with CRC-32 0x%08x",
                 m->frontend.checksum);
    return status_fail(
        err, errlen, status,
        "the model's %s front-end needs its weights, tensors.tsv and "
        "weights.f32%s, in %s (looked there because of %s): %s. Get them "
        "from %s; then pass --weights DIR, set %s=DIR, or install them in %s",
        frontend_kind_name(m->frontend.kind), checksum, dir, why, problem,
        TEACHER_WEIGHTS_SOURCE, PRETRAINED_WEIGHTS_ENV, IRMAS_DEFAULT_WEIGHTS);
}

/* 1 after writing which of the two files dir lacks into out ("no
 * tensors.tsv and no weights.f32 there"); 0 when both are there. */
static int missing_files(const char *dir, char *out, size_t size)
{
    static const char *const files[] = {"tensors.tsv", "weights.f32"};
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < 2; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (access(path, R_OK) == 0) continue;
        int n = snprintf(out + used, size - used, "%sno readable %s",
                         used ? " and " : "", files[i]);
        used = n > 0 && (size_t)n < size - used ? used + (size_t)n : used;
    }
    if (used) snprintf(out + used, size - used, " there");
    return used > 0;
}

/* pretrained_attach, and pretrained_adopt when adopt is 1: then the
 * checksum found becomes the model's. */
static irmas_status attach(irmas_model *m, const char *dir, int adopt, char *err,
                           size_t errlen)
{
    if (!frontend_is_pretrained(&m->frontend)) return IRMAS_OK;
    const char *why;
    dir = pretrained_weights_dir(dir, &why);
    char problem[1024];
    if (missing_files(dir, problem, sizeof problem))
        return attach_fail(m, !adopt, IRMAS_ERR_IO, dir, why, problem, err,
                           errlen);
    unsigned crc = 0;
    irmas_status status =
        pretrained_checksum(dir, &crc, problem, sizeof problem);
    if (status != IRMAS_OK)
        return attach_fail(m, !adopt, status, dir, why, problem, err, errlen);
    if (adopt) m->frontend.checksum = crc;
    if (crc != m->frontend.checksum) {
        snprintf(problem, sizeof problem,
                 "its weights.f32 has CRC-32 0x%08x, so it holds other "
                 "weights (another release, or a damaged copy)", crc);
        return attach_fail(m, 1, IRMAS_ERR_FORMAT, dir, why, problem, err,
                           errlen);
    }
    teacher_weights *w = NULL;
    status = teacher_weights_load(dir, &w, problem, sizeof problem);
    if (status != IRMAS_OK)
        return attach_fail(m, 1, status, dir, why, problem, err, errlen);
    teacher_weights_free(m->pretrained);
    m->pretrained = w;
    return IRMAS_OK;
}

irmas_status pretrained_attach(irmas_model *m, const char *dir, char *err,
                               size_t errlen)
{
    return attach(m, dir, 0, err, errlen);
}

irmas_status pretrained_adopt(irmas_model *m, const char *dir, char *err,
                              size_t errlen)
{
    return attach(m, dir, 1, err, errlen);
}

irmas_status irmas_pretrained_load_model(const char *path,
                                   const irmas_model_limits *limits,
                                   const char *dir, irmas_model **out, char *err,
                                   size_t errlen)
{
    irmas_model *m = NULL;
    irmas_model_limits defaults = irmas_model_limits_default();
    irmas_status status =
        irmas_model_load_within(path, limits ? limits : &defaults, &m, err, errlen);
    if (status == IRMAS_OK) {
        char why[3072];
        status = pretrained_attach(m, dir, why, sizeof why);
        if (status != IRMAS_OK) {
            status_fail(err, errlen, status, "%s: %s", path, why);
            irmas_model_free(m);
            m = NULL;
        }
    }
    *out = m;
    return status;
}
