/* irmas-view.c: a live view of irmasd's OSC stream in a terminal: a bar
 * per class, the top instrument highlighted, and a warning when no bundle
 * has come for a while. The way to check the daemon by eye on stage.
 *
 *     irmas-view [--port N | --url URL] [--stale SECONDS]
 *
 * A liblo server thread receives the bundles and copies them into the
 * `view` under a mutex; the main thread looks ten times a second, draws
 * the screen with plain ANSI escapes (alternate screen, no cursor) when it
 * differs from what is shown, and reads keys in raw mode: q quits. Once
 * standard input ends (run from a script, under a service, with
 * </dev/null) it is left alone and the loop only waits. It handles /irmas/probs, /irmas/top,
 * /irmas/silence and /irmas/classes (see README, "OSC address space").
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <lo/lo.h>
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

#define VIEW_MAX_CLASSES 64
#define VIEW_LABEL 32

typedef struct {
    int classes;
    char labels[VIEW_MAX_CLASSES][VIEW_LABEL];
    float probs[VIEW_MAX_CLASSES];
    char top[VIEW_LABEL];
    float top_prob;
    int silent;
    float level_dbfs;
    long windows;
    double last; /* monotonic s of the last window, 0 for none yet */
} view;

static view shown; /* under shown_lock */
static pthread_mutex_t shown_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t quit;
static struct termios saved_tty;
static int tty_raw;
static int keys_open = 1; /* stdin may still bring keys: not at its end */

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

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
    int n = argc < VIEW_MAX_CLASSES ? argc : VIEW_MAX_CLASSES;
    for (int i = 0; i < n; i++)
        shown.probs[i] = types[i] == LO_FLOAT ? arg_float(argv[i]) : 0.0f;
    for (int i = shown.classes; i < n; i++)
        snprintf(shown.labels[i], VIEW_LABEL, "class %d", i);
    if (n > shown.classes) shown.classes = n;
    shown.silent = 0;
    shown.windows++;
    shown.last = monotonic();
    pthread_mutex_unlock(&shown_lock);
    return 0;
}

static int on_top(const char *path, const char *types, lo_arg **argv,
                  int argc, lo_message msg, void *user)
{
    (void)path, (void)types, (void)argc, (void)msg, (void)user;
    pthread_mutex_lock(&shown_lock);
    snprintf(shown.top, VIEW_LABEL, "%s", arg_string(argv[0]));
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
    shown.windows++;
    shown.last = monotonic();
    pthread_mutex_unlock(&shown_lock);
    return 0;
}

static int on_classes(const char *path, const char *types, lo_arg **argv,
                      int argc, lo_message msg, void *user)
{
    (void)path, (void)msg, (void)user;
    pthread_mutex_lock(&shown_lock);
    int n = argc < VIEW_MAX_CLASSES ? argc : VIEW_MAX_CLASSES;
    if (n != shown.classes) memset(shown.probs, 0, sizeof shown.probs);
    shown.classes = n;
    for (int i = 0; i < n; i++)
        snprintf(shown.labels[i], VIEW_LABEL, "%s",
                 types[i] == LO_STRING ? arg_string(argv[i]) : "?");
    pthread_mutex_unlock(&shown_lock);
    return 0;
}

static void on_error(int num, const char *msg, const char *where)
{
    fprintf(stderr, "irmas-view: liblo error %d in %s: %s\n", num,
            where ? where : "-", msg);
}

/* ---- drawing: the main thread's side */

static int terminal_columns(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

static void draw_bar(FILE *out, const char *label, float p, int width,
                     int highlight)
{
    int filled = (int)lrintf(p * (float)width);
    if (filled < 0) filled = 0;
    if (filled > width) filled = width;
    fprintf(out, "%s%-16.16s ", highlight ? "\x1b[1;32m" : "", label);
    for (int i = 0; i < width; i++) putc(i < filled ? '#' : '.', out);
    fprintf(out, " %4.2f%s\x1b[K\n", p, highlight ? "\x1b[0m" : "");
}

/* Writes the whole screen for `v` to `out`: the header, the top class or
 * silence, a bar per class and the window count, with the no-data warning
 * once the last window is older than `stale` seconds. */
static void draw(FILE *out, const view *v, const char *source, double stale)
{
    int width = terminal_columns() - 24;
    if (width < 10) width = 10;
    fprintf(out,
            "\x1b[H\x1b[1mirmas-view\x1b[0m  %s   (q quits)\x1b[K\n\x1b[K\n",
            source);
    if (v->last == 0)
        fprintf(out, "waiting for irmasd...\x1b[K\n");
    else if (v->silent)
        fprintf(out, "silence (%.0f dBFS)\x1b[K\n", v->level_dbfs);
    else
        fprintf(out, "top: \x1b[1;32m%s\x1b[0m %.2f\x1b[K\n", v->top,
                v->top_prob);
    fprintf(out, "\x1b[K\n");
    for (int c = 0; c < v->classes; c++)
        draw_bar(out, v->labels[c], v->silent ? 0.0f : v->probs[c], width,
                 !v->silent && !strcmp(v->labels[c], v->top));
    double age = monotonic() - v->last;
    fprintf(out, "\x1b[K\n%ld windows", v->windows);
    if (v->last > 0 && age > stale)
        fprintf(out, "   \x1b[1;31mno data for %.0f s\x1b[0m", floor(age));
    fprintf(out, "\x1b[K\n\x1b[J");
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
    lo_server_thread_add_method(st, "/irmas/probs", NULL, on_probs, NULL);
    lo_server_thread_add_method(st, "/irmas/top", "sf", on_top, NULL);
    lo_server_thread_add_method(st, "/irmas/silence", NULL, on_silence, NULL);
    lo_server_thread_add_method(st, "/irmas/classes", NULL, on_classes, NULL);
    if (url)
        snprintf(source, len, "listening on %s", url);
    else
        snprintf(source, len, "listening on UDP port %d",
                 lo_server_thread_get_port(st));
    return st;
}

int main(int argc, char **argv)
{
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
    while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': port = optarg; break;
        case 'u': url = optarg; break;
        case 's': stale = atof(optarg); break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("irmas-view %s\n", IRMAS_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc || stale <= 0) {
        usage(stderr);
        return 2;
    }
    char source[256];
    lo_server_thread server = open_server(port, url, source, sizeof source);
    if (!server) {
        fprintf(stderr, "irmas-view: cannot listen on %s %s (in use, or not "
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
