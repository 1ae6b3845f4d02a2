#ifndef FAIRGRPO_CSYSTEM_H
#define FAIRGRPO_CSYSTEM_H

/// 1 when the CPU and the operating system support the AVX-512 subset
/// (F, CD, BW, DQ, VL) that OpenBLAS's SkylakeX kernels use, else 0.
int fg_cpu_has_avx512(void);

/// 1 when the CPU and the operating system support AVX2 and FMA (OpenBLAS's
/// Haswell kernels), else 0.
int fg_cpu_has_avx2(void);

/// Replaces the current process image with /proc/self/exe and the given
/// arguments (argv must be NULL-terminated). Returns only on failure (-1).
int fg_reexec_self(char *const argv[]);

/// The number of CPUs this process may run on (its affinity mask), or 0
/// when it cannot be read.
int fg_allowed_cpus(void);

#endif
