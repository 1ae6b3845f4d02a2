// Hot loops that the Swift compiler does not vectorise (square roots go
// through libm with errno semantics there). Each is compiled for AVX-512,
// AVX2 and baseline x86-64, and the loader picks the best the CPU has.
#include "CKernels.h"
#include <math.h>

#if defined(__x86_64__) && defined(__clang__)
#define FG_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define FG_MULTIVERSION
#endif

FG_MULTIVERSION
void fg_adam_update(float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
                    size_t count, float step_size, float b1, float b2, float eps,
                    float inv_root_c2, float l2, float keep) {
    const float c1 = 1.0f - b1, c2 = 1.0f - b2;
    for (size_t i = 0; i < count; i++) {
        float pi = p[i] * keep;
        float gi = g[i] + l2 * pi;
        float mi = b1 * m[i] + c1 * gi;
        float vi = b2 * v[i] + c2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi - step_size * mi / (__builtin_sqrtf(vi) * inv_root_c2 + eps);
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
