/* audio_file.h: reading a whole audio file at the rate a model needs.
 *
 * Any format libsndfile reads, converted with libsamplerate (medium sinc
 * quality: four times faster than the best, and transparent for
 * classification; see docs/training.md, "Data sets") when its rate differs from the
 * one asked for, to exactly round(frames * rate / file rate) frames. Used
 * by the trainer, irmas-eval and irmas-tag; the daemon streams instead.
 */
#ifndef IRMAS_AUDIO_FILE_H
#define IRMAS_AUDIO_FILE_H

#include "status.h"

typedef struct {
    int channels; /* after mixdown: 1 */
    long frames;  /* samples per channel, at the requested rate */
    float *data;  /* planar: channel c starts at data + c * frames; owned */
    int source_rate; /* the file's own rate, before resampling */
} audio_clip;

/* Reads path, resamples to rate, and if mixdown averages the channels into
 * one. A file that cannot be opened, is empty, is truncated or holds NaN
 * or infinite samples is an error naming the file. */
irmas_status audio_file_read(const char *path, int rate, int mixdown,
                             audio_clip *out, char *err, size_t errlen);

void audio_clip_free(audio_clip *clip);

/* Plays clip db decibels louder (negative: quieter): every sample of
 * every channel times 10^(db / 20). */
void audio_clip_gain(audio_clip *clip, double db);

/* How long path plays, in seconds, from its header alone; 0 when it
 * cannot be opened (audio_file_read then says why). For sharing files
 * out by length before reading them. */
double audio_file_seconds(const char *path);

#endif
