#ifndef FAIRGRPO_CKERNELS_H
#define FAIRGRPO_CKERNELS_H
#include <stddef.h>

/// Adam/AdamW update of `count` parameters in one fused pass:
///   p *= keep; g' = g + l2*p; m = b1*m + (1-b1)*g'; v = b2*v + (1-b2)*g'^2;
///   p -= step_size * m / (sqrt(v) * inv_root_c2 + eps)
void fg_adam_update(float *p, const float *g, float *m, float *v, size_t count,
                    float step_size, float b1, float b2, float eps,
                    float inv_root_c2, float l2, float keep);

/// fg_adam_update reading p, m, v and writing p_out, m_out, v_out (each
/// output either the same array as its input or a disjoint one).
void fg_adam_update_into(const float *p, const float *g, const float *m, const float *v,
                         float *p_out, float *m_out, float *v_out, size_t count,
                         float step_size, float b1, float b2, float eps,
                         float inv_root_c2, float l2, float keep);

/// Activation codes shared with Swift's `Activation`.
enum { FG_ACT_IDENTITY = 0, FG_ACT_RELU = 1, FG_ACT_TANH = 2 };

/// y = act(y) in place, for identity, ReLU and tanh.
void fg_activation_forward(float *y, size_t count, int activation);

/// For a [rows, columns] gradient: gz = g * act'(y) and gb += column sums of gz.
/// (y is the activation's output.)
void fg_activation_backward(const float *g, const float *y, float *gz, float *gb,
                            size_t rows, size_t columns, int activation);

/// 1 when none of the `count` values is infinite or NaN, else 0.
int fg_all_finite(const float *x, size_t count);

#endif
