// Hot loops that the Swift compiler does not vectorise (square roots go
// through libm with errno semantics there). Each is compiled for AVX-512,
// AVX2 and baseline x86-64, and the loader picks the best the CPU has.
#include "CKernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__clang__)
#define FG_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define FG_MULTIVERSION
#endif

// Adam (with optional L2 and decoupled decay `keep`) on element i: reads
// p, g, m, v at i, then writes the outputs at i, so in place is fine. One
// definition for the in-place, fresh-array and mixed loops below, which differ
// only in what the compiler may assume about aliasing.
#define ADAM_ELEMENT(p, m, v, p_out, m_out, v_out, i) do { \
        float pi = (p)[i] * keep; \
        float gi = g[i] + l2 * pi; \
        float mi = b1 * (m)[i] + c1 * gi; \
        float vi = b2 * (v)[i] + c2 * gi * gi; \
        (m_out)[i] = mi; \
        (v_out)[i] = vi; \
        (p_out)[i] = pi - step_size * mi / (__builtin_sqrtf(vi) * inv_root_c2 + eps); \
    } while (0)

FG_MULTIVERSION
void fg_adam_update(float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
                    size_t count, float step_size, float b1, float b2, float eps,
                    float inv_root_c2, float l2, float keep) {
    const float c1 = 1.0f - b1, c2 = 1.0f - b2;
    for (size_t i = 0; i < count; i++) ADAM_ELEMENT(p, m, v, p, m, v, i);
}

// The update as an inline body over distinct arrays (restrict lets the
// compiler vectorise without run-time overlap checks).
static inline __attribute__((always_inline))
void adam_body(const float *restrict p, const float *restrict g, const float *restrict m, const float *restrict v,
               float *restrict p_out, float *restrict m_out, float *restrict v_out, size_t count,
               float step_size, float b1, float b2, float eps, float inv_root_c2, float l2, float keep) {
    const float c1 = 1.0f - b1, c2 = 1.0f - b2;
    for (size_t i = 0; i < count; i++) ADAM_ELEMENT(p, m, v, p_out, m_out, v_out, i);
}

// The same update reading (p, m, v) and writing (p_out, m_out, v_out): each
// output is either its input (in place) or a fresh array (the old values are
// still referenced elsewhere, e.g. by a snapshot), so no copy is needed first.
FG_MULTIVERSION
void fg_adam_update_into(const float *p, const float *g, const float *m, const float *v,
                         float *p_out, float *m_out, float *v_out, size_t count,
                         float step_size, float b1, float b2, float eps,
                         float inv_root_c2, float l2, float keep) {
    int same_p = p == p_out, same_m = m == m_out, same_v = v == v_out;
    if (same_p && same_m && same_v) {
        fg_adam_update(p_out, g, m_out, v_out, count, step_size, b1, b2, eps, inv_root_c2, l2, keep);
    } else if (!same_p && !same_m && !same_v) {
        adam_body(p, g, m, v, p_out, m_out, v_out, count, step_size, b1, b2, eps, inv_root_c2, l2, keep);
    } else {
        // Mixed: element i is read before it is written, so aliasing is harmless, just not vectorised.
        const float c1 = 1.0f - b1, c2 = 1.0f - b2;
        for (size_t i = 0; i < count; i++) ADAM_ELEMENT(p, m, v, p_out, m_out, v_out, i);
    }
}

FG_MULTIVERSION
void fg_activation_forward(float *restrict y, size_t count, int activation) {
    switch (activation) {
    case FG_ACT_RELU:
        for (size_t i = 0; i < count; i++) y[i] = y[i] > 0.0f ? y[i] : 0.0f;
        break;
    case FG_ACT_TANH:
        for (size_t i = 0; i < count; i++) y[i] = tanhf(y[i]);
        break;
    default:
        break;
    }
}

FG_MULTIVERSION
void fg_activation_backward(const float *restrict g, const float *restrict y, float *restrict gz,
                            float *restrict gb, size_t rows, size_t columns, int activation) {
    for (size_t r = 0; r < rows; r++) {
        const float *gr = g + r * columns, *yr = y + r * columns;
        float *zr = gz + r * columns;
        switch (activation) {
        case FG_ACT_RELU:
            for (size_t j = 0; j < columns; j++) { float v = yr[j] > 0.0f ? gr[j] : 0.0f; zr[j] = v; gb[j] += v; }
            break;
        case FG_ACT_TANH:
            for (size_t j = 0; j < columns; j++) { float v = gr[j] * (1.0f - yr[j] * yr[j]); zr[j] = v; gb[j] += v; }
            break;
        default:
            for (size_t j = 0; j < columns; j++) { float v = gr[j]; zr[j] = v; gb[j] += v; }
            break;
        }
    }
}

// Integer test of the exponent bits (all ones for infinities and NaNs), which
// vectorises, unlike a loop over isfinite() with an early exit.
FG_MULTIVERSION
int fg_all_finite(const float *restrict x, size_t count) {
    uint32_t bad = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t bits;
        memcpy(&bits, x + i, sizeof bits);
        bad |= (uint32_t)((bits & 0x7f800000u) == 0x7f800000u);
    }
    return bad == 0;
}
