/* model_teacher.h: a trained model (a .irm file) as the teacher of a
 * distillation run (distill.h): its softmax over its own classes, matched
 * to the student's by label, for audio at its own rate. This is how a
 * large model that needs third-party weights (models/audioset-head.irm)
 * teaches a small self-contained one. A model that reads only the
 * frames of a pretrained front-end (efficientat-mn04) gives their mean as
 * its embedding too: the AudioSet teacher's embedding of the window, so
 * one run can take the model's targets and that embedding
 * (distill_settings.embeddings). Its identity in cache keys is the SHA-256
 * of the model file, so a retrained teacher makes new entries.
 */
#ifndef IRMAS_MODEL_TEACHER_H
#define IRMAS_MODEL_TEACHER_H

#include "distill.h"

/* Loads the model at path (a pretrained front-end's weights from
 * weights_dir, as pretrained.h finds them) and fills out. Each of the
 * runs' windows is the model's own window (window_samples at its rate);
 * the student's window must last as long, or the message says so. */
irmas_status model_teacher_open(const char *path, const char *weights_dir,
                                double student_window_seconds,
                                distill_teacher *out, char *err,
                                size_t errlen);

/* Frees what model_teacher_open made; accepts a zeroed teacher. */
void model_teacher_close(distill_teacher *t);

#endif
