/* tool_common.c: see tool_common.h. */
#include "tool_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model_file.h"
#include "number.h"
#include "pretrained.h"

irmas_model *tool_load_model(const char *tool, const char *path,
                       const irmas_model_limits *limits, const char *weights,
                       const char **used)
{
    if (!path) {
        path = model_default_path();
        if (access(path, R_OK) != 0) {
            fprintf(stderr, "%s: error: no default model is installed (%s); pass "
                            "--model FILE.irm\n", tool, path);
            return NULL;
        }
    }
    char err[4096];
    irmas_model *m = NULL;
    if (irmas_pretrained_load_model(path, limits, weights, &m, err, sizeof err)) {
        fprintf(stderr, "%s: error: %s\n", tool, err);
        return NULL;
    }
    *used = path;
    return m;
}

void tool_describe_model(FILE *f, const char *path, const irmas_model *m)
{
    char input[160];
    model_describe_input(m, input, sizeof input);
    fprintf(f, "model  %s: %d classes, %d Hz, %.2f s windows, reads %s\n",
            path, m->classes, m->sample_rate,
            (double)m->window_samples / m->sample_rate, input);
}

irmas_model *tool_teacher_shape(void)
{
    irmas_model *m = irmas_model_new();
    if (!m) return NULL;
    m->sample_rate = TEACHER_SAMPLE_RATE;
    m->window_samples = 3 * TEACHER_SAMPLE_RATE;
    m->classes = TEACHER_IRMAS_CLASSES;
    for (int c = 0; c < m->classes; c++)
        snprintf(m->labels[c], sizeof m->labels[c], "%s",
                 teacher_irmas_label(c));
    return m;
}

teacher_weights *tool_load_teacher(const char *tool, const char *dir)
{
    char err[1024];
    teacher_weights *w;
    if (teacher_weights_load(dir, &w, err, sizeof err)) {
        fprintf(stderr, "%s: error: %s\n", tool, err);
        return NULL;
    }
    return w;
}

void tool_describe_teacher(FILE *f, const char *dir, const irmas_model *shape)
{
    fprintf(f, "teacher %s: EfficientAT mn04_as (AudioSet), zero-shot, %d "
               "classes, %d Hz, %.2f s windows\n", dir, shape->classes,
            shape->sample_rate,
            (double)shape->window_samples / shape->sample_rate);
}

double tool_parse_seconds(const char *text)
{
    double v;
    return number_real(text, nextafter(0.0, 1.0), 3600.0, &v) ? -1.0 : v;
}

double tool_parse_fraction(const char *text)
{
    double v;
    return number_real(text, nextafter(0.0, 1.0), 1.0, &v) ? -1.0 : v;
}

int tool_parse_count(const char *text)
{
    long v;
    return number_whole(text, 1, 1024, &v) ? -1 : (int)v;
}

int tool_limits_option(const char *tool, irmas_model_limits *limits,
                       const char *option, const char *text)
{
    char err[160];
    if (model_limits_option(limits, option, text, err, sizeof err) >= 0)
        return 0;
    fprintf(stderr, "%s: error: %s\n", tool, err);
    return 2;
}

int tool_hop_samples(const irmas_model *m, double seconds)
{
    /* By default irmasd's hop, 0.5 s, but never longer than the window. */
    long hop = lround((seconds > 0.0 ? seconds : TOOL_DEFAULT_HOP) * m->sample_rate);
    if (seconds <= 0.0 && hop > m->window_samples) hop = m->window_samples;
    return hop < 1 ? 1 : (int)hop;
}

int tool_parse_gate(const char *tool, const char *text, double *gate)
{
    if (!strcmp(text, "off")) {
        *gate = -INFINITY;
        return 0;
    }
    char *end;
    double v = strtod(text, &end);
    if (*end || end == text || !(v <= 0.0)) {
        fprintf(stderr, "%s: error: --gate '%s': expected a level in dBFS at "
                        "or below 0, e.g. -60, or 'off'\n", tool, text);
        return -1;
    }
    *gate = v;
    return 0;
}

const char *tool_utc_now(char date[TOOL_DATE_SIZE])
{
    time_t now = time(NULL);
    struct tm utc;
    if (!gmtime_r(&now, &utc) ||
        strftime(date, TOOL_DATE_SIZE, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
        date[0] = '\0';
    return date;
}
