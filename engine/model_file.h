/* model_file.h: reading and writing models as .irm files.
 *
 * The format is documented in models/FORMAT.md: a little-endian header with
 * magic and version, the metadata, a table of layers with their shapes, the
 * float32 tensors, and a CRC-32 over everything before it. The reader checks
 * every count, size and offset against the file's length before using it
 * and names the file and field it rejects; the writer writes to a temporary
 * name beside the target and renames it, so a crash never leaves half a
 * model where a good one was.
 */
#ifndef IRMAS_MODEL_FILE_H
#define IRMAS_MODEL_FILE_H

#include "model.h"
#include "model_limits.h"

/* Reading a model file (irmas_model_load and irmas_model_parse, with or
 * without limits) is public: irmas/irmas.h. A model whose declared shapes
 * cost more to run than the limits allow (model_limits.h) is refused with
 * IRMAS_ERR_UNSUPPORTED before anything shape-dependent is allocated. */

/* The default model: the installed one ($datadir/irmasd/default.irm) or,
 * while none is installed, models/default.irm of the source tree this build
 * came from (a build run in place); the installed path when neither is
 * there, so that messages name where it belongs. */
const char *model_default_path(void);

/* The same for any model the project ships, by name ("default",
 * "audioset-head"): $datadir/irmasd/NAME.irm, or models/NAME.irm of the
 * source tree while that is missing. Written into out (len bytes, at
 * least PATH_MAX to hold any path); returns out. */
const char *model_shipped_path(const char *name, char *out, size_t len);

/* Validates m and writes it to path atomically. */
irmas_status irmas_model_save(const irmas_model *m, const char *path, char *err,
                        size_t errlen);

/* Serialises m into a new buffer (*data, freed by the caller). */
irmas_status irmas_model_serialise(const irmas_model *m, void **data, size_t *size,
                             char *err, size_t errlen);

#endif
