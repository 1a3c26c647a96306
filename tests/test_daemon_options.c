/* test_daemon_options.c: irmasd's settings: defaults, flags, the
 * configuration file, which of them wins, and the messages a wrong one
 * gets. */
#include "daemon_check.h"
#include "model_file.h"
#include "daemon_options.h"
#include "testutil.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static daemon_options o;
static daemon_options_action action;
static char err[1024];

/* Parses a NULL-terminated list of arguments after "irmasd". */
static irmas_status parse(const char *first, ...)
{
    char *argv[32] = {"irmasd"};
    int argc = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    err[0] = '\0';
    return daemon_options_parse(&o, argc, argv, &action, err, sizeof err);
}

static const char *write_config(const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/irmasd.conf", tu_tmpdir("daemon-options"));
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

START_TEST(defaults_listen_on_jack_and_send_to_port_9000)
{
    ck_assert_int_eq(parse(NULL), IRMAS_OK);
    ck_assert_int_eq(action, DAEMON_OPTIONS_RUN);
    ck_assert_int_eq(o.backend, BACKEND_JACK);
    ck_assert_str_eq(o.client_name, "irmasd");
    ck_assert_double_eq(o.hop, 0.5);
    ck_assert_double_eq(o.gate, -60.0);
    ck_assert_int_eq(o.n_osc, 1);
    ck_assert_str_eq(o.osc[0], "osc.udp://127.0.0.1:9000");
    ck_assert_str_eq(o.model, model_default_path());
}
END_TEST

START_TEST(flags_set_every_kind_of_setting)
{
    ck_assert_int_eq(parse("--input", "a.wav", "--fast", "--hop", "0.25",
                           "--gate", "off", "--smooth", "2", "--osc",
                           "osc.tcp://h:1", "--osc", "osc.udp://h:2",
                           "--print", "-v", NULL), IRMAS_OK);
    ck_assert_int_eq(o.backend, BACKEND_FILE);
    ck_assert_int_eq(o.fast, 1);
    ck_assert_double_eq(o.hop, 0.25);
    ck_assert(isinf(o.gate) && o.gate < 0);
    ck_assert_double_eq(o.smooth, 2.0);
    ck_assert_int_eq(o.n_osc, 2);
    ck_assert_str_eq(o.osc[1], "osc.udp://h:2");
    ck_assert_int_eq(o.print + o.verbose, 2);
}
END_TEST

START_TEST(the_file_is_read_and_flags_win_over_it)
{
    const char *path = write_config(
        "# irmasd settings\n"
        "backend = portaudio\n"
        "  device = \"USB Audio\"  \n"
        "hop = 0.75\n"
        "print = yes\n"
        "osc = osc.udp://a:1\n"
        "osc = osc.udp://b:2\n"
        "connect = system:capture_1\n\n");
    ck_assert_int_eq(parse("--config", path, "--hop", "0.3", "--osc",
                           "osc.udp://c:3", NULL), IRMAS_OK);
    ck_assert_int_eq(o.backend, BACKEND_PORTAUDIO);
    ck_assert_str_eq(o.device, "USB Audio");
    ck_assert_double_eq(o.hop, 0.3);
    ck_assert_int_eq(o.print, 1);
    ck_assert_int_eq(o.n_osc, 1);
    ck_assert_str_eq(o.osc[0], "osc.udp://c:3");
    ck_assert_int_eq(o.n_connect, 1);
}
END_TEST

START_TEST(help_and_version_are_actions)
{
    ck_assert_int_eq(parse("--help", NULL), IRMAS_OK);
    ck_assert_int_eq(action, DAEMON_OPTIONS_HELP);
    ck_assert_int_eq(parse("-V", NULL), IRMAS_OK);
    ck_assert_int_eq(action, DAEMON_OPTIONS_VERSION);
    ck_assert_int_eq(parse("--backend", "portaudio", "--list-devices", NULL), IRMAS_OK);
    ck_assert_int_eq(action, DAEMON_OPTIONS_LIST_DEVICES);
}
END_TEST

/* Each wrong setting fails with a message holding the given text. */
static void assert_refused(const char *expected, irmas_status st)
{
    ck_assert_int_ne(st, IRMAS_OK);
    ck_assert_msg(strstr(err, expected), "message '%s' lacks '%s'", err,
                  expected);
}

START_TEST(wrong_settings_are_refused_with_a_message_naming_them)
{
    assert_refused("unknown flag '--hpo'", parse("--hpo", "1", NULL));
    assert_refused("--hop 'fast'", parse("--hop", "fast", NULL));
    assert_refused("--hop '0'", parse("--hop", "0", NULL));
    assert_refused("--channels '1.5'", parse("--channels", "1.5", NULL));
    assert_refused("--gate '6'", parse("--gate", "6", NULL));
    assert_refused("unknown backend", parse("--backend", "alsa", NULL));
    assert_refused("--hop needs a value", parse("--hop", NULL));
    assert_refused("unexpected argument 'x.wav'", parse("x.wav", NULL));
    assert_refused("needs --input", parse("--backend", "file", NULL));
    assert_refused("--input is for --backend file",
                   parse("--backend", "jack", "--input", "a.wav", NULL));
    assert_refused("cannot read the configuration file",
                   parse("--config", "/nonexistent/irmasd.conf", NULL));
    const char *path = write_config("hop = 0.5\nhpo = 1\n");
    assert_refused(":2: unknown setting 'hpo'", parse("--config", path, NULL));
    path = write_config("print maybe\n");
    assert_refused(":1: expected 'name = value'", parse("--config", path, NULL));
    path = write_config("print = maybe\n");
    assert_refused("expected yes or no", parse("--config", path, NULL));
    /* liblo reads past the end of such a URL (found by the fuzzer). */
    assert_refused("--osc osc.unix://tmp: not an OSC URL",
                   parse("--osc", "osc.unix://tmp", NULL));
    assert_refused("--osc osc.unix:: not an OSC URL",
                   parse("--osc", "osc.unix:", NULL));
    assert_refused("--osc osc.: not an OSC URL", parse("--osc", "osc.", NULL));
    assert_refused("--osc osc.tcp://[: not an OSC URL",
                   parse("--osc", "osc.tcp://[", NULL));
    assert_refused("--max-model-memory '0'",
                   parse("--max-model-memory", "0", NULL));
}
END_TEST

int main(void)
{
    const TTest *tests[] = {
        defaults_listen_on_jack_and_send_to_port_9000,
        flags_set_every_kind_of_setting,
        the_file_is_read_and_flags_win_over_it,
        help_and_version_are_actions,
        wrong_settings_are_refused_with_a_message_naming_them,
    };
    return daemon_check_run("daemon options", tests, 5, 30);
}
