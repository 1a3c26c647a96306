/* reader.h: what a model reads from a window of samples: the samples
 * normalised its way, then its frames, its image, or both (model.h).
 *
 * The whole-window pass (window.h) and the trainer's example loader both
 * read windows through here, so a model is trained on exactly what it
 * will later be shown. A reader owns the front-end and the image builder
 * the model needs and a buffer for the normalised copy; nothing allocates
 * after reader_new, and each thread needs its own reader.
 */
#ifndef IRMAS_READER_H
#define IRMAS_READER_H

#include "model.h"

typedef struct reader reader;

irmas_status reader_new(const irmas_model *m, reader **out, char *err,
                        size_t errlen);
void reader_free(reader *r);

/* Reads samples[0..available), zero-padded to the model's window (samples
 * beyond it are ignored), normalised with model_prepare_samples, into
 * frames[frames][features] (the front-end's output, not yet standardised)
 * and pixels[image_floats]. Pass NULL for what the model does not read;
 * samples are not modified. position is samples[0]'s in a stream, or
 * IMAGE_ANYWHERE (image_build): a whole window of a model that does not
 * normalise each window passes it on, so its image may reuse the last
 * one's frames. */
void reader_read(reader *r, const float *samples, long available,
                 long long position, float *frames, float *pixels);

#endif
