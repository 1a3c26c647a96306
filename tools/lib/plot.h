/* plot.h: pictures of what the tools measured, drawn with cairo and written
 * as PNG.
 *
 * irmas-tag --plot draws each file's probabilities over time as a heat map
 * (a row per class, a column per window, darker where the class is more
 * probable); irmas-eval --plot draws the confusion matrix. Both are written
 * atomically (atomic_file.h): a reader never sees half a picture.
 */
#ifndef IRMAS_PLOT_H
#define IRMAS_PLOT_H

#include <stddef.h>

#include "status.h"

/* One file's windows: window i covers [ends[i] - window, ends[i]) seconds
 * and holds classes probabilities at probs[i * classes]. */
typedef struct {
    const char *title;    /* what the panel shows, e.g. the file's name */
    const float *probs;   /* [windows][classes] */
    const double *ends;   /* [windows]: each window's end, in seconds */
    long windows;
    double seconds;       /* the length of the file */
    double window, hop;   /* the window's length and the hop, in seconds */
} plot_timeline;

/* The pictures' layout, in pixels. A timeline picture is PLOT_WIDTH wide;
 * its first panel's title is PLOT_TITLE_HEIGHT high below a gap of
 * PLOT_PANEL_GAP, then class c's row of the heat map spans
 * PLOT_ROW_HEIGHT pixels from PLOT_PANEL_GAP + PLOT_TITLE_HEIGHT +
 * c * PLOT_ROW_HEIGHT, and time runs from x = PLOT_LABELS_WIDTH (0 s) to
 * PLOT_WIDTH - PLOT_KEY_WIDTH (the end of the file). A confusion matrix's
 * square of true class t and predicted class p has its top left corner at
 * x = PLOT_HEADER + p * PLOT_CELL, y = PLOT_HEADER + t * PLOT_CELL. */
enum {
    PLOT_WIDTH = 1000,
    PLOT_LABELS_WIDTH = 150,
    PLOT_KEY_WIDTH = 90,
    PLOT_TITLE_HEIGHT = 30,
    PLOT_ROW_HEIGHT = 22,
    PLOT_PANEL_GAP = 14,
    PLOT_HEADER = 150,
    PLOT_CELL = 44,
    PLOT_MAX_PANELS = 64 /* files in one timeline picture */
};

/* Writes panels timelines, one above the other, to the PNG file path: a
 * heat map of the classes' probabilities over time under each title (dark
 * blue for 1, near white for 0; each window drawn over the hop before its
 * end, the audio it was the first to hear), the labels down the left, a time
 * axis in seconds and a colour key. The picture is PLOT_WIDTH pixels wide
 * and plot_timelines_height(classes, n_panels) high. Returns IRMAS_ERR_ARG
 * when there is nothing to draw or too much (more than PLOT_MAX_PANELS
 * panels), IRMAS_ERR_IO when the file cannot be written. */
irmas_status plot_timelines(const char *path, const char *const *labels,
                            int classes, const plot_timeline *panels,
                            int n_panels, char *err, size_t errlen);

/* The height in pixels of a picture of n_panels timelines of classes. */
int plot_timelines_height(int classes, int n_panels);

/* Writes the confusion matrix counts[truth * classes + predicted] to the PNG
 * file path: a square per pair, shaded by its share of the row (the true
 * class's recall on the diagonal), with the count in it, true classes down
 * the left and predicted ones along the top, under title. The picture is
 * plot_confusion_size(classes) pixels a side. */
irmas_status plot_confusion(const char *path, const char *const *labels,
                            int classes, const long *counts, const char *title,
                            char *err, size_t errlen);

/* The side in pixels of a confusion matrix picture of classes. */
int plot_confusion_size(int classes);

#endif
