/* test_plot.c: the pictures irmas-tag --plot and irmas-eval --plot draw
 * (plot.h), read back as a user's image viewer would: the PNG has the size
 * the header promises, each class's row is dark where the class was
 * probable and light where it was not, the confusion matrix's diagonal is
 * shaded by recall, and a file that cannot be written is one error that
 * leaves nothing behind.
 */
#include "plot.h"
#include "testutil.h"

#include <cairo.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char root[512];

static void setup(void) { snprintf(root, sizeof root, "%s", tu_tmpdir("plot")); }
static void teardown(void) { tu_remove_tree(root); }

/* root/name, in static storage until the next call. */
static const char *in_root(const char *name)
{
    static char path[700];
    snprintf(path, sizeof path, "%s/%s", root, name);
    return path;
}

/* The PNG at path, checked to be width x height. */
static cairo_surface_t *read_png(const char *path, int width, int height)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    ck_assert_msg(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS,
                  "%s: %s", path, cairo_status_to_string(cairo_surface_status(s)));
    ck_assert_int_eq(cairo_image_surface_get_width(s), width);
    ck_assert_int_eq(cairo_image_surface_get_height(s), height);
    return s;
}

/* How dark the pixel at x, y is: 0 for white, 1 for black. */
static double darkness(cairo_surface_t *s, int x, int y)
{
    cairo_surface_flush(s);
    const unsigned char *row = cairo_image_surface_get_data(s) +
                               (size_t)y * (size_t)cairo_image_surface_get_stride(s);
    uint32_t pixel = ((const uint32_t *)row)[x];
    double r = (pixel >> 16) & 255, g = (pixel >> 8) & 255, b = pixel & 255;
    return 1.0 - (r + g + b) / (3.0 * 255.0);
}

START_TEST(a_timeline_is_dark_where_each_class_played)
{
    /* Ten windows of 1 s every 1 s over 10 s: class 0 for the first five,
     * class 2 for the last five; class 1 never. */
    enum { CLASSES = 3, WINDOWS = 10 };
    float probs[WINDOWS * CLASSES] = {0};
    double ends[WINDOWS];
    for (int i = 0; i < WINDOWS; i++) {
        probs[i * CLASSES + (i < 5 ? 0 : 2)] = 1.0f;
        ends[i] = i + 1.0;
    }
    const char *labels[CLASSES] = {"cello", "flute", "voice"};
    plot_timeline t = {.title = "take.wav", .probs = probs, .ends = ends,
                       .windows = WINDOWS, .seconds = 10.0, .window = 1.0,
                       .hop = 1.0};
    const char *path = in_root("timeline.png");
    char err[512];
    ck_assert_int_eq(plot_timelines(path, labels, CLASSES, &t, 1, err, sizeof err),
                     IRMAS_OK);
    int height = plot_timelines_height(CLASSES, 1);
    cairo_surface_t *s = read_png(path, PLOT_WIDTH, height);
    double seconds_px = (PLOT_WIDTH - PLOT_KEY_WIDTH - PLOT_LABELS_WIDTH) / 10.0;
    for (int c = 0; c < CLASSES; c++) {
        int y = PLOT_PANEL_GAP + PLOT_TITLE_HEIGHT + c * PLOT_ROW_HEIGHT +
                PLOT_ROW_HEIGHT / 2;
        int early = PLOT_LABELS_WIDTH + (int)(2.5 * seconds_px);
        int late = PLOT_LABELS_WIDTH + (int)(7.5 * seconds_px);
        double d_early = darkness(s, early, y), d_late = darkness(s, late, y);
        if (c == 0) ck_assert_msg(d_early > 0.5 && d_late < 0.1,
                                  "cello row: %.2f early, %.2f late", d_early, d_late);
        if (c == 1) ck_assert_msg(d_early < 0.1 && d_late < 0.1,
                                  "flute row: %.2f early, %.2f late", d_early, d_late);
        if (c == 2) ck_assert_msg(d_early < 0.1 && d_late > 0.5,
                                  "voice row: %.2f early, %.2f late", d_early, d_late);
    }
    /* The labels and the axis are drawn: there is black left of the map. */
    double ink = 0;
    for (int y = 0; y < height; y++)
        for (int x = 0; x < PLOT_LABELS_WIDTH; x++) ink += darkness(s, x, y);
    ck_assert_msg(ink > 100, "nothing drawn left of the heat map (%.0f)", ink);
    cairo_surface_destroy(s);
}
END_TEST

START_TEST(several_files_are_panels_one_above_the_other)
{
    float probs[2] = {1.0f, 0.0f};
    double ends[1] = {3.0};
    const char *labels[2] = {"a", "b"};
    plot_timeline t[3];
    for (int p = 0; p < 3; p++)
        t[p] = (plot_timeline){.title = "x.wav", .probs = probs, .ends = ends,
                               .windows = 1, .seconds = 3.0, .window = 3.0,
                               .hop = 1.5};
    const char *path = in_root("three.png");
    char err[512];
    ck_assert_int_eq(plot_timelines(path, labels, 2, t, 3, err, sizeof err),
                     IRMAS_OK);
    cairo_surface_destroy(read_png(path, PLOT_WIDTH, plot_timelines_height(2, 3)));
    ck_assert_int_gt(plot_timelines_height(2, 3), 2 * plot_timelines_height(2, 1));
}
END_TEST

START_TEST(a_confusion_matrix_is_shaded_by_recall)
{
    /* Class 0 always right; class 1 right once in four. */
    const long counts[4] = {8, 0, 3, 1};
    const char *labels[2] = {"piano", "organ"};
    const char *path = in_root("confusion.png");
    char err[512];
    ck_assert_int_eq(plot_confusion(path, labels, 2, counts, "model.irm", err,
                                    sizeof err),
                     IRMAS_OK);
    int side = plot_confusion_size(2);
    cairo_surface_t *s = read_png(path, side, side);
    /* Sample each square near its corner, away from the count's digits. */
    double d[4];
    for (int t = 0; t < 2; t++)
        for (int p = 0; p < 2; p++)
            d[t * 2 + p] = darkness(s, PLOT_HEADER + p * PLOT_CELL + 4,
                                    PLOT_HEADER + t * PLOT_CELL + 4);
    ck_assert_msg(d[0] > 0.5, "piano->piano (recall 1) not dark: %.2f", d[0]);
    ck_assert_msg(d[1] < 0.1, "piano->organ (never) not light: %.2f", d[1]);
    ck_assert_msg(d[2] > d[3] && d[3] > 0.1,
                  "organ row: %.2f for 3 of 4, %.2f for 1 of 4", d[2], d[3]);
    cairo_surface_destroy(s);
}
END_TEST

START_TEST(a_picture_that_cannot_be_written_is_one_error)
{
    const long counts[1] = {1};
    const char *labels[1] = {"a"};
    char path[700], err[512] = "";
    snprintf(path, sizeof path, "%s/no/such/folder/c.png", root);
    ck_assert_int_eq(plot_confusion(path, labels, 1, counts, "t", err, sizeof err),
                     IRMAS_ERR_IO);
    ck_assert_msg(strstr(err, path) != NULL, "the message does not name %s: %s",
                  path, err);
    ck_assert_int_ne(access(path, F_OK), 0);
    plot_timeline none = {0};
    ck_assert_int_eq(plot_timelines(in_root("t.png"), labels, 1, &none,
                                    PLOT_MAX_PANELS + 1, err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_int_ne(access(in_root("t.png"), F_OK), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("plot");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_timeline_is_dark_where_each_class_played);
    tcase_add_test(tc, several_files_are_panels_one_above_the_other);
    tcase_add_test(tc, a_confusion_matrix_is_shaded_by_recall);
    tcase_add_test(tc, a_picture_that_cannot_be_written_is_one_error);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
