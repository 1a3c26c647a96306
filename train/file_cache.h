/* file_cache.h: folders of results computed from audio files, each entry
 * named by what it was computed from, so a second training run reads what
 * the first computed instead of computing it again.
 *
 * An entry's name is the SHA-256 of the audio file's bytes (64 hex
 * digits), a dash, a short hash of the settings that decide the result
 * (16 hex digits: the teacher, the rate, the window...), and a suffix
 * saying what it holds: "<content>-<settings>.tgt" for the teacher's
 * targets (distill.h), ".frames" for a pretrained front-end's frames
 * (examples.h). Renaming or copying a file keeps its entries; changing a
 * byte of it, or a setting, makes new ones. Entries are written whole
 * (atomic_file.h), so an interrupted run leaves whole entries or none.
 * Every function here may be called from several threads at once.
 */
#ifndef IRMAS_FILE_CACHE_H
#define IRMAS_FILE_CACHE_H

#include "status.h"

#include <stddef.h>

/* The SHA-256 of path's bytes as 64 hex digits and a NUL; an error names
 * the file. */
irmas_status file_cache_hash_file(const char *path, char hex[65], char *err,
                                  size_t errlen);

/* The settings' part of an entry's name: the first 16 hex digits of the
 * SHA-256 of text[0..n), and a NUL. */
void file_cache_settings_key(const char *text, size_t n, char key[17]);

/* Creates dir and its parents, as mkdir -p does; the message names the
 * folder and says which option chooses another (option, e.g.
 * "--teacher-cache"). */
irmas_status file_cache_make_folder(const char *dir, const char *option,
                                    char *err, size_t errlen);

/* The path of the entry in dir for audio file path, settings key and
 * suffix, written to out[size]; an error names the file when it cannot be
 * read or the path would not fit. */
irmas_status file_cache_entry(const char *dir, const char *path,
                              const char *key, const char *suffix, char *out,
                              size_t size, char *err, size_t errlen);

/* The same for the file whose hash (file_cache_hash_file) is hex, for a
 * caller that names several entries of one file and reads it once. */
irmas_status file_cache_entry_of_hash(const char *dir, const char *hex,
                                      const char *key, const char *suffix,
                                      char *out, size_t size, char *err,
                                      size_t errlen);

#endif
