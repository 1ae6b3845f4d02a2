/*
 * The assignment step of Lloyd's k-means two ways, on one core, to decide
 * which one Sources/Cluster/KMeans.swift should use:
 *
 *   direct: Σⱼ (x_j − c_j)² for eight centres at a time in 8-wide vectors,
 *           exactly the scheme of KMeans.swift's blockDistances/assignRows
 *           (two accumulators, centres laid out as d vectors per block of 8);
 *   blas:   ‖x‖² − 2 x·c + ‖c‖², the x·c for a block of 4096 rows by one
 *           cblas_sgemm, then the norms added and the argmin taken.
 *
 * Build and run (what docs/clustering.md reports):
 *   cc -O3 -o /tmp/kmeans_distances scripts/bench/kmeans_distances.c $(pkg-config --cflags --libs openblas) -lm
 *   OPENBLAS_NUM_THREADS=1 /tmp/kmeans_distances
 *
 * No -march flag: Swift's release build targets baseline x86-64 too, while
 * OpenBLAS picks its AVX2/AVX-512 kernels at run time (an advantage for BLAS).
 * Also printed: how many labels differ between the two (float32 cancellation
 * in the BLAS form), and the largest absolute error of the BLAS distance.
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef float v8 __attribute__((vector_size(32)));

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static unsigned long long state = 88172645463325252ULL;
static float uniform(void) {
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;
    return (float)((state >> 11) * 0x1p-53);
}

static void direct(const float *x, int n, int d, const v8 *blocks, int k, int *labels, float *best) {
    int nb = (k + 7) / 8;
    for (int i = 0; i < n; i++) {
        const float *row = x + (size_t)i * d;
        float bd = INFINITY; int bl = 0;
        for (int b = 0; b < nb; b++) {
            const v8 *blk = blocks + (size_t)b * d;
            v8 a0 = {0}, a1 = {0};
            int j = 0;
            for (; j + 2 <= d; j += 2) {
                v8 u0 = row[j] - blk[j], u1 = row[j + 1] - blk[j + 1];
                a0 += u0 * u0; a1 += u1 * u1;
            }
            if (j < d) { v8 u = row[j] - blk[j]; a0 += u * u; }
            v8 s = a0 + a1;
            int lanes = k - 8 * b < 8 ? k - 8 * b : 8;
            for (int l = 0; l < lanes; l++) if (s[l] < bd) { bd = s[l]; bl = 8 * b + l; }
        }
        labels[i] = bl; best[i] = bd;
    }
}

static void viaBlas(const float *x, const float *xn, int n, int d, const float *c, const float *cn, int k,
                    int *labels, float *best, float *dots) {
    const int R = 4096;
    for (int lo = 0; lo < n; lo += R) {
        int m = n - lo < R ? n - lo : R;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, k, d, 1.0f, x + (size_t)lo * d, d, c, d, 0.0f, dots, k);
        for (int i = 0; i < m; i++) {
            const float *row = dots + (size_t)i * k;
            float bd = INFINITY; int bl = 0;
            for (int j = 0; j < k; j++) {
                float v = xn[lo + i] - 2 * row[j] + cn[j];
                if (v < bd) { bd = v; bl = j; }
            }
            labels[lo + i] = bl; best[lo + i] = bd < 0 ? 0 : bd;
        }
    }
}

int main(void) {
    const int n = 200000;
    const int ds[] = {2, 8, 32, 128};
    const int ks[] = {3, 8, 32, 128};
    printf("n = %d rows, one core; ms per assignment step (best of 3)\n", n);
    printf("%5s %5s %10s %10s %8s %14s %14s\n", "d", "k", "direct", "blas", "winner", "labels differ", "max |err| blas");
    for (int di = 0; di < 4; di++) for (int ki = 0; ki < 4; ki++) {
        int d = ds[di], k = ks[ki];
        float *x = malloc(sizeof(float) * (size_t)n * d), *c = malloc(sizeof(float) * (size_t)k * d);
        /* Blobs away from the origin (offset 50): the cancellation the direct form avoids. */
        for (int j = 0; j < k * d; j++) c[j] = 50 + 10 * uniform();
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) x[(size_t)i * d + j] = c[(i % k) * d + j] + 2 * (uniform() - 0.5f);
        int nb = (k + 7) / 8;
        v8 *blocks = aligned_alloc(32, sizeof(v8) * (size_t)nb * d);
        memset(blocks, 0, sizeof(v8) * (size_t)nb * d);
        for (int p = 0; p < k; p++) for (int j = 0; j < d; j++) blocks[(p / 8) * d + j][p % 8] = c[p * d + j];
        float *xn = malloc(sizeof(float) * n), *cn = malloc(sizeof(float) * k), *dots = malloc(sizeof(float) * 4096 * (size_t)k);
        int *l1 = malloc(sizeof(int) * n), *l2 = malloc(sizeof(int) * n);
        float *b1 = malloc(sizeof(float) * n), *b2 = malloc(sizeof(float) * n);
        double t1 = 1e9, t2 = 1e9;
        for (int r = 0; r < 3; r++) {
            double s = now();
            direct(x, n, d, blocks, k, l1, b1);
            double e = now() - s; if (e < t1) t1 = e;
            s = now();
            /* The norms are part of the BLAS form's cost (‖c‖² per iteration; ‖x‖² could be cached). */
            for (int i = 0; i < n; i++) { float a = 0; for (int j = 0; j < d; j++) a += x[(size_t)i * d + j] * x[(size_t)i * d + j]; xn[i] = a; }
            for (int p = 0; p < k; p++) { float a = 0; for (int j = 0; j < d; j++) a += c[p * d + j] * c[p * d + j]; cn[p] = a; }
            viaBlas(x, xn, n, d, c, cn, k, l2, b2, dots);
            e = now() - s; if (e < t2) t2 = e;
        }
        int differ = 0; double err = 0;
        for (int i = 0; i < n; i++) { differ += l1[i] != l2[i]; double e = fabs((double)b1[i] - b2[i]); if (e > err) err = e; }
        printf("%5d %5d %10.2f %10.2f %8s %14d %14.4g\n", d, k, t1 * 1e3, t2 * 1e3, t1 <= t2 ? "direct" : "blas", differ, err);
        free(x); free(c); free(blocks); free(xn); free(cn); free(dots); free(l1); free(l2); free(b1); free(b2);
    }
    return 0;
}
