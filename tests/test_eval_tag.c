/* test_eval_tag.c: irmas-eval and irmas-tag end to end, on a small model
 * with random weights (testmodel.h) saved as a .irm file and WAVs the test
 * renders: the JSON parses (python3 reads it) and holds what the README
 * promises, the windows are counted as documented, results do not depend
 * on the number of threads, and bad files are reported and passed over.
 * With --teacher, both run an AudioSet teacher with random weights
 * (tm_random_teacher) on our 11 classes at 32 kHz, and a missing teacher
 * is one clear error. A model whose front-end is that teacher runs with
 * --weights or IRMAS_WEIGHTS, and an empty --weights folder is one error
 * saying which files and checksum it needs, where it looked and where to
 * get them. --plot draws the pictures plot.h promises, of the size it
 * promises, and a picture that cannot be written fails the run.
 *
 * Usage: test_eval_tag PATH/TO/irmas-eval PATH/TO/irmas-tag (meson passes
 * them).
 */
#include "model_file.h"
#include "plot.h"
#include "pretrained.h"
#include "testdata.h"
#include "testmodel.h"
#include "testutil.h"

#include <cairo.h>
#include <check.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static const char *eval_tool, *tag_tool;
static char root[512], model_path[600];

/* 8 kHz, half-second windows, labels c0..c4. */
static void setup(void)
{
    snprintf(root, sizeof root, "%s", tu_tmpdir("evaltag"));
    snprintf(model_path, sizeof model_path, "%s/tiny.irm", root);
    tm_spec spec = tm_raw_spec(LAYER_GRU, 80, 6);
    irmas_model *m = tm_model(&spec);
    char err[512];
    ck_assert_msg(irmas_model_save(m, model_path, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    irmas_model_free(m);
}

static void teardown(void) { td_remove_tree(root); }

/* A sine of seconds at rate Hz, on channels channels. */
static void sine_file_at(const char *name, double seconds, int channels,
                         int rate)
{
    long frames = (long)(seconds * rate);
    float *mono = malloc((size_t)frames * sizeof *mono);
    float *x = malloc((size_t)frames * (size_t)channels * sizeof *x);
    tu_sine(mono, frames, rate, 440.0f, 0.5f);
    for (long i = 0; i < frames; i++)
        for (int c = 0; c < channels; c++) x[i * channels + c] = mono[i] / (c + 1);
    const char *path = td_path(root, name);
    td_parents(path);
    ck_assert_int_eq(tu_write_wav(path, x, frames, channels, rate), 0);
    free(mono);
    free(x);
}

/* The same at the test model's 8 kHz. */
static void sine_file(const char *name, double seconds, int channels)
{
    sine_file_at(name, seconds, channels, 8000);
}

/* Runs a shell command; its stdout goes to out (static storage until the
 * next call), its stderr to root/stderr.txt. Returns the exit status. */
static int run(const char **out, const char *fmt, ...)
{
    static char text[65536];
    char command[4096] = "{ ";
    va_list ap;
    va_start(ap, fmt);
    int n = 2 + vsnprintf(command + 2, sizeof command - 2, fmt, ap);
    va_end(ap);
    snprintf(command + n, sizeof command - (size_t)n, "; } 2>%s/stderr.txt",
             root);
    FILE *p = popen(command, "r");
    ck_assert_ptr_nonnull(p);
    size_t got = fread(text, 1, sizeof text - 1, p);
    text[got] = '\0';
    int status = pclose(p);
    *out = text;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *stderr_text(void)
{
    static char text[8192];
    FILE *f = fopen(td_path(root, "stderr.txt"), "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    text[n] = '\0';
    if (f) fclose(f);
    return text;
}

/* A training-style set: 1.2 s mono (3 windows at a 0.25 s hop), 0.3 s
 * (shorter than a window: 1), 1 s stereo (3 per channel) and garbage. */
static const char *make_training_set(void)
{
    sine_file("train/c0/[c0][x]0001__1.wav", 1.2, 1);
    sine_file("train/c0/[c0][x]0001__2.wav", 0.3, 1);
    sine_file("train/c1/stereo.wav", 1.0, 2);
    td_text(root, "train/c2/bad.wav", "this is not audio at all, just text");
    return td_path(root, "train");
}

/* python3 reading irmas-eval's JSON on stdin and printing a summary line;
 * a format for run(), hence the doubled %. */
#define PY_EVAL_SUMMARY \
    "python3 -c '" \
    "import json, sys\n" \
    "d = json.load(sys.stdin)\n" \
    "need = [\"accuracy\", \"clip_accuracy\", \"macro_f1\", \"per_class\", " \
    "\"confusion\"]\n" \
    "missing = [k for k in need if k not in d] or [\"none\"]\n" \
    "ml = d.get(\"multi_label\", {})\n" \
    "print(\"missing=%%s files=%%d skipped=%%d windows=%%d clips=%%d " \
    "rows=%%d ml=%%s\" %% (\",\".join(missing), d[\"files\"], d[\"skipped\"], " \
    "d[\"decisions\"], d[\"clips\"][\"decisions\"], len(d[\"confusion\"]), " \
    "\",\".join(k for k in (\"micro_f1\", \"macro_f1\") if k in ml)))'"

START_TEST(eval_json_has_the_promised_keys)
{
    const char *data = make_training_set(), *out;
    ck_assert_int_eq(run(&out, "%s --model %s --data %s --hop 0.25 --json | "
                         PY_EVAL_SUMMARY, eval_tool, model_path, data), 0);
    ck_assert_str_eq(out, "missing=none files=3 skipped=1 windows=10 clips=3 "
                          "rows=5 ml=\n");
}
END_TEST

START_TEST(eval_is_independent_of_threads)
{
    const char *data = make_training_set(), *out;
    char one[65536];
    ck_assert_int_eq(run(&out, "%s --model %s --data %s --json --threads 1",
                         eval_tool, model_path, data), 0);
    snprintf(one, sizeof one, "%s", out);
    ck_assert_int_eq(run(&out, "%s --model %s --data %s --json --threads 2",
                         eval_tool, model_path, data), 0);
    ck_assert_str_eq(out, one);
    ck_assert_ptr_nonnull(strstr(stderr_text(), "bad.wav"));
    ck_assert_ptr_nonnull(strstr(stderr_text(), "1 files skipped"));

    /* The plain report: labels head the confusion matrix. */
    ck_assert_int_eq(run(&out, "%s --model %s --data %s --mixdown", eval_tool,
                         model_path, data), 0);
    ck_assert_ptr_nonnull(strstr(out, "rows: true class"));
    ck_assert_ptr_nonnull(strstr(out, "   c0   c1   c2   c3   c4\n"));
    ck_assert_ptr_nonnull(strstr(out, "clips:"));
}
END_TEST

START_TEST(eval_multi_label_data)
{
    sine_file("test/a.wav", 0.9, 1);
    td_text(root, "test/a.txt", "c0\nc3 \t\n");
    sine_file("test/b.wav", 0.5, 1);
    td_text(root, "test/b.txt", "c2\n");
    const char *out;
    ck_assert_int_eq(run(&out, "%s --model %s --data %s --threshold 0.8 "
                         "--json | " PY_EVAL_SUMMARY, eval_tool, model_path,
                         td_path(root, "test")), 0);
    /* At the 0.5 s hop, one window each (the 0.9 s file's second would
     * run past its end). */
    ck_assert_str_eq(out, "missing=none files=2 skipped=0 windows=2 clips=2 "
                          "rows=5 ml=micro_f1,macro_f1\n");
    ck_assert_int_eq(run(&out, "%s --model %s --data %s", eval_tool,
                         model_path, td_path(root, "test")), 0);
    ck_assert_ptr_nonnull(strstr(out, "micro F1"));
}
END_TEST

/* --gain plays every file louder or quieter (audio_clip_gain, test
 * audio_file), and the report and the JSON say by how much. */
START_TEST(eval_says_its_gain)
{
    const char *data = make_training_set(), *out;
    ck_assert_int_eq(run(&out, "%s --model %s --data %s --gain -12",
                         eval_tool, model_path, data), 0);
    ck_assert_ptr_nonnull(strstr(out, "gain   every file played -12.0 dB"));
    ck_assert_int_eq(run(&out, "%s --model %s --data %s --gain -12 --json | "
                         "python3 -c 'import json, sys; "
                         "print(json.load(sys.stdin)[\"gain_db\"])'",
                         eval_tool, model_path, data), 0);
    ck_assert_str_eq(out, "-12\n");
    ck_assert_int_eq(run(&out, "%s --model %s --data %s --gain loud",
                         eval_tool, model_path, data), 2);
    ck_assert_ptr_nonnull(strstr(stderr_text(), "--gain takes decibels"));
}
END_TEST

START_TEST(eval_refuses_clearly)
{
    const char *out;
    ck_assert_int_eq(run(&out, "%s --model %s/none.irm --data %s", eval_tool,
                         root, root), 1);
    ck_assert_ptr_nonnull(strstr(stderr_text(), "none.irm"));
    ck_assert_int_eq(run(&out, "%s --model %s --data %s/nowhere", eval_tool,
                         model_path, root), 1);
    ck_assert_ptr_nonnull(strstr(stderr_text(), "nowhere"));
    ck_assert_int_eq(run(&out, "%s --model %s --data %s --threshold 2",
                         eval_tool, model_path, root), 2);
    ck_assert_int_eq(run(&out, "%s --model %s", eval_tool, model_path), 2);
}
END_TEST

START_TEST(tag_prints_a_timeline)
{
    sine_file("song.wav", 1.2, 2);
    const char *song = td_path(root, "song.wav"), *out;
    ck_assert_int_eq(run(&out, "%s --model %s --hop 0.25 %s", tag_tool,
                         model_path, song), 0);
    ck_assert_ptr_nonnull(strstr(out, "song.wav: 1.20 s, 3 windows"));
    ck_assert_ptr_nonnull(strstr(out, "\n      0.00     0.50  c"));
    ck_assert_ptr_nonnull(strstr(out, "\n      0.50     1.00  c"));
    ck_assert_ptr_nonnull(strstr(out, "\n  tags: c"));

    ck_assert_int_eq(run(&out, "%s --model %s --hop 0.25 --csv %s | "
                         "python3 -c 'import csv, sys; rows = list("
                         "csv.reader(sys.stdin)); print(len(rows), "
                         "[r[1] for r in rows[1:]], len(rows[0]))'",
                         tag_tool, model_path, song), 0);
    ck_assert_str_eq(out, "5 ['window', 'window', 'window', 'summary'] 11\n");
}
END_TEST

/* Says whether path is a PNG of width x height pixels. */
static int png_is(const char *path, int width, int height)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    int ok = cairo_surface_status(s) == CAIRO_STATUS_SUCCESS &&
             cairo_image_surface_get_width(s) == width &&
             cairo_image_surface_get_height(s) == height;
    cairo_surface_destroy(s);
    return ok;
}

START_TEST(tag_and_eval_draw_pictures)
{
    sine_file("a.wav", 1.2, 1);
    sine_file("b.wav", 2.0, 2);
    char a[700], b[700], timeline[700], confusion[700];
    snprintf(a, sizeof a, "%s", td_path(root, "a.wav"));
    snprintf(b, sizeof b, "%s", td_path(root, "b.wav"));
    snprintf(timeline, sizeof timeline, "%s", td_path(root, "timeline.png"));
    snprintf(confusion, sizeof confusion, "%s", td_path(root, "confusion.png"));
    const char *out;
    ck_assert_int_eq(run(&out, "%s --model %s --plot %s %s %s", tag_tool,
                         model_path, timeline, a, b), 0);
    ck_assert_msg(png_is(timeline, PLOT_WIDTH, plot_timelines_height(5, 2)),
                  "irmas-tag --plot: %s is not a %dx%d PNG", timeline,
                  PLOT_WIDTH, plot_timelines_height(5, 2));
    const char *data = make_training_set();
    ck_assert_int_eq(run(&out, "%s --model %s --data %s --plot %s", eval_tool,
                         model_path, data, confusion), 0);
    int side = plot_confusion_size(5);
    ck_assert_msg(png_is(confusion, side, side),
                  "irmas-eval --plot: %s is not a %dx%d PNG", confusion, side, side);

    /* A picture that cannot be written: the report still comes, the run
     * fails and says where. */
    ck_assert_int_eq(run(&out, "%s --model %s --plot %s/no/such.png %s",
                         tag_tool, model_path, root, a), 1);
    ck_assert_ptr_nonnull(strstr(out, "tags:"));
    ck_assert_ptr_nonnull(strstr(stderr_text(), "no/such.png"));
    ck_assert_int_eq(run(&out, "%s --model %s --data %s --plot %s/no/such.png",
                         eval_tool, model_path, data, root), 1);
    ck_assert_ptr_nonnull(strstr(stderr_text(), "no/such.png"));
}
END_TEST

START_TEST(tag_says_silence_as_irmasd_does)
{
    /* 1.5 s of sine, then 1.5 s of digital silence, at 8 kHz. */
    long frames = 24000;
    float *x = calloc((size_t)frames, sizeof *x);
    tu_sine(x, frames / 2, 8000, 440.0f, 0.5f);
    const char *path = td_path(root, "half.wav");
    ck_assert_int_eq(tu_write_wav(path, x, frames, 1, 8000), 0);
    const char *silent = td_path(root, "silent.wav");
    memset(x, 0, (size_t)frames * sizeof *x);
    ck_assert_int_eq(tu_write_wav(silent, x, frames, 1, 8000), 0);
    free(x);
    const char *out;
    char half[700];
    snprintf(half, sizeof half, "%s", path);
    ck_assert_int_eq(run(&out, "%s --model %s --hop 0.5 %s", tag_tool, model_path,
                         half), 0);
    ck_assert_msg(strstr(out, "    2.50     3.00  (silence)"), "%s", out);
    ck_assert_msg(strstr(out, "\n      0.00     0.50  c"), "%s", out);
    ck_assert_int_eq(run(&out, "%s --model %s --json %s", tag_tool, model_path,
                         silent), 0);
    ck_assert_msg(strstr(out, "\"label\": \"silence\""), "%s", out);
    ck_assert_int_eq(run(&out, "%s --model %s %s", tag_tool, model_path, silent), 0);
    ck_assert_msg(strstr(out, "tags: silence"), "%s", out);
    /* With the gate off, silence is classified like anything else. */
    ck_assert_int_eq(run(&out, "%s --model %s --gate off %s", tag_tool, model_path,
                         silent), 0);
    ck_assert_msg(!strstr(out, "silence"), "%s", out);
    ck_assert_int_eq(run(&out, "%s --model %s --gate 3 %s", tag_tool, model_path,
                         silent), 2);
}
END_TEST

START_TEST(short_and_slow_files_as_irmasd_has_them)
{
    /* 0.3 s at 8 kHz: shorter than the 0.5 s window, padded, said so. */
    sine_file("short.wav", 0.3, 1);
    const char *out;
    ck_assert_int_eq(run(&out, "%s --model %s %s", tag_tool, model_path,
                         td_path(root, "short.wav")), 0);
    ck_assert_ptr_nonnull(strstr(out, "1 windows"));
    ck_assert_msg(strstr(stderr_text(), "shorter than the model's 0.50 s window"),
                  "%s", stderr_text());
    /* 1 s at 4 kHz carries nothing above 2 kHz; the model reads to 4 kHz:
     * refused as irmasd refuses such a device, naming the file. */
    float x[4000];
    tu_sine(x, 4000, 4000, 440.0f, 0.5f);
    char slow[700];
    snprintf(slow, sizeof slow, "%s", td_path(root, "slow/c0/slow.wav"));
    td_parents(slow);
    ck_assert_int_eq(tu_write_wav(slow, x, 4000, 1, 4000), 0);
    ck_assert_int_eq(run(&out, "%s --model %s %s", tag_tool, model_path, slow), 1);
    ck_assert_msg(strstr(stderr_text(), "slow.wav is at 4000 Hz, which carries "
                                        "nothing above 2000 Hz"), "%s", stderr_text());
    ck_assert_int_eq(run(&out, "%s --model %s --data %s/slow", eval_tool,
                         model_path, root), 1);
    ck_assert_msg(strstr(stderr_text(), "slow.wav is at 4000 Hz"), "%s", stderr_text());
}
END_TEST

START_TEST(eval_and_tag_read_mp3_like_the_daemon)
{
    /* A second of sine as MP3 (libsndfile writes it through LAME). */
    long frames = 8000;
    float *x = malloc((size_t)frames * sizeof *x);
    tu_sine(x, frames, 8000, 440.0f, 0.5f);
    const char *path = td_path(root, "mp3/c1/tune.mp3");
    td_parents(path);
    SF_INFO info = {.samplerate = 8000, .channels = 1,
                    .format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) {
        printf("skipped: this libsndfile cannot write MP3\n");
        free(x);
        return;
    }
    sf_writef_float(f, x, frames);
    sf_close(f);
    free(x);
    const char *out;
    ck_assert_int_eq(run(&out, "%s --model %s --data %s/mp3 --json | " PY_EVAL_SUMMARY,
                         eval_tool, model_path, root), 0);
    ck_assert_msg(strstr(out, "files=1 skipped=0"), "%s", out);
    ck_assert_int_eq(run(&out, "%s --model %s %s", tag_tool, model_path,
                         td_path(root, "mp3/c1/tune.mp3")), 0);
    ck_assert_ptr_nonnull(strstr(out, "tune.mp3: "));
}
END_TEST

START_TEST(tag_goes_on_after_a_bad_file)
{
    sine_file("short.wav", 0.2, 1);
    td_text(root, "bad.wav", "RIFF but not really");
    const char *out;
    ck_assert_int_eq(run(&out, "%s --model %s --json %s %s %s/missing.wav | "
                         "python3 -c 'import json, sys; d = json.load("
                         "sys.stdin); print(d[\"failed\"], [len(f.get("
                         "\"windows\", [])) for f in d[\"files\"]], "
                         "[\"error\" in f for f in d[\"files\"]])'",
                         tag_tool, model_path, td_path(root, "bad.wav"),
                         td_path(root, "short.wav"), root), 0);
    ck_assert_str_eq(out, "2 [0, 1, 0] [True, False, True]\n");
    ck_assert_int_eq(run(&out, "%s --model %s %s %s", tag_tool, model_path,
                         td_path(root, "bad.wav"), td_path(root, "short.wav")),
                     1);
    ck_assert_ptr_nonnull(strstr(out, "short.wav: 0.20 s, 1 windows"));
    ck_assert_ptr_nonnull(strstr(stderr_text(), "bad.wav"));
    ck_assert_ptr_nonnull(strstr(stderr_text(), "1 of 2 files failed"));
}
END_TEST

/* The random teacher's folder in root. */
static const char *teacher_dir(void)
{
    static char dir[600];
    snprintf(dir, sizeof dir, "%s/teacher", root);
    td_touch(dir, "tensors.tsv");
    tm_random_teacher(dir, 31);
    return dir;
}

START_TEST(eval_and_tag_with_the_teacher)
{
    const char *dir = teacher_dir(), *out;
    /* At 32 kHz and irmasd's 0.5 s hop, 4.5 s gives windows at 0, 0.5, 1
     * and 1.5 s; 1 s is padded to one; the c0 folder is no class of the
     * teacher's */
    sine_file_at("set/pia/long.wav", 4.5, 1, 32000);
    sine_file_at("set/voi/short.wav", 1.0, 1, 32000);
    sine_file_at("set/c0/other.wav", 1.0, 1, 32000);
    ck_assert_int_eq(run(&out, "%s --teacher %s --data %s/set --json | "
                         "python3 -c 'import json, sys; d = json.load("
                         "sys.stdin); print(d[\"teacher\"] == \"%s\", "
                         "d[\"files\"], d[\"decisions\"], d[\"labels\"], "
                         "d[\"window_seconds\"], d[\"hop_seconds\"])'",
                         eval_tool, dir, root, dir), 0);
    ck_assert_str_eq(out, "True 2 5 ['cel', 'cla', 'flu', 'gac', 'gel', "
                          "'org', 'pia', 'sax', 'tru', 'vio', 'voi'] 3 0.5\n");
    ck_assert_int_eq(run(&out, "%s --teacher %s %s/set/pia/long.wav", tag_tool,
                         dir, root), 0);
    ck_assert_ptr_nonnull(strstr(out, "teacher "));
    ck_assert_ptr_nonnull(strstr(out, "long.wav: 4.50 s, 4 windows"));
    ck_assert_ptr_nonnull(strstr(out, "\n      1.50     4.50  "));
}
END_TEST

START_TEST(teacher_missing_says_where_to_get_it)
{
    const char *out;
    sine_file_at("set/pia/a.wav", 1.0, 1, 32000);
    const char *tools[] = {eval_tool, tag_tool};
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(run(&out, i ? "%s --teacher %s/none %s/set/pia/a.wav"
                                     : "%s --teacher %s/none --data %s/set",
                             tools[i], root, root), 1);
        const char *err = stderr_text();
        ck_assert_ptr_nonnull(strstr(err, "none/tensors.tsv"));
        ck_assert_ptr_nonnull(strstr(err, "EfficientAT"));
        ck_assert_ptr_nonnull(strstr(err, "mn04_as"));
    }
    ck_assert_int_eq(run(&out, "%s --teacher %s --model %s --data %s",
                         eval_tool, root, model_path, root), 2);
}
END_TEST

/* A GRU head over the teacher's frames (front-end efficientat-mn04) whose
 * checksum is that of dir's random weights, saved in root; its path. */
static const char *head_model(const char *dir)
{
    static char path[700];
    snprintf(path, sizeof path, "%s/head.irm", root);
    tm_spec spec = tm_raw_spec(LAYER_GRU, 1, 6);
    spec.sample_rate = FRONTEND_MN04_RATE;
    spec.window_samples = FRONTEND_MN04_RATE;
    spec.frontend.kind = FRONTEND_EFFICIENTAT_MN04;
    spec.classes = 3;
    char err[512];
    ck_assert(pretrained_checksum(dir, &spec.frontend.checksum, err,
                                  sizeof err) == IRMAS_OK);
    irmas_model *m = tm_model(&spec);
    ck_assert_msg(irmas_model_save(m, path, err, sizeof err) == IRMAS_OK, "%s",
                  err);
    irmas_model_free(m);
    return path;
}

START_TEST(a_head_on_the_teacher_runs_with_its_weights)
{
    const char *dir = teacher_dir(), *head = head_model(dir), *out;
    sine_file_at("set/c0/long.wav", 2.5, 1, 32000);
    sine_file_at("set/c1/short.wav", 1.0, 1, 32000);
    ck_assert_int_eq(run(&out, "%s --model %s --weights %s --data %s/set "
                         "--json | python3 -c 'import json, sys; d = "
                         "json.load(sys.stdin); print(d[\"files\"], "
                         "d[\"decisions\"])'", eval_tool, head, dir, root), 0);
    ck_assert_str_eq(out, "2 5\n");
    ck_assert_int_eq(run(&out, "IRMAS_WEIGHTS=%s %s --model %s "
                         "%s/set/c0/long.wav", dir, tag_tool, head, root), 0);
    ck_assert_ptr_nonnull(strstr(out, "long.wav: 2.50 s, 4 windows"));
    ck_assert_ptr_nonnull(strstr(out, "efficientat-mn04 frames"));

    /* an empty folder: which files, which checksum, where, and whence */
    td_text(root, "empty/README", "no weights here");
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(run(&out, i ? "%s --model %s --weights %s/empty "
                                       "%s/set/c0/long.wav"
                                     : "%s --model %s --weights %s/empty "
                                       "--data %s/set",
                             i ? tag_tool : eval_tool, head, root, root), 1);
        const char *err = stderr_text();
        ck_assert_msg(strstr(err, "no readable tensors.tsv and no readable "
                                  "weights.f32") &&
                          strstr(err, "empty (looked there because of "
                                      "--weights)") &&
                          strstr(err, "with CRC-32 0x") &&
                          strstr(err, "EfficientAT") &&
                          strstr(err, "mn04_as_mAP_432.pt"),
                      "%s", err);
    }
}
END_TEST

static Suite *eval_tag_suite(void)
{
    Suite *s = suite_create("eval_tag");
    TCase *tc = tcase_create("eval_tag");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, eval_json_has_the_promised_keys);
    tcase_add_test(tc, eval_is_independent_of_threads);
    tcase_add_test(tc, eval_multi_label_data);
    tcase_add_test(tc, eval_says_its_gain);
    tcase_add_test(tc, eval_refuses_clearly);
    tcase_add_test(tc, tag_prints_a_timeline);
    tcase_add_test(tc, tag_goes_on_after_a_bad_file);
    tcase_add_test(tc, tag_and_eval_draw_pictures);
    tcase_add_test(tc, eval_and_tag_read_mp3_like_the_daemon);
    tcase_add_test(tc, tag_says_silence_as_irmasd_does);
    tcase_add_test(tc, short_and_slow_files_as_irmasd_has_them);
    tcase_add_test(tc, eval_and_tag_with_the_teacher);
    tcase_add_test(tc, teacher_missing_says_where_to_get_it);
    tcase_add_test(tc, a_head_on_the_teacher_runs_with_its_weights);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_eval_tag IRMAS-EVAL IRMAS-TAG\n");
        return EXIT_FAILURE;
    }
    eval_tool = argv[1];
    tag_tool = argv[2];
    return tu_run(eval_tag_suite());
}
