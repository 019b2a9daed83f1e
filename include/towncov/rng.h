/* rng.h — a counter-based random generator: the n-th number of stream s for
 * seed k is a pure function of (k, s, n), so any thread can draw any number
 * and results never depend on the number of threads or their order
 * (the XSBench lesson: no shared stream). SplitMix64's finaliser mixes a
 * Weyl sequence; it passes BigCrush as a counter-based generator. */
#ifndef TOWNCOV_RNG_H
#define TOWNCOV_RNG_H

#include <stdint.h>

static inline uint64_t rng_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The counter-th 64-bit value of stream `stream` under `seed`. */
static inline uint64_t rng_u64(uint64_t seed, uint64_t stream, uint64_t counter)
{
    uint64_t key = rng_mix64(seed + 0x9e3779b97f4a7c15ULL * (stream + 1));
    return rng_mix64(key + 0x9e3779b97f4a7c15ULL * (counter + 1));
}

/* Uniform double in [0, 1) with 53 random bits. */
static inline double rng_uniform(uint64_t seed, uint64_t stream, uint64_t counter)
{
    return (double)(rng_u64(seed, stream, counter) >> 11) * 0x1.0p-53;
}

#endif
