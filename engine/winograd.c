/* winograd.c: F(4 x 4, 3 x 3) convolution (see winograd.h).
 *
 * One image goes through three steps, in work space laid out as
 *     planes [16][tiles down + 2][pitch]   one input channel, zero-padded
 *                                          and split into phase planes
 *     rows   [4][6][tiles down + 1][pitch] the planes after d B
 *     v      [36][channels][tiles]         the transformed input tiles
 *     m      [36][filters][tiles]          their products with u
 *     cols   [4][6][tiles]                 one filter's m after A^T m
 *     y      [4][4][tiles]                 and after m A: its outputs
 * where pitch = tiles across + 1 and tiles = tiles down * pitch.
 * 1. Input (winograd_input): each channel is padded into sixteen phase
 *    planes, one per (row, column) remainder modulo 4, so that every tile
 *    finds its 6 x 6 inputs at the same place in six planes. Then B^T d B
 *    is two passes, each one loop over every tile of the image at once.
 * 2. 36 matrix products: m[xi] = u[xi] v[xi].
 * 3. Output (winograd_output): per filter, A^T m A in two passes over
 *    every tile, then each output pixel from its tile, bias added and
 *    through the activation.
 * Each row of tiles carries one spare tile (the last column of the pitch):
 * the loops run over it rather than around it, and the output leaves it.
 * Every loop writes one row and reads a few, so the compiler makes them
 * vector code; they are compiled per instruction set (ISA_CLONES).
 */
#include "winograd.h"

#include "gemm.h"
#include "isa.h"

#include <string.h>

#define TILE 4          /* outputs per tile along each axis */
#define SPAN 6          /* inputs per tile along each axis: TILE + 3 - 1 */
#define POINTS 36       /* SPAN * SPAN products per tile */

static int tiles_down(const conv2d_layer *l)
{
    return (conv2d_out_height(l) + TILE - 1) / TILE;
}

static int tiles_across(const conv2d_layer *l)
{
    return (conv2d_out_width(l) + TILE - 1) / TILE;
}

int winograd_suits(const conv2d_layer *l)
{
    return l->kernel == 3 && l->stride == 1 &&
           l->channels >= WINOGRAD_MIN_CHANNELS &&
           tiles_down(l) * tiles_across(l) >= WINOGRAD_MIN_TILES;
}

long winograd_filter_floats(const conv2d_layer *l)
{
    return (long)POINTS * l->filters * l->channels;
}

/* The work space's parts (file-top comment), in the order they are laid
 * out, and the pitch of a phase plane's rows. */
typedef struct {
    long pitch;                  /* tiles_across + 1 */
    long phase;                  /* floats in one phase plane */
    long tiles;                  /* tiles_down * pitch, spare ones included */
    long planes, rows, v, m, cols, y;
} winograd_parts;

static winograd_parts winograd_layout(const conv2d_layer *l)
{
    long pitch = tiles_across(l) + 1, down = tiles_down(l);
    winograd_parts p = {.pitch = pitch,
                        .phase = (down + 2) * pitch,
                        .tiles = down * pitch};
    p.planes = TILE * TILE * p.phase;
    p.rows = TILE * SPAN * (down + 1) * pitch;
    p.v = POINTS * l->channels * p.tiles;
    p.m = POINTS * l->filters * p.tiles;
    p.cols = TILE * SPAN * p.tiles;
    p.y = TILE * TILE * p.tiles;
    return p;
}

long winograd_work_floats(const conv2d_layer *l)
{
    winograd_parts p = winograd_layout(l);
    return p.planes + p.rows + p.v + p.m + p.cols + p.y;
}

/* G g G^T for one 3 x 3 filter g, in double, into u[i * SPAN + j] with a
 * stride of `stride` floats between points. G (6 x 3) is Lavin and Gray's:
 * rows (1/4, 0, 0), (-1/6, -1/6, -1/6), (-1/6, 1/6, -1/6),
 * (1/24, 1/12, 1/6), (1/24, -1/12, 1/6), (0, 0, 1). */
static void winograd_filter(const float *g, float *u, long stride)
{
    static const double G[SPAN][3] = {
        {1.0 / 4, 0, 0},
        {-1.0 / 6, -1.0 / 6, -1.0 / 6},
        {-1.0 / 6, 1.0 / 6, -1.0 / 6},
        {1.0 / 24, 1.0 / 12, 1.0 / 6},
        {1.0 / 24, -1.0 / 12, 1.0 / 6},
        {0, 0, 1},
    };
    double gg[SPAN][3]; /* G g */
    for (int i = 0; i < SPAN; i++)
        for (int c = 0; c < 3; c++) {
            double sum = 0.0;
            for (int k = 0; k < 3; k++) sum += G[i][k] * g[k * 3 + c];
            gg[i][c] = sum;
        }
    for (int i = 0; i < SPAN; i++)
        for (int j = 0; j < SPAN; j++) {
            double sum = 0.0;
            for (int k = 0; k < 3; k++) sum += gg[i][k] * G[j][k];
            u[(long)(i * SPAN + j) * stride] = (float)sum;
        }
}

void winograd_prepare(const conv2d_layer *l, float *u)
{
    long fc = (long)l->filters * l->channels;
    for (long k = 0; k < fc; k++)
        winograd_filter(l->weights + k * 9, u + k, fc);
}

/* One input channel, zero-padded and split into TILE x TILE phase planes:
 * input pixel (y, x) is padded pixel (Y, X) = (y + padding, x + padding),
 * which lies in plane (Y % TILE) * TILE + X % TILE at row Y / TILE, column
 * X / TILE, rows p->pitch apart. */
ISA_CLONES
static void winograd_pad(const conv2d_layer *l, const float *restrict channel,
                         float *restrict planes, const winograd_parts *p)
{
    memset(planes, 0, sizeof *planes * p->planes);
    for (int y = 0; y < l->height; y++) {
        const float *in = channel + (long)y * l->width;
        int row = y + l->padding;
        for (int kx = 0; kx < TILE; kx++) {
            float *to = planes + ((row % TILE) * TILE + kx) * p->phase +
                        (row / TILE) * p->pitch;
            /* padded columns kx, kx + TILE, ...: input columns from 0 */
            long first = kx < l->padding ? 1 : 0;
            long end = (l->width + l->padding - kx + TILE - 1) / TILE;
            for (long q = first; q < end; q++)
                to[q] = in[q * TILE + kx - l->padding];
        }
    }
}

/* B^T applied to six rows of n values: out[i][x] = sum_k B^T[i][k] d[k][x],
 * B^T's rows being (4, 0, -5, 0, 1, 0), (0, -4, -4, 1, 1, 0),
 * (0, 4, -4, -1, 1, 0), (0, -2, -1, 2, 1, 0), (0, 2, -1, -2, 1, 0),
 * (0, 4, 0, -5, 0, 1). One loop per output row: each writes one row and
 * reads a few, so the compiler can check them for overlap and make vector
 * code (six rows written in one loop would be too many pairs to check). */
ISA_CLONES
static void winograd_bt(const float *const d[SPAN], float *const out[SPAN],
                        long n)
{
    const float *d0 = d[0], *d1 = d[1], *d2 = d[2], *d3 = d[3], *d4 = d[4],
                *d5 = d[5];
    float *o = out[0];
    for (long x = 0; x < n; x++) o[x] = 4.0f * d0[x] - 5.0f * d2[x] + d4[x];
    o = out[1];
    for (long x = 0; x < n; x++)
        o[x] = -4.0f * (d1[x] + d2[x]) + d3[x] + d4[x];
    o = out[2];
    for (long x = 0; x < n; x++)
        o[x] = 4.0f * (d1[x] - d2[x]) - d3[x] + d4[x];
    o = out[3];
    for (long x = 0; x < n; x++)
        o[x] = 2.0f * (d3[x] - d1[x]) - d2[x] + d4[x];
    o = out[4];
    for (long x = 0; x < n; x++)
        o[x] = 2.0f * (d1[x] - d3[x]) - d2[x] + d4[x];
    o = out[5];
    for (long x = 0; x < n; x++) o[x] = 4.0f * d1[x] - 5.0f * d3[x] + d5[x];
}

/* A^T applied to six rows of n values: out[r][x] = sum_i A^T[r][i] m[i][x],
 * A^T's rows being (1, 1, 1, 1, 1, 0), (0, 1, -1, 2, -2, 0),
 * (0, 1, 1, 4, 4, 0), (0, 1, -1, 8, -8, 1); one loop per output row, as
 * in winograd_bt. */
ISA_CLONES
static void winograd_at(const float *const m[SPAN], float *const out[TILE],
                        long n)
{
    const float *m0 = m[0], *m1 = m[1], *m2 = m[2], *m3 = m[3], *m4 = m[4],
                *m5 = m[5];
    float *o = out[0];
    for (long x = 0; x < n; x++)
        o[x] = m0[x] + (m1[x] + m2[x]) + (m3[x] + m4[x]);
    o = out[1];
    for (long x = 0; x < n; x++)
        o[x] = (m1[x] - m2[x]) + 2.0f * (m3[x] - m4[x]);
    o = out[2];
    for (long x = 0; x < n; x++)
        o[x] = (m1[x] + m2[x]) + 4.0f * (m3[x] + m4[x]);
    o = out[3];
    for (long x = 0; x < n; x++)
        o[x] = (m1[x] - m2[x]) + 8.0f * (m3[x] - m4[x]) + m5[x];
}

/* Step 1: every channel's tiles into v[36][channels][tiles]. Tile (ty,
 * tx) reads padded rows ty * TILE + a and columns tx * TILE + b, a and b
 * 0 .. 5: in the phase planes, row ty + a / TILE, column tx + b / TILE of
 * plane (a % TILE, b % TILE). So with tile (ty, tx) numbered ty * pitch +
 * tx, as v numbers them, each step is one loop over every tile:
 *   across (d B): rows[ky][j][tile] from the planes of row phase ky,
 *                 for every tile row the planes hold;
 *   down (B^T d): v[i * 6 + j][c][tile] from rows[a % TILE][j] shifted by
 *                 a / TILE tile rows.
 * The column tx = tiles_across of each row is a spare tile: the loops run
 * over it rather than around it, and winograd_output leaves it out. */
static void winograd_input(const conv2d_layer *l, const float *in,
                           float *work, const winograd_parts *p)
{
    float *planes = work, *rows = planes + p->planes, *v = rows + p->rows;
    long stretch = (long)(tiles_down(l) + 1) * p->pitch; /* rows[ky][j] */
    const float *d[SPAN];
    float *out[SPAN];
    for (int c = 0; c < l->channels; c++) {
        winograd_pad(l, in + (long)c * l->height * l->width, planes, p);
        for (int ky = 0; ky < TILE; ky++) {
            for (int b = 0; b < SPAN; b++)
                d[b] = planes + (ky * TILE + b % TILE) * p->phase + b / TILE;
            for (int j = 0; j < SPAN; j++)
                out[j] = rows + (ky * SPAN + j) * stretch;
            winograd_bt(d, out, stretch);
        }
        for (int j = 0; j < SPAN; j++) {
            for (int a = 0; a < SPAN; a++)
                d[a] = rows + ((a % TILE) * SPAN + j) * stretch +
                       (a / TILE) * p->pitch;
            for (int i = 0; i < SPAN; i++)
                out[i] = v + ((i * SPAN + j) * l->channels + c) * p->tiles;
            winograd_bt(d, out, p->tiles);
        }
    }
}

/* One output row from the four rows of its tiles' columns, from[k *
 * tiles + t] holding column k of tile t: to[t * TILE + k], bias added and
 * through the activation. Called with relu a constant, so each of its two
 * forms is one loop of vector code. */
static inline void winograd_store_row(const float *restrict from, long tiles,
                                      float bias, int relu,
                                      float *restrict to, int width)
{
    const float *f0 = from, *f1 = from + tiles, *f2 = from + 2 * tiles,
                *f3 = from + 3 * tiles;
    int whole = width / TILE;
    for (int t = 0; t < whole; t++) {
        to[t * TILE] = conv2d_pixel(f0[t], bias, relu);
        to[t * TILE + 1] = conv2d_pixel(f1[t], bias, relu);
        to[t * TILE + 2] = conv2d_pixel(f2[t], bias, relu);
        to[t * TILE + 3] = conv2d_pixel(f3[t], bias, relu);
    }
    for (int k = 0; whole * TILE + k < width; k++)
        to[whole * TILE + k] =
            conv2d_pixel(from[k * tiles + whole], bias, relu);
}

/* One filter's output image[height][width] from its tiles' outputs
 * y[r][k][tile] (row r, column k of each tile, tile (ty, tx) at ty *
 * pitch + tx, rows of `tiles` floats): pixel (oy, ox) is
 * conv2d_pixel(y[oy % 4][ox % 4][(oy / 4) pitch + ox / 4]). */
ISA_CLONES
static void winograd_store(const float *restrict y, long tiles, long pitch,
                           float bias, int relu, float *restrict image,
                           int height, int width)
{
    for (int oy = 0; oy < height; oy++) {
        const float *from =
            y + (oy % TILE) * TILE * tiles + (oy / TILE) * pitch;
        float *to = image + (long)oy * width;
        if (relu)
            winograd_store_row(from, tiles, bias, 1, to, width);
        else
            winograd_store_row(from, tiles, bias, 0, to, width);
    }
}

/* Step 3: m into the output, filter by filter, every tile at once: down
 * (A^T m) into cols[r][j][tile], across (m A) into y[r][k][tile], then
 * each output pixel from its tile, bias added and through the activation
 * (conv2d_check allows none and ReLU), the spare tiles and what
 * hangs over the output's edge left out. */
static void winograd_output(const conv2d_layer *l, const float *m,
                            float *out, float *cols, float *y,
                            const winograd_parts *p)
{
    int oh = conv2d_out_height(l), ow = conv2d_out_width(l);
    long mf = (long)l->filters * p->tiles;
    const float *in[SPAN];
    float *to[SPAN];
    for (int f = 0; f < l->filters; f++) {
        for (int j = 0; j < SPAN; j++) {
            for (int i = 0; i < SPAN; i++)
                in[i] = m + (i * SPAN + j) * mf + f * p->tiles;
            for (int r = 0; r < TILE; r++)
                to[r] = cols + (r * SPAN + j) * p->tiles;
            winograd_at(in, to, p->tiles);
        }
        for (int r = 0; r < TILE; r++) {
            for (int j = 0; j < SPAN; j++)
                in[j] = cols + (r * SPAN + j) * p->tiles;
            for (int k = 0; k < TILE; k++)
                to[k] = y + (r * TILE + k) * p->tiles;
            winograd_at(in, to, p->tiles);
        }
        winograd_store(y, p->tiles, p->pitch, l->bias[f], l->act == ACT_RELU,
                       out + (long)f * oh * ow, oh, ow);
    }
}

void winograd_forward(const conv2d_layer *l, const float *u, const float *in,
                      float *out, float *work)
{
    winograd_parts p = winograd_layout(l);
    float *v = work + p.planes + p.rows, *m = v + p.v, *cols = m + p.m,
          *y = cols + p.cols;

    winograd_input(l, in, work, &p);
    long uf = (long)l->filters * l->channels, vf = l->channels * p.tiles,
         mf = l->filters * p.tiles;
    for (int xi = 0; xi < POINTS; xi++)
        gemm_nn(l->filters, (int)p.tiles, l->channels, u + xi * uf,
                l->channels, v + xi * vf, (int)p.tiles, 0.0f, m + xi * mf,
                (int)p.tiles);
    winograd_output(l, m, out, cols, y, &p);
}
