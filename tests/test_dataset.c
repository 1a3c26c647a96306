/* test_dataset.c: finding labelled files in the IRMAS layouts and others,
 * what is reported and skipped, the refusals, and the split: by group,
 * per class, reproducible.
 */
#include "dataset.h"
#include "testdata.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static char root[512];

static void setup(void) { snprintf(root, sizeof root, "%s", tu_tmpdir("dataset")); }
static void teardown(void) { td_remove_tree(root); }

/* Scans the folders given (NULL-terminated) with classes and split_by. */
static irmas_status scan(dataset *d, const char *classes, const char *split_by,
                         int for_training, char *err, const char *first, ...)
{
    const char *dirs[8] = {first};
    int n = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *next; n < 8 && (next = va_arg(ap, const char *));)
        dirs[n++] = next;
    va_end(ap);
    dataset_options opt = {.dirs = dirs, .n_dirs = n, .classes = classes,
                           .split_by = split_by};
    return dataset_scan(d, &opt, for_training, err, 512);
}

/* scan() with what it printed on stderr copied into printed[size]. */
static irmas_status scan_printing(dataset *d, const char *classes,
                                  int for_training, char *err,
                                  const char *dir, char *printed, size_t size)
{
    fflush(stderr);
    int saved = dup(2);
    FILE *log = tmpfile();
    ck_assert_ptr_nonnull(log);
    dup2(fileno(log), 2);
    irmas_status st = scan(d, classes, NULL, for_training, err, dir, NULL);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(log);
    size_t got = fread(printed, 1, size - 1, log);
    printed[got] = '\0';
    fclose(log);
    return st;
}

static const dataset_item *find(const dataset *d, const char *name)
{
    for (int i = 0; i < d->n_items; i++) {
        const char *slash = strrchr(d->items[i].path, '/');
        if (!strcmp(slash ? slash + 1 : d->items[i].path, name))
            return &d->items[i];
    }
    ck_abort_msg("%s not found", name);
    return NULL;
}

static const char *label_of(const dataset *d, const char *name)
{
    return d->labels[find(d, name)->label];
}

START_TEST(irmas_training_names)
{
    td_touch(root, "train/pia/[pia][jaz_blu]1502__2.wav");
    td_touch(root, "train/pia/[pia][jaz_blu]1502__3.wav");
    td_touch(root, "train/cla/108__[cel][nod][cla]1386__1.wav");
    td_touch(root, "train/gel/[nod][gel]0001__1.wav");
    td_touch(root, "train/sax/plain take.wav");
    td_touch(root, "train/sax/.hidden.wav");
    td_touch(root, "train/sax/notes.md");
    dataset d;
    char err[512];
    ck_assert_int_eq(scan(&d, NULL, NULL, 1, err, td_path(root, "train"),
                          NULL), IRMAS_OK);
    ck_assert_int_eq(d.n_items, 5);
    ck_assert_int_eq(d.skipped, 0);
    ck_assert_int_eq(d.multi_label, 0);

    /* IRMAS's codes first, in IRMAS order. */
    ck_assert_int_eq(d.classes, 4);
    ck_assert_str_eq(d.labels[0], "cel");
    ck_assert_str_eq(d.labels[1], "gel");
    ck_assert_str_eq(d.labels[2], "pia");
    ck_assert_str_eq(d.labels[3], "sax");

    ck_assert_str_eq(label_of(&d, "[pia][jaz_blu]1502__2.wav"), "pia");
    ck_assert_str_eq(label_of(&d, "108__[cel][nod][cla]1386__1.wav"), "cel");
    ck_assert_str_eq(label_of(&d, "[nod][gel]0001__1.wav"), "gel");
    ck_assert_str_eq(label_of(&d, "plain take.wav"), "sax");

    ck_assert_str_eq(find(&d, "[pia][jaz_blu]1502__3.wav")->group, "1502");
    ck_assert_str_eq(find(&d, "108__[cel][nod][cla]1386__1.wav")->group,
                     "1386");
    ck_assert_str_eq(find(&d, "plain take.wav")->group, "plain take");
    ck_assert(find(&d, "[nod][gel]0001__1.wav")->label_mask == 1u << 1);

    for (int i = 1; i < d.n_items; i++)
        ck_assert_int_lt(strcmp(d.items[i - 1].path, d.items[i].path), 0);
    dataset_free(&d);
    dataset_free(&d);
}
END_TEST

START_TEST(classes_filter_and_order)
{
    td_touch(root, "pia/a1__1.wav");
    td_touch(root, "sax/b2__1.wav");
    td_touch(root, "voi/c3__1.wav");
    td_touch(root, "mine/d4__1.wav");
    dataset d;
    char err[512];
    ck_assert_int_eq(scan(&d, "sax, pia", NULL, 1, err, root, NULL),
                     IRMAS_OK);
    ck_assert_int_eq(d.classes, 2);
    ck_assert_str_eq(d.labels[0], "sax");
    ck_assert_str_eq(d.labels[1], "pia");
    ck_assert_int_eq(d.n_items, 2);
    ck_assert_int_eq(find(&d, "a1__1.wav")->label, 1);
    ck_assert_int_eq(d.skipped, 0); /* left out, not broken */
    dataset_free(&d);

    /* Labels outside IRMAS's come after its codes, sorted. */
    ck_assert_int_eq(scan(&d, NULL, NULL, 1, err, root, NULL), IRMAS_OK);
    ck_assert_int_eq(d.classes, 4);
    ck_assert_str_eq(d.labels[3], "mine");
    dataset_free(&d);

    ck_assert_int_ne(scan(&d, "pia,pia", NULL, 1, err, root, NULL), IRMAS_OK);
    ck_assert_ptr_nonnull(strstr(err, "twice"));

    /* A listed class without files would be trained without a word
     * unless warned of; a set to evaluate on may lack classes, and saying
     * the model will learn never to predict them would be wrong there. */
    char warned[4096];
    ck_assert_int_eq(scan_printing(&d, "sax,pia,gel", 1, err, root, warned,
                                   sizeof warned), IRMAS_OK);
    ck_assert_msg(strstr(warned, "warning: class 'gel' has no files"), "%s",
                  warned);
    ck_assert_ptr_null(strstr(warned, "'sax'"));
    dataset_free(&d);
    ck_assert_int_eq(scan_printing(&d, "sax,pia,gel", 0, err, root, warned,
                                   sizeof warned), IRMAS_OK);
    ck_assert_msg(warned[0] == '\0', "an evaluation scan printed: %s", warned);
    dataset_free(&d);
    /* A label OSC cannot carry is refused, named. */
    ck_assert_int_eq(scan(&d, "sax,p/a", NULL, 1, err, root, NULL),
                     IRMAS_ERR_ARG);
    ck_assert_msg(strstr(err, "label 'p/a'"), "%s", err);
    ck_assert_int_ne(scan(&d, ",", NULL, 1, err, root, NULL), IRMAS_OK);
}
END_TEST

START_TEST(testing_data_label_files)
{
    td_touch(root, "test/Part1/song-1.wav");
    td_text(root, "test/Part1/song-1.txt", "pia\t\n voi  \n\n");
    td_touch(root, "test/Part1/song-2.wav");
    td_text(root, "test/Part1/song-2.txt", "gel \r\n");
    td_touch(root, "test/Part1/odd.wav");
    td_text(root, "test/Part1/odd.txt", "pia\nkazoo\n");
    td_touch(root, "test/Part1/blank.wav");
    td_text(root, "test/Part1/blank.txt", " \n\t\n");
    dataset d;
    char err[512];
    const char *test = td_path(root, "test");

    td_capture_begin();
    irmas_status st = scan(&d, "pia,gel,voi", NULL, 0, err, test, NULL);
    const char *said = td_capture_end();
    ck_assert_int_eq(st, IRMAS_OK);
    ck_assert_int_eq(d.n_items, 2);
    ck_assert_int_eq(d.skipped, 2);
    ck_assert_int_eq(d.multi_label, 1);
    ck_assert_ptr_nonnull(strstr(said, "odd.wav: label 'kazoo'"));
    ck_assert_ptr_nonnull(strstr(said, "blank.txt: holds no labels"));

    const dataset_item *song = find(&d, "song-1.wav");
    ck_assert_int_eq(song->label, 0);
    ck_assert(song->label_mask == ((1u << 0) | (1u << 2)));
    ck_assert_str_eq(song->group, "song-1");
    ck_assert(find(&d, "song-2.wav")->label_mask == 1u << 1);
    dataset_free(&d);

    /* Without a class list every label found is a class. */
    td_capture_begin();
    st = scan(&d, NULL, NULL, 0, err, test, NULL);
    td_capture_end();
    ck_assert_int_eq(st, IRMAS_OK);
    ck_assert_int_eq(d.n_items, 3);
    ck_assert_int_eq(d.classes, 4);
    ck_assert_str_eq(d.labels[3], "kazoo");
    dataset_free(&d);
}
END_TEST

START_TEST(unreadable_label_file_is_skipped)
{
    td_touch(root, "a.wav");
    td_touch(root, "b.wav");
    td_text(root, "b.txt", "sax\n");
    mkdir(td_path(root, "a.txt"), 0755);
    dataset d;
    char err[512];
    td_capture_begin();
    irmas_status st = scan(&d, NULL, NULL, 0, err, root, NULL);
    const char *said = td_capture_end();
    ck_assert_int_eq(st, IRMAS_OK);
    ck_assert_int_eq(d.n_items, 1);
    ck_assert_int_eq(d.skipped, 1);
    ck_assert_ptr_nonnull(strstr(said, "a.txt"));
    dataset_free(&d);
}
END_TEST

START_TEST(refuses_empty_missing_and_single_class)
{
    dataset d;
    char err[512];
    const char *missing = td_path(root, "nowhere");
    ck_assert_int_eq(scan(&d, NULL, NULL, 1, err, missing, NULL),
                     IRMAS_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err, missing));

    const char *empty = td_path(root, "empty");
    mkdir(empty, 0755);
    ck_assert_int_eq(scan(&d, NULL, NULL, 1, err, empty, NULL),
                     IRMAS_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err, empty));
    ck_assert_ptr_nonnull(strstr(err, "no audio files"));

    td_touch(root, "one/pia/x__1.wav");
    const char *one = td_path(root, "one");
    ck_assert_int_eq(scan(&d, NULL, NULL, 1, err, one, NULL),
                     IRMAS_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err, "at least two classes"));
    ck_assert_int_eq(scan(&d, NULL, NULL, 0, err, one, NULL), IRMAS_OK);
    dataset_free(&d);

    /* Nothing left after the class list. */
    ck_assert_int_eq(scan(&d, "sax", NULL, 0, err, one, NULL),
                     IRMAS_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err, "no usable audio files"));

    /* Several folders add up; a file is not a folder. */
    td_touch(root, "two/sax/y__1.wav");
    ck_assert_int_eq(scan(&d, NULL, NULL, 1, err, one,
                          td_path(root, "two"), NULL), IRMAS_OK);
    ck_assert_int_eq(d.n_items, 2);
    dataset_free(&d);
    ck_assert_int_eq(scan(&d, NULL, NULL, 1, err,
                          td_path(root, "one/pia/x__1.wav"), NULL),
                     IRMAS_ERR_ARG);
}
END_TEST

START_TEST(split_by_rules)
{
    td_touch(root, "pia/song-1.wav");
    td_touch(root, "pia/song-2.wav");
    td_touch(root, "sax/other.wav");
    dataset d;
    char err[512];
    ck_assert_int_eq(scan(&d, NULL, "regex:^(.*)-[0-9]+\\.wav$", 1, err,
                          root, NULL), IRMAS_OK);
    ck_assert_str_eq(find(&d, "song-1.wav")->group, "song");
    ck_assert_str_eq(find(&d, "song-2.wav")->group, "song");
    ck_assert_ptr_nonnull(strstr(find(&d, "other.wav")->group, "sax/other.wav"));
    dataset_free(&d);

    ck_assert_int_eq(scan(&d, NULL, "file", 1, err, root, NULL), IRMAS_OK);
    ck_assert_str_ne(find(&d, "song-1.wav")->group,
                     find(&d, "song-2.wav")->group);
    dataset_free(&d);

    ck_assert_int_eq(scan(&d, NULL, "regex:song", 1, err, root, NULL),
                     IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "capture group"));
    ck_assert_int_eq(scan(&d, NULL, "regex:(", 1, err, root, NULL),
                     IRMAS_ERR_ARG);
    ck_assert_int_eq(scan(&d, NULL, "album", 1, err, root, NULL),
                     IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "album"));
}
END_TEST

/* 3 classes, 60 groups of 1 to 4 excerpts each. */
static void make_grouped_data(const char *where)
{
    static const char *const classes[] = {"cel", "flu", "vio"};
    tu_rng r;
    tu_seed(&r, 3);
    for (int g = 0; g < 60; g++)
        for (int e = 1, n = 1 + (int)(tu_next(&r) % 4); e <= n; e++) {
            char name[128];
            snprintf(name, sizeof name, "%s/[%s][cla]%04d__%d.wav",
                     classes[g % 3], classes[g % 3], g, e);
            td_touch(where, name);
        }
}

START_TEST(split_keeps_groups_whole_and_classes_balanced)
{
    make_grouped_data(root);
    dataset d;
    char err[512];
    ck_assert_int_eq(scan(&d, NULL, NULL, 1, err, root, NULL), IRMAS_OK);
    int *a = malloc((size_t)d.n_items * sizeof *a);
    int *b = malloc((size_t)d.n_items * sizeof *b);
    dataset_split(&d, 0.2, 0.2, 42, a);
    dataset_split(&d, 0.2, 0.2, 42, b);
    ck_assert_mem_eq(a, b, (size_t)d.n_items * sizeof *a);

    for (int i = 0; i < d.n_items; i++)
        for (int j = 0; j < d.n_items; j++)
            if (!strcmp(d.items[i].group, d.items[j].group))
                ck_assert_int_eq(a[i], a[j]);

    for (int c = 0; c < d.classes; c++) {
        int count[3] = {0}, total = 0;
        for (int i = 0; i < d.n_items; i++)
            if (d.items[i].label == c) {
                count[a[i]]++;
                total++;
            }
        for (int s = SPLIT_VALIDATION; s <= SPLIT_TEST; s++)
            ck_assert_msg(count[s] >= 0.1 * total && count[s] <= 0.3 * total,
                          "class %d split %d holds %d of %d", c, s, count[s],
                          total);
    }

    dataset_split(&d, 0.2, 0.2, 43, b);
    ck_assert(memcmp(a, b, (size_t)d.n_items * sizeof *a) != 0);
    dataset_split(&d, 0.0, 0.0, 42, b);
    for (int i = 0; i < d.n_items; i++) ck_assert_int_eq(b[i], SPLIT_TRAIN);
    free(a);
    free(b);
    dataset_free(&d);
}
END_TEST

/* The index packed by one process and unpacked by another is the same
 * index; cut short or damaged bytes are refused, never half read. */
START_TEST(index_packs_and_unpacks)
{
    td_touch(root, "train/pia/[pia][jaz_blu]1502__2.wav");
    td_touch(root, "train/cla/108__[cel][nod][cla]1386__1.wav");
    td_touch(root, "train/gel/[nod][gel]0001__1.wav");
    dataset d, back;
    char err[512];
    ck_assert_int_eq(scan(&d, NULL, NULL, 1, err, td_path(root, "train"),
                          NULL), IRMAS_OK);
    for (int i = 0; i < d.n_items; i++) d.items[i].seconds = 1.25f * (float)i;
    void *bytes;
    size_t size;
    ck_assert_int_eq(dataset_pack(&d, &bytes, &size), IRMAS_OK);
    ck_assert_int_eq(dataset_unpack(&back, bytes, size), IRMAS_OK);
    ck_assert_int_eq(back.classes, d.classes);
    ck_assert_int_eq(back.n_items, d.n_items);
    ck_assert_int_eq(back.skipped, d.skipped);
    for (int c = 0; c < d.classes; c++)
        ck_assert_str_eq(back.labels[c], d.labels[c]);
    for (int i = 0; i < d.n_items; i++) {
        ck_assert_str_eq(back.items[i].path, d.items[i].path);
        ck_assert_str_eq(back.items[i].group, d.items[i].group);
        ck_assert_int_eq(back.items[i].label, d.items[i].label);
        ck_assert(back.items[i].label_mask == d.items[i].label_mask);
        ck_assert(back.items[i].seconds == d.items[i].seconds);
    }
    dataset_free(&back);
    for (size_t cut = 0; cut < size; cut++) {
        ck_assert_int_eq(dataset_unpack(&back, bytes, cut), IRMAS_ERR_FORMAT);
        ck_assert_int_eq(back.n_items, 0);
    }
    free(bytes);
    dataset_free(&d);
}
END_TEST

/* Each file's length from its header; the empty one and the one that is
 * not audio at all count 0. */
START_TEST(lengths_come_from_the_headers)
{
    static float silence[8000 * 3];
    char path[1024];
    snprintf(path, sizeof path, "%s/train/pia/[pia][nod]1__1.wav", root);
    td_touch(root, "train/pia/[pia][nod]1__1.wav");
    ck_assert_int_eq(tu_write_wav(path, silence, 8000 * 3 / 2, 2, 8000), 0);
    td_touch(root, "train/cla/[cla][nod]2__1.wav");
    td_touch(root, "train/cla/[cla][nod]3__1.wav");
    snprintf(path, sizeof path, "%s/train/cla/[cla][nod]3__1.wav", root);
    ck_assert_int_eq(tu_write_wav(path, silence, 8000 * 3, 1, 8000), 0);
    dataset d;
    char err[512];
    ck_assert_int_eq(scan(&d, NULL, NULL, 1, err, td_path(root, "train"),
                          NULL), IRMAS_OK);
    dataset_measure(&d);
    ck_assert_int_eq(d.n_items, 3);
    /* In name order: cla/2 (empty), cla/3 (3 s), pia/1 (1.5 s stereo). */
    ck_assert(d.items[0].seconds == 0.0f);
    ck_assert(fabsf(d.items[1].seconds - 3.0f) < 1e-6f);
    ck_assert(fabsf(d.items[2].seconds - 1.5f) < 1e-6f);
    dataset_free(&d);
}
END_TEST

/* The parts cover every item once, in order, each about as long as the
 * others; unmeasured items are shared out by count. */
START_TEST(shares_are_contiguous_and_balanced)
{
    static const float lengths[] = {30, 1, 1, 1, 2, 20, 3, 3, 3, 3, 9, 4};
    enum { ITEMS = sizeof lengths / sizeof *lengths };
    dataset_item items[ITEMS] = {0};
    dataset d = {.items = items, .n_items = ITEMS};
    double total = 0.0;
    for (int i = 0; i < ITEMS; i++) total += items[i].seconds = lengths[i];
    for (int parts = 1; parts <= 5; parts++) {
        int next = 0;
        for (int part = 0; part < parts; part++) {
            int first, count = dataset_share(&d, parts, part, &first);
            double seconds = 0.0;
            if (count > 0) ck_assert_int_eq(first, next);
            for (int i = 0; i < count; i++) seconds += lengths[first + i];
            next += count;
            /* An item goes where its middle falls: a part is off its
             * fair length by at most the longest item. */
            ck_assert_msg(fabs(seconds - total / parts) <= 30.0,
                          "%d parts: part %d plays %g s", parts, part,
                          seconds);
        }
        ck_assert_int_eq(next, ITEMS);
    }
    for (int i = 0; i < ITEMS; i++) items[i].seconds = 0.0f;
    int first, count = dataset_share(&d, 3, 1, &first);
    ck_assert_int_eq(first, 4);
    ck_assert_int_eq(count, 4);
}
END_TEST

static Suite *dataset_suite(void)
{
    Suite *s = suite_create("dataset");
    TCase *tc = tcase_create("dataset");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, irmas_training_names);
    tcase_add_test(tc, index_packs_and_unpacks);
    tcase_add_test(tc, lengths_come_from_the_headers);
    tcase_add_test(tc, shares_are_contiguous_and_balanced);
    tcase_add_test(tc, classes_filter_and_order);
    tcase_add_test(tc, testing_data_label_files);
    tcase_add_test(tc, unreadable_label_file_is_skipped);
    tcase_add_test(tc, refuses_empty_missing_and_single_class);
    tcase_add_test(tc, split_by_rules);
    tcase_add_test(tc, split_keeps_groups_whole_and_classes_balanced);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(dataset_suite());
}
