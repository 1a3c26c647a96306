/* tag-wav.c: tag an audio file with libirmas, the smallest whole program.
 *
 * Reads a WAV (or any file libsndfile reads), mixes it down to mono,
 * resamples it to the model's rate with libsamplerate, streams it through
 * the model and prints one CSV row per window: where it starts and ends in
 * seconds, its most likely class, and every class's probability.
 *
 *   cc tag-wav.c $(pkg-config --cflags --libs irmas sndfile samplerate) -o tag-wav
 *   ./tag-wav /usr/local/share/irmasd/default.irm song.wav
 */
#include <irmas/irmas.h>
#include <samplerate.h>
#include <sndfile.h>

#include <stdio.h>
#include <stdlib.h>

/* What the stream's callback needs to print a row. */
typedef struct {
    const irmas_model *model;
    double rate;
} printer;

/* Called by irmas_stream_push for every window that completes. */
static void print_window(void *user, const float *probs, long long end)
{
    const printer *p = user;
    int classes = irmas_model_classes(p->model);
    int top = 0;
    for (int c = 1; c < classes; c++)
        if (probs[c] > probs[top]) top = c;
    long long start = end - irmas_model_window_samples(p->model);
    printf("%.3f,%.3f,%s,%.4f", start / p->rate, end / p->rate,
           irmas_model_label(p->model, top), probs[top]);
    for (int c = 0; c < classes; c++) printf(",%.4f", probs[c]);
    printf("\n");
}

/* Reads path as mono floats at rate into *out (*frames of them). */
static int read_mono(const char *path, int rate, float **out, long *frames)
{
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f) {
        fprintf(stderr, "tag-wav: %s: %s\n", path, sf_strerror(NULL));
        return -1;
    }
    float *frame = malloc(sizeof *frame * info.channels);
    float *mono = malloc(sizeof *mono * (info.frames + 1));
    long n = 0;
    while (frame && mono && sf_readf_float(f, frame, 1) == 1) {
        float sum = 0;
        for (int ch = 0; ch < info.channels; ch++) sum += frame[ch];
        mono[n++] = sum / info.channels;
    }
    sf_close(f);
    free(frame);
    if (!mono) return -1;
    if (info.samplerate == rate) {
        *out = mono;
        *frames = n;
        return 0;
    }

    double ratio = (double)rate / info.samplerate;
    long out_frames = (long)(n * ratio) + 1;
    float *resampled = malloc(sizeof *resampled * out_frames);
    SRC_DATA src = {.data_in = mono, .input_frames = n,
                    .data_out = resampled, .output_frames = out_frames,
                    .src_ratio = ratio};
    int error = resampled ? src_simple(&src, SRC_SINC_BEST_QUALITY, 1) : 1;
    free(mono);
    if (error) {
        fprintf(stderr, "tag-wav: %s: cannot resample: %s\n", path,
                resampled ? src_strerror(error) : "out of memory");
        free(resampled);
        return -1;
    }
    *out = resampled;
    *frames = src.output_frames_gen;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: tag-wav MODEL.irm AUDIO.wav\n");
        return 2;
    }
    char err[512];
    irmas_model *model;
    if (irmas_model_load(argv[1], &model, err, sizeof err) != IRMAS_OK) {
        fprintf(stderr, "tag-wav: %s\n", err);
        return 1;
    }
    irmas_stream *stream;
    if (irmas_stream_new(model, 0, &stream, err, sizeof err) != IRMAS_OK) {
        fprintf(stderr, "tag-wav: %s\n", err);
        irmas_model_free(model);
        return 1;
    }
    float *samples;
    long n;
    int status = 1;
    if (read_mono(argv[2], irmas_model_sample_rate(model), &samples, &n) == 0) {
        printer p = {model, irmas_model_sample_rate(model)};
        irmas_stream_push(stream, samples, n, print_window, &p);
        free(samples);
        status = 0;
    }
    irmas_stream_free(stream);
    irmas_model_free(model);
    return status;
}
