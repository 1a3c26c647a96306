/* corpus.c: names, folders and atomic writes. */
#include "corpus.h"

#include <errno.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void corpus_excerpt_name(char *out, size_t size, const char *class_code,
                         int drums, const char *genre, long source, int excerpt)
{
    snprintf(out, size, "[%s][%s][%s]%ld__%d.wav", class_code,
             drums ? "dru" : "nod", genre, source, excerpt);
}

static int make_dir(const char *path)
{
    return mkdir(path, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

/* mkdir -p: every prefix ending before a slash, then the whole. */
static int make_parents(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        int failed = make_dir(path);
        *p = '/';
        if (failed) return -1;
    }
    return make_dir(path);
}

irmas_status corpus_make_dirs(const char *dir, const char *const *codes,
                              int n_codes, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    if (make_parents(path) != 0)
        return status_fail(err, errlen, IRMAS_ERR_IO,
                           "%s: cannot create the output folder (%s)", dir, strerror(errno));
    for (int i = 0; i < n_codes; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, codes[i]);
        if (make_dir(path) != 0)
            return status_fail(err, errlen, IRMAS_ERR_IO,
                               "%s: cannot create a class folder (%s)", path, strerror(errno));
    }
    return IRMAS_OK;
}

static irmas_status write_frames(SNDFILE *f, const float *left, const float *right, long frames)
{
    enum { CHUNK = 4096 };
    float buffer[2 * CHUNK];
    for (long done = 0; done < frames; done += CHUNK) {
        long n = frames - done < CHUNK ? frames - done : CHUNK;
        for (long i = 0; i < n; i++) {
            buffer[2 * i] = left[done + i];
            buffer[2 * i + 1] = right[done + i];
        }
        if (sf_writef_float(f, buffer, n) != n) return IRMAS_ERR_IO;
    }
    return IRMAS_OK;
}

irmas_status corpus_write_wav(const char *path, const float *left,
                              const float *right, long frames, int rate,
                              char *err, size_t errlen)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    SF_INFO info = {.samplerate = rate, .channels = 2,
                    .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *f = sf_open(tmp, SFM_WRITE, &info);
    if (!f)
        return status_fail(err, errlen, IRMAS_ERR_IO, "%s: cannot write (%s)",
                           tmp, sf_strerror(NULL));
    sf_command(f, SFC_SET_CLIPPING, NULL, SF_TRUE);
    irmas_status st = write_frames(f, left, right, frames);
    if (sf_close(f) != 0) st = IRMAS_ERR_IO;
    if (st == IRMAS_OK && rename(tmp, path) != 0) st = IRMAS_ERR_IO;
    if (st != IRMAS_OK) {
        remove(tmp);
        return status_fail(err, errlen, st, "%s: writing failed (%s); is the disk full?",
                           path, strerror(errno));
    }
    return IRMAS_OK;
}

irmas_status corpus_write_text(const char *path, const char *text, char *err, size_t errlen)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0) ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return status_fail(err, errlen, IRMAS_ERR_IO, "%s: cannot write (%s)",
                           path, strerror(errno));
    }
    return IRMAS_OK;
}
