/* audio_file.c: a whole audio file in memory, at the rate a model needs.
 *
 * audio_file_read opens the file with libsndfile, reads every frame
 * (interleaved, as floats in [-1, 1] for integer formats), checks what it
 * read, then turns it into planar channels: mixed down to one when asked
 * (before resampling, so only one channel is resampled), resampled with
 * libsamplerate when the rate differs. The checks, each an error naming the
 * file: libsndfile cannot open it, it holds no frames, it holds fewer frames
 * than its header says (libsndfile quietly shortens a truncated WAV or AIFF
 * data chunk and says so only in its log, so the log is read too), it
 * decodes to fewer frames than its header gives (an Ogg stream whose pages
 * say "end of stream" before its last page: libsndfile stops there, other
 * decoders may not), or a sample is NaN or infinite.
 *
 * Resampling uses SRC_SINC_MEDIUM_QUALITY: on this project's 3-second clips
 * it is about three times faster than SRC_SINC_BEST_QUALITY (see docs/training.md,
 * "Data sets") with a 90% pass band and 121 dB of stopband attenuation,
 * far beyond what a classifier hears. The output holds exactly
 * round(frames * rate / file_rate) frames.
 */
#include "audio_file.h"

#include <errno.h>
#include <math.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define AUDIO_READ_CHUNK 65536 /* frames per sf_readf_float call */

/* Reads every frame into a buffer that grows as needed, so a header that
 * claims a huge length costs nothing until the frames are really there. */
static irmas_status read_all_frames(SNDFILE *file, const char *path,
                                    int channels, float **out, long *frames,
                                    char *err, size_t errlen)
{
    long capacity = 0, used = 0;
    float *data = NULL;
    for (;;) {
        if (capacity - used < AUDIO_READ_CHUNK) {
            capacity = capacity ? 2 * capacity : AUDIO_READ_CHUNK;
            float *grown = realloc(data, (size_t)capacity * (size_t)channels *
                                             sizeof *data);
            if (!grown) {
                free(data);
                return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                                   "%s: out of memory after %ld frames",
                                   path, used);
            }
            data = grown;
        }
        sf_count_t got = sf_readf_float(file, data + used * channels,
                                        AUDIO_READ_CHUNK);
        if (got <= 0) break;
        used += (long)got;
    }
    if (sf_error(file) != SF_ERR_NO_ERROR) {
        free(data);
        return status_fail(err, errlen, IRMAS_ERR_IO, "%s: read failed: %s",
                           path, sf_strerror(file));
    }
    *out = data;
    *frames = used;
    return IRMAS_OK;
}

/* libsndfile logs "data : 16000 (should be 7956)" when a data chunk runs
 * past the end of the file, then reads what is there. */
static int log_says_truncated(SNDFILE *file)
{
    char log[4096];
    sf_command(file, SFC_GET_LOG_INFO, log, sizeof log);
    for (const char *line = log; line && *line;) {
        int data_chunk = !strncmp(line, "data", 4) || !strncmp(line, "SSND", 4);
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (data_chunk && memmem(line, len, "should be", 9)) return 1;
        line = end ? end + 1 : NULL;
    }
    return 0;
}

/* Planar channels from interleaved frames, averaged into one if mixdown. */
static float *deinterleave(const float *in, long frames, int channels,
                           int mixdown)
{
    int out_channels = mixdown ? 1 : channels;
    float *out = calloc((size_t)frames * (size_t)out_channels, sizeof *out);
    if (!out) return NULL;
    for (long i = 0; i < frames; i++)
        for (int c = 0; c < channels; c++) {
            float x = in[i * channels + c];
            if (mixdown)
                out[i] += x / (float)channels;
            else
                out[(long)c * frames + i] = x;
        }
    return out;
}

static irmas_status resample_channels(const float *in, long in_frames,
                                      int channels, double ratio,
                                      float **out, long *out_frames,
                                      const char *path, char *err,
                                      size_t errlen)
{
    long frames = lround((double)in_frames * ratio);
    if (frames < 1) frames = 1;
    float *data = calloc((size_t)frames * (size_t)channels, sizeof *data);
    if (!data)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "%s: out of memory resampling %ld frames", path,
                           in_frames);
    for (int c = 0; c < channels; c++) {
        SRC_DATA job = {
            .data_in = in + (long)c * in_frames,
            .input_frames = in_frames,
            .data_out = data + (long)c * frames,
            .output_frames = frames, /* any shortfall stays zero */
            .src_ratio = ratio,
            .end_of_input = 1,
        };
        int failed = src_simple(&job, SRC_SINC_MEDIUM_QUALITY, 1);
        if (failed) {
            free(data);
            return status_fail(err, errlen, IRMAS_ERR_ARG,
                               "%s: cannot resample: %s", path,
                               src_strerror(failed));
        }
    }
    *out = data;
    *out_frames = frames;
    return IRMAS_OK;
}

static irmas_status check_finite(const float *x, long n, int channels,
                                 const char *path, char *err, size_t errlen)
{
    for (long i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                               "%s: sample %ld (frame %ld) is %s; the file "
                               "is damaged or not audio",
                               path, i, i / channels,
                               isnan(x[i]) ? "NaN" : "infinite");
    return IRMAS_OK;
}

/* Opens path. Missing files and folders get the system's words, which
 * are plainer than libsndfile's; the rest libsndfile's, without its full
 * stop. */
static irmas_status open_file(const char *path, SNDFILE **file, SF_INFO *info,
                              char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return status_fail(err, errlen, IRMAS_ERR_IO, "%s: cannot open: %s",
                           path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return status_fail(err, errlen, IRMAS_ERR_IO,
                           "%s: is a folder, not an audio file", path);
    memset(info, 0, sizeof *info);
    *file = sf_open(path, SFM_READ, info);
    if (!*file) {
        const char *why = sf_strerror(NULL);
        int len = (int)strlen(why);
        if (len > 0 && why[len - 1] == '.') len--;
        return status_fail(err, errlen, IRMAS_ERR_IO, "%s: cannot open: %.*s",
                           path, len, why);
    }
    return IRMAS_OK;
}

/* The interleaved frames of path, checked: not empty, not truncated, all
 * finite. */
static irmas_status read_checked(const char *path, float **data, long *frames,
                                 SF_INFO *info, char *err, size_t errlen)
{
    SNDFILE *file;
    irmas_status st = open_file(path, &file, info, err, errlen);
    if (st) return st;
    if (info->frames == 0 || info->channels < 1) {
        sf_close(file);
        return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                           "%s: holds no audio frames", path);
    }
    int truncated = log_says_truncated(file);
    st = read_all_frames(file, path, info->channels, data, frames, err,
                         errlen);
    sf_close(file);
    if (st) return st;
    if (truncated) {
        free(*data);
        return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                           "%s: truncated: the header promises more audio "
                           "than the file holds; copy it again",
                           path);
    }
    if (*frames < info->frames) {
        long promised = (long)info->frames;
        free(*data);
        return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                           "%s: truncated: decodes to %ld of the %ld frames "
                           "its header gives (%.2f s short); copy it again, "
                           "or, if the copy is whole and another decoder "
                           "reads it all, convert it (sox FILE out.wav)",
                           path, *frames, promised,
                           (double)(promised - *frames) / info->samplerate);
    }
    if (*frames == 0) {
        free(*data);
        return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                           "%s: holds no audio frames", path);
    }
    st = check_finite(*data, *frames * info->channels, info->channels, path,
                      err, errlen);
    if (st) free(*data);
    return st;
}

irmas_status audio_file_read(const char *path, int rate, int mixdown,
                             audio_clip *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (rate <= 0)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s: asked for a sample rate of %d Hz", path, rate);
    SF_INFO info;
    float *interleaved = NULL;
    long frames = 0;
    irmas_status st = read_checked(path, &interleaved, &frames, &info, err,
                                   errlen);
    if (st) return st;

    int channels = mixdown ? 1 : info.channels;
    float *planar = deinterleave(interleaved, frames, info.channels, mixdown);
    free(interleaved);
    if (!planar)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "%s: out of memory for %ld frames", path, frames);
    if (info.samplerate != rate) {
        float *resampled = NULL;
        st = resample_channels(planar, frames, channels,
                               (double)rate / info.samplerate, &resampled,
                               &frames, path, err, errlen);
        free(planar);
        if (st) return st;
        planar = resampled;
    }
    out->channels = channels;
    out->frames = frames;
    out->data = planar;
    out->source_rate = info.samplerate;
    return IRMAS_OK;
}

void audio_clip_gain(audio_clip *clip, double db)
{
    float gain = (float)pow(10.0, db / 20.0);
    long n = (long)clip->channels * clip->frames;
    for (long i = 0; i < n; i++) clip->data[i] *= gain;
}

void audio_clip_free(audio_clip *clip)
{
    if (!clip) return;
    free(clip->data);
    clip->data = NULL;
    clip->frames = 0;
    clip->channels = 0;
}

double audio_file_seconds(const char *path)
{
    SNDFILE *file;
    SF_INFO info;
    char err[16];
    if (open_file(path, &file, &info, err, sizeof err) != IRMAS_OK) return 0.0;
    sf_close(file);
    return info.samplerate > 0 ? (double)info.frames / info.samplerate : 0.0;
}
