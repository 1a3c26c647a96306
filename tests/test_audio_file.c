/* test_audio_file.c: reading whole audio files: rates, channels, mixdown,
 * and every kind of broken file, each refused with a message naming it.
 */
#include "audio_file.h"
#include "testdata.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *dir;

static void setup(void) { dir = tu_tmpdir("audio"); }
static void teardown(void) { td_remove_tree(dir); }

/* Reads path expecting failure; returns the message. */
static const char *read_fails(const char *path, irmas_status expected)
{
    static char err[512];
    audio_clip clip;
    err[0] = '\0';
    ck_assert_int_eq(audio_file_read(path, 8000, 0, &clip, err, sizeof err),
                     expected);
    ck_assert_ptr_null(clip.data);
    ck_assert_msg(strstr(err, path), "message does not name %s: %s", path,
                  err);
    return err;
}

/* Reads path expecting success and the given shape. */
static audio_clip read_ok(const char *path, int rate, int mixdown,
                          int channels, long frames)
{
    audio_clip clip;
    char err[512];
    ck_assert_msg(audio_file_read(path, rate, mixdown, &clip, err,
                                  sizeof err) == IRMAS_OK, "%s", err);
    ck_assert_int_eq(clip.channels, channels);
    ck_assert_int_eq(clip.frames, frames);
    return clip;
}

/* A mono file of the given samples, in libsndfile's format at rate. */
static void write_mono(const char *path, int format, int rate, const float *x,
                       long n)
{
    SF_INFO info = {.samplerate = rate, .channels = 1, .format = format};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(sf_writef_float(f, x, n), n);
    ck_assert_int_eq(sf_close(f), 0);
}

/* A 16-bit WAV of n frames of a 440 Hz sine at 8 kHz, as bytes. */
static void *sine_wav_bytes(long n, long *size)
{
    const char *path = td_path(dir, "source.wav");
    float *x = malloc((size_t)n * sizeof *x);
    tu_sine(x, n, 8000, 440.0f, 0.5f);
    ck_assert_int_eq(tu_write_wav(path, x, n, 1, 8000), 0);
    free(x);
    return td_read(path, size);
}

/* The Ogg page checksum: CRC-32, polynomial 0x04c11db7, not reflected,
 * over the page with its checksum field zeroed. */
static uint32_t ogg_page_crc(const unsigned char *page, size_t n)
{
    uint32_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char byte = (i >= 22 && i < 26) ? 0 : page[i];
        crc ^= (uint32_t)byte << 24;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04c11db7u : crc << 1;
    }
    return crc;
}

/* Sets the "end of stream" flag on the page-th page of the Ogg file held
 * in bytes, as a broken muxer does on pages before the last, and mends
 * that page's checksum. */
static void mark_ogg_page_end_of_stream(unsigned char *bytes, long size,
                                        int page)
{
    long at = 0;
    for (int k = 0; k < page; k++) {
        ck_assert_int_eq(memcmp(bytes + at, "OggS", 4), 0);
        int segments = bytes[at + 26];
        long body = 0;
        for (int i = 0; i < segments; i++) body += bytes[at + 27 + i];
        at += 27 + segments + body;
        ck_assert_int_lt(at, size);
    }
    unsigned char *p = bytes + at;
    long length = 27 + p[26];
    for (int i = 0; i < p[26]; i++) length += p[27 + i];
    p[5] |= 4;
    uint32_t crc = ogg_page_crc(p, (size_t)length);
    for (int i = 0; i < 4; i++) p[22 + i] = (unsigned char)(crc >> (8 * i));
}

START_TEST(resamples_to_the_length_asked_for)
{
    const char *path = td_path(dir, "low.wav");
    long n = 22050;
    float *x = malloc((size_t)n * sizeof *x);
    tu_sine(x, n, 22050, 441.0f, 0.5f);
    ck_assert_int_eq(tu_write_wav(path, x, n, 1, 22050), 0);

    audio_clip clip = read_ok(path, 44100, 0, 1, 44100);

    /* Away from the edges it is the same sine at the new rate. */
    float *want = malloc(44100 * sizeof *want);
    tu_sine(want, 44100, 44100, 441.0f, 0.5f);
    ck_assert_float_le(tu_max_abs_diff(clip.data + 1000, want + 1000, 42000),
                       2e-3f);
    audio_clip_free(&clip);
    audio_clip_free(&clip); /* twice is harmless */
    free(want);
    free(x);
}
END_TEST

START_TEST(keeps_channels_planar_or_mixes_them)
{
    const char *path = td_path(dir, "stereo.wav");
    float frames[2 * 100];
    for (int i = 0; i < 100; i++) {
        frames[2 * i] = 0.5f;
        frames[2 * i + 1] = -0.25f;
    }
    ck_assert_int_eq(tu_write_wav(path, frames, 100, 2, 8000), 0);

    audio_clip clip = read_ok(path, 8000, 0, 2, 100);
    ck_assert_float_eq_tol(clip.data[7], 0.5f, 1e-4f);
    ck_assert_float_eq_tol(clip.data[100 + 7], -0.25f, 1e-4f);
    audio_clip_free(&clip);

    clip = read_ok(path, 8000, 1, 1, 100);
    ck_assert_float_eq_tol(clip.data[42], 0.125f, 1e-4f);
    audio_clip_free(&clip);
}
END_TEST

/* audio_clip_gain: -20 dB is a tenth of every sample, on every channel;
 * +6.02 dB twice. */
START_TEST(gain_scales_every_channel)
{
    const char *path = td_path(dir, "stereo.wav");
    float frames[2 * 100];
    for (int i = 0; i < 100; i++) {
        frames[2 * i] = 0.5f * (float)i / 100.0f;
        frames[2 * i + 1] = -0.25f;
    }
    ck_assert_int_eq(tu_write_wav(path, frames, 100, 2, 8000), 0);
    audio_clip before = read_ok(path, 8000, 0, 2, 100);
    audio_clip clip = read_ok(path, 8000, 0, 2, 100);
    audio_clip_gain(&clip, -20.0);
    for (long i = 0; i < 200; i++)
        ck_assert_float_eq_tol(clip.data[i], 0.1f * before.data[i], 1e-7f);
    audio_clip_gain(&clip, 20.0 + 20.0 * log10(2.0));
    for (long i = 0; i < 200; i++)
        ck_assert_float_eq_tol(clip.data[i], 2.0f * before.data[i], 1e-6f);
    audio_clip_free(&clip);
    audio_clip_free(&before);
}
END_TEST

START_TEST(reads_other_formats)
{
    const char *path = td_path(dir, "tone.flac");
    float x[1600];
    tu_sine(x, 1600, 16000, 1000.0f, 0.5f);
    write_mono(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, x, 1600);

    audio_clip clip = read_ok(path, 8000, 0, 1, 800);
    audio_clip_free(&clip);
}
END_TEST

START_TEST(refuses_garbage_and_empty_files)
{
    char garbage[1000];
    tu_rng r;
    tu_seed(&r, 7);
    for (int i = 0; i < 1000; i++) garbage[i] = (char)tu_next(&r);
    const char *path = td_path(dir, "garbage.wav");
    td_write(path, garbage, sizeof garbage);
    ck_assert_ptr_nonnull(strstr(read_fails(path, IRMAS_ERR_IO),
                                 "cannot open"));

    path = td_path(dir, "empty.wav");
    td_write(path, "", 0);
    read_fails(path, IRMAS_ERR_IO);

    path = td_path(dir, "missing.wav");
    ck_assert_ptr_nonnull(strstr(read_fails(path, IRMAS_ERR_IO),
                                 "cannot open"));

    path = td_path(dir, "folder.wav");
    mkdir(path, 0755);
    ck_assert_ptr_nonnull(strstr(read_fails(path, IRMAS_ERR_IO), "folder"));

    path = td_path(dir, "silent.wav");
    ck_assert_int_eq(tu_write_wav(path, NULL, 0, 1, 8000), 0);
    ck_assert_ptr_nonnull(strstr(read_fails(path, IRMAS_ERR_FORMAT),
                                 "no audio frames"));
}
END_TEST

START_TEST(refuses_truncated_files)
{
    long size;
    char *bytes = sine_wav_bytes(8000, &size);

    const char *path = td_path(dir, "short-header.wav");
    td_write(path, bytes, 30);
    read_fails(path, IRMAS_ERR_IO);

    path = td_path(dir, "short-data.wav");
    td_write(path, bytes, (size_t)size / 2);
    ck_assert_ptr_nonnull(strstr(read_fails(path, IRMAS_ERR_FORMAT),
                                 "truncated"));

    /* The whole file still reads: the check is not a false alarm. */
    path = td_path(dir, "whole.wav");
    td_write(path, bytes, (size_t)size);
    audio_clip clip = read_ok(path, 8000, 0, 1, 8000);
    audio_clip_free(&clip);
    free(bytes);
}
END_TEST

/* An Ogg Vorbis file whose stream says it ends before its last page: the
 * header's length comes from the last page, libsndfile stops at the first
 * "end of stream". Refused with both counts and what to do; the intact
 * file reads whole. */
START_TEST(refuses_ogg_that_ends_early)
{
    const char *path = td_path(dir, "whole.ogg");
    long n = 4 * 8000; /* noise, so that it takes several pages */
    float *x = tu_noise(n, 11);
    write_mono(path, SF_FORMAT_OGG | SF_FORMAT_VORBIS, 8000, x, n);
    free(x);
    audio_clip clip = read_ok(path, 8000, 0, 1, n);
    audio_clip_free(&clip);

    long size;
    unsigned char *bytes = td_read(path, &size);
    mark_ogg_page_end_of_stream(bytes, size, 3);
    path = td_path(dir, "ends-early.ogg");
    td_write(path, bytes, (size_t)size);
    free(bytes);
    const char *err = read_fails(path, IRMAS_ERR_FORMAT);
    ck_assert_msg(strstr(err, "truncated: decodes to ") &&
                      strstr(err, "of the 32000 frames") &&
                      strstr(err, "sox FILE out.wav"),
                  "%s", err);
}
END_TEST

START_TEST(refuses_nan_and_infinite_samples)
{
    float x[64] = {0};
    const char *path = td_path(dir, "nan.wav");
    x[40] = NAN;
    write_mono(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 8000, x, 64);
    const char *err = read_fails(path, IRMAS_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err, "NaN"));
    ck_assert_ptr_nonnull(strstr(err, "frame 40"));

    path = td_path(dir, "inf.wav");
    x[40] = 0.0f;
    x[3] = -INFINITY;
    write_mono(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 8000, x, 64);
    ck_assert_ptr_nonnull(strstr(read_fails(path, IRMAS_ERR_FORMAT),
                                 "infinite"));
}
END_TEST

static Suite *audio_file_suite(void)
{
    Suite *s = suite_create("audio_file");
    TCase *tc = tcase_create("audio_file");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, resamples_to_the_length_asked_for);
    tcase_add_test(tc, keeps_channels_planar_or_mixes_them);
    tcase_add_test(tc, gain_scales_every_channel);
    tcase_add_test(tc, reads_other_formats);
    tcase_add_test(tc, refuses_garbage_and_empty_files);
    tcase_add_test(tc, refuses_truncated_files);
    tcase_add_test(tc, refuses_ogg_that_ends_early);
    tcase_add_test(tc, refuses_nan_and_infinite_samples);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(audio_file_suite());
}
