/* daemon_options.h: irmasd's settings, from its command line and its
 * configuration file.
 *
 * Every setting has one name, used both as a long flag ("--hop 0.25") and as
 * a configuration line ("hop = 0.25"), and one entry in a table that also
 * writes --help, so the three never disagree. daemon_options_parse reads
 * defaults, then the file named by --config, then the flags: the flags win,
 * and a repeatable setting given on the command line (--osc, --connect)
 * replaces the file's list instead of adding to it.
 */
#ifndef IRMASD_DAEMON_OPTIONS_H
#define IRMASD_DAEMON_OPTIONS_H

#include "status.h"

#include <stdio.h>

#define DAEMON_OPTIONS_MAX_LIST 16
#define DAEMON_OPTIONS_TEXT 1024

typedef enum {
    BACKEND_UNSET = -1, /* while parsing: then file with --input, else jack */
    BACKEND_JACK = 0,
    BACKEND_PORTAUDIO = 1,
    BACKEND_FILE = 2
} backend_kind;

/* What the command line asks for beyond running. */
typedef enum {
    DAEMON_OPTIONS_RUN = 0,
    DAEMON_OPTIONS_HELP,
    DAEMON_OPTIONS_VERSION,
    DAEMON_OPTIONS_LIST_DEVICES
} daemon_options_action;

typedef struct {
    backend_kind backend;
    char client_name[DAEMON_OPTIONS_TEXT]; /* JACK client */
    char connect[DAEMON_OPTIONS_MAX_LIST][DAEMON_OPTIONS_TEXT]; /* JACK ports */
    int n_connect;
    int channels;    /* 0: as many as --connect names, or the device has
                        (2 at most) */
    int passthrough; /* JACK output ports copying the inputs */
    char device[DAEMON_OPTIONS_TEXT]; /* PortAudio: name or index */
    char input[DAEMON_OPTIONS_TEXT];  /* file backend: a WAV */
    int fast;        /* file backend: as fast as the engine goes */
    char model[DAEMON_OPTIONS_TEXT];
    /* a pretrained front-end's; "": pretrained.h's default */
    char weights[DAEMON_OPTIONS_TEXT];
    char config[DAEMON_OPTIONS_TEXT];
    double hop;      /* seconds between windows */
    double smooth;   /* seconds: time constant of the moving average; 0 off */
    double gate;     /* dBFS: quieter windows are silence; -inf when off */
    char osc[DAEMON_OPTIONS_MAX_LIST][DAEMON_OPTIONS_TEXT]; /* liblo URLs */
    int n_osc;
    int osc_bundles; /* a bundle per window; 0: messages */
    char osc_bundles_text[DAEMON_OPTIONS_TEXT]; /* --osc-bundles as given */
    char osc_prefix[DAEMON_OPTIONS_TEXT]; /* before every address; "" none */
    char osc_listen[DAEMON_OPTIONS_TEXT]; /* control [HOST:]PORT; "" off */
    int print;       /* a line per window on stdout */
    int verbose;
    double log_interval; /* seconds between statistics lines; 0 off */
    int no_incremental;  /* recompute whole windows (benchmarks only) */
    int max_model_memory; /* MB a model may need to run (model_limits.h) */
    int max_model_ops;    /* billions of operations a window it may need */
} daemon_options;

/* Fills o from defaults, the configuration file and argv. On a bad flag,
 * value or file the message names it and says what is expected. *action
 * says whether to run, or to print help, the version or the devices. */
irmas_status daemon_options_parse(daemon_options *o, int argc, char **argv,
                           daemon_options_action *action, char *err,
                           size_t errlen);

/* Refuses an --osc URL that is not osc.udp://HOST:PORT, osc.tcp://HOST:PORT
 * (HOST may be [IPv6]) or osc.unix:///PATH at its start: liblo's
 * lo_address_new_from_url reads past the end of some others ("osc.",
 * "osc.unix:", "osc.unix://tmp", "osc.tcp://["; found by
 * tests/fuzz/fuzz_osc_url). The rest of the checks, host and port, are
 * osc_out_new's. */
irmas_status daemon_options_check_osc_url(const char *url, char *err,
                                   size_t errlen);

/* Writes the usage text: every flag with its argument and meaning. */
void daemon_options_print_help(FILE *out);

/* "jack", "portaudio" or "file". */
const char *daemon_options_backend_name(backend_kind backend);

#endif
