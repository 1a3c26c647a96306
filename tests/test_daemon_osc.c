/* test_daemon_osc.c: the daemon's OSC output (osc.h) against a liblo
 * server in the test: what a window's bundle holds, its timetag, labels
 * made safe for addresses, silence, the class list; plain messages with a
 * prefix for receivers without bundles; subscribers added and removed;
 * and URLs refused at start. */
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
    int first_int;
    double last_double;
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
        r->first_int = -1;
        if (argc && types[0] == 'i')
            memcpy(&r->first_int, (const void *)argv[0], sizeof(int));
        r->last_double = NAN;
        if (argc && types[argc - 1] == 'd')
            memcpy(&r->last_double, (const void *)argv[argc - 1], sizeof(double));
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
    daemon_stats *st = daemon_stats_new();
    osc_out *o = NULL;
    char err[512] = "";
    ck_assert_msg(osc_out_new(urls, 1, 1, &(osc_format){.bundles = 1}, st, &o, err, sizeof err) == IRMAS_OK, "%s", err);

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
    osc_out_free(o); /* sends what is queued */
    for (int i = 0; i < 200 && n_got < 7; i++) usleep(10000);
    lo_server_thread_free(server);

    ck_assert_int_eq(n_got, 7);
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
    r = find("/irmas/top/index");
    ck_assert_str_eq(r->types, "if");
    ck_assert_int_eq(r->first_int, 1);
    ck_assert_float_eq(find("/irmas/class/acoustic_guitar")->first_float, 0.25f);
    ck_assert_float_eq(find("/irmas/class/a_b_c")->first_float, 0.75f);
    r = find("/irmas/silence");
    ck_assert_float_eq(r->first_float, -75.0f);
    ck_assert_uint_eq(r->tag.sec, 1700000001u + 2208988800u);

    char line[512];
    daemon_stats_line(st, 0, 0, 0, line, sizeof line);
    ck_assert_msg(strstr(line, "2 bundles sent, 0 failed"), "%s", line);
    daemon_stats_free(st);
}
END_TEST

/* A server in the test on a port of its own; its URL in url. */
static lo_server_thread test_server(char *url, size_t len)
{
    lo_server_thread server = lo_server_thread_new(NULL, NULL);
    lo_server_thread_add_method(server, NULL, NULL, on_message, NULL);
    lo_server_thread_start(server);
    snprintf(url, len, "osc.udp://127.0.0.1:%d", lo_server_thread_get_port(server));
    return server;
}

START_TEST(messages_without_bundles_carry_their_time_and_a_prefix)
{
    char url[64];
    lo_server_thread server = test_server(url, sizeof url);
    n_got = 0;
    const char *urls[] = {url};
    daemon_stats *st = daemon_stats_new();
    osc_out *o = NULL;
    char err[512] = "";
    ck_assert_msg(osc_out_new(urls, 1, 1,
                              &(osc_format){.bundles = 0, .prefix = "/stage/left"},
                              st, &o, err, sizeof err) == IRMAS_OK, "%s", err);
    const char labels[2][MODEL_LABEL_MAX] = {"cel", "flu"};
    const float probs[2] = {0.25f, 0.75f};
    osc_out_window(o, &(osc_window){.capture_wall = 1700000000.5, .classes = 2,
                                    .labels = labels, .probs = probs});
    osc_out_free(o);
    for (int i = 0; i < 200 && n_got < 5; i++) usleep(10000);
    lo_server_thread_free(server);
    ck_assert_int_eq(n_got, 5);
    const received *r = find("/stage/left/irmas/top");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->types, "sfd");
    ck_assert_double_eq(r->last_double, 1700000000.5);
    r = find("/stage/left/irmas/top/index");
    ck_assert_str_eq(r->types, "ifd");
    ck_assert_int_eq(r->first_int, 1);
    ck_assert_str_eq(find("/stage/left/irmas/probs")->types, "ffd");
    ck_assert_ptr_null(find("/irmas/probs"));
    daemon_stats_free(st);
}
END_TEST

START_TEST(subscribers_come_and_go)
{
    char url[64];
    lo_server_thread server = test_server(url, sizeof url);
    n_got = 0;
    const char *urls[] = {"osc.udp://127.0.0.1:9"}; /* nobody listens */
    daemon_stats *st = daemon_stats_new();
    osc_out *o = NULL;
    char err[512] = "";
    ck_assert(osc_out_new(urls, 1, 0, &(osc_format){.bundles = 1}, st, &o, err,
                          sizeof err) == IRMAS_OK);
    const char labels[1][MODEL_LABEL_MAX] = {"voi"};
    const float probs[1] = {1.0f};
    osc_window w = {.capture_wall = 1700000000.0, .classes = 1, .labels = labels,
                    .probs = probs};
    osc_out_window(o, &w); /* not subscribed yet: nothing comes */
    ck_assert_int_eq(osc_out_subscribe(o, url, err, sizeof err), IRMAS_OK);
    ck_assert_int_eq(osc_out_subscribe(o, url, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "subscribed already"));
    osc_out_window(o, &w);
    for (int i = 0; i < 200 && n_got < 4; i++) usleep(10000);
    ck_assert_int_eq(n_got, 4); /* probs, top, top/index, one class */
    ck_assert_int_eq(osc_out_unsubscribe(o, url, err, sizeof err), IRMAS_OK);
    ck_assert_int_eq(osc_out_unsubscribe(o, url, err, sizeof err), IRMAS_ERR_ARG);
    osc_out_window(o, &w);
    ck_assert_int_eq(osc_out_subscribe(o, "osc.udp://no-such-host.invalid:9",
                                       err, sizeof err), IRMAS_ERR_ARG);
    for (int i = 0; i < OSC_MAX_SUBSCRIBERS - 1; i++) {
        char other[64];
        snprintf(other, sizeof other, "osc.udp://127.0.0.1:%d", 20000 + i);
        ck_assert_int_eq(osc_out_subscribe(o, other, err, sizeof err), IRMAS_OK);
    }
    ck_assert_int_eq(osc_out_subscribe(o, "osc.udp://127.0.0.1:30000", err,
                                       sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "no room"));
    ck_assert_int_eq(osc_out_subscribe(o, url, err, sizeof err), IRMAS_OK);
    osc_out_window(o, &w);
    osc_out_free(o);
    for (int i = 0; i < 200 && n_got < 8; i++) usleep(10000);
    lo_server_thread_free(server);
    ck_assert_int_eq(n_got, 4 + 4); /* none while unsubscribed, then again */
    daemon_stats_free(st);
}
END_TEST

static void assert_url_refused(const char *url, const char *expected)
{
    const char *urls[] = {"osc.udp://127.0.0.1:9000", url};
    osc_out *o = NULL;
    char err[512] = "";
    daemon_stats *st = daemon_stats_new();
    ck_assert_int_eq(osc_out_new(urls, 2, 0, &(osc_format){.bundles = 1}, st, &o, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_null(o);
    ck_assert_msg(strstr(err, url) && strstr(err, expected), "'%s' lacks '%s'", err, expected);
    daemon_stats_free(st);
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
        messages_without_bundles_carry_their_time_and_a_prefix,
        subscribers_come_and_go,
    };
    return daemon_check_run("daemon osc", tests, 4, 30);
}
