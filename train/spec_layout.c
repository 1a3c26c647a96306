/* spec_layout.c: the two layouts of spec_layout.h. */
#include "spec_layout.h"

spec_layout spec_layout_frames(float *x, int rows, int frames, int features)
{
    return (spec_layout){.origin = x, .row_step = features,
                         .frame_step = (long)rows * features, .band_step = 1,
                         .rows = rows, .frames = frames, .bands = features};
}

spec_layout spec_layout_images(float *images, int rows, int size)
{
    return (spec_layout){.origin = images + (long)(size - 1) * size,
                         .row_step = (long)size * size, .frame_step = 1,
                         .band_step = -(long)size, .rows = rows,
                         .frames = size, .bands = size};
}
