/* The compute kernels of kernels.c, compiled natively into the benchmark program. */
#ifndef BENCH_KERNELS_H
#define BENCH_KERNELS_H
#include <stdint.h>
void kern_set_n(uint64_t n);
uint64_t kern_fib(void);
uint64_t kern_sha256(void);
uint64_t kern_matmul(void);
#endif
