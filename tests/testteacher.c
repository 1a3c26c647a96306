/* testteacher.c: see testteacher.h. */
#include "testteacher.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "teacher.h"
#include "testutil.h"

/* dir/name in a buffer that lives until the next call. */
char *tt_path_in(const char *dir, const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* Reads count floats from path into a new array, or NULL. */
float *tt_read_floats(const char *path, long count)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    float *data = malloc((size_t)count * sizeof *data);
    size_t got = data ? fread(data, sizeof *data, (size_t)count, f) : 0;
    fclose(f);
    if (got != (size_t)count) {
        free(data);
        return NULL;
    }
    return data;
}

/* data[count] to path as raw floats, failing the test on error. */
void tt_write_floats(const char *path, const float *data, long count)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(data, sizeof *data, (size_t)count, f), count);
    ck_assert_int_eq(fclose(f), 0);
}

/* A folder holding random weights in mn04_as's layout (small, so the
 * activations stay moderate). */
const char *tt_random_teacher_dir(void)
{
    const char *dir = tu_tmpdir("teacher");
    char err[512];
    ck_assert_msg(teacher_write_index(tt_path_in(dir, "tensors.tsv"), err,
                                      sizeof err) == IRMAS_OK, "%s", err);
    long n = teacher_weight_floats();
    ck_assert_int_eq(n, 978679);
    float *w = malloc((size_t)n * sizeof *w);
    tu_rng r;
    tu_seed(&r, 21);
    tu_fill(&r, w, n, -0.2f, 0.2f);
    tt_write_floats(tt_path_in(dir, "weights.f32"), w, n);
    free(w);
    return dir;
}

/* The real teacher's folder, or NULL (and a message) when it is absent. */
const char *tt_real_teacher_dir(const char *test)
{
    const char *dir = getenv("IRMAS_TEACHER_DIR");
    if (!dir || !*dir)
        dir = IRMAS_SOURCE_ROOT "/../shared/teachers/efficientat-mn04";
    FILE *f = fopen(tt_path_in(dir, "weights.f32"), "rb");
    if (!f) {
        printf("SKIP %s: no teacher weights at %s (set IRMAS_TEACHER_DIR "
               "to the efficientat-mn04 folder)\n", test, dir);
        return NULL;
    }
    fclose(f);
    return dir;
}
