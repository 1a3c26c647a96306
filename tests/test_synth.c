/* test_synth.c: irmas-synth end to end, as a user runs it.
 *
 *     test_synth PATH/TO/irmas-synth
 *
 * Renders a tiny corpus (two excerpts per class) and checks what a user
 * would: the IRMAS layout and names, every file a 3-second 44.1 kHz 16-bit
 * stereo WAV that is neither silent nor clipped, the same bytes for the
 * same seed whatever the thread count, other bytes for another seed; the
 * sampler on recordings the test writes; and clear errors for a missing or
 * corrupt soundfont, a missing sample folder, a bad option, and the
 * warning when the MuseScore test soundfont is named.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <regex.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static const char *synth_path;
static const char *const codes[] = {"cel", "cla", "flu", "gac", "gel", "org",
                                    "pia", "sax", "tru", "vio", "voi"};

/* Runs irmas-synth with args; its stderr goes to *output (static). Returns
 * the exit status. */
static int run(const char *args, const char **output)
{
    static char text[16384];
    char command[4096];
    snprintf(command, sizeof command, "'%s' %s 2>&1", synth_path, args);
    FILE *p = popen(command, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(text, 1, sizeof text - 1, p);
    text[n] = '\0';
    int status = pclose(p);
    if (output) *output = text;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int render(const char *dir, const char *more)
{
    char args[2048];
    const char *out;
    snprintf(args, sizeof args, "--out '%s' --per-class 2 --seed 11 %s", dir, more);
    int status = run(args, &out);
    ck_assert_msg(status == 0, "irmas-synth %s failed: %s", args, out);
    return status;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int same_bytes(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        if (ca != cb) same = 0;
        if (ca == EOF || cb == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

/* Checks one excerpt as a user would see it in an audio tool. */
static void check_excerpt(const char *path)
{
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    ck_assert_msg(f != NULL, "%s: %s", path, sf_strerror(NULL));
    ck_assert_int_eq(info.samplerate, 44100);
    ck_assert_int_eq(info.channels, 2);
    ck_assert_int_eq(info.frames, 3 * 44100);
    ck_assert_int_eq(info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    static short pcm[2 * 3 * 44100];
    ck_assert_int_eq(sf_readf_short(f, pcm, info.frames), info.frames);
    sf_close(f);
    double sum = 0;
    long full_scale = 0;
    for (long i = 0; i < 2 * info.frames; i++) {
        sum += (double)pcm[i] * pcm[i];
        full_scale += pcm[i] >= 32767 || pcm[i] <= -32768;
    }
    double rms_db = 20 * log10(sqrt(sum / (2.0 * info.frames)) / 32768 + 1e-12);
    ck_assert_msg(rms_db > -45, "%s: silent (%.1f dBFS RMS)", path, rms_db);
    ck_assert_msg(full_scale < 2 * info.frames / 1000, "%s: %ld samples at full scale",
                  path, full_scale);
}

/* Every class folder holds two excerpts named [cls][dru|nod][genre]N__K
 * with cls its own class; returns how many files it saw. */
static int check_layout(const char *dir)
{
    regex_t name;
    ck_assert_int_eq(regcomp(&name, "^\\[([a-z]{3})\\]\\[(dru|nod)\\]\\[[a-z_]+\\]([0-9]+)__([0-9]+)\\.wav$",
                             REG_EXTENDED), 0);
    int total = 0;
    for (int c = 0; c < 11; c++) {
        char folder[1024];
        snprintf(folder, sizeof folder, "%s/%s", dir, codes[c]);
        DIR *d = opendir(folder);
        ck_assert_msg(d != NULL, "%s: missing", folder);
        int files = 0;
        for (struct dirent *e; (e = readdir(d));) {
            if (e->d_name[0] == '.') continue;
            regmatch_t m[5];
            ck_assert_msg(regexec(&name, e->d_name, 5, m, 0) == 0, "%s: not an IRMAS name", e->d_name);
            ck_assert_int_eq(strncmp(e->d_name + m[1].rm_so, codes[c], 3), 0);
            char path[2048];
            snprintf(path, sizeof path, "%s/%s", folder, e->d_name);
            check_excerpt(path);
            files++;
        }
        closedir(d);
        ck_assert_msg(files == 2, "%s: %d files, want 2", folder, files);
        total += files;
    }
    regfree(&name);
    return total;
}

/* Calls same_bytes on every excerpt of two corpora; returns how many match. */
static int count_identical(const char *a, const char *b)
{
    int identical = 0;
    for (int c = 0; c < 11; c++) {
        char folder[1024];
        snprintf(folder, sizeof folder, "%s/%s", a, codes[c]);
        DIR *d = opendir(folder);
        if (!d) continue;
        for (struct dirent *e; (e = readdir(d));) {
            if (e->d_name[0] == '.') continue;
            char pa[2048], pb[2048];
            snprintf(pa, sizeof pa, "%s/%s", folder, e->d_name);
            snprintf(pb, sizeof pb, "%s/%s/%s", b, codes[c], e->d_name);
            identical += same_bytes(pa, pb);
        }
        closedir(d);
    }
    return identical;
}

START_TEST(corpus_layout_format_and_determinism)
{
    char first[600], second[600], other[600];
    snprintf(first, sizeof first, "%s", tu_tmpdir("synth-a"));
    snprintf(second, sizeof second, "%s", tu_tmpdir("synth-b"));
    snprintf(other, sizeof other, "%s", tu_tmpdir("synth-c"));
    render(first, "--threads 2");
    ck_assert_int_eq(check_layout(first), 22);
    char manifest[700];
    snprintf(manifest, sizeof manifest, "%s/sources.tsv", first);
    ck_assert_int_gt(file_size(manifest), 100);

    render(second, "--threads 1");
    ck_assert_int_eq(count_identical(first, second), 22);
    char manifest2[700];
    snprintf(manifest2, sizeof manifest2, "%s/sources.tsv", second);
    ck_assert(same_bytes(manifest, manifest2));

    char args[1024];
    const char *out;
    snprintf(args, sizeof args, "--out '%s' --per-class 2 --seed 12 --classes cel,pia", other);
    ck_assert_int_eq(run(args, &out), 0);
    ck_assert_int_eq(count_identical(first, other), 0);
}
END_TEST

/* A decaying tone with a few harmonics, as a recorded note would be. */
static void write_note(const char *path, float hz)
{
    enum { RATE = 44100, N = 2 * RATE };
    static float stereo[2 * N];
    for (long i = 0; i < N; i++) {
        float t = (float)i / RATE, x = 0;
        for (int h = 1; h <= 4; h++) x += sinf(2 * (float)M_PI * hz * h * t) / h;
        stereo[2 * i] = stereo[2 * i + 1] = 0.3f * x * expf(-1.5f * t);
    }
    ck_assert_int_eq(tu_write_wav(path, stereo, N, 2, RATE), 0);
}

START_TEST(sampler_plays_recorded_notes)
{
    char dir[600], set[700], path[800], out_dir[700];
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("synth-samples"));
    snprintf(set, sizeof set, "%s/pia", dir);
    ck_assert_int_eq(mkdir(set, 0777), 0);
    snprintf(set, sizeof set, "%s/pia/test-piano", dir);
    ck_assert_int_eq(mkdir(set, 0777), 0);
    static const char *const notes[] = {"C3", "F#3", "C4", "F#4", "C5"};
    static const float hz[] = {130.81f, 185.0f, 261.63f, 369.99f, 523.25f};
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s.wav", set, notes[i]);
        write_note(path, hz[i]);
    }
    snprintf(out_dir, sizeof out_dir, "%s/corpus", dir);
    char args[2048];
    const char *out;
    snprintf(args, sizeof args, "--out '%s' --samples '%s' --classes pia --per-class 3 --seed 2",
             out_dir, dir);
    ck_assert_msg(run(args, &out) == 0, "%s", out);
    snprintf(path, sizeof path, "%s/sources.tsv", out_dir);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "samples pia/test-piano"));
    snprintf(path, sizeof path, "%s/pia", out_dir);
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    int files = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char file[2048];
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        check_excerpt(file);
        files++;
    }
    closedir(d);
    ck_assert_int_eq(files, 3);

    /* A class asked for without recordings is named in the error. */
    snprintf(args, sizeof args, "--out '%s' --samples '%s' --classes pia,cel --per-class 1",
             out_dir, dir);
    ck_assert_int_eq(run(args, &out), 1);
    ck_assert_msg(strstr(out, "/cel: missing"), "%s", out);
}
END_TEST

START_TEST(missing_and_corrupt_inputs_are_named)
{
    const char *dir = tu_tmpdir("synth-bad"), *out;
    char args[2048], bad[700];
    snprintf(args, sizeof args, "--out '%s/o' --per-class 1 --soundfont /nonexistent/none.sf2", dir);
    ck_assert_int_eq(run(args, &out), 1);
    ck_assert_msg(strstr(out, "/nonexistent/none.sf2") && strstr(out, "cannot read"), "%s", out);

    snprintf(bad, sizeof bad, "%s/broken.sf2", dir);
    FILE *f = fopen(bad, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("RIFF\x10\0\0\0sfbkLIST this is not a soundfont at all", f);
    fclose(f);
    snprintf(args, sizeof args, "--out '%s/o' --per-class 1 --soundfont '%s'", dir, bad);
    ck_assert_int_eq(run(args, &out), 1);
    ck_assert_msg(strstr(out, bad) && strstr(out, "not a soundfont"), "%s", out);

    snprintf(args, sizeof args, "--out '%s/o' --per-class 1 --samples '%s/no-such-folder'", dir, dir);
    ck_assert_int_eq(run(args, &out), 1);
    ck_assert_msg(strstr(out, "no-such-folder: no such folder"), "%s", out);

    snprintf(args, sizeof args, "--out '%s/o' --per-class 1 --augment loud", dir);
    ck_assert_int_eq(run(args, &out), 2);
    ck_assert_msg(strstr(out, "--augment loud"), "%s", out);

    ck_assert_int_eq(run("--per-class 1", &out), 2);
    ck_assert_msg(strstr(out, "--out DIR is required"), "%s", out);
}
END_TEST

START_TEST(musescore_is_flagged_as_the_test_set)
{
    const char *font = "/usr/share/sounds/sf3/MuseScore_General.sf3", *out;
    if (access(font, R_OK) != 0) return; /* musescore-general-soundfont not installed */
    char args[2048];
    snprintf(args, sizeof args, "--out '%s' --per-class 1 --classes flu --soundfont %s",
             tu_tmpdir("synth-musescore"), font);
    ck_assert_int_eq(run(args, &out), 0);
    ck_assert_msg(strstr(out, "warning") && strstr(out, "TEST set") && strstr(out, "never train"),
                  "%s", out);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_synth PATH/TO/irmas-synth\n");
        return 2;
    }
    synth_path = argv[1];
    Suite *s = suite_create("synth");
    TCase *t = tcase_create("irmas-synth");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, corpus_layout_format_and_determinism);
    tcase_add_test(t, sampler_plays_recorded_notes);
    tcase_add_test(t, missing_and_corrupt_inputs_are_named);
    tcase_add_test(t, musescore_is_flagged_as_the_test_set);
    suite_add_tcase(s, t);
    return tu_run(s);
}
