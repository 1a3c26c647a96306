/* reader.c: a window's frames and image, read the model's way (see
 * reader.h).
 *
 * A frame front-end computes each frame from its own samples; a pretrained
 * one (the AudioSet teacher) runs once over the whole window and its
 * per-frame embeddings are the frames. Where a raw front-end's frames tile
 * the window (the study's frames of 100 samples, one after the other),
 * the frames are the normalised samples themselves: they are normalised
 * where the frames go, rather than in a copy of their own and copied
 * again frame by frame. */
#include "reader.h"

#include "teacher.h"

#include <stdlib.h>
#include <string.h>

struct reader {
    const irmas_model *m;
    frontend *fe;         /* NULL if the model reads no frames or its */
    teacher *teacher;     /* front-end is pretrained: then this */
    image_builder *image; /* NULL if it reads no image */
    float *samples;       /* [window_samples]: the normalised copy */
    int frames_tile;      /* raw frames, one after the other, fill it */
};

/* The teacher a pretrained front-end runs, on the weights attached to the
 * model (pretrained.h). */
static irmas_status reader_new_teacher(reader *r, char *err, size_t errlen)
{
    const irmas_model *m = r->m;
    if (!m->pretrained)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "the model's %s front-end has no weights loaded; "
                           "load them with pretrained_attach (the tools' "
                           "--weights DIR)",
                           frontend_kind_name(m->frontend.kind));
    return teacher_new(m->pretrained, m->window_samples, &r->teacher, err,
                       errlen);
}

irmas_status reader_new(const irmas_model *m, reader **out, char *err,
                        size_t errlen)
{
    *out = NULL;
    reader *r = calloc(1, sizeof *r);
    float *samples = malloc((size_t)m->window_samples * sizeof *samples);
    if (!r || !samples) {
        free(r);
        free(samples);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory for a window of %d samples",
                           m->window_samples);
    }
    r->m = m;
    r->samples = samples;
    irmas_status status = IRMAS_OK;
    if (model_reads_frames(m) && frontend_is_pretrained(&m->frontend))
        status = reader_new_teacher(r, err, errlen);
    else if (model_reads_frames(m))
        status = frontend_new(&m->frontend, m->sample_rate, &r->fe, err,
                              errlen);
    if (r->fe && m->frontend.kind == FRONTEND_RAW)
        r->frames_tile =
            frontend_frame_hop(r->fe) == frontend_frame_length(r->fe) &&
            (long)model_frames(m) * frontend_frame_hop(r->fe) ==
                m->window_samples;
    if (status == IRMAS_OK && model_reads_image(m))
        status = image_new(&m->image, m->sample_rate, m->window_samples,
                           &r->image, err,
                           errlen);
    if (status != IRMAS_OK) {
        reader_free(r);
        return status;
    }
    *out = r;
    return IRMAS_OK;
}

void reader_free(reader *r)
{
    if (!r) return;
    frontend_free(r->fe);
    teacher_free(r->teacher);
    image_free(r->image);
    free(r->samples);
    free(r);
}

void reader_read(reader *r, const float *samples, long available,
                 long long position, float *frames, float *pixels)
{
    const irmas_model *m = r->m;
    long size = m->window_samples, copy = available < size ? available : size;
    float *prepared = r->frames_tile && frames ? frames : r->samples;
    memcpy(prepared, samples, (size_t)copy * sizeof *samples);
    memset(prepared + copy, 0, (size_t)(size - copy) * sizeof *samples);
    model_prepare_samples(m, prepared, size);
    /* Padding or a peak normalisation makes a window's samples its own. */
    if (copy < size || m->norm == NORM_PEAK) position = IMAGE_ANYWHERE;
    if (r->image && pixels) image_build(r->image, prepared, position, pixels);
    if (r->teacher && frames) {
        int columns;
        teacher_run(r->teacher, prepared, size, NULL, NULL, NULL);
        const float *e = teacher_frame_embeddings(r->teacher, &columns);
        memcpy(frames, e,
               (size_t)columns * TEACHER_EMBEDDING * sizeof *frames);
    }
    if (r->fe && frames && !r->frames_tile) {
        int hop = frontend_frame_hop(r->fe), features = frontend_features(r->fe);
        for (int t = 0; t < model_frames(m); t++)
            frontend_compute(r->fe, r->samples + (long)t * hop,
                             frames + (long)t * features);
    }
}
