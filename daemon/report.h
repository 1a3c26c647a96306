/* report.h: what irmasd makes of one classified window before it leaves:
 * its level against the silence gate and the smoothed probabilities
 * (verdict.h) into an OSC window, the frame whose capture time stamps it, and --print's line.
 *
 * Pure: no threads, no clocks, no I/O. The pipeline (pipeline.h) calls it
 * for each window the tagger finishes.
 */
#ifndef IRMASD_REPORT_H
#define IRMASD_REPORT_H

#include "osc.h"
#include "verdict.h"

#include <stddef.h>

/* Judges probs (m's classes, in model order) at level_dbfs with v and fills
 * in *win: silent and the level, or the probabilities to send (valid until
 * v judges again), with m's labels. Returns 0 when the window is not to be
 * sent at all (not silent, but its probabilities are not finite). The
 * capture times are left for report_stamp. */
int report_judge(verdict *v, const irmas_model *m, const float *probs,
                 double level_dbfs, osc_window *win);

/* The frame whose capture time a window ending at last_frame is stamped
 * with: its last frame, or, for a window that ends in the silence padded
 * after a short input (padded_from >= 0, the first padded frame), the last
 * frame that was captured. */
double report_stamp_frame(double last_frame, long long padded_from);

/* Sets win's capture times from the device-clock time of its stamp frame
 * and the device clock's offsets to the wall and monotonic clocks. */
void report_stamp(osc_window *win, double device_time, double device_to_wall,
                  double device_to_mono);

/* --print's line for win, seconds into the stream: the time and either
 * "(silence, L dBFS)" or the top label and every class's probability. */
void report_line(const osc_window *win, double seconds, char *line,
                 size_t len);

#endif
