#include "dc_interpolate.h"

// TensorFlow computes a + (b - a) * t with a separate multiply and add.
#pragma STDC FP_CONTRACT OFF

static void interpolate_scalar(const float *row, const int32_t *left, const int32_t *right,
                               const float *lerp, int first, int count, float *out) {
    for (int x = first; x < count; x++) {
        float a = row[left[x]], b = row[right[x]];
        out[x] = a + (b - a) * lerp[x];
    }
}

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>

// 16 outputs at a time: when their sources lie within 32 floats of the first one (a
// shrink by up to ~1.9x, the common case), a and b are two-register permutes of those 32
// floats instead of 32 scalar loads. Other blocks take the scalar loop.
__attribute__((target("avx512f")))
static void interpolate_avx512(const float *row, int width, const int32_t *left, const int32_t *right,
                               const float *lerp, int count, float *out) {
    int x = 0;
    for (; x + 16 <= count; x += 16) {
        int base = left[x];
        if (right[x + 15] - base >= 32) {
            interpolate_scalar(row, left, right, lerp, x, x + 16, out);
            continue;
        }
        // Masked loads never read past the row's end.
        int available = width - base;
        __mmask16 lowMask = available >= 16 ? 0xFFFF : (__mmask16)((1u << available) - 1);
        __mmask16 highMask = available >= 32 ? 0xFFFF : available <= 16 ? 0 : (__mmask16)((1u << (available - 16)) - 1);
        __m512 low = _mm512_maskz_loadu_ps(lowMask, row + base);
        __m512 high = _mm512_maskz_loadu_ps(highMask, row + base + 16);
        __m512i offset = _mm512_set1_epi32(base);
        __m512 a = _mm512_permutex2var_ps(low, _mm512_sub_epi32(_mm512_loadu_si512(left + x), offset), high);
        __m512 b = _mm512_permutex2var_ps(low, _mm512_sub_epi32(_mm512_loadu_si512(right + x), offset), high);
        __m512 difference = _mm512_sub_ps(b, a);
        _mm512_storeu_ps(out + x, _mm512_add_ps(a, _mm512_mul_ps(difference, _mm512_loadu_ps(lerp + x))));
    }
    interpolate_scalar(row, left, right, lerp, x, count, out);
}
#endif

void dc_interpolate_row(const float *row, int width, const int32_t *left, const int32_t *right,
                        const float *lerp, int count, float *out) {
#if defined(__x86_64__) && defined(__clang__)
    if (__builtin_cpu_supports("avx512f")) {
        interpolate_avx512(row, width, left, right, lerp, count, out);
        return;
    }
#endif
    (void)width;
    interpolate_scalar(row, left, right, lerp, 0, count, out);
}
