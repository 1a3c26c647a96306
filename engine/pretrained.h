/* pretrained.h: finding, checking and attaching the weights of a model's
 * pretrained front-end (frontend.h's efficientat-mn04, the AudioSet teacher
 * of teacher.h).
 *
 * A model file names such a front-end and the CRC-32 of its weights.f32
 * instead of holding them: they are third-party data the user installs
 * once. Every tool that runs or trains a model (irmasd, irmas-tag,
 * irmas-eval, irmas-train) finds them the same way, here: the folder given
 * with --weights DIR, else the one in the IRMAS_WEIGHTS environment
 * variable, else the installed $datadir/irmasd/weights/ (config.h's
 * IRMAS_DEFAULT_WEIGHTS). None of this is for the real-time path.
 */
#ifndef IRMAS_PRETRAINED_H
#define IRMAS_PRETRAINED_H

#include "model.h"
#include "model_limits.h"

#define PRETRAINED_WEIGHTS_ENV "IRMAS_WEIGHTS"

/* The folder to look in: dir when it is not NULL, else $IRMAS_WEIGHTS when
 * set and not empty, else IRMAS_DEFAULT_WEIGHTS. *why (if why is not NULL)
 * says which, for messages: "--weights", "IRMAS_WEIGHTS" or "the installed
 * default". */
const char *pretrained_weights_dir(const char *dir, const char **why);

/* The CRC-32 (zlib's) of dir/weights.f32, what a model file records. A
 * missing or unreadable file is IRMAS_ERR_IO naming it. */
irmas_status pretrained_checksum(const char *dir, unsigned *crc, char *err,
                                 size_t errlen);

/* For a model whose front-end is pretrained: finds its weights
 * (pretrained_weights_dir(dir)), checks weights.f32 against the model's
 * CRC-32, loads them (teacher_weights_load, which checks every shape) and
 * attaches them to m, which owns them from then on (irmas_model_free frees
 * them). Any other model is left alone (IRMAS_OK). When they are missing or
 * other weights, IRMAS_ERR_IO or IRMAS_ERR_FORMAT with one message saying
 * which files and which checksum the model needs, where it looked and why
 * there, and where to get them. */
irmas_status pretrained_attach(irmas_model *m, const char *dir, char *err,
                               size_t errlen);

/* The same for a model being made (irmas-train): the weights found become
 * the model's, their CRC-32 its checksum. */
irmas_status pretrained_adopt(irmas_model *m, const char *dir, char *err,
                              size_t errlen);

/* irmas_pretrained_load_model (irmas/irmas.h) loads a model file and,
 * when its front-end is pretrained, attaches its weights as
 * pretrained_attach does: what irmasd, irmas-tag, irmas-eval and
 * irmas-train load models with. */

#endif
