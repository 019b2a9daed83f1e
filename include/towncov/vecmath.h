/* vecmath.h — glibc's vector maths (libmvec) for the few hot loops that
 * evaluate the link budget at millions of points (the signal rasters).
 *
 * GCC calls libmvec's SIMD variants (_ZGVdN4v_exp: four doubles at once,
 * and so on) only for functions declared with the simd attribute, which
 * glibc's <math.h> does under -ffast-math alone; towncov keeps IEEE
 * semantics, so a file that includes this header declares them itself and
 * is compiled with -fno-math-errno -fno-trapping-math (the Makefile lists
 * those files). Each variant is within 4 ulp of the scalar function
 * (glibc's manual): far below what a dB figure shows, but not always
 * bit-identical to libm, so a value computed in such a loop may differ
 * from its scalar twin in the last bits. Which variant runs depends on the
 * processor, never on the thread count: results stay the same for 1 or N
 * threads.
 *
 * TC_SIMD marks such a loop (OpenMP's `omp simd`). TC_VEC_CLONES on a
 * function compiles it three times, for x86-64's baseline, x86-64-v3
 * (AVX2: four doubles a vector) and x86-64-v4 (AVX-512; GCC keeps four
 * doubles a vector there by default); the loader picks the best the
 * processor has (GCC's target_clones, an ifunc). GCC 12 leaves the link
 * budget's loop scalar in the baseline clone (checked with
 * -fopt-info-vec), so a processor without AVX2 runs it as fast as plain
 * libm calls would. Other compilers (clang builds the sanitised and
 * fuzzing binaries) get plain declarations and scalar loops. */
#ifndef TOWNCOV_VECMATH_H
#define TOWNCOV_VECMATH_H

#include <math.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
extern double exp(double) __attribute__((simd("notinbranch")));
extern double log10(double) __attribute__((simd("notinbranch")));
extern double atan2(double, double) __attribute__((simd("notinbranch")));
#define TC_VEC_CLONES \
    __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#define TC_SIMD _Pragma("omp simd")
#else
#define TC_VEC_CLONES
#define TC_SIMD /* clang cannot vectorise scalar libm calls, and says so as an error */
#endif

#endif
