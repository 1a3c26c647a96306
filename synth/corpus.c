/* corpus.c: names, folders, and WAVs made in memory and written
 * atomically (atomic_file.h). */
#include "corpus.h"

#include "atomic_file.h"

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

/* A WAV put together in memory through libsndfile's virtual I/O, so that
 * it reaches the disk in one atomic_file_write. */
typedef struct {
    unsigned char *bytes;
    sf_count_t size, capacity, at;
} memory_file;

static sf_count_t memory_length(void *user)
{
    return ((memory_file *)user)->size;
}

static sf_count_t memory_seek(sf_count_t offset, int whence, void *user)
{
    memory_file *m = user;
    sf_count_t base = whence == SEEK_CUR ? m->at
                      : whence == SEEK_END ? m->size : 0;
    if (base + offset < 0) return -1;
    m->at = base + offset;
    return m->at;
}

static sf_count_t memory_read(void *bytes, sf_count_t count, void *user)
{
    memory_file *m = user;
    sf_count_t left = m->size > m->at ? m->size - m->at : 0;
    sf_count_t n = count < left ? count : left;
    memcpy(bytes, m->bytes + m->at, (size_t)n);
    m->at += n;
    return n;
}

/* Writes at the position, growing the buffer (doubling) as needed; a gap
 * left by a seek past the end reads as zeros. Returns 0 when out of
 * memory, which libsndfile reports as a failed write. */
static sf_count_t memory_write(const void *bytes, sf_count_t count,
                               void *user)
{
    memory_file *m = user;
    sf_count_t end = m->at + count;
    if (end > m->capacity) {
        sf_count_t capacity = m->capacity > 0 ? m->capacity : 4096;
        while (capacity < end) capacity *= 2;
        unsigned char *grown = realloc(m->bytes, (size_t)capacity);
        if (!grown) return 0;
        m->bytes = grown;
        m->capacity = capacity;
    }
    if (m->at > m->size) memset(m->bytes + m->size, 0, (size_t)(m->at - m->size));
    memcpy(m->bytes + m->at, bytes, (size_t)count);
    m->at = end;
    if (end > m->size) m->size = end;
    return count;
}

static sf_count_t memory_tell(void *user) { return ((memory_file *)user)->at; }

irmas_status corpus_write_wav(const char *path, const float *left,
                              const float *right, long frames, int rate,
                              char *err, size_t errlen)
{
    SF_VIRTUAL_IO io = {memory_length, memory_seek, memory_read,
                        memory_write, memory_tell};
    memory_file m = {0};
    SF_INFO info = {.samplerate = rate, .channels = 2,
                    .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *f = sf_open_virtual(&io, SFM_WRITE, &info, &m);
    if (!f)
        return status_fail(err, errlen, IRMAS_ERR_IO,
                           "%s: libsndfile cannot make the WAV (%s)", path,
                           sf_strerror(NULL));
    sf_command(f, SFC_SET_CLIPPING, NULL, SF_TRUE);
    irmas_status st = write_frames(f, left, right, frames);
    if (sf_close(f) != 0) st = IRMAS_ERR_IO;
    /* Memory is all a write into the buffer can run out of. */
    if (st != IRMAS_OK)
        st = status_fail(err, errlen, IRMAS_ERR_NOMEM,
                         "%s: out of memory while making the WAV", path);
    else
        st = atomic_file_write(path, m.bytes, (size_t)m.size, err, errlen);
    free(m.bytes);
    return st;
}
