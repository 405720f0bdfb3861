/* The naive peer: a plain loop over 64-bit words with the popcount instruction, compiled by
 * bench/peers/run with -O3 -mpopcnt (no intrinsics, no blocking). Codes are row-major and already
 * masked by the coverage (as faiss and scipy get them). */
#include <stddef.h>
#include <stdint.h>

void naive_nearest(const uint64_t* queries, size_t n, const uint64_t* codes, size_t m, size_t words,
                   uint16_t* dist, int64_t* index) {
  for (size_t i = 0; i < n; ++i) {
    const uint64_t* q = queries + i * words;
    unsigned best = ~0u;
    int64_t at = -1;
    for (size_t j = 0; j < m; ++j) {
      const uint64_t* c = codes + j * words;
      unsigned d = 0;
      for (size_t w = 0; w < words; ++w) d += (unsigned)__builtin_popcountll(q[w] ^ c[w]);
      if (d < best) {
        best = d;
        at = (int64_t)j;
      }
    }
    dist[i] = (uint16_t)best;
    index[i] = at;
  }
}
