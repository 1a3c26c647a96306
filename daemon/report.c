/* report.c: see report.h. */
#include "report.h"

#include <stdio.h>

int report_judge(verdict *v, const irmas_model *m, const float *probs,
                 double level_dbfs, osc_window *win)
{
    *win = (osc_window){.silent = verdict_is_silent(v, level_dbfs),
                        .level_dbfs = (float)level_dbfs,
                        .classes = m->classes,
                        .labels = m->labels};
    win->probs = verdict_judge(v, probs, level_dbfs);
    return win->silent || win->probs;
}

double report_stamp_frame(double last_frame, long long padded_from)
{
    return padded_from >= 0 && last_frame >= padded_from
               ? (double)(padded_from - 1) : last_frame;
}

void report_stamp(osc_window *win, double device_time, double device_to_wall,
                  double device_to_mono)
{
    win->capture_wall = device_time + device_to_wall;
    win->capture_mono = device_time + device_to_mono;
}

void report_line(const osc_window *win, double seconds, char *line,
                 size_t len)
{
    if (win->silent) {
        snprintf(line, len, "%9.2f s  (silence, %.0f dBFS)", seconds,
                 win->level_dbfs);
        return;
    }
    int best = 0;
    for (int c = 1; c < win->classes; c++)
        if (win->probs[c] > win->probs[best]) best = c;
    int n = snprintf(line, len, "%9.2f s  %-16s %.2f  |", seconds,
                     win->labels[best], win->probs[best]);
    for (int c = 0; c < win->classes && n < (int)len; c++)
        n += snprintf(line + n, len - (size_t)n, " %s %.2f", win->labels[c],
                      win->probs[c]);
}
