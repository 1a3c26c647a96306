/* test_lv2.c: the LV2 plugin hosted through lilv, as a DAW would host it:
 * found in the built bundle, instantiated at 48 kHz with a worker, fed a
 * rendered piano phrase block by block (64 and 1024 frames): the audio
 * passes through unchanged, the probability outputs sum to 1 and piano is
 * on top; a model set by patch:Set loads on the worker and is announced on
 * the notify port; a model that does not load leaves the old one running;
 * the model's path survives state save and restore; run() allocates
 * nothing, with the model given or with the plugin's default, the model
 * running on the worker; audio the worker falls too far behind on is
 * counted and logged, and the windows go on after the gap; and at the
 * model's own rate every window's probabilities equal the engine's stream
 * on the same samples.
 *
 *     test_lv2 LV2_PATH IRMAS_SYNTH MODEL
 */
#include "alloc_count.h"
#include "host_tagger.h"
#include "stream.h"
#include "testutil.h"

#include <check.h>
#include <lilv/lilv.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/log/log.h>
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>
#include <math.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define URI "urn:irmasd:lv2:tagger"
#define CLASSES 11
#define PIANO 6
#define NOTIFY_CAPACITY 4096

static const char *bundle_path, *synth_tool, *model_path;
static char scratch[512];

/* ---- a small host: URIDs, a worker run between blocks ---- */

static char *urid_names[256];
static int urid_count;

static LV2_URID map_uri(LV2_URID_Map_Handle handle, const char *uri)
{
    (void)handle;
    for (int i = 0; i < urid_count; i++)
        if (!strcmp(urid_names[i], uri)) return (LV2_URID)(i + 1);
    urid_names[urid_count] = strdup(uri);
    return (LV2_URID)++urid_count;
}

typedef struct {
    uint32_t size;
    unsigned char data[2048];
} work_item;

static work_item work_queue[16], response_queue[16];
static int work_count, response_count;

static LV2_Worker_Status schedule(LV2_Worker_Schedule_Handle h, uint32_t size,
                                  const void *data)
{
    (void)h;
    /* As a host's full queue answers (no Check assertion: run() calls
     * this, and they allocate). */
    if (size > sizeof work_queue[0].data || work_count == 16)
        return LV2_WORKER_ERR_NO_SPACE;
    work_queue[work_count].size = size;
    memcpy(work_queue[work_count++].data, data, size);
    return LV2_WORKER_SUCCESS;
}

static LV2_Worker_Status respond(LV2_Worker_Respond_Handle h, uint32_t size,
                                 const void *data)
{
    (void)h;
    response_queue[response_count].size = size;
    memcpy(response_queue[response_count++].data, data, size);
    return LV2_WORKER_SUCCESS;
}

/* The plugin's log, kept: what a host shows its user. */
static char logged[8192];

static int log_vprintf(LV2_Log_Handle h, LV2_URID type, const char *fmt, va_list ap)
{
    (void)h, (void)type;
    size_t used = strlen(logged);
    return vsnprintf(logged + used, sizeof logged - used, fmt, ap);
}

static int log_printf(LV2_Log_Handle h, LV2_URID type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = log_vprintf(h, type, fmt, ap);
    va_end(ap);
    return n;
}

static LV2_URID_Map map = {NULL, map_uri};
static LV2_Worker_Schedule worker_schedule = {NULL, schedule};
static LV2_Log_Log log_feature_data = {NULL, log_printf, log_vprintf};
static const LV2_Feature map_feature = {LV2_URID__map, &map};
static const LV2_Feature schedule_feature = {LV2_WORKER__schedule, &worker_schedule};
static const LV2_Feature log_feature = {LV2_LOG__log, &log_feature_data};
static const LV2_Feature *features[] = {&map_feature, &schedule_feature, &log_feature,
                                        NULL};

/* A plugin instance with its buffers. */
typedef struct {
    LilvWorld *world;
    LilvInstance *instance;
    const LV2_Worker_Interface *worker;
    const LV2_State_Interface *state;
    float in[1024], out[1024];
    float smooth, gate, top, top_probability, probs[CLASSES];
    /* Atom buffers, 64-bit aligned as LV2 requires. */
    union {
        LV2_Atom_Sequence seq;
        unsigned char bytes[NOTIFY_CAPACITY];
        uint64_t align;
    } control, notify;
    LV2_Atom_Forge forge;
} host;

/* What the worker does between two run() calls in a real host, here in
 * this thread: every job, then every answer. */
static void run_worker(host *h)
{
    while (work_count || response_count) {
        for (int i = 0; i < work_count; i++)
            h->worker->work(lilv_instance_get_handle(h->instance), respond, NULL,
                            work_queue[i].size, work_queue[i].data);
        work_count = 0;
        int n = response_count;
        response_count = 0;
        for (int i = 0; i < n; i++)
            h->worker->work_response(lilv_instance_get_handle(h->instance),
                                     response_queue[i].size, response_queue[i].data);
    }
}

/* Starts an empty control sequence (forge ready for events). */
static void control_begin(host *h)
{
    lv2_atom_forge_set_buffer(&h->forge, h->control.bytes, sizeof h->control);
    LV2_Atom_Forge_Frame frame;
    lv2_atom_forge_sequence_head(&h->forge, &frame, 0);
    lv2_atom_forge_pop(&h->forge, &frame);
}

/* Puts patch:Set irmas:model PATH in the control sequence. */
static void control_set_model(host *h, const char *path)
{
    lv2_atom_forge_set_buffer(&h->forge, h->control.bytes, sizeof h->control);
    LV2_Atom_Forge_Frame seq, obj;
    lv2_atom_forge_sequence_head(&h->forge, &seq, 0);
    lv2_atom_forge_frame_time(&h->forge, 0);
    lv2_atom_forge_object(&h->forge, &obj, 0, map_uri(NULL, LV2_PATCH__Set));
    lv2_atom_forge_key(&h->forge, map_uri(NULL, LV2_PATCH__property));
    lv2_atom_forge_urid(&h->forge, map_uri(NULL, URI "#model"));
    lv2_atom_forge_key(&h->forge, map_uri(NULL, LV2_PATCH__value));
    lv2_atom_forge_path(&h->forge, path, (uint32_t)strlen(path));
    lv2_atom_forge_pop(&h->forge, &obj);
    lv2_atom_forge_pop(&h->forge, &seq);
}

/* The model path the plugin announced on notify in the last run, or NULL. */
static const char *announced_model(host *h)
{
    LV2_ATOM_SEQUENCE_FOREACH (&h->notify.seq, ev) {
        if (ev->body.type != map_uri(NULL, LV2_ATOM__Object)) continue;
        const LV2_Atom_Object *obj = (const LV2_Atom_Object *)&ev->body;
        const LV2_Atom *value = NULL;
        lv2_atom_object_get(obj, map_uri(NULL, LV2_PATCH__value), &value, 0);
        if (obj->body.otype == map_uri(NULL, LV2_PATCH__Set) && value)
            return LV2_ATOM_BODY_CONST(value);
    }
    return NULL;
}

static host *host_new(double rate)
{
    host *h = calloc(1, sizeof *h);
    setenv("LV2_PATH", bundle_path, 1);
    h->world = lilv_world_new();
    lilv_world_load_all(h->world);
    LilvNode *uri = lilv_new_uri(h->world, URI);
    const LilvPlugin *plugin =
        lilv_plugins_get_by_uri(lilv_world_get_all_plugins(h->world), uri);
    lilv_node_free(uri);
    ck_assert_msg(plugin != NULL, "no plugin %s in %s", URI, bundle_path);
    h->instance = lilv_plugin_instantiate(plugin, rate, features);
    ck_assert_msg(h->instance != NULL, "the plugin did not instantiate");
    h->worker = lilv_instance_get_extension_data(h->instance, LV2_WORKER__interface);
    h->state = lilv_instance_get_extension_data(h->instance, LV2_STATE__interface);
    ck_assert_ptr_nonnull(h->worker);
    ck_assert_ptr_nonnull(h->state);
    lv2_atom_forge_init(&h->forge, &map);
    h->smooth = 0.0f;
    h->gate = -60.0f;
    LilvInstance *in = h->instance;
    lilv_instance_connect_port(in, 0, h->in);
    lilv_instance_connect_port(in, 1, h->out);
    lilv_instance_connect_port(in, 2, &h->control);
    lilv_instance_connect_port(in, 3, &h->notify);
    lilv_instance_connect_port(in, 4, &h->smooth);
    lilv_instance_connect_port(in, 5, &h->gate);
    lilv_instance_connect_port(in, 6, &h->top);
    lilv_instance_connect_port(in, 7, &h->top_probability);
    for (int c = 0; c < CLASSES; c++)
        lilv_instance_connect_port(in, 8 + (uint32_t)c, &h->probs[c]);
    lilv_instance_activate(in);
    control_begin(h);
    return h;
}

/* One run() of n frames from x, as the audio thread runs it. */
static void host_run_alone(host *h, const float *x, uint32_t n)
{
    memcpy(h->in, x, n * sizeof *x);
    h->notify.seq.atom.size = NOTIFY_CAPACITY - sizeof(LV2_Atom);
    h->notify.seq.atom.type = 0;
    lilv_instance_run(h->instance, n);
    control_begin(h);
    ck_assert_int_eq(memcmp(h->in, h->out, n * sizeof *x), 0);
}

/* One run() of n frames from x, the worker after it. */
static void host_run(host *h, const float *x, uint32_t n)
{
    host_run_alone(h, x, n);
    run_worker(h);
}

static void host_free(host *h)
{
    lilv_instance_deactivate(h->instance);
    lilv_instance_free(h->instance);
    lilv_world_free(h->world);
    free(h);
}

/* ---- audio ---- */

/* A 9 s piano phrase rendered at rate; mono samples, *frames of them. */
static float *piano_phrase(int rate, long *frames)
{
    char command[4096], out[600];
    snprintf(out, sizeof out, "%s/piano%d", scratch, rate);
    snprintf(command, sizeof command,
             "%s --out %s --per-class 1 --classes pia --seed 7 --accompaniment 0 "
             "--augment none --seconds 9 --excerpts 1 --rate %d --soundfont "
             "/usr/share/sounds/sf2/FluidR3_GM.sf2 >/dev/null 2>&1 && "
             "ls %s/pia/*.wav > %s/list",
             synth_tool, out, rate, out, out);
    ck_assert_int_eq(system(command), 0);
    char list[700], path[1024];
    snprintf(list, sizeof list, "%s/list", out);
    FILE *f = fopen(list, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(path, sizeof path, f));
    fclose(f);
    path[strcspn(path, "\n")] = '\0';
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    ck_assert_ptr_nonnull(sf);
    float *x = malloc((size_t)info.frames * (size_t)info.channels * sizeof *x);
    sf_readf_float(sf, x, info.frames);
    sf_close(sf);
    for (long i = 0; i < info.frames; i++) {
        float sum = 0;
        for (int c = 0; c < info.channels; c++) sum += x[i * info.channels + c];
        x[i] = sum / (float)info.channels;
    }
    *frames = info.frames;
    return x;
}

/* ---- tests ---- */

static void setup(void) { snprintf(scratch, sizeof scratch, "%s", tu_tmpdir("lv2")); }
static void teardown(void) { tu_remove_tree(scratch); }

/* Runs the phrase through a 48 kHz instance in blocks of block frames:
 * outputs sum to 1 at every change, and piano is on top in most windows
 * (the shipped model hears the last two, the final chord dying away, as
 * organ: irmas-tag says the same of the file). */
static void piano_in_blocks(uint32_t block)
{
    long frames;
    float *x = piano_phrase(48000, &frames);
    host *h = host_new(48000);
    control_set_model(h, model_path);
    host_run(h, x, block);
    int windows = 0, piano = 0;
    float last_top = h->top, last_p = h->top_probability;
    for (long at = block; at + block <= frames; at += block) {
        host_run(h, x + at, block);
        if (h->top == last_top && h->top_probability == last_p) continue;
        last_top = h->top;
        last_p = h->top_probability;
        windows++;
        double sum = 0;
        for (int c = 0; c < CLASSES; c++) sum += h->probs[c];
        ck_assert_msg(fabs(sum - 1.0) < 1e-4, "probabilities sum to %f", sum);
        ck_assert_float_eq(h->probs[(int)h->top], h->top_probability);
        piano += h->top == PIANO;
    }
    ck_assert_msg(windows >= 10, "%d windows in 9 s", windows);
    ck_assert_msg(piano > windows / 2, "piano on top in %d of %d windows", piano,
                  windows);
    host_free(h);
    free(x);
}

START_TEST(piano_in_blocks_of_64)
{
    piano_in_blocks(64);
}
END_TEST

START_TEST(piano_in_blocks_of_1024)
{
    piano_in_blocks(1024);
}
END_TEST

START_TEST(a_stereo_pair_passes_through_and_is_mixed)
{
    long frames;
    float *x = piano_phrase(48000, &frames);
    host *mono = host_new(48000), *stereo = host_new(48000);
    float right_in[1024], right_out[1024];
    lilv_instance_connect_port(stereo->instance, 19, right_in);
    lilv_instance_connect_port(stereo->instance, 20, right_out);
    control_set_model(mono, model_path);
    control_set_model(stereo, model_path);
    for (long at = 0; at + 1024 <= frames; at += 1024) {
        memcpy(right_in, x + at, sizeof right_in);
        host_run(mono, x + at, 1024);
        host_run(stereo, x + at, 1024);
        ck_assert_int_eq(memcmp(right_in, right_out, sizeof right_in), 0);
    }
    /* Both sides alike: the mix is the mono signal. */
    ck_assert_float_eq(stereo->top, mono->top);
    ck_assert_float_eq_tol(stereo->top_probability, mono->top_probability, 1e-6);
    host_free(mono);
    host_free(stereo);
    free(x);
}
END_TEST

/* The state store and retrieve of the host: one value, a path. */
static LV2_State_Status store(LV2_State_Handle handle, uint32_t key, const void *value,
                       size_t size, uint32_t type, uint32_t flags)
{
    (void)key, (void)type, (void)flags;
    ck_assert_uint_lt(size, 2048);
    memcpy(handle, value, size);
    return LV2_STATE_SUCCESS;
}

static const void *retrieve(LV2_State_Handle handle, uint32_t key, size_t *size,
                     uint32_t *type, uint32_t *flags)
{
    (void)key;
    *size = strlen(handle) + 1;
    *type = map_uri(NULL, LV2_ATOM__Path);
    *flags = LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE;
    return handle;
}

START_TEST(a_model_is_set_announced_kept_and_restored)
{
    float silence[256] = {0};
    host *h = host_new(48000);
    control_set_model(h, model_path);
    host_run(h, silence, 256); /* schedules the load; the worker swaps it in */
    host_run(h, silence, 256); /* announces it */
    ck_assert_ptr_nonnull(announced_model(h));
    ck_assert_str_eq(announced_model(h), model_path);

    /* A file that is no model: the old one stays and keeps running. */
    char bad[700];
    snprintf(bad, sizeof bad, "%s/not-a-model.irm", scratch);
    FILE *f = fopen(bad, "w");
    fputs("not a model", f);
    fclose(f);
    control_set_model(h, bad);
    host_run(h, silence, 256);
    host_run(h, silence, 256);
    ck_assert_ptr_null(announced_model(h));

    /* Save the state, and restore it into a new instance. */
    static char saved[2048];
    ck_assert_int_eq(h->state->save(lilv_instance_get_handle(h->instance), store,
                                    saved, 0, NULL),
                     LV2_STATE_SUCCESS);
    ck_assert_str_eq(saved, model_path);
    host *restored = host_new(44100);
    ck_assert_int_eq(restored->state->restore(lilv_instance_get_handle(restored->instance),
                                              retrieve, saved, 0, NULL),
                     LV2_STATE_SUCCESS);
    host_run(restored, silence, 256);
    ck_assert_ptr_nonnull(announced_model(restored));
    ck_assert_str_eq(announced_model(restored), model_path);
    host_free(restored);
    host_free(h);
}
END_TEST

/* The number of times needle occurs in text. */
static int occurrences(const char *text, const char *needle)
{
    int n = 0;
    for (const char *at = strstr(text, needle); at; at = strstr(at + 1, needle)) n++;
    return n;
}

/* A worker that falls more than the ring's 4 s behind: what did not fit
 * is counted and logged once, in whole blocks, and the windows go on after
 * the gap. */
START_TEST(audio_the_worker_falls_behind_on_is_counted_and_logged)
{
    long frames;
    float *x = piano_phrase(48000, &frames);
    host *h = host_new(48000);
    control_set_model(h, model_path);
    host_run(h, x, 1024);
    logged[0] = '\0';
    long written = 0;
    for (long at = 0; at + 1024 <= frames; at += 1024, written += 1024)
        host_run_alone(h, x + at, 1024); /* the worker does not run */
    run_worker(h);
    const char *report = strstr(logged, "irmas: ");
    long long lost = 0;
    ck_assert_msg(report && sscanf(report, "irmas: %lld frames of audio lost in all",
                                   &lost) == 1,
                  "logged: %s", logged);
    printf("%ld frames written with the worker stopped, %lld lost: %s", written, lost,
           report);
    ck_assert_int_gt(lost, 0);
    ck_assert_int_lt(lost, written);
    ck_assert_int_eq(lost % 1024, 0);

    int windows = 0;
    float last = h->top_probability;
    for (long at = 0; at + 1024 <= frames; at += 1024) {
        host_run(h, x + at, 1024);
        windows += h->top_probability != last;
        last = h->top_probability;
    }
    ck_assert_msg(windows >= 10, "%d windows in 9 s after the gap", windows);
    ck_assert_int_eq(occurrences(logged, "lost in all"), 1);
    host_free(h);
    free(x);
}
END_TEST

/* run() allocates nothing with the model given (_i 0) or with the
 * plugin's own default, the default model, when none is set (_i 1). */
START_TEST(run_allocates_nothing)
{
    long frames;
    float *x = piano_phrase(48000, &frames);
    host *h = host_new(48000);
    if (_i == 0) control_set_model(h, model_path);
    host_run(h, x, 64); /* the model loads and is swapped in */
    host_run(h, x + 64, 64);
    /* Only run() is counted: the host's worker, which classifies, may
     * allocate. No Check assertion inside (they allocate in fork mode). */
    long allocations = 0, windows = 0;
    float last = h->top_probability;
    for (long at = 128; at + 64 <= frames; at += 64) {
        memcpy(h->in, x + at, 64 * sizeof *x);
        h->notify.seq.atom.size = NOTIFY_CAPACITY - sizeof(LV2_Atom);
        alloc_count_start();
        lilv_instance_run(h->instance, 64);
        allocations += alloc_count_stop();
        windows += h->top_probability != last;
        last = h->top_probability;
        control_begin(h);
        run_worker(h);
    }
    ck_assert_int_ge(windows, 10);
    ck_assert_msg(allocations == 0, "run() allocated %ld times in %ld windows",
                  allocations, windows);
    host_free(h);
    free(x);
}
END_TEST

/* The engine's stream on the same samples: its windows in order. */
static float engine_probs[64][CLASSES];
static int engine_windows;

static void on_engine_window(void *user, const float *probs, long long end)
{
    (void)user, (void)end;
    if (engine_windows < 64) memcpy(engine_probs[engine_windows], probs, sizeof engine_probs[0]);
    engine_windows++;
}

START_TEST(at_the_model_rate_it_equals_the_engine)
{
    long frames;
    float *x = piano_phrase(44100, &frames);
    irmas_model *m = NULL;
    char err[1024];
    ck_assert_int_eq(host_tagger_load(model_path, &m, err, sizeof err), IRMAS_OK);
    irmas_stream *s = NULL;
    ck_assert_int_eq(irmas_stream_new(m, (int)(0.5 * m->sample_rate + 0.5), &s, err, sizeof err),
                     IRMAS_OK);
    engine_windows = 0;
    irmas_stream_push(s, x, frames, on_engine_window, NULL);
    host *h = host_new(44100);
    float silence[512] = {0};
    control_set_model(h, model_path);
    host_run(h, silence, 512);
    /* The host starts its transport again: the windows start with it. */
    lilv_instance_deactivate(h->instance);
    lilv_instance_activate(h->instance);
    int k = 0;
    float last_p = h->top_probability;
    double worst = 0;
    for (long at = 0; at + 512 <= frames; at += 512) {
        host_run(h, x + at, 512);
        if (h->top_probability == last_p) continue;
        last_p = h->top_probability;
        ck_assert_int_lt(k, engine_windows);
        for (int c = 0; c < CLASSES; c++)
            worst = fmax(worst, fabs(h->probs[c] - engine_probs[k][c]));
        k++;
    }
    printf("44.1 kHz: %d windows, largest difference from the engine %.2e\n", k, worst);
    ck_assert_int_ge(k, engine_windows - 1);
    ck_assert_msg(worst < 1e-5, "the plugin differs from the engine by %g", worst);
    host_free(h);
    irmas_stream_free(s);
    irmas_model_free(m);
    free(x);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: test_lv2 LV2_PATH IRMAS_SYNTH MODEL\n");
        return 2;
    }
    bundle_path = argv[1];
    synth_tool = argv[2];
    model_path = argv[3];
    Suite *s = suite_create("lv2");
    TCase *tc = tcase_create("lv2");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, piano_in_blocks_of_64);
    tcase_add_test(tc, piano_in_blocks_of_1024);
    tcase_add_test(tc, a_stereo_pair_passes_through_and_is_mixed);
    tcase_add_test(tc, a_model_is_set_announced_kept_and_restored);
    tcase_add_test(tc, at_the_model_rate_it_equals_the_engine);
    tcase_add_test(tc, audio_the_worker_falls_behind_on_is_counted_and_logged);
    tcase_add_loop_test(tc, run_allocates_nothing, 0, 2);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
