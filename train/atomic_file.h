/* atomic_file.h: replacing a file so that readers, and a crash, only ever
 * see the old contents or the new, never half of them.
 *
 * The data goes to a temporary file beside the target (same folder, so
 * the same file system), is flushed to disk, and is renamed over the
 * target. The trainer's checkpoints and its trimmed log are written so.
 */
#ifndef IRMAS_ATOMIC_FILE_H
#define IRMAS_ATOMIC_FILE_H

#include <stddef.h>

#include "status.h"

irmas_status atomic_file_write(const char *path, const void *data,
                               size_t size, char *err, size_t errlen);

#endif
