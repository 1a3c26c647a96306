/* testdata.h: what the data tests share: files and folder trees made on
 * the spot, stderr captured to check what a user is told, and clean-up.
 */
#ifndef IRMAS_TESTDATA_H
#define IRMAS_TESTDATA_H

#include <stddef.h>

/* dir/name in a static buffer (one of four in turn, so a few can be held
 * at once). */
const char *td_path(const char *dir, const char *name);

/* Makes the folders path's last part sits in. */
void td_parents(const char *path);

/* Writes bytes to path; creates the folders on the way. Fails the test on
 * error. */
void td_write(const char *path, const void *bytes, size_t n);

/* The whole of the file at path, malloc'd, its length in *size. Fails the
 * test when it cannot be read. */
void *td_read(const char *path, long *size);

/* A file at dir/name holding text (or nothing), folders on the way made
 * too. */
void td_text(const char *dir, const char *name, const char *text);
void td_touch(const char *dir, const char *name);

/* Sends stderr to a file until td_capture_end, which restores it and
 * returns what was written (static storage until the next call). */
void td_capture_begin(void);
const char *td_capture_end(void);

/* rm -r path. */
void td_remove_tree(const char *path);

#endif
