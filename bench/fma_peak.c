/* The f32 FMA peak of one core; bench/run.py builds and runs it for its % of peak:
 *   cc -O2 -march=native bench/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
 * 16 independent FMA chains (enough to cover the latency of two FMA units), in
 * 512-bit vectors where the CPU has AVX-512 and 256-bit ones otherwise. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  const long iters = 20000000;
#ifdef __AVX512F__
  typedef __m512 vec;
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
  const int lanes = 16;
  const char *name = "zmm (AVX-512)";
#else
  typedef __m256 vec;
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
  const int lanes = 8;
  const char *name = "ymm (AVX2)";
#endif
  vec b = SET1(0.9999f), c = SET1(1e-4f);
  /* Named variables, not an array, so that every chain stays in a register. */
  vec a0 = SET1(0), a1 = SET1(1), a2 = SET1(2), a3 = SET1(3), a4 = SET1(4),
      a5 = SET1(5), a6 = SET1(6), a7 = SET1(7), a8 = SET1(8), a9 = SET1(9),
      a10 = SET1(10), a11 = SET1(11), a12 = SET1(12), a13 = SET1(13),
      a14 = SET1(14), a15 = SET1(15);
  double start = now();
  for (long i = 0; i < iters; ++i) {
    a0 = FMA(a0, b, c), a1 = FMA(a1, b, c), a2 = FMA(a2, b, c);
    a3 = FMA(a3, b, c), a4 = FMA(a4, b, c), a5 = FMA(a5, b, c);
    a6 = FMA(a6, b, c), a7 = FMA(a7, b, c), a8 = FMA(a8, b, c);
    a9 = FMA(a9, b, c), a10 = FMA(a10, b, c), a11 = FMA(a11, b, c);
    a12 = FMA(a12, b, c), a13 = FMA(a13, b, c), a14 = FMA(a14, b, c);
    a15 = FMA(a15, b, c);
    __asm__ volatile("" ::: "memory"); /* one iteration at a time */
  }
  double seconds = now() - start;
  vec all[16] = {a0, a1, a2, a3, a4, a5, a6, a7,
                 a8, a9, a10, a11, a12, a13, a14, a15};
  float sum = 0;
  for (int j = 0; j < 16; ++j)
    sum += ((float *)&all[j])[0]; /* keeps the chains live */
  printf("%.1f GFLOP/s per core, %s (checksum %g)\n",
         iters * 16.0 * lanes * 2 / seconds / 1e9, name, sum);
  return 0;
}
