/* dataset.c: finding labelled audio files on disk, and splitting them.
 *
 * dataset_scan works in four passes over the folders it is given:
 *   1. walk every folder (recursively, hidden entries skipped) and collect
 *      the audio files, sorted by path so the order never depends on the
 *      file system;
 *   2. label each file: from x.txt beside x.wav when there is one (one label
 *      a line), else from the first bracketed code in its name that is a
 *      known label (IRMAS's 11 codes, the --classes list, or the name of a
 *      folder holding audio), else from its folder's name;
 *   3. fix the classes: the --classes list in its order, or every label that
 *      has files with IRMAS's codes first in IRMAS order and the rest sorted;
 *   4. keep the files whose labels are classes, each with its group.
 * A file that cannot be used is reported on stderr by name and counted in
 * skipped; only a data set with nothing usable in it is an error.
 *
 * dataset_split is in dataset_split.c.
 */
#include "dataset.h"

#include "audio_file.h"
#include "bytes.h"
#include "classes.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>


static const char *const audio_extensions[] = {
    ".wav", ".flac", ".aif", ".aiff", ".ogg", ".mp3",
};
#define AUDIO_EXTENSIONS \
    (int)(sizeof audio_extensions / sizeof audio_extensions[0])

/* A growing list of owned strings. */
typedef struct {
    char **names;
    int n, capacity;
} name_list;

static int name_list_find(const name_list *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->names[i], name)) return i;
    return -1;
}

static int name_list_add(name_list *l, const char *name)
{
    if (l->n == l->capacity) {
        int capacity = l->capacity ? 2 * l->capacity : 16;
        char **grown = realloc(l->names, (size_t)capacity * sizeof *grown);
        if (!grown) return -1;
        l->names = grown;
        l->capacity = capacity;
    }
    if (!(l->names[l->n] = strdup(name))) return -1;
    return l->n++;
}

/* Adds name unless it is there; -1 only when out of memory. */
static int name_list_add_unique(name_list *l, const char *name)
{
    int found = name_list_find(l, name);
    return found >= 0 ? found : name_list_add(l, name);
}

static void name_list_free(name_list *l)
{
    for (int i = 0; i < l->n; i++) free(l->names[i]);
    free(l->names);
    memset(l, 0, sizeof *l);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Says on stderr why a file is passed over, and counts it. */
static void report(int *skipped, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void report(int *skipped, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    ++*skipped;
}

/* ---- pass 1: the walk ---- */

static int is_audio_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name) return 0;
    for (int i = 0; i < AUDIO_EXTENSIONS; i++)
        if (!strcasecmp(dot, audio_extensions[i])) return 1;
    return 0;
}

static char *path_join(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    if (!path) return NULL;
    int slash = dir[0] && dir[strlen(dir) - 1] == '/';
    snprintf(path, len, "%s%s%s", dir, slash ? "" : "/", name);
    return path;
}

/* Adds the audio files under dir to files. Anything named like audio goes
 * in (a folder named x.wav too: reading it then fails by name). */
static irmas_status walk(const char *dir, name_list *files, int *skipped)
{
    DIR *d = opendir(dir);
    if (!d) {
        report(skipped, "%s: cannot open folder: %s; skipped", dir,
               strerror(errno));
        return IRMAS_OK;
    }
    irmas_status st = IRMAS_OK;
    struct dirent *e;
    while (!st && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *path = path_join(dir, e->d_name);
        if (!path) {
            st = IRMAS_ERR_NOMEM;
            break;
        }
        struct stat info;
        if (is_audio_name(e->d_name)) {
            if (name_list_add(files, path) < 0) st = IRMAS_ERR_NOMEM;
        } else if (stat(path, &info) == 0 && S_ISDIR(info.st_mode)) {
            st = walk(path, files, skipped);
        }
        free(path);
    }
    closedir(d);
    return st;
}

/* ---- pass 2: labels ---- */

/* The file name at the end of path. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The length of name without its extension. */
static size_t stem_length(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && dot != name ? (size_t)(dot - name) : strlen(name);
}

/* The name of the folder holding path ("pia" for "data/pia/x.wav") into
 * out; empty when path names none, or only "." or "..". */
static void folder_name(const char *path, char *out, size_t size)
{
    size_t end = (size_t)(base_name(path) - path);
    while (end > 0 && path[end - 1] == '/') end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/') start--;
    const char *name = path + start;
    int len = (int)(end - start);
    if ((len == 1 && name[0] == '.') || (len == 2 && !strncmp(name, "..", 2)))
        len = 0;
    snprintf(out, size, "%.*s", len, name);
}

/* x.txt beside x.wav, or NULL when out of memory. */
static char *label_file_path(const char *audio_path)
{
    size_t keep = (size_t)(base_name(audio_path) - audio_path) +
                  stem_length(base_name(audio_path));
    char *txt = malloc(keep + 5);
    if (txt) snprintf(txt, keep + 5, "%.*s.txt", (int)keep, audio_path);
    return txt;
}

/* What a file is labelled with before the classes are known. */
typedef struct {
    char *path;
    name_list labels; /* the first is the primary one */
    int from_label_file;
} candidate;

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

/* Reads one label a line from txt; returns 0, 1 after reporting why the
 * file is unusable, or -1 when out of memory. */
static int read_label_file(const char *txt, name_list *labels, int *skipped)
{
    FILE *f = fopen(txt, "r");
    if (!f) {
        report(skipped, "%s: cannot read labels: %s; its audio is skipped",
               txt, strerror(errno));
        return 1;
    }
    char line[256];
    int bad = 0;
    while (!bad && fgets(line, sizeof line, f)) {
        char *label = trim(line);
        if (!*label) continue;
        if (strlen(label) >= MODEL_LABEL_MAX) {
            report(skipped, "%s: label '%s' is too long; its audio is skipped",
                   txt, label);
            bad = 1;
        } else if (name_list_add_unique(labels, label) < 0) {
            bad = -1;
        }
    }
    if (!bad && ferror(f)) {
        report(skipped, "%s: cannot read labels: %s; its audio is skipped",
               txt, strerror(errno));
        bad = 1;
    }
    fclose(f);
    if (!bad && labels->n == 0) {
        report(skipped, "%s: holds no labels; its audio is skipped", txt);
        bad = 1;
    }
    return bad;
}

/* The first bracketed code in name that is a known label, into out. */
static int bracket_label(const char *name, const name_list *known, char *out)
{
    for (const char *open = strchr(name, '['); open;
         open = strchr(open + 1, '[')) {
        const char *close = strchr(open, ']');
        if (!close) break;
        size_t len = (size_t)(close - open - 1);
        if (len == 0 || len >= MODEL_LABEL_MAX) continue;
        snprintf(out, MODEL_LABEL_MAX, "%.*s", (int)len, open + 1);
        if (name_list_find(known, out) >= 0) return 1;
    }
    return 0;
}

/* Labels c from its name or folder; returns 0, 1 after reporting why it
 * has no label, or -1 when out of memory. */
static int label_from_name(candidate *c, const name_list *known,
                           int *skipped)
{
    char label[MODEL_LABEL_MAX], folder[4096];
    folder_name(c->path, folder, sizeof folder);
    if (!bracket_label(base_name(c->path), known, label)) {
        if (!folder[0] || strlen(folder) >= MODEL_LABEL_MAX) {
            report(skipped, "%s: no label: no .txt label file beside it, no "
                   "label in brackets in its name, and its folder's name "
                   "'%s' is not one (1 to %d bytes); skipped",
                   c->path, folder, MODEL_LABEL_MAX - 1);
            return 1;
        }
        strcpy(label, folder);
    }
    return name_list_add(&c->labels, label) < 0 ? -1 : 0;
}

/* The labels known before any file is labelled: IRMAS's codes, the class
 * list, and the folders holding audio without a label file. */
static irmas_status known_labels(const name_list *files,
                                 const name_list *class_list,
                                 name_list *known)
{
    for (int i = 0; i < CLASSES_IRMAS; i++)
        if (name_list_add_unique(known, classes_code(i)) < 0)
            return IRMAS_ERR_NOMEM;
    for (int i = 0; i < class_list->n; i++)
        if (name_list_add_unique(known, class_list->names[i]) < 0)
            return IRMAS_ERR_NOMEM;
    for (int i = 0; i < files->n; i++) {
        char folder[4096];
        folder_name(files->names[i], folder, sizeof folder);
        if (folder[0] && strlen(folder) < MODEL_LABEL_MAX &&
            name_list_add_unique(known, folder) < 0)
            return IRMAS_ERR_NOMEM;
    }
    return IRMAS_OK;
}

static void candidates_free(candidate *c, int n)
{
    for (int i = 0; i < n; i++) {
        free(c[i].path);
        name_list_free(&c[i].labels);
    }
    free(c);
}

/* Labels the file at path, which c takes over; returns 0, 1 after
 * reporting why it has no label (c is then empty), or -1 when out of
 * memory. */
static int label_file(candidate *c, char *path, const name_list *known,
                      int *skipped)
{
    char *txt = label_file_path(path);
    if (!txt) {
        free(path);
        return -1;
    }
    struct stat info;
    c->path = path;
    c->from_label_file = stat(txt, &info) == 0;
    int bad = c->from_label_file ? read_label_file(txt, &c->labels, skipped)
                                 : label_from_name(c, known, skipped);
    free(txt);
    if (bad) {
        free(c->path);
        name_list_free(&c->labels);
        memset(c, 0, sizeof *c);
    }
    return bad;
}

/* Labels every file; unusable ones are reported and left out. */
static irmas_status label_files(name_list *files, const name_list *class_list,
                                candidate **out, int *n_out, int *skipped)
{
    name_list known = {0};
    candidate *c = calloc((size_t)files->n + 1, sizeof *c);
    irmas_status st = c ? known_labels(files, class_list, &known)
                        : IRMAS_ERR_NOMEM;
    int n = 0;
    for (int i = 0; !st && i < files->n; i++) {
        int bad = label_file(&c[n], files->names[i], &known, skipped);
        files->names[i] = NULL;
        if (bad < 0) st = IRMAS_ERR_NOMEM;
        if (!bad) n++;
    }
    name_list_free(&known);
    if (st) {
        candidates_free(c, n);
        return st;
    }
    *out = c;
    *n_out = n;
    return IRMAS_OK;
}

/* ---- pass 3: the classes ---- */

static irmas_status parse_class_list(const char *text, name_list *out,
                                     char *err, size_t errlen)
{
    char *copy = strdup(text);
    if (!copy) return IRMAS_ERR_NOMEM;
    irmas_status st = IRMAS_OK;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); !st && tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *label = trim(tok);
        if (!*label || strlen(label) >= MODEL_LABEL_MAX)
            st = status_fail(err, errlen, IRMAS_ERR_ARG,
                             "classes '%s': '%s' is not a label (1 to %d "
                             "bytes)", text, label, MODEL_LABEL_MAX - 1);
        else if (name_list_find(out, label) >= 0)
            st = status_fail(err, errlen, IRMAS_ERR_ARG,
                             "classes '%s': '%s' is listed twice", text,
                             label);
        else if (name_list_add(out, label) < 0)
            st = IRMAS_ERR_NOMEM;
    }
    free(copy);
    if (!st && out->n == 0)
        st = status_fail(err, errlen, IRMAS_ERR_ARG,
                         "classes '%s': no labels in it", text);
    return st;
}

/* Every label with files: IRMAS's codes in IRMAS order, then the rest
 * sorted. */
static irmas_status default_classes(const candidate *c, int n, name_list *out)
{
    name_list others = {0};
    irmas_status st = IRMAS_OK;
    for (int i = 0; !st && i < CLASSES_IRMAS; i++)
        for (int k = 0; k < n; k++)
            if (name_list_find(&c[k].labels, classes_code(i)) >= 0) {
                if (name_list_add(out, classes_code(i)) < 0)
                    st = IRMAS_ERR_NOMEM;
                break;
            }
    for (int k = 0; !st && k < n; k++)
        for (int j = 0; j < c[k].labels.n; j++)
            if (name_list_find(out, c[k].labels.names[j]) < 0 &&
                name_list_add_unique(&others, c[k].labels.names[j]) < 0)
                st = IRMAS_ERR_NOMEM;
    if (others.n > 0)
        qsort(others.names, (size_t)others.n, sizeof *others.names,
              compare_names);
    for (int i = 0; !st && i < others.n; i++)
        if (name_list_add(out, others.names[i]) < 0) st = IRMAS_ERR_NOMEM;
    name_list_free(&others);
    return st;
}

/* ---- pass 4: items and their groups ---- */

typedef struct {
    enum { GROUP_IRMAS, GROUP_FILE, GROUP_REGEX } rule;
    regex_t pattern;
} group_rule;

static irmas_status group_rule_init(group_rule *g, const char *split_by,
                                    char *err, size_t errlen)
{
    g->rule = GROUP_IRMAS;
    if (!split_by || !strcmp(split_by, "irmas")) return IRMAS_OK;
    if (!strcmp(split_by, "file")) {
        g->rule = GROUP_FILE;
        return IRMAS_OK;
    }
    if (strncmp(split_by, "regex:", 6))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "split-by '%s': expected irmas, file or "
                           "regex:PATTERN", split_by);
    int failed = regcomp(&g->pattern, split_by + 6, REG_EXTENDED);
    if (failed) {
        char why[256];
        regerror(failed, &g->pattern, why, sizeof why);
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "split-by '%s': bad pattern: %s", split_by, why);
    }
    if (g->pattern.re_nsub < 1) {
        regfree(&g->pattern);
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "split-by '%s': the pattern needs a capture group "
                           "(...) naming the source recording", split_by);
    }
    g->rule = GROUP_REGEX;
    return IRMAS_OK;
}

static void group_rule_free(group_rule *g)
{
    if (g->rule == GROUP_REGEX) regfree(&g->pattern);
}

/* The IRMAS rule: the digits just before the last "__" of the stem, else
 * the whole stem. */
static char *irmas_group(const char *name)
{
    size_t stem = stem_length(name), end = 0;
    for (size_t i = 0; i + 1 < stem; i++)
        if (name[i] == '_' && name[i + 1] == '_') end = i;
    size_t start = end;
    while (start > 0 && isdigit((unsigned char)name[start - 1])) start--;
    if (start == end) return strndup(name, stem);
    return strndup(name + start, end - start);
}

/* The group of a file; the regex rule puts a file it does not match in a
 * group of its own. */
static char *item_group(const group_rule *g, const char *path)
{
    const char *name = base_name(path);
    regmatch_t match[2];
    switch (g->rule) {
    case GROUP_IRMAS:
        return irmas_group(name);
    case GROUP_REGEX:
        if (!regexec(&g->pattern, name, 2, match, 0) && match[1].rm_so >= 0)
            return strndup(name + match[1].rm_so,
                           (size_t)(match[1].rm_eo - match[1].rm_so));
        return strdup(path);
    case GROUP_FILE:
        break;
    }
    return strdup(path);
}

/* Fills the label fields of item from c; returns 1 when c is to be left
 * out: a label outside the classes (reported for label files, whose other
 * labels could not be scored; quietly for a class not asked for). */
static int item_labels(dataset *d, const candidate *c, dataset_item *item,
                       int *skipped)
{
    for (int j = 0; j < c->labels.n; j++) {
        int k = -1;
        for (int i = 0; i < d->classes && k < 0; i++)
            if (!strcmp(d->labels[i], c->labels.names[j])) k = i;
        if (k < 0) {
            if (c->from_label_file)
                report(skipped, "%s: label '%s' is not one of the classes; "
                       "skipped", c->path, c->labels.names[j]);
            return 1;
        }
        if (j == 0) item->label = k;
        item->label_mask |= (uint64_t)1 << k;
    }
    return 0;
}

static irmas_status make_items(dataset *d, candidate *c, int n,
                               const group_rule *g)
{
    d->items = calloc((size_t)n + 1, sizeof *d->items);
    if (!d->items) return IRMAS_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        dataset_item *item = &d->items[d->n_items];
        if (item_labels(d, &c[i], item, &d->skipped)) {
            memset(item, 0, sizeof *item);
            continue;
        }
        item->group = item_group(g, c[i].path);
        if (!item->group) return IRMAS_ERR_NOMEM;
        item->path = c[i].path;
        c[i].path = NULL;
        d->multi_label |= c[i].from_label_file;
        d->n_items++;
    }
    return IRMAS_OK;
}

/* ---- dataset_scan ---- */

static irmas_status find_files(const dataset_options *opt, name_list *files,
                               int *skipped, char *err, size_t errlen)
{
    if (opt->n_dirs < 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "no data folder given; pass --data DIR");
    for (int i = 0; i < opt->n_dirs; i++) {
        struct stat info;
        const char *dir = opt->dirs[i];
        if (stat(dir, &info) != 0)
            return status_fail(err, errlen, IRMAS_ERR_IO,
                               "%s: cannot open data folder: %s", dir,
                               strerror(errno));
        if (!S_ISDIR(info.st_mode))
            return status_fail(err, errlen, IRMAS_ERR_ARG,
                               "%s: is not a folder; --data takes a folder "
                               "of class folders or labelled files", dir);
        int before = files->n;
        irmas_status st = walk(dir, files, skipped);
        if (st) return st;
        if (files->n == before)
            return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                               "%s: no audio files (.wav, .flac, .aiff, .ogg, .mp3) "
                               "in it or its subfolders", dir);
    }
    qsort(files->names, (size_t)files->n, sizeof *files->names,
          compare_names);
    return IRMAS_OK;
}

static irmas_status set_classes(dataset *d, const name_list *classes,
                                char *err, size_t errlen)
{
    if (classes->n > MODEL_MAX_CLASSES)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "the data has %d classes; a model takes at most %d "
                           "(choose some with --classes)",
                           classes->n, MODEL_MAX_CLASSES);
    for (int i = 0; i < classes->n; i++)
        if (model_label_check(classes->names[i], err, errlen) != IRMAS_OK)
            return IRMAS_ERR_ARG;
    d->classes = classes->n;
    for (int i = 0; i < classes->n; i++)
        snprintf(d->labels[i], MODEL_LABEL_MAX, "%s", classes->names[i]);
    return IRMAS_OK;
}

/* The message for a data set with nothing or too little in it, and for
 * training the warnings of classes it has no files of. */
static irmas_status check_usable(const dataset *d, const dataset_options *opt,
                                 int for_training, char *err, size_t errlen)
{
    const char *where = opt->dirs[0];
    const char *more = opt->n_dirs > 1 ? " and the other folders" : "";
    if (d->n_items == 0)
        return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                           "%s%s: no usable audio files (%d skipped, see "
                           "above)%s",
                           where, more, d->skipped,
                           opt->classes ? "; check --classes" : "");
    uint64_t seen = 0;
    for (int i = 0; i < d->n_items; i++) seen |= d->items[i].label_mask;
    int classes_seen = 0;
    for (int k = 0; k < d->classes; k++) classes_seen += (seen >> k) & 1;
    for (int k = 0; k < d->classes && for_training; k++)
        if (!((seen >> k) & 1))
            fprintf(stderr, "warning: class '%s' has no files in %s%s; the "
                    "model will learn never to predict it (check --classes "
                    "and the labels)\n", d->labels[k], where, more);
    if (for_training && classes_seen < 2)
        return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                           "%s%s: every file is labelled '%s'; a classifier "
                           "needs files of at least two classes",
                           where, more, d->labels[d->items[0].label]);
    return IRMAS_OK;
}

irmas_status dataset_scan(dataset *d, const dataset_options *opt,
                          int for_training, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    name_list files = {0}, classes = {0};
    candidate *c = NULL;
    int n = 0;
    group_rule g;
    irmas_status st = group_rule_init(&g, opt->split_by, err, errlen);
    if (st) return st;
    if (opt->classes) st = parse_class_list(opt->classes, &classes, err, errlen);
    if (!st) st = find_files(opt, &files, &d->skipped, err, errlen);
    if (!st) st = label_files(&files, &classes, &c, &n, &d->skipped);
    if (!st && !opt->classes) st = default_classes(c, n, &classes);
    if (!st) st = set_classes(d, &classes, err, errlen);
    if (!st) st = make_items(d, c, n, &g);
    if (!st) st = check_usable(d, opt, for_training, err, errlen);
    if (st == IRMAS_ERR_NOMEM)
        status_fail(err, errlen, st, "out of memory scanning %s",
                    opt->n_dirs > 0 ? opt->dirs[0] : "the data");
    candidates_free(c, n);
    name_list_free(&files);
    name_list_free(&classes);
    group_rule_free(&g);
    if (st) dataset_free(d);
    return st;
}

void dataset_free(dataset *d)
{
    if (!d) return;
    for (int i = 0; i < d->n_items; i++) {
        free(d->items[i].path);
        free(d->items[i].group);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}

irmas_status dataset_scan_unlabelled(dataset *d, const char *const *dirs,
                                     int n_dirs, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    name_list files = {0};
    dataset_options opt = {.dirs = dirs, .n_dirs = n_dirs};
    irmas_status st = find_files(&opt, &files, &d->skipped, err, errlen);
    if (!st) {
        d->items = calloc((size_t)files.n + 1, sizeof *d->items);
        if (!d->items) st = IRMAS_ERR_NOMEM;
    }
    for (int i = 0; !st && i < files.n; i++) {
        dataset_item *item = &d->items[d->n_items];
        item->label = -1;
        item->path = strdup(files.names[i]);
        item->group = strdup(files.names[i]);
        d->n_items++;
        if (!item->path || !item->group) st = IRMAS_ERR_NOMEM;
    }
    if (st == IRMAS_ERR_NOMEM)
        status_fail(err, errlen, st, "out of memory scanning %s", dirs[0]);
    name_list_free(&files);
    if (st) dataset_free(d);
    return st;
}

/* ---- the index as bytes, for processes that did not scan ------------- */

/* A string as its length (4 bytes) and its bytes. */
static void put_string(bytes_writer *w, const char *text)
{
    size_t n = strlen(text);
    bytes_put_le(w, n, 4);
    bytes_put(w, text, n);
}

void dataset_measure(dataset *d)
{
    for (int i = 0; i < d->n_items; i++)
        d->items[i].seconds = (float)audio_file_seconds(d->items[i].path);
}

int dataset_share(const dataset *d, int parts, int part, int *first)
{
    double total = 0.0;
    for (int i = 0; i < d->n_items; i++) total += d->items[i].seconds;
    if (total <= 0.0) {
        *first = (int)((long)d->n_items * part / parts);
        return (int)((long)d->n_items * (part + 1) / parts) - *first;
    }
    /* An item goes to the part its middle falls in. */
    int count = 0;
    double before = 0.0;
    *first = d->n_items;
    for (int i = 0; i < d->n_items; i++) {
        double seconds = d->items[i].seconds;
        int owner = (int)(parts * (before + seconds / 2) / total);
        if (owner >= parts) owner = parts - 1;
        if (owner == part && count++ == 0) *first = i;
        before += seconds;
    }
    return count;
}

irmas_status dataset_pack(const dataset *d, void **data, size_t *size)
{
    bytes_writer w = {0};
    bytes_put_le(&w, (uint64_t)d->classes, 4);
    bytes_put_le(&w, (uint64_t)d->n_items, 4);
    bytes_put_le(&w, (uint64_t)d->skipped, 4);
    bytes_put_le(&w, (uint64_t)d->multi_label, 1);
    for (int c = 0; c < d->classes; c++) put_string(&w, d->labels[c]);
    for (int i = 0; i < d->n_items; i++) {
        const dataset_item *it = &d->items[i];
        bytes_put_le(&w, (uint64_t)it->label, 4);
        bytes_put_le(&w, it->label_mask, 8);
        bytes_put_le(&w, bytes_float_bits(it->seconds), 4);
        put_string(&w, it->path);
        put_string(&w, it->group);
    }
    if (w.failed) {
        free(w.bytes);
        return IRMAS_ERR_NOMEM;
    }
    *data = w.bytes;
    *size = w.size;
    return IRMAS_OK;
}

/* A string put_string wrote, as a new C string (NULL when cut short or
 * out of memory); at most max bytes long. */
static char *get_string(bytes_cursor *c, size_t max)
{
    uint64_t n;
    if (bytes_get_le(c, 4, &n) != 0 || n > max || n > c->end - c->at)
        return NULL;
    char *text = malloc((size_t)n + 1);
    if (!text) return NULL;
    memcpy(text, c->bytes + c->at, (size_t)n);
    text[n] = '\0';
    c->at += (size_t)n;
    return text;
}

irmas_status dataset_unpack(dataset *d, const void *data, size_t size)
{
    memset(d, 0, sizeof *d);
    bytes_cursor c = {.bytes = data, .end = size};
    uint64_t classes, items, skipped, multi;
    if (bytes_get_le(&c, 4, &classes) || bytes_get_le(&c, 4, &items) ||
        bytes_get_le(&c, 4, &skipped) || bytes_get_le(&c, 1, &multi) ||
        classes > MODEL_MAX_CLASSES || items > size)
        return IRMAS_ERR_FORMAT;
    d->classes = (int)classes;
    d->skipped = (int)skipped;
    d->multi_label = (int)multi;
    for (int k = 0; k < d->classes; k++) {
        char *label = get_string(&c, MODEL_LABEL_MAX - 1);
        if (!label) return IRMAS_ERR_FORMAT;
        strcpy(d->labels[k], label);
        free(label);
    }
    d->items = calloc((size_t)items + 1, sizeof *d->items);
    if (!d->items) return IRMAS_ERR_NOMEM;
    for (; d->n_items < (int)items; d->n_items++) {
        dataset_item *it = &d->items[d->n_items];
        uint64_t label, mask, seconds;
        if (bytes_get_le(&c, 4, &label) || bytes_get_le(&c, 8, &mask) ||
            bytes_get_le(&c, 4, &seconds))
            break;
        it->label = (int)(int32_t)label;
        it->label_mask = mask;
        it->seconds = bytes_bits_float(seconds);
        it->path = get_string(&c, size);
        it->group = it->path ? get_string(&c, size) : NULL;
        if (!it->path || !it->group) {
            free(it->path);
            free(it->group);
            break;
        }
    }
    if (d->n_items == (int)items && c.at == c.end) return IRMAS_OK;
    dataset_free(d);
    return IRMAS_ERR_FORMAT;
}
