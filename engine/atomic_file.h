/* atomic_file.h: replacing a file so that readers, and a crash, only ever
 * see the old contents or the new, never half of them.
 *
 * The data goes to a temporary file beside the target (same folder, so
 * the same file system), is flushed to disk, and is renamed over the
 * target, and the folder is synced so the rename survives a power cut.
 * Model files (model_file.h), the trainer's checkpoints and its log, and
 * irmas-synth's excerpts and manifest are written so.
 */
#ifndef IRMAS_ATOMIC_FILE_H
#define IRMAS_ATOMIC_FILE_H

#include <stddef.h>

#include "status.h"

/* Replaces path with size bytes of data. On failure path is untouched, no
 * temporary file is left, and the message names the step that failed. */
irmas_status atomic_file_write(const char *path, const void *data,
                               size_t size, char *err, size_t errlen);

#endif
