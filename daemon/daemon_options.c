/* daemon_options.c: see daemon_options.h.
 *
 * The table `settings` is the single description of every setting. Flags
 * become getopt_long entries whose val is 256 + the setting's index; the
 * configuration file is read line by line; both end in setting_apply, which
 * parses and range-checks a value and names where it came from when it is
 * wrong.
 */
#include "daemon_options.h"

#include "config.h"
#include "model_file.h"
#include "osc.h"
#include "model_limits.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef enum {
    KIND_BACKEND, /* jack | portaudio | file */
    KIND_TEXT,    /* a string */
    KIND_LIST,    /* a repeatable string */
    KIND_COUNT,   /* a whole number in [min, max] */
    KIND_SWITCH,  /* a flag without argument; yes/no in the file */
    KIND_SECONDS, /* a number in [min, max] */
    KIND_DBFS,    /* a level <= 0, or "off" */
    KIND_ACTION   /* command line only: --config, --help, ... */
} setting_kind;

typedef struct {
    const char *name;
    setting_kind kind;
    size_t offset;       /* of the field in daemon_options */
    size_t count_offset; /* KIND_LIST: of its count */
    double min, max;     /* KIND_COUNT, KIND_SECONDS */
    int hidden;          /* left out of --help (benchmark switches) */
    const char *arg;     /* what --help shows after the flag */
    const char *help;
} setting;

#define FIELD(f) offsetof(daemon_options, f)
#define LIST(f, n) offsetof(daemon_options, f), offsetof(daemon_options, n)

static const setting settings[] = {
    {"backend", KIND_BACKEND, FIELD(backend), 0, 0, 0, 0, "jack|portaudio|file",
     "where audio comes from (default: jack, or file with --input)"},
    {"client-name", KIND_TEXT, FIELD(client_name), 0, 0, 0, 0, "NAME",
     "JACK client name (default: irmasd)"},
    {"connect", KIND_LIST, LIST(connect, n_connect), 0, 0, 0, "PORT",
     "JACK port to connect to an input, in order; repeatable"},
    {"channels", KIND_COUNT, FIELD(channels), 0, 1, 64, 0, "N",
     "input channels, mixed down to one (default: as many as --connect "
     "names, else 2 or what the device has)"},
    {"passthrough", KIND_SWITCH, FIELD(passthrough), 0, 0, 0, 0, NULL,
     "JACK output ports that copy the inputs, to route audio through"},
    {"device", KIND_TEXT, FIELD(device), 0, 0, 0, 0, "NAME|INDEX",
     "PortAudio input device (default: the system's default input)"},
    {"list-devices", KIND_ACTION, 0, 0, 0, 0, 0, NULL,
     "list PortAudio input devices and exit"},
    {"input", KIND_TEXT, FIELD(input), 0, 0, 0, 0, "FILE.wav",
     "file backend: replay this file in real time, then exit"},
    {"fast", KIND_SWITCH, FIELD(fast), 0, 0, 0, 0, NULL,
     "file backend: as fast as the engine goes instead of in real time"},
    {"model", KIND_TEXT, FIELD(model), 0, 0, 0, 0, "FILE",
     "the model (.irm): recurrent, statistics, CNN or CRNN; SIGHUP reloads "
     "it (default: " IRMAS_DEFAULT_MODEL ")"},
    {"max-model-memory", KIND_COUNT, FIELD(max_model_memory), 0, 1, 1e6, 0,
     "MB", "refuse a model that needs more memory to run (default: "
     MODEL_LIMITS_STR(MODEL_DEFAULT_MAX_MEMORY_MB) ")"},
    {"max-model-ops", KIND_COUNT, FIELD(max_model_ops), 0, 1, 1e6, 0, "G",
     "refuse a model that needs more than G billion operations a window "
     "(default: " MODEL_LIMITS_STR(MODEL_DEFAULT_MAX_GOPS) ")"},
    {"weights", KIND_TEXT, FIELD(weights), 0, 0, 0, 0, "DIR",
     "where a model's pretrained front-end's weights are (default: "
     "$IRMAS_WEIGHTS, else " IRMAS_DEFAULT_WEIGHTS ")"},
    {"config", KIND_ACTION, FIELD(config), 0, 0, 0, 0, "FILE",
     "read settings from FILE, as 'name = value' lines; flags win"},
    {"hop", KIND_SECONDS, FIELD(hop), 0, 0.001, 60, 0, "SECONDS",
     "time between windows (default: 0.5)"},
    {"smooth", KIND_SECONDS, FIELD(smooth), 0, 0, 3600, 0, "SECONDS",
     "time constant of a moving average over windows (default: 0, off)"},
    {"gate", KIND_DBFS, FIELD(gate), 0, 0, 0, 0, "DBFS|off",
     "windows quieter than this are sent as /irmas/silence (default: -60)"},
    {"osc", KIND_LIST, LIST(osc, n_osc), 0, 0, 0, "URL",
     "send OSC to URL, e.g. osc.udp://127.0.0.1:9000, osc.tcp://host:9000, "
     "osc.udp://224.0.1.9:9000; repeatable (default: osc.udp://127.0.0.1:9000)"},
    {"osc-bundles", KIND_TEXT, FIELD(osc_bundles_text), 0, 0, 0, 0, "on|off",
     "off: plain messages, each with the capture time as a last argument, "
     "for receivers that do not read bundles (default: on)"},
    {"osc-prefix", KIND_TEXT, FIELD(osc_prefix), 0, 0, 0, 0, "/PATH",
     "put /PATH before every address, e.g. /stage/left, so daemons can "
     "share a receiver (default: none)"},
    {"osc-listen", KIND_TEXT, FIELD(osc_listen), 0, 0, 0, 0, "[HOST:]PORT",
     "take OSC control messages on UDP PORT: /irmas/info, /irmas/subscribe, "
     "/irmas/set/smooth, ... (default: off; HOST default 127.0.0.1)"},
    {"print", KIND_SWITCH, FIELD(print), 0, 0, 0, 0, NULL,
     "print a line per window: the top instrument and every probability"},
    {"log-interval", KIND_SECONDS, FIELD(log_interval), 0, 0, 86400, 0,
     "SECONDS", "time between statistics lines (default: 60; 0 off); "
     "SIGUSR1 asks for one"},
    {"no-incremental", KIND_SWITCH, FIELD(no_incremental), 0, 0, 0, 1, NULL,
     "recompute each window whole (for benchmarks)"},
    {"verbose", KIND_SWITCH, FIELD(verbose), 0, 0, 0, 0, NULL,
     "say more about what irmasd does"},
    {"help", KIND_ACTION, 0, 0, 0, 0, 0, NULL, "print this help and exit"},
    {"version", KIND_ACTION, 0, 0, 0, 0, 0, NULL,
     "print the version and exit"},
};

#define N_SETTINGS ((int)(sizeof settings / sizeof settings[0]))

const char *daemon_options_backend_name(backend_kind backend)
{
    switch (backend) {
    case BACKEND_JACK: return "jack";
    case BACKEND_PORTAUDIO: return "portaudio";
    case BACKEND_FILE: return "file";
    case BACKEND_UNSET: break;
    }
    return "unset";
}

static void daemon_options_defaults(daemon_options *o)
{
    memset(o, 0, sizeof *o);
    o->backend = BACKEND_UNSET;
    strcpy(o->client_name, "irmasd");
    o->hop = 0.5;
    o->gate = -60.0;
    strcpy(o->osc_bundles_text, "on");
    o->log_interval = 60.0;
    o->max_model_memory = MODEL_DEFAULT_MAX_MEMORY_MB;
    o->max_model_ops = MODEL_DEFAULT_MAX_GOPS;
}

static irmas_status copy_text(char *dst, const char *value, const char *where,
                              char *err, size_t errlen)
{
    if (strlen(value) >= DAEMON_OPTIONS_TEXT)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s: value longer than %d characters", where,
                           DAEMON_OPTIONS_TEXT - 1);
    strcpy(dst, value);
    return IRMAS_OK;
}

/* Parses a whole number or a decimal, rejecting trailing text and NaN. */
static int parse_number(const char *value, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(value, &end);
    if (end == value || *end != '\0' || errno || !isfinite(x)) return 0;
    *out = x;
    return 1;
}

static int parse_switch(const char *value, int *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (int i = 0; i < 4; i++) {
        if (!strcasecmp(value, yes[i])) return *out = 1, 1;
        if (!strcasecmp(value, no[i])) return *out = 0, 1;
    }
    return 0;
}

static irmas_status apply_backend(daemon_options *o, const char *value,
                                  const char *where, char *err, size_t errlen)
{
    for (backend_kind b = BACKEND_JACK; b <= BACKEND_FILE; b++)
        if (!strcmp(value, daemon_options_backend_name(b))) {
            o->backend = b;
            return IRMAS_OK;
        }
    return status_fail(err, errlen, IRMAS_ERR_ARG,
                       "%s '%s': unknown backend; use jack, portaudio or file",
                       where, value);
}

irmas_status daemon_options_check_osc_url(const char *url, char *err,
                                   size_t errlen)
{
    static const char *const prefixes[] = {"osc.udp://", "osc.tcp://",
                                           "osc.unix:///"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        const char *rest = url + n;
        if (strncmp(url, prefixes[i], n) != 0 || !*rest) continue;
        /* HOST:PORT, an IPv6 host in brackets: [ADDRESS]:PORT */
        if (i < 2 && (*rest == '[' ? !strstr(rest, "]:") : !strchr(rest, ':')))
            break;
        return IRMAS_OK;
    }
    return status_fail(err, errlen, IRMAS_ERR_ARG,
                       "--osc %s: not an OSC URL; write it as "
                       "osc.udp://HOST:PORT, osc.tcp://HOST:PORT or "
                       "osc.unix:///PATH", url);
}

static irmas_status apply_list(daemon_options *o, const setting *s,
                               const char *value, const char *where,
                               char *err, size_t errlen)
{
    if (!strcmp(s->name, "osc")) {
        irmas_status st = daemon_options_check_osc_url(value, err, errlen);
        if (st != IRMAS_OK) return st;
    }
    char(*list)[DAEMON_OPTIONS_TEXT] = (void *)((char *)o + s->offset);
    int *count = (int *)((char *)o + s->count_offset);
    if (*count == DAEMON_OPTIONS_MAX_LIST)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s: at most %d are allowed", where,
                           DAEMON_OPTIONS_MAX_LIST);
    irmas_status st = copy_text(list[*count], value, where, err, errlen);
    if (st == IRMAS_OK) (*count)++;
    return st;
}

static irmas_status apply_number(daemon_options *o, const setting *s,
                                 const char *value, const char *where,
                                 char *err, size_t errlen)
{
    double x;
    int whole = s->kind == KIND_COUNT;
    if (!parse_number(value, &x) || x < s->min || x > s->max ||
        (whole && x != floor(x)))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s '%s': expected %s from %g to %g", where, value,
                           whole ? "a whole number" : "seconds", s->min,
                           s->max);
    if (whole) {
        int whole_x = (int)x;
        memcpy((char *)o + s->offset, &whole_x, sizeof whole_x);
    } else {
        memcpy((char *)o + s->offset, &x, sizeof x);
    }
    return IRMAS_OK;
}

static irmas_status apply_dbfs(daemon_options *o, const char *value,
                               const char *where, char *err, size_t errlen)
{
    double x;
    if (!strcasecmp(value, "off")) {
        o->gate = -INFINITY;
        return IRMAS_OK;
    }
    if (!parse_number(value, &x) || x > 0)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s '%s': expected a level in dBFS at or below 0, "
                           "e.g. -60, or 'off'", where, value);
    o->gate = x;
    return IRMAS_OK;
}

/* Sets s from value; where names the flag or file line in messages. A
 * switch given as a bare flag has value NULL. */
static irmas_status setting_apply(daemon_options *o, const setting *s,
                                  const char *value, const char *where,
                                  char *err, size_t errlen)
{
    char *field = (char *)o + s->offset;
    switch (s->kind) {
    case KIND_BACKEND: return apply_backend(o, value, where, err, errlen);
    case KIND_TEXT:
    case KIND_ACTION: return copy_text(field, value, where, err, errlen);
    case KIND_LIST: return apply_list(o, s, value, where, err, errlen);
    case KIND_COUNT:
    case KIND_SECONDS: return apply_number(o, s, value, where, err, errlen);
    case KIND_DBFS: return apply_dbfs(o, value, where, err, errlen);
    case KIND_SWITCH:
        if (!value) return *(int *)field = 1, IRMAS_OK;
        if (parse_switch(value, (int *)field)) return IRMAS_OK;
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s '%s': expected yes or no", where, value);
    }
    return IRMAS_ERR_ARG;
}

static const setting *setting_find(const char *name)
{
    for (int i = 0; i < N_SETTINGS; i++)
        if (!strcmp(settings[i].name, name)) return &settings[i];
    return NULL;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1])) *--end = '\0';
    return s;
}

/* Applies one "name = value" line; blank lines and '#' comments pass. */
static irmas_status config_line(daemon_options *o, char *line, const char *path,
                                int number, char *err, size_t errlen)
{
    char *text = trim(line);
    if (*text == '\0' || *text == '#') return IRMAS_OK;
    char *eq = strchr(text, '=');
    if (!eq)
        return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                           "%s:%d: expected 'name = value', found '%s'", path,
                           number, text);
    *eq = '\0';
    char *name = trim(text), *value = trim(eq + 1);
    size_t n = strlen(value);
    if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
        value[n - 1] = '\0';
        value++;
    }
    const setting *s = setting_find(name);
    if (!s || s->kind == KIND_ACTION)
        return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                           "%s:%d: unknown setting '%s'; settings are the "
                           "long flags of irmasd --help without the '--'",
                           path, number, name);
    char where[DAEMON_OPTIONS_TEXT + 64];
    snprintf(where, sizeof where, "%s:%d: %s", path, number, name);
    return setting_apply(o, s, value, where, err, errlen);
}

static irmas_status config_read(daemon_options *o, const char *path, char *err,
                                size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return status_fail(err, errlen, IRMAS_ERR_IO,
                           "%s: cannot read the configuration file: %s", path,
                           strerror(errno));
    char line[2 * DAEMON_OPTIONS_TEXT];
    irmas_status st = IRMAS_OK;
    for (int number = 1; st == IRMAS_OK && fgets(line, sizeof line, f);
         number++)
        st = config_line(o, line, path, number, err, errlen);
    fclose(f);
    return st;
}

/* One pass of getopt_long over argv. The first pass (actions_only) takes
 * --config and the actions, so the file can be read before the second pass
 * applies every other flag over it. */
static irmas_status flags_pass(daemon_options *o, int argc, char **argv,
                               int actions_only, daemon_options_action *action,
                               char *err, size_t errlen)
{
    struct option longopts[N_SETTINGS + 1];
    for (int i = 0; i < N_SETTINGS; i++) {
        const setting *s = &settings[i];
        int takes = s->kind != KIND_SWITCH && s->arg != NULL;
        longopts[i] = (struct option){s->name, takes ? required_argument
                                                     : no_argument,
                                      NULL, 256 + i};
    }
    longopts[N_SETTINGS] = (struct option){0};
    int replaced[N_SETTINGS] = {0};

    optind = 0; /* glibc: start over, as for a new argv */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":hVv", longopts, NULL)) != -1) {
        const char *flag = argv[optind - 1];
        if (c == '?')
            return status_fail(err, errlen, IRMAS_ERR_ARG,
                               "unknown flag '%s'; see irmasd --help", flag);
        if (c == ':')
            return status_fail(err, errlen, IRMAS_ERR_ARG,
                               "%s needs a value; see irmasd --help", flag);
        if (c == 'h') c = 256 + (int)(setting_find("help") - settings);
        if (c == 'V') c = 256 + (int)(setting_find("version") - settings);
        if (c == 'v') c = 256 + (int)(setting_find("verbose") - settings);
        const setting *s = &settings[c - 256];
        if ((s->kind == KIND_ACTION) != actions_only) continue;

        if (!strcmp(s->name, "help")) *action = DAEMON_OPTIONS_HELP;
        else if (!strcmp(s->name, "version")) *action = DAEMON_OPTIONS_VERSION;
        else if (!strcmp(s->name, "list-devices"))
            *action = DAEMON_OPTIONS_LIST_DEVICES;
        if (s->kind == KIND_ACTION && !optarg) continue;

        if (s->kind == KIND_LIST && !replaced[c - 256]) {
            *(int *)((char *)o + s->count_offset) = 0;
            replaced[c - 256] = 1;
        }
        char where[128];
        snprintf(where, sizeof where, "--%s", s->name);
        irmas_status st = setting_apply(o, s, optarg, where, err, errlen);
        if (st != IRMAS_OK) return st;
    }
    if (optind < argc)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "unexpected argument '%s'; flags start with '--' "
                           "(see irmasd --help)", argv[optind]);
    return IRMAS_OK;
}

/* Fills in what depends on other settings, and refuses combinations that
 * cannot work. */
static irmas_status daemon_options_finish(daemon_options *o, char *err,
                                          size_t errlen)
{
    if (o->backend == BACKEND_UNSET)
        o->backend = o->input[0] ? BACKEND_FILE : BACKEND_JACK;
    if (o->backend == BACKEND_FILE && !o->input[0])
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "--backend file needs --input FILE.wav");
    if (o->backend != BACKEND_FILE && o->input[0])
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "--input is for --backend file, not %s",
                           daemon_options_backend_name(o->backend));
    if (!o->model[0]) strcpy(o->model, model_default_path());
    if (o->n_osc == 0) strcpy(o->osc[o->n_osc++], "osc.udp://127.0.0.1:9000");
    if (!parse_switch(o->osc_bundles_text, &o->osc_bundles))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "--osc-bundles '%s': expected on or off",
                           o->osc_bundles_text);
    const char *p = o->osc_prefix;
    if (*p && (p[0] != '/' || p[strlen(p) - 1] == '/' ||
               strlen(p) >= OSC_PREFIX_MAX ||
               strpbrk(p, " #*,?[]{}") || strstr(p, "//")))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "--osc-prefix '%s': expected an OSC address such as "
                           "/stage/left (a leading '/', none at the end, no "
                           "space or # * , ? [ ] { })", p);
    return IRMAS_OK;
}

irmas_status daemon_options_parse(daemon_options *o, int argc, char **argv,
                                  daemon_options_action *action, char *err,
                                  size_t errlen)
{
    daemon_options_defaults(o);
    *action = DAEMON_OPTIONS_RUN;
    irmas_status st = flags_pass(o, argc, argv, 1, action, err, errlen);
    if (st != IRMAS_OK || *action == DAEMON_OPTIONS_HELP ||
        *action == DAEMON_OPTIONS_VERSION)
        return st;
    if (o->config[0] && (st = config_read(o, o->config, err, errlen)))
        return st;
    if ((st = flags_pass(o, argc, argv, 0, action, err, errlen))) return st;
    return daemon_options_finish(o, err, errlen);
}

/* Writes text from column `indent` (where the cursor is) to `width`,
 * breaking lines between words. */
static void help_wrap(FILE *out, const char *text, int indent, int width)
{
    int column = indent;
    while (*text) {
        int word = (int)strcspn(text, " ");
        if (column > indent && column + 1 + word > width) {
            fprintf(out, "\n%*s", indent, "");
            column = indent;
        }
        if (column > indent) column += fprintf(out, " ");
        column += fprintf(out, "%.*s", word, text);
        text += word;
        text += strspn(text, " ");
    }
    fprintf(out, "\n");
}

void daemon_options_print_help(FILE *out)
{
    fprintf(out,
            "Usage: irmasd [OPTION]...\n"
            "Listens to live audio and sends, several times a second, which "
            "instruments\nare playing as OSC bundles (see the README, "
            "\"OSC address space\").\n\n");
    for (int i = 0; i < N_SETTINGS; i++) {
        const setting *s = &settings[i];
        if (s->hidden) continue;
        char flag[64];
        snprintf(flag, sizeof flag, "--%s%s%s", s->name, s->arg ? " " : "",
                 s->arg ? s->arg : "");
        fprintf(out, "  %-26s", flag);
        if (strlen(flag) > 25) fprintf(out, "\n%28s", "");
        help_wrap(out, s->help, 28, 79);
    }
    fprintf(out,
            "\nEvery setting but config, help, version and list-devices can "
            "also be a line\n'name = value' of the --config file; switches "
            "take yes or no there.\nSignals: SIGHUP reloads the model, SIGUSR1 "
            "logs statistics, SIGTERM stops.\n");
}
