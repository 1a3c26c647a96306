/* irmas-image: writes what an image model sees as a PNG.
 *
 *   irmas-image --kind stack|mrp|logmel [--size N] [--channels K] [--rate R]
 *               [--window SECONDS] [--peak] FILE.wav OUT.png
 *
 * It reads the first window of FILE with audio_file_read (train/
 * audio_file.h: any format libsndfile reads, channels averaged to mono,
 * converted to R Hz with libsamplerate when the file's rate differs;
 * truncated, empty or non-finite files are refused), zero-pads it when the
 * file is shorter, builds the image exactly as the engine does (image.h),
 * and writes each pixel value v in [0, 1] as round(255 v). A three-channel MRP becomes one RGB
 * image (red the whole window, green its middle half, blue its middle
 * quarter); any other channel count becomes grey tiles side by side, one
 * size x size tile per channel, left to right. The PNG is encoded in
 * memory and replaces OUT through atomic_file.h, so OUT is never half
 * written.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_common.h"
#include "config.h"
#include "irmas/version.h"
#include "atomic_file.h"
#include "audio_file.h"
#include "image.h"
#include "number.h"

typedef struct {
    image_params image;
    int rate;
    double window_seconds;
    int peak;
    const char *input, *output;
} options;

static void usage(FILE *to)
{
    fprintf(to,
            "usage: irmas-image --kind stack|mrp|logmel [--size N] "
            "[--channels K] [--rate R]\n"
            "                   [--window SECONDS] [--peak] FILE.wav OUT.png\n"
            "  --kind      stack: the window laid out row by row; mrp: a "
            "multiresolution\n"
            "              recurrence plot, one channel per resolution; "
            "logmel: its\n"
            "              log-mel spectrogram, size bands by size frames\n"
            "  --size      pixels across and down (default 150, the study's)\n"
            "  --channels  mrp resolutions (default 3, written as RGB)\n"
            "  --rate      sample rate the model reads (default 44100)\n"
            "  --window    seconds of audio in the image (default 3)\n"
            "  --peak      scale the window to peak 1 first, as NORM_PEAK "
            "models do\n"
            "  -h, --help  this help; --version: the version\n");
}

/* A whole number from 1 to a billion, or -1. */
static int parse_count(const char *text)
{
    long v;
    return number_whole(text, 1, 1000000000, &v) ? -1 : (int)v;
}

/* Returns 0 and fills o, or prints why not and returns the exit status. */
static int parse_options(int argc, char **argv, options *o)
{
    static const struct option longopts[] = {
        {"kind", required_argument, NULL, 'k'},
        {"size", required_argument, NULL, 's'},
        {"channels", required_argument, NULL, 'c'},
        {"rate", required_argument, NULL, 'r'},
        {"window", required_argument, NULL, 'w'},
        {"peak", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    *o = (options){.image = {.size = 150}, .rate = 44100,
                   .window_seconds = 3.0};
    int opt;
    opterr = 0; /* tool_bad_flag says it */
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'k': o->image.kind = image_kind_parse(optarg); break;
        case 's': o->image.size = parse_count(optarg); break;
        case 'c': o->image.channels = parse_count(optarg); break;
        case 'r': o->rate = parse_count(optarg); break;
        case 'w': o->window_seconds = tool_parse_seconds(optarg); break;
        case 'p': o->peak = 1; break;
        case 'h': usage(stdout); exit(0);
        case 'V': printf("irmas-image %s\n", IRMAS_VERSION); exit(0);
        default: tool_bad_flag("irmas-image", argv); return 2;
        }
        if (opt == 'k' && !o->image.kind) {
            fprintf(stderr, "irmas-image: error: --kind '%s' is unknown; use stack, "
                            "mrp or logmel\n", optarg);
            return 2;
        }
    }
    if (!o->image.kind || argc - optind != 2) {
        usage(stderr);
        return 2;
    }
    if (o->image.size < 0 || o->image.channels < 0 || o->rate < 0 ||
        o->window_seconds < 0.0 || o->window_seconds * o->rate > 1e9) {
        fprintf(stderr, "irmas-image: error: --size, --channels and --rate take a "
                        "whole number of at least 1, --window seconds above 0 "
                        "and at most 3600\n");
        return 2;
    }
    if (!o->image.channels) o->image.channels = image_default_channels(o->image.kind);
    o->input = argv[optind];
    o->output = argv[optind + 1];
    return 0;
}

/* window[samples] = the first `samples` samples of path at rate Hz, mono,
 * zero-padded; 0 on success, or -1 after printing why. */
static int read_window(const char *path, int rate, float *window, long samples)
{
    audio_clip clip;
    char err[512];
    if (audio_file_read(path, rate, 1, &clip, err, sizeof err)) {
        fprintf(stderr, "irmas-image: error: %s\n", err);
        return -1;
    }
    long n = clip.frames < samples ? clip.frames : samples;
    memcpy(window, clip.data, sizeof *window * n);
    memset(window + n, 0, sizeof *window * (samples - n));
    audio_clip_free(&clip);
    return 0;
}

static void scale_to_peak(float *x, long n)
{
    float peak = 0.0f;
    for (long i = 0; i < n; i++) peak = fmaxf(peak, fabsf(x[i]));
    if (peak > 0.0f)
        for (long i = 0; i < n; i++) x[i] /= peak;
}

static png_byte to_byte(float v)
{
    float scaled = roundf(255.0f * v);
    return (png_byte)(scaled < 0.0f ? 0.0f : scaled > 255.0f ? 255.0f : scaled);
}

/* bytes[] in PNG order from the planar pixels: RGB when there are three
 * channels, else channel tiles side by side. Fills img's shape. */
static void pack_pixels(const image_params *p, const float *pixels,
                        png_byte *bytes, png_image *img)
{
    int size = p->size, rgb = p->channels == 3;
    long plane = (long)size * size;
    img->format = rgb ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    img->width = (png_uint_32)(rgb ? size : size * p->channels);
    img->height = (png_uint_32)size;
    for (int c = 0; c < p->channels; c++)
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) {
                long at = rgb ? ((long)y * size + x) * 3 + c
                              : (long)y * img->width + (long)c * size + x;
                bytes[at] = to_byte(pixels[c * plane + (long)y * size + x]);
            }
}

/* Encodes the image as PNG in memory and replaces path with it
 * (atomic_file.h); 0 on success, or -1 after printing why. */
static int write_png(const char *path, const image_params *p,
                     const float *pixels)
{
    png_image img = {.version = PNG_IMAGE_VERSION};
    png_byte *bytes = malloc((size_t)image_floats(p));
    png_alloc_size_t png_size = 0;
    void *png = NULL;
    int ok = bytes != NULL;
    if (ok) {
        pack_pixels(p, pixels, bytes, &img);
        /* The first call measures, the second encodes. */
        ok = png_image_write_get_memory_size(img, png_size, 0, bytes, 0,
                                             NULL) &&
             (png = malloc(png_size)) != NULL &&
             png_image_write_to_memory(&img, png, &png_size, 0, bytes, 0,
                                       NULL);
    }
    char err[512];
    if (!ok)
        fprintf(stderr, "irmas-image: error: cannot encode %s: %s\n", path,
                img.message[0] ? img.message : "out of memory");
    else if (atomic_file_write(path, png, png_size, err, sizeof err) !=
             IRMAS_OK) {
        fprintf(stderr, "irmas-image: error: %s\n", err);
        ok = 0;
    }
    png_image_free(&img);
    free(png);
    free(bytes);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    argv[0] = program_invocation_short_name; /* getopt names us so */
    options o;
    int status = parse_options(argc, argv, &o);
    if (status) return status;
    long samples = lround(o.window_seconds * o.rate);
    char err[512];
    image_builder *b;
    if (image_new(&o.image, o.rate, (int)samples, &b, err, sizeof err)) {
        fprintf(stderr, "irmas-image: error: %s\n", err);
        return 2;
    }
    float *window = malloc(sizeof *window * samples);
    float *pixels = malloc(sizeof *pixels * image_floats(&o.image));
    status = 1;
    if (!window || !pixels) {
        fprintf(stderr, "irmas-image: error: out of memory for %ld samples\n", samples);
    } else if (read_window(o.input, o.rate, window, samples) == 0) {
        if (o.peak) scale_to_peak(window, samples);
        image_build(b, window, IMAGE_ANYWHERE, pixels);
        status = write_png(o.output, &o.image, pixels) ? 1 : 0;
    }
    free(window);
    free(pixels);
    image_free(b);
    return status;
}
