#define _GNU_SOURCE
#include <sched.h>
#include "CSystem.h"
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
int fg_cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
}

int fg_cpu_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
int fg_cpu_has_avx512(void) { return 0; }
int fg_cpu_has_avx2(void) { return 0; }
#endif

int fg_reexec_self(char *const argv[]) {
    return execv("/proc/self/exe", argv);
}

int fg_allowed_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    return CPU_COUNT(&set);
}
