"""The C99 kernels of the reference C backend: one `static` function per kmodel v4 node kind.

Every kernel mirrors the simulator's numpy code in `kcc/sim/v4.py` / `kcc/sim/kernels.py` (and the KPU model in
`kcc/k210/kpu_layer.py`) operation for operation: float32 arithmetic in the same order with one rounding per
operation (build with `-ffp-contract=off`, never `-ffast-math`), integer arithmetic in int64 with floor shifts
written so that no signed overflow or implementation-defined shift occurs. Tensors live in byte arenas in
little-endian order (the simulator's memory map), read and written through `kcc_ld_f32` / `kcc_st_f32`, so the
generated code is independent of the host's endianness and alignment rules.

`SNIPPETS[name]` is (C text, names it depends on); `collect(names)` gives the texts of `names` and their
dependencies in a fixed order, so a generated file holds exactly the kernels it calls (-Wunused-function).
"""

from __future__ import annotations

from kcc.interp.kernels import f32_math

PRELUDE = """\
#include <float.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0
#error "kcc: float expressions must be evaluated in float (FLT_EVAL_METHOD 0, e.g. SSE2 or a single-precision FPU)"
#endif
"""

_HELPERS = """\
static inline float kcc_f32(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline float kcc_ld_f32(const uint8_t *p)
{
    return kcc_f32((uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24));
}

static inline void kcc_st_f32(uint8_t *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    p[0] = (uint8_t)u;
    p[1] = (uint8_t)(u >> 8);
    p[2] = (uint8_t)(u >> 16);
    p[3] = (uint8_t)(u >> 24);
}

/* numpy's maximum / minimum: NaN propagates, ties give the second operand */
static inline float kcc_maxf(float a, float b)
{
    return (a != a) ? a : (a > b ? a : b);
}

static inline float kcc_minf(float a, float b)
{
    return (a != a) ? a : (a < b ? a : b);
}

static inline float kcc_clampf(float x, float lo, float hi)
{
    return kcc_minf(kcc_maxf(x, lo), hi);
}

/* floor(v / 2^s) for 0 <= s <= 62 without an implementation-defined right shift of a negative value */
static inline int64_t kcc_floor_shr(int64_t v, int s)
{
    return v >= 0 ? (v >> s) : -((-(v + 1)) >> s) - 1;
}

static inline uint8_t kcc_sat_u8(int64_t v)
{
    return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v));
}

/* numpy's float32 -> uint8 cast on x86 (through int32, low byte; NaN and out-of-range give 0) */
static inline uint8_t kcc_f32_to_u8(float v)
{
    if (!(v > -2147483648.0f && v < 2147483648.0f))
        return 0;
    return (uint8_t)((uint32_t)(int32_t)v & 0xffu);
}

/* element i of a tensor stored as float32 (u8 = 0) or uint8 (u8 = 1), as float; and the store */
static inline float kcc_ldx(const uint8_t *p, size_t i, int u8)
{
    return u8 ? (float)p[i] : kcc_ld_f32(p + 4u * i);
}

static inline void kcc_stx(uint8_t *p, size_t i, float v, int u8)
{
    if (u8)
        p[i] = kcc_f32_to_u8(v);
    else
        kcc_st_f32(p + 4u * i, v);
}
"""

_PUT = """\
static void kcc_put_f32(uint8_t *dst, const float *src, uint32_t count)
{
    uint32_t i;
    for (i = 0; i < count; ++i)
        kcc_st_f32(dst + 4u * i, src[i]);
}
"""

_GET = """\
static void kcc_get_f32(float *dst, const uint8_t *src, uint32_t count)
{
    uint32_t i;
    for (i = 0; i < count; ++i)
        dst[i] = kcc_ld_f32(src + 4u * i);
}
"""

# (v * mul) rounded as nncase's carry_shift, narrowed to int32 like the runtime's (int32_t) cast
_MUL_SHIFT = """\
static inline int64_t kcc_mul_carry_shift(int64_t x, int32_t mul, int shift)
{
    uint64_t v = (uint64_t)x * (uint64_t)(int64_t)mul; /* wraps like numpy's int64 */
    int64_t r;
    if (shift > 0)
        v += (uint64_t)1 << (shift - 1);
    r = v <= (uint64_t)INT64_MAX ? (int64_t)v : -(int64_t)(~v) - 1; /* two's complement reinterpretation */
    r = shift > 0 ? kcc_floor_shr(r, shift) : r;
    {
        uint32_t low = (uint32_t)((uint64_t)r & 0xffffffffu);
        return low >= 0x80000000u ? (int64_t)low - 4294967296LL : (int64_t)low;
    }
}
"""

_BCAST = """\
/* nncase broadcasting: an output coordinate beyond an input extent reads index 0 */
static inline uint32_t kcc_bcast_index(const uint32_t *in_shape, uint32_t n, uint32_t c, uint32_t h, uint32_t w)
{
    uint32_t in = n < in_shape[0] ? n : 0, ic = c < in_shape[1] ? c : 0;
    uint32_t ih = h < in_shape[2] ? h : 0, iw = w < in_shape[3] ? w : 0;
    return ((in * in_shape[1] + ic) * in_shape[2] + ih) * in_shape[3] + iw;
}
"""

_BINARY_F32 = """\
static inline float kcc_binop_f32(int op, float a, float b)
{
    switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a / b;
    case 4: return kcc_minf(a, b);
    default: return kcc_maxf(a, b);
    }
}

/* u8: bit 0 a, bit 1 b, bit 2 out stored as uint8 */
static void kcc_binary(const uint8_t *a, const uint32_t *a_shape, const uint8_t *b, const uint32_t *b_shape,
                       uint8_t *out, const uint32_t *out_shape, int op, float lo, float hi, int u8)
{
    uint32_t n, c, h, w, o = 0;
    for (n = 0; n < out_shape[0]; ++n)
        for (c = 0; c < out_shape[1]; ++c)
            for (h = 0; h < out_shape[2]; ++h)
                for (w = 0; w < out_shape[3]; ++w, ++o) {
                    float x = kcc_ldx(a, kcc_bcast_index(a_shape, n, c, h, w), u8 & 1);
                    float y = kcc_ldx(b, kcc_bcast_index(b_shape, n, c, h, w), u8 & 2);
                    kcc_stx(out, o, kcc_clampf(kcc_binop_f32(op, x, y), lo, hi), u8 & 4);
                }
}
"""

_QBINARY = """\
typedef struct {
    int32_t a_offset, a_mul, a_shift, b_offset, b_mul, b_shift, out_offset, out_mul, out_shift;
} kcc_qbinary_params;

static int kcc_quantized_binary(const uint8_t *a, const uint32_t *a_shape, const uint8_t *b, const uint32_t *b_shape,
                                uint8_t *out, const uint32_t *out_shape, int op, const kcc_qbinary_params *p)
{
    uint32_t n, c, h, w, o = 0;
    for (n = 0; n < out_shape[0]; ++n)
        for (c = 0; c < out_shape[1]; ++c)
            for (h = 0; h < out_shape[2]; ++h)
                for (w = 0; w < out_shape[3]; ++w, ++o) {
                    int64_t av = kcc_mul_carry_shift((int64_t)a[kcc_bcast_index(a_shape, n, c, h, w)] + p->a_offset,
                                                     p->a_mul, p->a_shift);
                    int64_t bv = kcc_mul_carry_shift((int64_t)b[kcc_bcast_index(b_shape, n, c, h, w)] + p->b_offset,
                                                     p->b_mul, p->b_shift);
                    int64_t r;
                    switch (op) {
                    case 0: r = av + bv; break;
                    case 1: r = av - bv; break;
                    case 2: r = av * bv; break;
                    case 3:
                        if (bv == 0)
                            return 1; /* the runtime traps */
                        r = (av + bv / 2) / bv; /* C division truncates toward zero, as the runtime's */
                        break;
                    case 4: r = av < bv ? av : bv; break;
                    default: r = av > bv ? av : bv; break;
                    }
                    out[o] = kcc_sat_u8(kcc_mul_carry_shift(r, p->out_mul, p->out_shift) + p->out_offset);
                }
    return 0;
}
"""

_CONCAT = """\
static void kcc_concat(uint8_t *out, uint32_t inner, uint32_t outer, uint32_t count, const uint8_t *const *inputs,
                       const uint32_t *dims)
{
    uint32_t o, i;
    for (o = 0; o < outer; ++o)
        for (i = 0; i < count; ++i) {
            uint32_t chunk = inner * dims[i];
            memmove(out, inputs[i] + (size_t)o * chunk, chunk);
            out += chunk;
        }
}
"""

_COPY = """\
static void kcc_copy(uint8_t *out, const uint8_t *in, uint32_t bytes)
{
    memmove(out, in, bytes);
}
"""

_GEOMETRY = """\
typedef struct {
    uint32_t n, c, h, w, groups, out_channels, out_h, out_w;
    uint32_t filter_h, filter_w, stride_h, stride_w, dilation_h, dilation_w;
    int32_t pad_top, pad_left;
} kcc_conv_geometry;
"""

_CONV_F32 = """\
/* acc = bias; acc += w * x over (input channel, ky, kx), taps outside the map skipped */
static void kcc_conv2d(const uint8_t *in, uint8_t *out, const kcc_conv_geometry *g, const uint32_t *weights,
                       const uint32_t *bias, float lo, float hi, int in_u8, int out_u8)
{
    uint32_t icg = g->c / g->groups, ocg = g->out_channels / g->groups, b, oc, y, x, c, ky, kx;
    size_t o = 0;
    for (b = 0; b < g->n; ++b)
        for (oc = 0; oc < g->out_channels; ++oc) {
            uint32_t grp = oc / ocg;
            for (y = 0; y < g->out_h; ++y)
                for (x = 0; x < g->out_w; ++x, ++o) {
                    float acc = kcc_f32(bias[oc]);
                    for (c = 0; c < icg; ++c) {
                        uint32_t ic = grp * icg + c;
                        for (ky = 0; ky < g->filter_h; ++ky) {
                            int32_t iy = (int32_t)(y * g->stride_h + ky * g->dilation_h) - g->pad_top;
                            if (iy < 0 || iy >= (int32_t)g->h)
                                continue;
                            for (kx = 0; kx < g->filter_w; ++kx) {
                                int32_t ix = (int32_t)(x * g->stride_w + kx * g->dilation_w) - g->pad_left;
                                float wv, xv;
                                size_t at;
                                if (ix < 0 || ix >= (int32_t)g->w)
                                    continue;
                                wv = kcc_f32(weights[((oc * icg + c) * g->filter_h + ky) * g->filter_w + kx]);
                                at = (((size_t)b * g->c + ic) * g->h + (uint32_t)iy) * g->w + (uint32_t)ix;
                                xv = kcc_ldx(in, at, in_u8);
                                acc = acc + wv * xv;
                            }
                        }
                    }
                    kcc_stx(out, o, kcc_clampf(acc, lo, hi), out_u8);
                }
        }
}
"""

_QCONV = """\
typedef struct {
    int32_t input_offset, filter_offset, output_mul, output_shift, output_offset;
} kcc_qconv_params;

static void kcc_quantized_conv2d(const uint8_t *in, uint8_t *out, const kcc_conv_geometry *g, const uint8_t *weights,
                                 const int32_t *bias, const kcc_qconv_params *p)
{
    uint32_t icg = g->c / g->groups, ocg = g->out_channels / g->groups, b, oc, y, x, c, ky, kx;
    size_t o = 0;
    for (b = 0; b < g->n; ++b)
        for (oc = 0; oc < g->out_channels; ++oc) {
            uint32_t grp = oc / ocg;
            for (y = 0; y < g->out_h; ++y)
                for (x = 0; x < g->out_w; ++x, ++o) {
                    int64_t acc = bias[oc];
                    for (c = 0; c < icg; ++c) {
                        uint32_t ic = grp * icg + c;
                        for (ky = 0; ky < g->filter_h; ++ky) {
                            int32_t iy = (int32_t)(y * g->stride_h + ky * g->dilation_h) - g->pad_top;
                            if (iy < 0 || iy >= (int32_t)g->h)
                                continue;
                            for (kx = 0; kx < g->filter_w; ++kx) {
                                int32_t ix = (int32_t)(x * g->stride_w + kx * g->dilation_w) - g->pad_left;
                                int64_t wv, xv;
                                size_t at;
                                if (ix < 0 || ix >= (int32_t)g->w)
                                    continue;
                                wv = (int64_t)weights[((oc * icg + c) * g->filter_h + ky) * g->filter_w + kx] + p->filter_offset;
                                at = (((size_t)b * g->c + ic) * g->h + (uint32_t)iy) * g->w + (uint32_t)ix;
                                xv = (int64_t)in[at] + p->input_offset;
                                acc += wv * xv;
                            }
                        }
                    }
                    out[o] = kcc_sat_u8(kcc_mul_carry_shift(acc, p->output_mul, p->output_shift) + p->output_offset);
                }
        }
}
"""

_CONV_T = """\
/* scatter form, accumulation per output element in (input channel, ky, kx) order; the runtime adds no bias */
static void kcc_conv2d_transpose(const uint8_t *in, uint8_t *out, const kcc_conv_geometry *g, const uint32_t *weights,
                                 int clamp, float lo, float hi)
{
    uint32_t icg = g->c / g->groups, ocg = g->out_channels / g->groups, b, grp, oc, c, ky, kx, iy, ix;
    size_t plane = (size_t)g->out_h * g->out_w, total = (size_t)g->n * g->out_channels * plane, i;
    for (i = 0; i < total; ++i)
        kcc_st_f32(out + 4u * i, 0.0f);
    for (b = 0; b < g->n; ++b)
        for (grp = 0; grp < g->groups; ++grp)
            for (oc = grp * ocg; oc < (grp + 1) * ocg; ++oc)
                for (c = 0; c < icg; ++c)
                    for (ky = 0; ky < g->filter_h; ++ky)
                        for (kx = 0; kx < g->filter_w; ++kx) {
                            float wv = kcc_f32(weights[((oc * icg + c) * g->filter_h + ky) * g->filter_w + kx]);
                            for (iy = 0; iy < g->h; ++iy) {
                                int32_t oy = (int32_t)(iy * g->stride_h + g->dilation_h * ky) - g->pad_top;
                                if (oy < 0 || oy >= (int32_t)g->out_h)
                                    continue;
                                for (ix = 0; ix < g->w; ++ix) {
                                    int32_t ox = (int32_t)(ix * g->stride_w + g->dilation_w * kx) - g->pad_left;
                                    uint8_t *dst;
                                    float xv;
                                    if (ox < 0 || ox >= (int32_t)g->out_w)
                                        continue;
                                    xv = kcc_ld_f32(in + 4u * ((((size_t)b * g->c + grp * icg + c) * g->h + iy) * g->w + ix));
                                    dst = out + 4u * (((size_t)b * g->out_channels + oc) * plane + (size_t)oy * g->out_w +
                                                      (uint32_t)ox);
                                    kcc_st_f32(dst, kcc_ld_f32(dst) + xv * wv);
                                }
                            }
                        }
    if (clamp)
        for (i = 0; i < total; ++i)
            kcc_st_f32(out + 4u * i, kcc_clampf(kcc_ld_f32(out + 4u * i), lo, hi));
}
"""

_QUANTIZE = """\
/* clamp(round_half_away(x * scale + zero_point), 0, 255), rounded as sign(v) * floor(|v| + 0.5) in float */
static void kcc_quantize(const uint8_t *in, uint8_t *out, uint32_t count, float scale, float zero_point)
{
    uint32_t i;
    for (i = 0; i < count; ++i) {
        float v = kcc_ld_f32(in + 4u * i) * scale;
        float r;
        v = v + zero_point;
        r = floorf(fabsf(v) + 0.5f);
        r = v > 0.0f ? r : (v < 0.0f ? -r : 0.0f);
        out[i] = r != r ? 0 : (uint8_t)kcc_clampf(r, 0.0f, 255.0f); /* NaN -> 0 as numpy's cast on x86 */
    }
}
"""

_DEQUANTIZE = """\
static void kcc_dequantize(const uint8_t *in, uint8_t *out, uint32_t count, int32_t zero_point, float inv_scale)
{
    uint32_t i;
    for (i = 0; i < count; ++i)
        kcc_st_f32(out + 4u * i, (float)((int32_t)in[i] - zero_point) * inv_scale);
}
"""

_MATMUL = """\
/* u8: bit 0 a, bit 1 b, bit 2 out stored as uint8 */
static void kcc_matmul(const uint8_t *a, const uint8_t *b, uint8_t *out, uint32_t rows, uint32_t inner, uint32_t cols,
                       const uint32_t *bias, float lo, float hi, int u8)
{
    uint32_t r, c, k;
    for (r = 0; r < rows; ++r)
        for (c = 0; c < cols; ++c) {
            float acc = kcc_f32(bias[c]);
            for (k = 0; k < inner; ++k)
                acc = acc + kcc_ldx(a, (size_t)r * inner + k, u8 & 1) * kcc_ldx(b, (size_t)k * cols + c, u8 & 2);
            kcc_stx(out, (size_t)r * cols + c, kcc_clampf(acc, lo, hi), u8 & 4);
        }
}
"""

_QMATMUL = """\
typedef struct {
    int32_t a_offset, b_offset, out_mul, out_shift, out_offset;
} kcc_qmatmul_params;

static void kcc_quantized_matmul(const uint8_t *a, const uint8_t *b, uint8_t *out, uint32_t rows, uint32_t inner,
                                 uint32_t cols, const int32_t *bias, const kcc_qmatmul_params *p)
{
    uint32_t r, c, k;
    for (r = 0; r < rows; ++r)
        for (c = 0; c < cols; ++c) {
            int64_t acc = 0;
            for (k = 0; k < inner; ++k)
                acc += ((int64_t)a[r * inner + k] + p->a_offset) * ((int64_t)b[k * cols + c] + p->b_offset);
            acc += bias[c];
            out[r * cols + c] = kcc_sat_u8(kcc_mul_carry_shift(acc, p->out_mul, p->out_shift) + p->out_offset);
        }
}
"""

_PAD = """\
/* paddings: before/after per axis (negative = crop); the output element of an input position is copied,
   every other element is the pad value (elem_bytes bytes) */
static void kcc_pad(const uint8_t *in, uint8_t *out, const uint32_t *in_shape, const int32_t *paddings,
                    uint32_t elem_bytes, const uint8_t *value)
{
    uint32_t os[4], d, n, c, h, w;
    size_t o = 0;
    for (d = 0; d < 4; ++d)
        os[d] = (uint32_t)((int32_t)in_shape[d] + paddings[2 * d] + paddings[2 * d + 1]);
    for (n = 0; n < os[0]; ++n)
        for (c = 0; c < os[1]; ++c)
            for (h = 0; h < os[2]; ++h)
                for (w = 0; w < os[3]; ++w, ++o) {
                    int32_t in_n = (int32_t)n - paddings[0], in_c = (int32_t)c - paddings[2];
                    int32_t in_h = (int32_t)h - paddings[4], in_w = (int32_t)w - paddings[6];
                    uint8_t *dst = out + o * elem_bytes;
                    if (in_n >= 0 && in_n < (int32_t)in_shape[0] && in_c >= 0 && in_c < (int32_t)in_shape[1] &&
                        in_h >= 0 && in_h < (int32_t)in_shape[2] && in_w >= 0 && in_w < (int32_t)in_shape[3]) {
                        size_t i = (((size_t)in_n * in_shape[1] + (uint32_t)in_c) * in_shape[2] + (uint32_t)in_h) * in_shape[3] +
                                   (uint32_t)in_w;
                        memcpy(dst, in + i * elem_bytes, elem_bytes);
                    } else {
                        memcpy(dst, value, elem_bytes);
                    }
                }
}
"""

_REDUCE = """\
/* reduce the axes where out_shape is 1 and in_shape is not; the fold starts from init_value and visits the
   reduced elements in row-major order; mean multiplies by |out| / |in| */
static void kcc_reduce(const uint8_t *in, uint8_t *out, int op, const uint32_t *in_shape, const uint32_t *out_shape,
                       float init_value, float mean_scale, int in_u8, int out_u8)
{
    uint32_t red[4], keep_n[4], red_n[4], nk = 0, nr = 0, d, kept, total_keep = 1, total_red = 1, r;
    uint32_t stride[4];
    stride[3] = 1;
    for (d = 3; d > 0; --d)
        stride[d - 1] = stride[d] * in_shape[d];
    for (d = 0; d < 4; ++d) {
        if (out_shape[d] == 1 && in_shape[d] != 1) {
            red[nr] = d;
            red_n[nr++] = in_shape[d];
            total_red *= in_shape[d];
        } else {
            keep_n[nk++] = d;
            total_keep *= in_shape[d];
        }
    }
    for (kept = 0; kept < total_keep; ++kept) {
        size_t base = 0;
        uint32_t rem = kept;
        float acc = init_value;
        for (d = nk; d > 0; --d) {
            base += (size_t)(rem % in_shape[keep_n[d - 1]]) * stride[keep_n[d - 1]];
            rem /= in_shape[keep_n[d - 1]];
        }
        for (r = 0; r < total_red; ++r) {
            size_t off = base;
            uint32_t rr = r;
            float v;
            for (d = nr; d > 0; --d) {
                off += (size_t)(rr % red_n[d - 1]) * stride[red[d - 1]];
                rr /= red_n[d - 1];
            }
            v = kcc_ldx(in, off, in_u8);
            if (op == 0 || op == 3)
                acc = acc + v;
            else if (op == 1)
                acc = kcc_minf(acc, v);
            else
                acc = kcc_maxf(acc, v);
        }
        if (op == 0)
            acc = acc * mean_scale;
        kcc_stx(out, kept, acc, out_u8);
    }
}
"""

_REDUCE_WINDOW = """\
/* fold the in-bounds taps in (ky, kx) order into init_value; mean divides by the tap count */
static void kcc_reduce_window2d(const uint8_t *in, uint8_t *out, int op, const kcc_conv_geometry *g, float init_value,
                                float lo, float hi, int in_u8, int out_u8)
{
    uint32_t b, c, y, x, ky, kx;
    size_t o = 0;
    for (b = 0; b < g->n; ++b)
        for (c = 0; c < g->c; ++c)
            for (y = 0; y < g->out_h; ++y)
                for (x = 0; x < g->out_w; ++x, ++o) {
                    float acc = init_value;
                    uint32_t count = 0;
                    for (ky = 0; ky < g->filter_h; ++ky) {
                        int32_t iy = (int32_t)(y * g->stride_h + ky) - g->pad_top;
                        if (iy < 0 || iy >= (int32_t)g->h)
                            continue;
                        for (kx = 0; kx < g->filter_w; ++kx) {
                            int32_t ix = (int32_t)(x * g->stride_w + kx) - g->pad_left;
                            float v;
                            if (ix < 0 || ix >= (int32_t)g->w)
                                continue;
                            v = kcc_ldx(in, (((size_t)b * g->c + c) * g->h + (uint32_t)iy) * g->w + (uint32_t)ix, in_u8);
                            ++count;
                            if (op == 1)
                                acc = kcc_minf(acc, v);
                            else if (op == 2)
                                acc = kcc_maxf(acc, v);
                            else
                                acc = acc + v;
                        }
                    }
                    if (op == 0)
                        acc = acc / (float)(count > 0 ? count : 1);
                    kcc_stx(out, o, kcc_clampf(acc, lo, hi), out_u8);
                }
}
"""

_RESIZE = """\
/* source index of each output row / column: nearest floor(i * (in / out)), bilinear (i0, i1, fraction) */
static void kcc_resize_axis(uint32_t n_in, uint32_t n_out, int align_corners, uint32_t i, uint32_t *i0, uint32_t *i1,
                            float *frac)
{
    float scale = (align_corners && n_out > 1) ? (float)(n_in - 1) / (float)(n_out - 1) : (float)n_in / (float)n_out;
    float pos = (float)i * scale;
    float fl = floorf(pos);
    uint32_t k = (uint32_t)fl;
    if (k > n_in - 1)
        k = n_in - 1;
    *i0 = k;
    *i1 = k + 1 < n_in ? k + 1 : n_in - 1;
    *frac = pos - (float)k;
}

static inline float kcc_elem(const uint8_t *p, size_t i, int is_f32)
{
    return is_f32 ? kcc_ld_f32(p + 4u * i) : (float)p[i];
}

static void kcc_resize_image(const uint8_t *in, uint8_t *out, const uint32_t *in_shape, uint32_t out_h, uint32_t out_w,
                             int nearest, int align_corners, int is_f32)
{
    uint32_t planes = in_shape[0] * in_shape[1], h = in_shape[2], w = in_shape[3], p, y, x;
    uint32_t eb = is_f32 ? 4u : 1u;
    size_t o = 0;
    for (p = 0; p < planes; ++p) {
        const uint8_t *src = in + (size_t)p * h * w * eb;
        for (y = 0; y < out_h; ++y) {
            uint32_t y0, y1;
            float fy;
            if (nearest) {
                float sy = (float)h / (float)out_h;
                uint32_t iy = (uint32_t)floorf((float)y * sy);
                y0 = iy < h - 1 ? iy : h - 1;
                y1 = y0;
                fy = 0.0f;
            } else {
                kcc_resize_axis(h, out_h, align_corners, y, &y0, &y1, &fy);
            }
            for (x = 0; x < out_w; ++x, ++o) {
                uint32_t x0, x1;
                float fx;
                if (nearest) {
                    float sx = (float)w / (float)out_w;
                    uint32_t ix = (uint32_t)floorf((float)x * sx);
                    x0 = ix < w - 1 ? ix : w - 1;
                    memcpy(out + o * eb, src + ((size_t)y0 * w + x0) * eb, eb);
                } else {
                    float a, b, c, d, top, bot, v;
                    kcc_resize_axis(w, out_w, align_corners, x, &x0, &x1, &fx);
                    a = kcc_elem(src, (size_t)y0 * w + x0, is_f32);
                    b = kcc_elem(src, (size_t)y0 * w + x1, is_f32);
                    c = kcc_elem(src, (size_t)y1 * w + x0, is_f32);
                    d = kcc_elem(src, (size_t)y1 * w + x1, is_f32);
                    top = a * (1.0f - fx) + b * fx;
                    bot = c * (1.0f - fx) + d * fx;
                    v = top * (1.0f - fy) + bot * fy;
                    if (is_f32)
                        kcc_st_f32(out + 4u * o, v);
                    else
                        out[o] = (uint8_t)kcc_clampf(truncf(v), 0.0f, 255.0f);
                }
            }
        }
    }
}
"""

_SOFTMAX = """\
/* per row: m = max, e = kcc_expf((x - m) * beta), s = sequential sum of e, y = e / s */
static void kcc_softmax(const uint8_t *in, uint8_t *out, uint32_t outer, uint32_t inner, float beta)
{
    uint32_t r, i;
    for (r = 0; r < outer; ++r) {
        const uint8_t *x = in + 4u * (size_t)r * inner;
        uint8_t *y = out + 4u * (size_t)r * inner;
        float m = kcc_ld_f32(x), s = 0.0f;
        for (i = 1; i < inner; ++i)
            m = kcc_maxf(m, kcc_ld_f32(x + 4u * i));
        for (i = 0; i < inner; ++i) {
            float e = kcc_expf((kcc_ld_f32(x + 4u * i) - m) * beta);
            s = s + e;
            kcc_st_f32(y + 4u * i, e);
        }
        for (i = 0; i < inner; ++i)
            kcc_st_f32(y + 4u * i, kcc_ld_f32(y + 4u * i) / s);
    }
}
"""

_TRANSPOSE = """\
static void kcc_transpose(const uint8_t *in, uint8_t *out, const uint32_t *in_shape, const uint32_t *perm,
                          uint32_t elem_bytes)
{
    uint32_t os[4], is[4], st[4], idx[4], d;
    size_t o = 0;
    is[3] = 1;
    for (d = 3; d > 0; --d)
        is[d - 1] = is[d] * in_shape[d];
    for (d = 0; d < 4; ++d) {
        os[d] = in_shape[perm[d]];
        st[d] = is[perm[d]];
    }
    for (idx[0] = 0; idx[0] < os[0]; ++idx[0])
        for (idx[1] = 0; idx[1] < os[1]; ++idx[1])
            for (idx[2] = 0; idx[2] < os[2]; ++idx[2])
                for (idx[3] = 0; idx[3] < os[3]; ++idx[3], ++o) {
                    size_t i = (size_t)idx[0] * st[0] + (size_t)idx[1] * st[1] + (size_t)idx[2] * st[2] + (size_t)idx[3] * st[3];
                    memcpy(out + o * elem_bytes, in + i * elem_bytes, elem_bytes);
                }
}
"""

_SLICE = """\
/* out[i] = in[begin + i * stride] per axis; counts precomputed (the emitter checked every index) */
static void kcc_strided_slice(const uint8_t *in, uint8_t *out, const uint32_t *in_shape, const int32_t *begin,
                              const int32_t *strides, const uint32_t *counts, uint32_t elem_bytes)
{
    uint32_t is[4], idx[4], d;
    size_t o = 0;
    is[3] = 1;
    for (d = 3; d > 0; --d)
        is[d - 1] = is[d] * in_shape[d];
    for (idx[0] = 0; idx[0] < counts[0]; ++idx[0])
        for (idx[1] = 0; idx[1] < counts[1]; ++idx[1])
            for (idx[2] = 0; idx[2] < counts[2]; ++idx[2])
                for (idx[3] = 0; idx[3] < counts[3]; ++idx[3], ++o) {
                    size_t i = 0;
                    for (d = 0; d < 4; ++d)
                        i += (size_t)(uint32_t)(begin[d] + (int32_t)idx[d] * strides[d]) * is[d];
                    memcpy(out + o * elem_bytes, in + i * elem_bytes, elem_bytes);
                }
}
"""

_NNIL = """\
/* the NNIL stack machine (opcodes of the kmodel v4 nnil_unary_method), run once per element; the emitter
   checked the stack depth of the program, which does not depend on the data */
static float kcc_nnil_eval(const uint8_t *code, const uint32_t *consts, uint32_t length, float x)
{
    float stack[64];
    int sp = 0;
    uint32_t pc, k = 0;
    for (pc = 0; pc < length; ++pc) {
        uint8_t op = code[pc];
        float a, b;
        switch (op) {
        case 0x00: break;
        case 0x01: stack[sp] = stack[sp - 1]; ++sp; break;
        case 0x02: --sp; break;
        case 0x03: stack[sp++] = x; break;
        case 0x04: stack[sp++] = 0.0f; break;
        case 0x05: stack[sp++] = 1.0f; break;
        case 0x06: stack[sp++] = kcc_f32(consts[k++]); break;
        case 0x20: stack[sp - 1] = fabsf(stack[sp - 1]); break;
        case 0x21: stack[sp - 1] = ceilf(stack[sp - 1]); break;
        case 0x22: stack[sp - 1] = cosf(stack[sp - 1]); break;
        case 0x23: stack[sp - 1] = kcc_expf(stack[sp - 1]); break;
        case 0x24: stack[sp - 1] = floorf(stack[sp - 1]); break;
        case 0x25: stack[sp - 1] = kcc_logf(stack[sp - 1]); break;
        case 0x26: stack[sp - 1] = -stack[sp - 1]; break;
        case 0x27: stack[sp - 1] = 1.0f / sqrtf(stack[sp - 1]); break;
        case 0x28: stack[sp - 1] = sinf(stack[sp - 1]); break;
        case 0x29: stack[sp - 1] = stack[sp - 1] * stack[sp - 1]; break;
        case 0x80:
            b = stack[--sp];
            a = stack[--sp];
            stack[sp - 1] = kcc_minf(kcc_maxf(stack[sp - 1], a), b);
            break;
        case 0xA0: pc = length; break;
        default:
            b = stack[--sp];
            a = stack[sp - 1];
            switch (op) {
            case 0x40: a = a + b; break;
            case 0x41: a = a - b; break;
            case 0x42: a = a * b; break;
            case 0x43: a = a / b; break;
            case 0x44: a = kcc_minf(a, b); break;
            default: a = kcc_maxf(a, b); break;
            }
            stack[sp - 1] = a;
            break;
        }
    }
    return stack[sp - 1];
}

static void kcc_nnil(const uint8_t *in, uint8_t *out, uint32_t count, const uint8_t *code, const uint32_t *consts,
                     uint32_t length, int out_u8)
{
    uint32_t i;
    for (i = 0; i < count; ++i)
        kcc_stx(out, i, kcc_nnil_eval(code, consts, length, kcc_ld_f32(in + 4u * i)), out_u8);
}
"""

_TABLE = """\
static void kcc_table_lookup(const uint8_t *in, uint8_t *out, uint32_t count, const uint8_t *table)
{
    uint32_t i;
    for (i = 0; i < count; ++i)
        out[i] = table[in[i]];
}
"""

_KPU_LAYOUT = """\
/* a KPU RAM feature-map layout: channels per 64-byte line (groups), bytes per row and per channel block */
typedef struct {
    uint32_t groups, row_bytes, block_bytes;
} kcc_kpu_layout;

static inline size_t kcc_kpu_offset(const kcc_kpu_layout *l, uint32_t c, uint32_t y, uint32_t x)
{
    return (size_t)(c / l->groups) * l->block_bytes + (size_t)(c % l->groups) * (64u / l->groups) + (size_t)y * l->row_bytes + x;
}

/* dense CxHxW uint8 -> KPU RAM at kpu (the map's first byte) */
static void kcc_kpu_put(uint8_t *kpu, const kcc_kpu_layout *l, const uint8_t *src, uint32_t c, uint32_t h, uint32_t w)
{
    uint32_t i, y, x;
    for (i = 0; i < c; ++i)
        for (y = 0; y < h; ++y)
            for (x = 0; x < w; ++x)
                kpu[kcc_kpu_offset(l, i, y, x)] = *src++;
}
"""

_KPU_UPLOAD = """\
static void kcc_kpu_upload(const uint8_t *in, uint8_t *kpu, uint32_t batches, uint32_t c, uint32_t h, uint32_t w,
                           const kcc_kpu_layout *l, uint32_t batch_bytes)
{
    uint32_t b;
    for (b = 0; b < batches; ++b)
        kcc_kpu_put(kpu + (size_t)b * batch_bytes, l, in + (size_t)b * c * h * w, c, h, w);
}
"""

_KPU_CONV = """\
/* one KPU layer, bit for bit as kcc.k210.kpu_layer with nncase v0.2's readings (kcc.sim.v4.V4_KPU_OPTIONS):
   ALU = sum(x * w) + floor(arg_x * sum(x) / 2^shr_x) + wbias[o]  (sum(x) over every input tap, once)
   t   = floor(ALU * bn_mul[o] / 2^bn_shift[o]) + bn_add[o]
   y   = clamp(banker_round((t - start[j]) * mul[j] / 2^shift[j]) + add[j], 0, 255), j the highest segment with start[j] < t
   then the pool; 3x3 kernels read pad_value outside the map. */
typedef struct {
    uint32_t ic, oc, h, w, oh, ow, kernel, depthwise, pool, pad_value, batches;
    int64_t arg_x;
    int shr_x;
    kcc_kpu_layout in_layout, out_layout;
    uint32_t in_offset, out_offset, in_batch_bytes, out_batch_bytes;
    const uint8_t *weights;
    const int64_t *wbias;
    const int32_t *bn_mul, *bn_add;
    const uint8_t *bn_shift;
    const int64_t *act_start;
    const int32_t *act_mul;
    const uint8_t *act_shift, *act_add;
} kcc_kpu_conv;

/* nncase v0.2's carry_shift_banker, including its negative branch (away from zero past the half) */
static inline int64_t kcc_banker_shift(int64_t v, int s)
{
    int64_t fl, frac, half, sigma;
    if (s <= 0)
        return v;
    fl = kcc_floor_shr(v, s);
    frac = (int64_t)((uint64_t)v & (((uint64_t)1 << s) - 1u));
    half = (int64_t)1 << (s - 1);
    sigma = v < 0 ? -1 : 1;
    if (frac < half)
        return fl;
    if (frac > half)
        return fl + sigma;
    return (fl & 1) ? fl + sigma : fl;
}

static inline uint8_t kcc_kpu_activate(const kcc_kpu_conv *L, uint32_t o, int64_t alu)
{
    int64_t t = kcc_floor_shr(alu * L->bn_mul[o], L->bn_shift[o]) + L->bn_add[o];
    int j, seg = 0, s;
    for (j = 0; j < 16; ++j)
        if (t > L->act_start[j])
            seg = j;
    s = L->act_shift[seg] > 62 ? 62 : L->act_shift[seg];
    return kcc_sat_u8(kcc_banker_shift((t - L->act_start[seg]) * L->act_mul[seg], s) + L->act_add[seg]);
}

static void kcc_kpu_conv2d(const kcc_kpu_conv *L, uint8_t *kpu, uint8_t *x, uint8_t *y, uint8_t *main_out)
{
    uint32_t k2 = L->kernel * L->kernel, half = L->kernel / 2, b, i, o, py, px, ky, kx;
    uint32_t win = (L->pool == 3 || L->pool == 4 || L->pool == 7) ? 4u : (L->pool == 0 ? 1u : 2u);
    uint32_t stride = (L->pool == 0 || L->pool == 8 || L->pool == 9) ? 1u : win;
    for (b = 0; b < L->batches; ++b) {
        const uint8_t *src = kpu + L->in_offset + (size_t)b * L->in_batch_bytes;
        uint8_t *dst = kpu + L->out_offset + (size_t)b * L->out_batch_bytes;
        /* the whole input map is read before anything is written (a layer may overwrite its own input) */
        for (i = 0; i < L->ic; ++i)
            for (py = 0; py < L->h; ++py)
                for (px = 0; px < L->w; ++px)
                    x[((size_t)i * L->h + py) * L->w + px] = src[kcc_kpu_offset(&L->in_layout, i, py, px)];
        for (py = 0; py < L->h; ++py)
            for (px = 0; px < L->w; ++px) {
                int64_t sx_all = 0;
                if (!L->depthwise) {
                    for (i = 0; i < L->ic; ++i)
                        for (ky = 0; ky < L->kernel; ++ky)
                            for (kx = 0; kx < L->kernel; ++kx) {
                                int32_t yy = (int32_t)(py + ky) - (int32_t)half, xx = (int32_t)(px + kx) - (int32_t)half;
                                int inside = yy >= 0 && yy < (int32_t)L->h && xx >= 0 && xx < (int32_t)L->w;
                                sx_all += inside ? x[((size_t)i * L->h + (uint32_t)yy) * L->w + (uint32_t)xx] : L->pad_value;
                            }
                }
                for (o = 0; o < L->oc; ++o) {
                    int64_t sxw = 0, sx = 0;
                    uint32_t first = L->depthwise ? o : 0, last = L->depthwise ? o + 1 : L->ic;
                    const uint8_t *wo = L->weights + (size_t)o * (L->depthwise ? 1u : L->ic) * k2;
                    for (i = first; i < last; ++i, wo += k2)
                        for (ky = 0; ky < L->kernel; ++ky)
                            for (kx = 0; kx < L->kernel; ++kx) {
                                int32_t yy = (int32_t)(py + ky) - (int32_t)half, xx = (int32_t)(px + kx) - (int32_t)half;
                                int inside = yy >= 0 && yy < (int32_t)L->h && xx >= 0 && xx < (int32_t)L->w;
                                int64_t v = inside ? x[((size_t)i * L->h + (uint32_t)yy) * L->w + (uint32_t)xx] : L->pad_value;
                                sxw += v * wo[ky * L->kernel + kx];
                                sx += v;
                            }
                    if (!L->depthwise)
                        sx = sx_all;
                    y[((size_t)o * L->h + py) * L->w + px] =
                        kcc_kpu_activate(L, o, sxw + kcc_floor_shr(L->arg_x * sx, L->shr_x) + L->wbias[o]);
                }
            }
        for (o = 0; o < L->oc; ++o)
            for (py = 0; py < L->oh; ++py)
                for (px = 0; px < L->ow; ++px) {
                    const uint8_t *plane = y + (size_t)o * L->h * L->w;
                    uint32_t v;
                    if (L->pool == 0) {
                        v = plane[(size_t)py * L->w + px];
                    } else if (L->pool == 5 || L->pool == 7) {
                        v = plane[(size_t)py * stride * L->w + px * stride];
                    } else if (L->pool == 6) {
                        v = plane[(size_t)py * 2u * L->w + px * 2u + 1u];
                    } else if (L->pool == 8 || L->pool == 9) {
                        uint32_t y1 = py + 1 < L->h ? py + 1 : py, x1 = px + 1 < L->w ? px + 1 : px;
                        uint32_t a = plane[(size_t)py * L->w + px], bb = plane[(size_t)py * L->w + x1];
                        uint32_t c = plane[(size_t)y1 * L->w + px], d = plane[(size_t)y1 * L->w + x1];
                        if (L->pool == 8) {
                            v = (a + bb + c + d) / 4u; /* edge taps replicated */
                        } else {
                            if (px + 1 >= L->w) { bb = 0; d = 0; } /* zero padding past the edge */
                            if (py + 1 >= L->h) { c = 0; d = 0; }
                            v = a > bb ? a : bb;
                            v = v > c ? v : c;
                            v = v > d ? v : d;
                        }
                    } else {
                        uint32_t sum = 0, mx = 0, dy, dx;
                        for (dy = 0; dy < win; ++dy)
                            for (dx = 0; dx < win; ++dx) {
                                uint32_t t = plane[(size_t)(py * stride + dy) * L->w + px * stride + dx];
                                sum += t;
                                mx = t > mx ? t : mx;
                            }
                        v = (L->pool == 1 || L->pool == 3) ? mx : sum / (win * win);
                    }
                    dst[kcc_kpu_offset(&L->out_layout, o, py, px)] = (uint8_t)v;
                    if (main_out)
                        main_out[(((size_t)b * L->oc + o) * L->oh + py) * L->ow + px] = (uint8_t)v;
                }
    }
}
"""

SNIPPETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "helpers": (_HELPERS, ()),
    "put_f32": (_PUT, ("helpers",)),
    "get_f32": (_GET, ("helpers",)),
    "mul_shift": (_MUL_SHIFT, ("helpers",)),
    "bcast": (_BCAST, ()),
    "binary": (_BINARY_F32, ("helpers", "bcast")),
    "quantized_binary": (_QBINARY, ("helpers", "bcast", "mul_shift")),
    "concat": (_CONCAT, ()),
    "copy": (_COPY, ()),
    "conv2d_geometry": (_GEOMETRY, ()),
    "conv2d": (_CONV_F32, ("helpers", "conv2d_geometry")),
    "quantized_conv2d": (_QCONV, ("helpers", "mul_shift", "conv2d_geometry")),
    "conv2d_transpose": (_CONV_T, ("helpers", "conv2d_geometry")),
    "quantize": (_QUANTIZE, ("helpers",)),
    "dequantize": (_DEQUANTIZE, ("helpers",)),
    "matmul": (_MATMUL, ("helpers",)),
    "quantized_matmul": (_QMATMUL, ("helpers", "mul_shift")),
    "pad": (_PAD, ()),
    "reduce": (_REDUCE, ("helpers",)),
    "reduce_window2d": (_REDUCE_WINDOW, ("helpers", "conv2d_geometry")),
    "resize_image": (_RESIZE, ("helpers",)),
    "exp": (f32_math.c_exp_source(), ("helpers",)),
    "log": (f32_math.c_log_source(), ("helpers",)),
    "softmax": (_SOFTMAX, ("helpers", "exp")),
    "transpose": (_TRANSPOSE, ()),
    "strided_slice": (_SLICE, ()),
    "nnil": (_NNIL, ("helpers", "exp", "log")),
    "table_lookup": (_TABLE, ()),
    "kpu_layout": (_KPU_LAYOUT, ()),
    "kpu_upload": (_KPU_UPLOAD, ("kpu_layout",)),
    "kpu_conv2d": (_KPU_CONV, ("helpers", "kpu_layout")),
}


def collect(names: set[str]) -> list[str]:
    """The C texts of `names` and everything they depend on, dependencies first, in SNIPPETS order."""
    need: set[str] = set()

    def add(name: str) -> None:
        if name not in need:
            need.add(name)
            for dep in SNIPPETS[name][1]:
                add(dep)

    for n in names:
        add(n)
    return [text for name, (text, _) in SNIPPETS.items() if name in need]
