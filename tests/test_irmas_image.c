/* test_irmas_image.c: irmas-image end to end. It writes PNGs of the right
 * size and colour type that libpng reads back, converts other sample rates,
 * and refuses missing and non-audio files with one clear line, leaving no
 * output and no temporary file behind.
 *
 * Usage: test_irmas_image PATH/TO/irmas-image (meson passes it).
 * Each test gets a fresh folder holding in.wav (which the test writes) and
 * out.png (which the tool writes), removed afterwards.
 */
#include <check.h>
#include <dirent.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static const char *tool;
static char dir[512], wav[600], png[600], errpath[600];

static void make_folder(void)
{
    const char *d = tu_tmpdir("image");
    ck_assert_ptr_nonnull(d);
    snprintf(dir, sizeof dir, "%s", d);
    snprintf(wav, sizeof wav, "%s/in.wav", dir);
    snprintf(png, sizeof png, "%s/out.png", dir);
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", dir);
}

/* Files in the folder; with remove set, deletes them and the folder. */
static int visit_files(int remove)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        n++;
        if (remove) {
            char path[900];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    closedir(d);
    if (remove) rmdir(dir);
    return n;
}

static void remove_folder(void) { visit_files(1); }

typedef struct {
    int status; /* the tool's exit status */
    char stderr_text[1024];
} run_result;

/* Runs irmas-image with args (NULL-terminated) and captures its stderr. */
static run_result run(const char *const *args)
{
    const char *argv[16] = {tool};
    for (int i = 0; args[i] && i < 14; i++) argv[i + 1] = args[i];
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (!freopen(errpath, "w", stderr)) _exit(127);
        execv(tool, (char *const *)argv);
        _exit(127);
    }
    int wstatus;
    ck_assert_int_eq(waitpid(pid, &wstatus, 0), pid);
    run_result r = {.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1};
    FILE *f = fopen(errpath, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(r.stderr_text, 1, sizeof r.stderr_text - 1, f);
    r.stderr_text[n] = '\0';
    fclose(f);
    unlink(errpath);
    return r;
}

/* Runs the tool, which must succeed and leave exactly in.wav and out.png. */
static void run_ok(const char *const *args)
{
    run_result r = run(args);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.stderr_text);
    ck_assert_int_eq(visit_files(0), 2);
}

/* Runs the tool, which must fail with `status` and one line of stderr that
 * contains `says`, leaving `files` files in the folder. */
static void run_fails(const char *const *args, int status, const char *says,
                      int files)
{
    run_result r = run(args);
    ck_assert_int_eq(r.status, status);
    ck_assert_msg(strstr(r.stderr_text, says), "want '%s' in: %s", says,
                  r.stderr_text);
    if (status == 1) /* usage errors print the usage; others one line */
        ck_assert_msg(strchr(r.stderr_text, '\n') ==
                          r.stderr_text + strlen(r.stderr_text) - 1,
                      "want one line, got: %s", r.stderr_text);
    ck_assert_int_eq(visit_files(0), files);
}

/* in.wav: a 440 Hz sine of `seconds` at rate, on every channel. */
static void write_sine(int rate, int channels, double seconds)
{
    long frames = (long)(seconds * rate);
    float *mono = malloc(sizeof *mono * frames);
    float *interleaved = calloc(frames * channels, sizeof *interleaved);
    tu_sine(mono, frames, rate, 440.0f, 0.5f);
    for (long i = 0; i < frames * channels; i++) interleaved[i] = mono[i / channels];
    ck_assert_int_eq(tu_write_wav(wav, interleaved, frames, channels, rate), 0);
    free(mono);
    free(interleaved);
}

/* Reads out.png with libpng, checks its size and format, and returns its
 * pixels (caller frees). */
static png_byte *read_png(png_uint_32 width, png_uint_32 height,
                          png_uint_32 format)
{
    png_image img = {.version = PNG_IMAGE_VERSION};
    ck_assert_msg(png_image_begin_read_from_file(&img, png), "%s: %s", png,
                  img.message);
    ck_assert_uint_eq(img.width, width);
    ck_assert_uint_eq(img.height, height);
    ck_assert_uint_eq(img.format, format);
    png_byte *bytes = malloc(PNG_IMAGE_SIZE(img));
    ck_assert(png_image_finish_read(&img, NULL, bytes, 0, NULL));
    return bytes;
}

START_TEST(mrp_is_rgb_at_the_study_size)
{
    write_sine(44100, 1, 3.0);
    run_ok((const char *[]){"--kind", "mrp", wav, png, NULL});
    free(read_png(150, 150, PNG_FORMAT_RGB));
}
END_TEST

START_TEST(stack_of_silence_is_mid_grey)
{
    float silence[4410] = {0};
    ck_assert_int_eq(tu_write_wav(wav, silence, 4410, 1, 44100), 0);
    run_ok((const char *[]){"--kind", "stack", "--size", "64", "--window",
                            "0.1", wav, png, NULL});
    png_byte *bytes = read_png(64, 64, PNG_FORMAT_GRAY);
    for (int i = 0; i < 64 * 64; i++) ck_assert_int_eq(bytes[i], 128);
    free(bytes);
}
END_TEST

START_TEST(other_channel_counts_are_tiles)
{
    write_sine(44100, 1, 1.0);
    run_ok((const char *[]){"--kind", "mrp", "--channels", "2", "--size", "32",
                            "--window", "1", wav, png, NULL});
    png_byte *bytes = read_png(64, 32, PNG_FORMAT_GRAY);
    for (int t = 0; t < 2; t++) /* each tile's diagonal is black */
        for (int i = 0; i < 32; i++) ck_assert_int_eq(bytes[i * 64 + t * 32 + i], 0);
    free(bytes);
}
END_TEST

START_TEST(other_rates_are_converted)
{
    write_sine(22050, 2, 2.0);
    run_ok((const char *[]){"--kind", "mrp", "--size", "100", "--rate",
                            "16000", "--window", "2", wav, png, NULL});
    free(read_png(100, 100, PNG_FORMAT_RGB));
}
END_TEST

START_TEST(missing_file_is_a_clear_error)
{
    run_fails((const char *[]){"--kind", "mrp", wav, png, NULL}, 1, wav, 0);
}
END_TEST

START_TEST(text_file_is_a_clear_error)
{
    FILE *f = fopen(wav, "w");
    ck_assert_ptr_nonnull(f);
    fputs("these are not samples\n", f);
    fclose(f);
    run_fails((const char *[]){"--kind", "stack", wav, png, NULL}, 1,
              "in.wav: cannot open", 1);
}
END_TEST

START_TEST(truncated_file_is_a_clear_error)
{
    write_sine(44100, 1, 1.0);
    ck_assert_int_eq(truncate(wav, 20000), 0); /* a copy cut short */
    run_fails((const char *[]){"--kind", "mrp", wav, png, NULL}, 1,
              "truncated", 1);
}
END_TEST

START_TEST(unwritable_output_leaves_nothing)
{
    char deep[700];
    snprintf(deep, sizeof deep, "%s/no/such/folder/out.png", dir);
    write_sine(44100, 1, 0.5);
    run_fails((const char *[]){"--kind", "stack", "--window", "0.5", wav, deep,
                               NULL}, 1, "cannot create a temporary file", 1);
}
END_TEST

START_TEST(bad_arguments_say_what_to_use)
{
    run_fails((const char *[]){"--kind", "jpeg", wav, png, NULL}, 2,
              "stack, mrp or logmel", 0);
    run_fails((const char *[]){"--kind", "mrp", "--size", "-3", wav, png, NULL},
              2, "--size", 0);
    run_fails((const char *[]){"--kind", "mrp", "--window", "0.001", wav, png,
                               NULL}, 2, "longer window", 0);
    run_fails((const char *[]){"--kind", "mrp", wav, NULL}, 2, "usage", 0);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH/TO/irmas-image\n", argv[0]);
        return EXIT_FAILURE;
    }
    tool = argv[1];
    Suite *s = suite_create("irmas-image");
    TCase *t = tcase_create("irmas-image");
    tcase_set_timeout(t, 60);
    tcase_add_checked_fixture(t, make_folder, remove_folder);
    tcase_add_test(t, mrp_is_rgb_at_the_study_size);
    tcase_add_test(t, stack_of_silence_is_mid_grey);
    tcase_add_test(t, other_channel_counts_are_tiles);
    tcase_add_test(t, other_rates_are_converted);
    tcase_add_test(t, missing_file_is_a_clear_error);
    tcase_add_test(t, text_file_is_a_clear_error);
    tcase_add_test(t, truncated_file_is_a_clear_error);
    tcase_add_test(t, unwritable_output_leaves_nothing);
    tcase_add_test(t, bad_arguments_say_what_to_use);
    suite_add_tcase(s, t);
    return tu_run(s);
}
