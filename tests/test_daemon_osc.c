/* test_daemon_osc.c: the daemon's OSC output (osc.h) against a liblo
 * server in the test: what a window's bundle holds, its timetag, labels
 * made safe for addresses, silence, the class list, and URLs refused at
 * start. */
#include "daemon_check.h"
#include "osc.h"

#include <lo/lo.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_MESSAGES 32

typedef struct {
    char path[64], types[16], first_string[64];
    float first_float;
    lo_timetag tag;
} received;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static received got[MAX_MESSAGES];
static int n_got;

static int on_message(const char *path, const char *types, lo_arg **argv,
                      int argc, lo_message msg, void *user)
{
    (void)user;
    pthread_mutex_lock(&lock);
    if (n_got < MAX_MESSAGES) {
        received *r = &got[n_got++];
        snprintf(r->path, sizeof r->path, "%s", path);
        snprintf(r->types, sizeof r->types, "%s", types);
        /* liblo's arguments are 4-byte aligned; union lo_arg wants 8. */
        r->first_float = NAN;
        if (argc && types[0] == 'f')
            memcpy(&r->first_float, (const void *)argv[0], sizeof(float));
        snprintf(r->first_string, sizeof r->first_string, "%s",
                 argc && types[0] == 's' ? (const char *)argv[0] : "");
        r->tag = lo_message_get_timestamp(msg);
    }
    pthread_mutex_unlock(&lock);
    return 0;
}

static const received *find(const char *path)
{
    for (int i = 0; i < n_got; i++)
        if (!strcmp(got[i].path, path)) return &got[i];
    return NULL;
}

START_TEST(a_window_becomes_one_bundle_stamped_with_its_capture_time)
{
    lo_server_thread server = lo_server_thread_new(NULL, NULL);
    lo_server_thread_add_method(server, NULL, NULL, on_message, NULL);
    lo_server_thread_start(server);
    char url[64];
    snprintf(url, sizeof url, "osc.udp://127.0.0.1:%d",
             lo_server_thread_get_port(server));
    const char *urls[] = {url};
    stats *st = stats_new();
    osc_out *o = NULL;
    char err[512] = "";
    ck_assert_msg(osc_out_new(urls, 1, 1, st, &o, err, sizeof err) == IRMAS_OK, "%s", err);

    const char labels[2][MODEL_LABEL_MAX] = {"acoustic guitar", "a/b*c"};
    const float probs[2] = {0.25f, 0.75f};
    osc_window w = {.capture_wall = 1700000000.5, .classes = 2,
                    .labels = labels, .probs = probs};
    osc_out_classes(o, labels, 2);
    osc_out_window(o, &w);
    osc_window quiet = {.silent = 1, .level_dbfs = -75.0f,
                        .capture_wall = 1700000001.0, .classes = 2,
                        .labels = labels};
    osc_out_window(o, &quiet);
    osc_out_delete(o); /* sends what is queued */
    for (int i = 0; i < 200 && n_got < 6; i++) usleep(10000);
    lo_server_thread_free(server);

    ck_assert_int_eq(n_got, 6);
    const received *r = find("/irmas/classes");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->types, "ss");
    ck_assert_str_eq(r->first_string, "acoustic guitar");
    r = find("/irmas/probs");
    ck_assert_str_eq(r->types, "ff");
    ck_assert_float_eq(r->first_float, 0.25f);
    ck_assert_uint_eq(r->tag.sec, 1700000000u + 2208988800u);
    ck_assert_uint_eq(r->tag.frac, 0x80000000u);
    r = find("/irmas/top");
    ck_assert_str_eq(r->types, "sf");
    ck_assert_str_eq(r->first_string, "a/b*c");
    ck_assert_float_eq(find("/irmas/class/acoustic_guitar")->first_float, 0.25f);
    ck_assert_float_eq(find("/irmas/class/a_b_c")->first_float, 0.75f);
    r = find("/irmas/silence");
    ck_assert_float_eq(r->first_float, -75.0f);
    ck_assert_uint_eq(r->tag.sec, 1700000001u + 2208988800u);

    char line[512];
    stats_line(st, 0, 0, line, sizeof line);
    ck_assert_msg(strstr(line, "2 bundles sent, 0 failed"), "%s", line);
    stats_delete(st);
}
END_TEST

static void assert_url_refused(const char *url, const char *expected)
{
    const char *urls[] = {"osc.udp://127.0.0.1:9000", url};
    osc_out *o = NULL;
    char err[512] = "";
    stats *st = stats_new();
    ck_assert_int_eq(osc_out_new(urls, 2, 0, st, &o, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_null(o);
    ck_assert_msg(strstr(err, url) && strstr(err, expected), "'%s' lacks '%s'", err, expected);
    stats_delete(st);
}

START_TEST(urls_that_cannot_work_are_refused_at_start)
{
    assert_url_refused("nonsense", "not an OSC URL");
    assert_url_refused("osc.udp://127.0.0.1", "needs a host and a port");
    assert_url_refused("osc.udp://no-such-host.invalid:9000", "cannot resolve host");
    assert_url_refused("osc.udp://127.0.0.1:70000", "port 70000 is out of range");
    assert_url_refused("osc.tcp://[::1]:9000", "only IPv6 addresses");
}
END_TEST

int main(void)
{
    const TTest *tests[] = {
        a_window_becomes_one_bundle_stamped_with_its_capture_time,
        urls_that_cannot_work_are_refused_at_start,
    };
    return daemon_check_run("daemon osc", tests, 2, 30);
}
