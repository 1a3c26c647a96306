/* irmas-view.c: a live view of irmasd's OSC stream in a terminal: a bar
 * per class with a sparkline of its recent history, the top instrument
 * highlighted, and a warning when no bundle has come for a while. The way
 * to check the daemon by eye on stage.
 *
 *     irmas-view [--port N | --url URL] [--stale SECONDS]
 *
 * A liblo server thread receives the bundles and copies them into the
 * `view` under a mutex; the main thread looks ten times a second, draws
 * the screen with plain ANSI escapes (alternate screen, no cursor) when it
 * differs from what is shown, and reads keys in raw mode: q quits. The
 * screen fits any terminal: bars and sparklines share the width left by
 * the labels, and when rows run short the least probable classes give way
 * first while the header, the top instrument and the status line stay. Once
 * standard input ends (run from a script, under a service, with
 * </dev/null) it is left alone and the loop only waits. It handles /irmas/probs, /irmas/top,
 * /irmas/silence and /irmas/classes (irmas/osc.h; README, "OSC address
 * space").
 */
#include "tool_common.h"
#include "classes.h"
#include "clock.h"
#include "config.h"
#include "irmas/osc.h"
#include "irmas/version.h"

#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <lo/lo.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define VIEW_HISTORY 256 /* windows a sparkline can show */

typedef struct {
    int classes;
    char labels[IRMAS_OSC_MAX_CLASSES][IRMAS_OSC_LABEL_MAX];
    float probs[IRMAS_OSC_MAX_CLASSES];
    char top[IRMAS_OSC_LABEL_MAX];
    float top_prob;
    int silent;
    float level_dbfs;
    long windows;
    double last; /* monotonic s of the last window, 0 for none yet */
    /* Each class's probability in the last VIEW_HISTORY windows, NaN for a
     * silent one; window w is at w % VIEW_HISTORY. */
    float history[IRMAS_OSC_MAX_CLASSES][VIEW_HISTORY];
} view;

static view shown; /* under shown_lock */
static pthread_mutex_t shown_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t quit;
static struct termios saved_tty;
static int tty_raw;
static int keys_open = 1; /* stdin may still bring keys: not at its end */
static int utf8; /* the terminal takes UTF-8: sparklines in block characters */

/* ---- OSC: the server thread's side
 *
 * liblo hands arguments at 4-byte alignment while its union lo_arg wants 8,
 * so they are read through memcpy and char pointers, never as union
 * members. */

static float arg_float(const lo_arg *a)
{
    float f;
    memcpy(&f, (const void *)a, sizeof f);
    return f;
}

static const char *arg_string(const lo_arg *a) { return (const char *)a; }

static int on_probs(const char *path, const char *types, lo_arg **argv,
                    int argc, lo_message msg, void *user)
{
    (void)path, (void)msg, (void)user;
    pthread_mutex_lock(&shown_lock);
    int n = argc < IRMAS_OSC_MAX_CLASSES ? argc : IRMAS_OSC_MAX_CLASSES;
    for (int i = 0; i < n; i++)
        shown.probs[i] = types[i] == LO_FLOAT ? arg_float(argv[i]) : 0.0f;
    for (int i = shown.classes; i < n; i++)
        snprintf(shown.labels[i], IRMAS_OSC_LABEL_MAX, "class %d", i);
    if (n > shown.classes) shown.classes = n;
    shown.silent = 0;
    for (int i = 0; i < IRMAS_OSC_MAX_CLASSES; i++)
        shown.history[i][shown.windows % VIEW_HISTORY] =
            i < n ? shown.probs[i] : NAN;
    shown.windows++;
    shown.last = clock_seconds(CLOCK_MONOTONIC);
    pthread_mutex_unlock(&shown_lock);
    return 0;
}

static int on_top(const char *path, const char *types, lo_arg **argv,
                  int argc, lo_message msg, void *user)
{
    (void)path, (void)types, (void)argc, (void)msg, (void)user;
    pthread_mutex_lock(&shown_lock);
    snprintf(shown.top, IRMAS_OSC_LABEL_MAX, "%s", classes_name(arg_string(argv[0])));
    shown.top_prob = arg_float(argv[1]);
    pthread_mutex_unlock(&shown_lock);
    return 0;
}

static int on_silence(const char *path, const char *types, lo_arg **argv,
                      int argc, lo_message msg, void *user)
{
    (void)path, (void)msg, (void)user;
    pthread_mutex_lock(&shown_lock);
    shown.silent = 1;
    shown.level_dbfs = argc > 0 && types[0] == LO_FLOAT ? arg_float(argv[0]) : NAN;
    for (int i = 0; i < IRMAS_OSC_MAX_CLASSES; i++)
        shown.history[i][shown.windows % VIEW_HISTORY] = NAN;
    shown.windows++;
    shown.last = clock_seconds(CLOCK_MONOTONIC);
    pthread_mutex_unlock(&shown_lock);
    return 0;
}

static int on_classes(const char *path, const char *types, lo_arg **argv,
                      int argc, lo_message msg, void *user)
{
    (void)path, (void)msg, (void)user;
    pthread_mutex_lock(&shown_lock);
    int n = argc < IRMAS_OSC_MAX_CLASSES ? argc : IRMAS_OSC_MAX_CLASSES;
    if (n != shown.classes) memset(shown.probs, 0, sizeof shown.probs);
    shown.classes = n;
    for (int i = 0; i < n; i++)
        snprintf(shown.labels[i], IRMAS_OSC_LABEL_MAX, "%s",
                 classes_name(types[i] == LO_STRING ? arg_string(argv[i]) : "?"));
    pthread_mutex_unlock(&shown_lock);
    return 0;
}

static void on_error(int num, const char *msg, const char *where)
{
    fprintf(stderr, "irmas-view: error: liblo error %d in %s: %s\n", num,
            where ? where : "-", msg);
}

/* ---- drawing: the main thread's side */

/* The terminal's size, 80 x 24 when it does not say. */
static void terminal_size(int *columns, int *rows)
{
    struct winsize ws;
    int known = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0;
    *columns = known && ws.ws_col > 0 ? ws.ws_col : 80;
    *rows = known && ws.ws_row > 0 ? ws.ws_row : 24;
}

/* One cell of a sparkline for probability p: eight block heights in
 * UTF-8, an ASCII ramp otherwise; a space for a silent window. */
static void draw_spark(FILE *out, float p)
{
    static const char *const blocks[8] = {"\u2581", "\u2582", "\u2583",
                                          "\u2584", "\u2585", "\u2586",
                                          "\u2587", "\u2588"};
    static const char ramp[] = "_.-=+*#@";
    if (isnan(p)) {
        putc(' ', out);
        return;
    }
    int level = (int)lrintf(p * 7.0f);
    if (level < 0) level = 0;
    if (level > 7) level = 7;
    if (utf8) fputs(blocks[level], out);
    else putc(ramp[level], out);
}

/* The widths of a class row: its label, bar and sparkline, from the
 * terminal's columns. A row is "label bar prob sparkline". */
typedef struct {
    int label, bar, spark;
} row_layout;

static row_layout layout_rows(const view *v, int columns)
{
    row_layout l = {.label = 5};
    for (int c = 0; c < v->classes; c++) {
        int n = (int)strlen(v->labels[c]);
        if (n > l.label) l.label = n;
    }
    if (l.label > 16) l.label = 16;
    int rest = columns - l.label - 7; /* spaces and " 0.00" */
    if (rest < 4) {                   /* a narrow terminal: shorter labels */
        l.label = columns - 11 > 1 ? columns - 11 : 1;
        rest = 4;
    }
    if (rest >= 30) {                 /* room for a sparkline */
        l.bar = rest * 2 / 5;
        l.spark = rest - l.bar - 1;
        if (l.spark > VIEW_HISTORY) l.spark = VIEW_HISTORY;
    } else {
        l.bar = rest;
    }
    return l;
}

/* One class's row: label, bar, probability and, room permitting, the
 * sparkline of its last windows (the newest on the right). */
static void draw_row(FILE *out, const view *v, int c, const row_layout *l,
                     int highlight)
{
    float p = v->silent ? 0.0f : v->probs[c];
    int filled = (int)lrintf(p * (float)l->bar);
    if (filled < 0) filled = 0;
    if (filled > l->bar) filled = l->bar;
    fprintf(out, "%s%-*.*s ", highlight ? "\x1b[1;32m" : "", l->label,
            l->label, v->labels[c]);
    for (int i = 0; i < l->bar; i++) putc(i < filled ? '#' : '.', out);
    fprintf(out, " %4.2f%s", p, highlight ? "\x1b[0m" : "");
    if (l->spark > 0) {
        putc(' ', out);
        long shown_windows = v->windows < l->spark ? v->windows : l->spark;
        for (long i = 0; i < l->spark - shown_windows; i++) putc(' ', out);
        for (long w = v->windows - shown_windows; w < v->windows; w++)
            draw_spark(out, v->history[c][w % VIEW_HISTORY]);
    }
    fputs("\x1b[K\n", out);
}

/* The classes to draw when only room of them fit: the most probable first,
 * in the model's order otherwise. Returns how many are in order[]. */
static int classes_to_show(const view *v, int room, int order[])
{
    for (int c = 0; c < v->classes; c++) order[c] = c;
    if (room >= v->classes) return v->classes;
    /* Insertion sort by probability, stable for equal ones. */
    for (int i = 1; i < v->classes; i++) {
        int c = order[i], j = i;
        while (j > 0 && !v->silent && v->probs[order[j - 1]] < v->probs[c]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = c;
    }
    return room > 0 ? room : 0;
}

/* Writes the whole screen for `v` to `out`: the header, the top class or
 * silence, a row per class and the window count, with the no-data warning
 * once the last window is older than `stale` seconds. */
static void draw(FILE *out, const view *v, const char *source, double stale)
{
    int columns, rows;
    terminal_size(&columns, &rows);
    /* Header, top and status always; the blank lines between them only
     * when every class fits besides. */
    int spacious = rows >= v->classes + 6;
    int room = rows - (spacious ? 6 : 3);
    int order[IRMAS_OSC_MAX_CLASSES];
    int n = classes_to_show(v, room, order);
    /* The header, cut to the width: "irmas-view  SOURCE   (q quits)". */
    int room_source = columns - 12 - 12;
    fprintf(out, "\x1b[H\x1b[1m%.*s\x1b[0m", columns, "irmas-view");
    if (room_source > 0)
        fprintf(out, "  %.*s   (q quits)", room_source, source);
    fputs("\x1b[K\n", out);
    if (spacious) fputs("\x1b[K\n", out);
    char line[256];
    if (v->last == 0)
        snprintf(line, sizeof line, "waiting for irmasd...");
    else if (v->silent)
        snprintf(line, sizeof line, "silence (%.0f dBFS)", v->level_dbfs);
    else
        snprintf(line, sizeof line, "top: %s %.2f", v->top, v->top_prob);
    if (v->last == 0 || v->silent || (int)strlen(line) > columns)
        fprintf(out, "%.*s\x1b[K\n", columns, line);
    else
        fprintf(out, "top: \x1b[1;32m%s\x1b[0m %.2f\x1b[K\n", v->top,
                v->top_prob);
    if (spacious) fputs("\x1b[K\n", out);
    row_layout l = layout_rows(v, columns);
    for (int k = 0; k < n; k++)
        draw_row(out, v, order[k], &l,
                 !v->silent && !strcmp(v->labels[order[k]], v->top));
    if (spacious) fputs("\x1b[K\n", out);
    /* The status line, cut to the width like every line so that nothing
     * wraps and scrolls the header away; the no-data warning first. */
    double age = clock_seconds(CLOCK_MONOTONIC) - v->last;
    char warning[64] = "";
    if (v->last > 0 && age > stale)
        snprintf(warning, sizeof warning, "no data for %.0f s   ", floor(age));
    int len = snprintf(line, sizeof line, "%ld windows", v->windows);
    if (n < v->classes && len < (int)sizeof line)
        snprintf(line + len, sizeof line - (size_t)len,
                 ", %d classes not shown", v->classes - n);
    int left = columns - (int)strlen(warning);
    fprintf(out, "\x1b[1;31m%.*s\x1b[0m", columns, warning);
    if (left > 0) fprintf(out, "%.*s", left, line);
    fprintf(out, "\x1b[K\x1b[J");
}

/* Draws `v` into memory and writes it to the terminal only when it differs
 * from the screen shown last (kept in `*shown_screen`, freed by the
 * caller), so an idle view writes nothing. When memory runs out it draws
 * straight to the terminal. */
static void show(const view *v, const char *source, double stale,
                 char **shown_screen)
{
    char *screen = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&screen, &len);
    if (out) {
        draw(out, v, source, stale);
        if (fclose(out) != 0) {
            free(screen);
            screen = NULL;
        }
    }
    if (!screen) {
        draw(stdout, v, source, stale);
        fflush(stdout);
        return;
    }
    if (*shown_screen && !strcmp(*shown_screen, screen)) {
        free(screen);
        return;
    }
    fwrite(screen, 1, len, stdout);
    fflush(stdout);
    free(*shown_screen);
    *shown_screen = screen;
}

/* ---- the terminal */

static void terminal_restore(void)
{
    printf("\x1b[?25h\x1b[?1049l");
    fflush(stdout);
    if (tty_raw) tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
}

static void terminal_raw(void)
{
    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tty) == 0) {
        struct termios raw = saved_tty;
        raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        raw.c_cc[VMIN] = 0;
        raw.c_cc[VTIME] = 0;
        tty_raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    printf("\x1b[?1049h\x1b[?25l\x1b[2J");
}

static void on_signal(int sig)
{
    (void)sig;
    quit = 1;
}

/* Waits up to a tenth of a second for a key; q quits. At the end of
 * standard input, or on an error reading it, it stops looking at it for
 * good (an ended input stays readable, and polling it would spin) and from
 * then on only waits. */
static void read_keys(void)
{
    struct pollfd in = {.fd = keys_open ? STDIN_FILENO : -1, .events = POLLIN};
    if (poll(&in, 1, 100) <= 0) return;
    char key;
    ssize_t got = read(STDIN_FILENO, &key, 1);
    if (got == 1 && (key == 'q' || key == 'Q'))
        quit = 1;
    else if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN))
        keys_open = 0;
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: irmas-view [--port N | --url URL] [--stale SECONDS]\n"
            "Shows irmasd's OSC stream live: a bar per class, the top "
            "instrument\nhighlighted. q quits.\n\n"
            "  --port N         listen for UDP on port N (default 9000)\n"
            "  --url URL        listen on a liblo URL instead, e.g. "
            "osc.tcp://:9000\n"
            "                   or osc.udp://224.0.1.9:9000 (multicast)\n"
            "  --stale SECONDS  say \"no data\" after this long without a "
            "bundle (default 2)\n"
            "  --help, --version\n");
}

static lo_server_thread open_server(const char *port, const char *url,
                                    char *source, size_t len)
{
    lo_server_thread st = url ? lo_server_thread_new_from_url(url, on_error)
                              : lo_server_thread_new(port, on_error);
    if (!st) return NULL;
    lo_server_thread_add_method(st, IRMAS_OSC_PROBS, NULL, on_probs, NULL);
    lo_server_thread_add_method(st, IRMAS_OSC_TOP, IRMAS_OSC_TOP_TYPES, on_top, NULL);
    lo_server_thread_add_method(st, IRMAS_OSC_SILENCE, NULL, on_silence, NULL);
    lo_server_thread_add_method(st, IRMAS_OSC_CLASSES, NULL, on_classes, NULL);
    if (url)
        snprintf(source, len, "listening on %s", url);
    else
        snprintf(source, len, "listening on UDP port %d",
                 lo_server_thread_get_port(st));
    return st;
}

int main(int argc, char **argv)
{
    argv[0] = program_invocation_short_name; /* getopt names us so */
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},
        {"url", required_argument, NULL, 'u'},
        {"stale", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {0}};
    const char *port = "9000", *url = NULL;
    double stale = 2.0;
    int c;
    opterr = 0; /* tool_bad_flag says it */
    while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': port = optarg; break;
        case 'u': url = optarg; break;
        case 's': stale = atof(optarg); break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("irmas-view %s\n", IRMAS_VERSION); return 0;
        default: tool_bad_flag("irmas-view", argv); return 2;
        }
    }
    if (optind < argc || stale <= 0) {
        usage(stderr);
        return 2;
    }
    setlocale(LC_CTYPE, "");
    utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
    char source[256];
    lo_server_thread server = open_server(port, url, source, sizeof source);
    if (!server) {
        fprintf(stderr, "irmas-view: error: cannot listen on %s %s (in use, or not "
                        "a liblo URL)\n", url ? "URL" : "port",
                url ? url : port);
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    lo_server_thread_start(server);
    terminal_raw();
    char *screen = NULL; /* what the terminal shows */
    while (!quit) {
        pthread_mutex_lock(&shown_lock);
        view v = shown;
        pthread_mutex_unlock(&shown_lock);
        show(&v, source, stale, &screen);
        read_keys();
    }
    free(screen);
    terminal_restore();
    lo_server_thread_free(server);
    return 0;
}
