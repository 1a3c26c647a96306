/* plot.c: heat maps of probabilities over time and confusion matrices, drawn
 * with cairo into an image surface, encoded as PNG in memory and written
 * atomically. See plot.h. */
#include "plot.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"

/* The time axis under a heat map, in pixels (the rest of the layout is in
 * plot.h). */
enum { AXIS_HEIGHT = 36 };

/* cairo's PNG writer hands the encoded bytes over here, a piece at a time. */
static cairo_status_t png_append(void *closure, const unsigned char *data,
                                 unsigned int length)
{
    return fwrite(data, 1, length, closure) == length
               ? CAIRO_STATUS_SUCCESS
               : CAIRO_STATUS_WRITE_ERROR;
}

/* Encodes surface as PNG in memory and writes it to path atomically. */
static irmas_status write_png(cairo_surface_t *surface, const char *path,
                              char *err, size_t errlen)
{
    char *bytes = NULL;
    size_t size = 0;
    FILE *memory = open_memstream(&bytes, &size);
    if (!memory)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "%s: out of memory for the picture", path);
    cairo_status_t cs = cairo_surface_write_to_png_stream(surface, png_append,
                                                          memory);
    int closed = fclose(memory);
    irmas_status st;
    if (cs != CAIRO_STATUS_SUCCESS || closed != 0)
        st = status_fail(err, errlen, IRMAS_ERR_NOMEM,
                         "%s: cannot encode the picture: %s", path,
                         cs != CAIRO_STATUS_SUCCESS
                             ? cairo_status_to_string(cs)
                             : "out of memory");
    else
        st = atomic_file_write(path, bytes, size, err, errlen);
    free(bytes);
    return st;
}

/* Sets the colour of probability p in [0, 1]: from near white to deep blue
 * (a sequential scale, readable in grey too). */
static void set_shade(cairo_t *cr, double p)
{
    if (!(p >= 0.0)) p = 0.0;
    if (p > 1.0) p = 1.0;
    cairo_set_source_rgb(cr, 0.97 - 0.94 * p, 0.98 - 0.79 * p, 1.0 - 0.58 * p);
}

/* Draws text with its left end (align 0), middle (0.5) or right end (1) at
 * x and its vertical middle at y. */
static void draw_text(cairo_t *cr, const char *text, double x, double y,
                      double align)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, text, &e);
    cairo_move_to(cr, x - align * e.x_advance - e.x_bearing * (align == 0.0),
                  y - e.y_bearing - e.height / 2);
    cairo_show_text(cr, text);
}

/* A round step between axis ticks so that span has about ten of them. */
static double tick_step(double span)
{
    double raw = span / 10.0;
    double power = pow(10.0, floor(log10(raw)));
    double fraction = raw / power;
    return power * (fraction <= 1.0 ? 1.0 : fraction <= 2.0 ? 2.0
                    : fraction <= 5.0 ? 5.0 : 10.0);
}

/* Starts a white picture of width x height; NULL after saying why not. */
static cairo_t *picture_new(int width, int height, const char *path,
                            char *err, size_t errlen)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width,
                                                    height);
    cairo_t *cr = cairo_create(s);
    cairo_surface_destroy(s); /* cr holds it */
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        status_fail(err, errlen, IRMAS_ERR_NOMEM,
                    "%s: cannot make a %dx%d picture: %s", path, width, height,
                    cairo_status_to_string(cairo_status(cr)));
        cairo_destroy(cr);
        return NULL;
    }
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 13);
    return cr;
}

/* Writes the picture cr drew to path and frees cr. */
static irmas_status picture_finish(cairo_t *cr, const char *path, char *err,
                                   size_t errlen)
{
    irmas_status st = write_png(cairo_get_target(cr), path, err, errlen);
    cairo_destroy(cr);
    return st;
}

int plot_timelines_height(int classes, int n_panels)
{
    return PLOT_PANEL_GAP + n_panels * (PLOT_TITLE_HEIGHT + classes * PLOT_ROW_HEIGHT +
                                   AXIS_HEIGHT + PLOT_PANEL_GAP);
}

/* Draws the colour key from 0 to 1 in the box at x, y of height h. */
static void draw_key(cairo_t *cr, double x, double y, double h)
{
    for (int k = 0; k < (int)h; k++) {
        set_shade(cr, 1.0 - k / (h - 1));
        cairo_rectangle(cr, x, y + k, 14, 1);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, x + 0.5, y + 0.5, 14, h - 1);
    cairo_stroke(cr);
    draw_text(cr, "1", x + 20, y + 6, 0);
    draw_text(cr, "0", x + 20, y + h - 6, 0);
}

/* Draws panel t, its top at y, over the time span 0 .. span seconds. */
static void draw_timeline(cairo_t *cr, const char *const *labels, int classes,
                          const plot_timeline *t, double y, double span)
{
    double x0 = PLOT_LABELS_WIDTH, x1 = PLOT_WIDTH - PLOT_KEY_WIDTH;
    double top = y + PLOT_TITLE_HEIGHT, height = classes * PLOT_ROW_HEIGHT;
    double scale = (x1 - x0) / span;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, 14);
    draw_text(cr, t->title, x0, y + PLOT_TITLE_HEIGHT / 2.0, 0);
    cairo_set_font_size(cr, 13);
    /* Each window's verdict from the hop before its end to its end: the
     * audio it was the first to hear. */
    for (long i = 0; i < t->windows; i++) {
        double from = x0 + (t->ends[i] - t->hop) * scale;
        double width = t->hop * scale;
        if (from < x0) width -= x0 - from, from = x0;
        for (int c = 0; c < classes; c++) {
            set_shade(cr, t->probs[i * classes + c]);
            cairo_rectangle(cr, from, top + c * PLOT_ROW_HEIGHT, ceil(width),
                            PLOT_ROW_HEIGHT);
            cairo_fill(cr);
        }
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int c = 0; c < classes; c++)
        draw_text(cr, labels[c], x0 - 8, top + (c + 0.5) * PLOT_ROW_HEIGHT, 1);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, x0 + 0.5, top + 0.5, x1 - x0 - 1, height);
    cairo_stroke(cr);
    /* The time axis. */
    double step = tick_step(span);
    char text[32];
    for (double s = 0; s <= span + 1e-9; s += step) {
        double x = floor(x0 + s * scale) + 0.5;
        cairo_move_to(cr, x, top + height);
        cairo_line_to(cr, x, top + height + 5);
        cairo_stroke(cr);
        snprintf(text, sizeof text, "%g", s);
        draw_text(cr, text, x, top + height + 14, 0.5);
    }
    draw_text(cr, "seconds", x1, top + height + 28, 1);
    draw_key(cr, x1 + 16, top, height);
}

irmas_status plot_timelines(const char *path, const char *const *labels,
                            int classes, const plot_timeline *panels,
                            int n_panels, char *err, size_t errlen)
{
    if (classes < 1 || n_panels < 1 || n_panels > PLOT_MAX_PANELS)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s: a picture holds 1 to %d files, not %d", path,
                           PLOT_MAX_PANELS, n_panels);
    cairo_t *cr = picture_new(PLOT_WIDTH, plot_timelines_height(classes,
                                                                n_panels),
                              path, err, errlen);
    if (!cr) return IRMAS_ERR_NOMEM;
    double y = PLOT_PANEL_GAP;
    for (int p = 0; p < n_panels; p++) {
        const plot_timeline *t = &panels[p];
        double span = t->seconds;
        if (t->windows > 0 && t->ends[t->windows - 1] > span)
            span = t->ends[t->windows - 1];
        if (!(span > 0)) span = t->window > 0 ? t->window : 1.0;
        draw_timeline(cr, labels, classes, t, y, span);
        y += PLOT_TITLE_HEIGHT + classes * PLOT_ROW_HEIGHT + AXIS_HEIGHT + PLOT_PANEL_GAP;
    }
    return picture_finish(cr, path, err, errlen);
}

int plot_confusion_size(int classes)
{
    return PLOT_HEADER + classes * PLOT_CELL + 20;
}

irmas_status plot_confusion(const char *path, const char *const *labels,
                            int classes, const long *counts, const char *title,
                            char *err, size_t errlen)
{
    if (classes < 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s: a confusion matrix needs a class", path);
    int side = plot_confusion_size(classes);
    cairo_t *cr = picture_new(side, side, path, err, errlen);
    if (!cr) return IRMAS_ERR_NOMEM;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, 14);
    draw_text(cr, title, 10, 16, 0);
    cairo_set_font_size(cr, 13);
    draw_text(cr, "predicted", PLOT_HEADER + classes * PLOT_CELL / 2.0, 40, 0.5);
    char text[32];
    for (int t = 0; t < classes; t++) {
        long row = 0;
        for (int p = 0; p < classes; p++) row += counts[t * classes + p];
        for (int p = 0; p < classes; p++) {
            long n = counts[t * classes + p];
            double share = row > 0 ? (double)n / (double)row : 0.0;
            double x = PLOT_HEADER + p * PLOT_CELL, y = PLOT_HEADER + t * PLOT_CELL;
            set_shade(cr, share);
            cairo_rectangle(cr, x, y, PLOT_CELL, PLOT_CELL);
            cairo_fill(cr);
            if (n == 0) continue;
            if (share > 0.5) cairo_set_source_rgb(cr, 1, 1, 1);
            else cairo_set_source_rgb(cr, 0, 0, 0);
            snprintf(text, sizeof text, "%ld", n);
            draw_text(cr, text, x + PLOT_CELL / 2.0, y + PLOT_CELL / 2.0, 0.5);
        }
        cairo_set_source_rgb(cr, 0, 0, 0);
        draw_text(cr, labels[t], PLOT_HEADER - 8, PLOT_HEADER + (t + 0.5) * PLOT_CELL, 1);
        /* The predicted labels along the top, turned to read upwards. */
        cairo_save(cr);
        cairo_translate(cr, PLOT_HEADER + (t + 0.5) * PLOT_CELL, PLOT_HEADER - 8);
        cairo_rotate(cr, -M_PI / 2);
        draw_text(cr, labels[t], 0, 0, 0);
        cairo_restore(cr);
    }
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, PLOT_HEADER + 0.5, PLOT_HEADER + 0.5, classes * PLOT_CELL - 1,
                    classes * PLOT_CELL - 1);
    cairo_stroke(cr);
    cairo_save(cr);
    cairo_translate(cr, 14, PLOT_HEADER + classes * PLOT_CELL / 2.0);
    cairo_rotate(cr, -M_PI / 2);
    draw_text(cr, "true class", 0, 0, 0.5);
    cairo_restore(cr);
    return picture_finish(cr, path, err, errlen);
}
