/* teacher_source.h: the AudioSet teacher (teacher.h) as the teacher of a
 * distillation run (distill.h): EfficientAT mn04_as's probabilities for
 * IRMAS's 11 classes (each the maximum over its AudioSet labels) for
 * 32 kHz audio. Its identity in cache keys is the SHA-256 of its
 * weights.f32 and tensors.tsv, so other weights make other entries.
 */
#ifndef IRMAS_TEACHER_SOURCE_H
#define IRMAS_TEACHER_SOURCE_H

#include "distill.h"

/* Loads the weights in dir (teacher_weights_load: every shape checked; a
 * missing file is named with where to get it) and fills out. */
irmas_status teacher_source_open(const char *dir, distill_teacher *out,
                                 char *err, size_t errlen);

/* Frees what teacher_source_open made; accepts a zeroed teacher. */
void teacher_source_close(distill_teacher *t);

#endif
