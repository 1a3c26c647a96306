/* testteacher.h: the AudioSet teacher's weights for the tests: random ones
 * in its layout, made without third-party data, and the real ones when
 * they are beside the source tree.
 */
#ifndef IRMAS_TESTTEACHER_H
#define IRMAS_TESTTEACHER_H

/* dir/name, in a static buffer that the next call overwrites. */
char *tt_path_in(const char *dir, const char *name);

/* count floats read from path into a new array, or NULL. */
float *tt_read_floats(const char *path, long count);

/* Writes data[count] to path as raw floats; fails the test on error. */
void tt_write_floats(const char *path, const float *data, long count);

/* A new folder holding random weights in mn04_as's layout (small, so the
 * activations stay moderate): tensors.tsv and weights.f32. */
const char *tt_random_teacher_dir(void);

/* The real teacher's folder (IRMAS_TEACHER_DIR, else
 * ../shared/teachers/efficientat-mn04 beside the source tree), or NULL
 * after printing that test is skipped and why. */
const char *tt_real_teacher_dir(const char *test);

#endif
