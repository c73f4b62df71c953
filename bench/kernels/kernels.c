/*
 * Compute kernels for `make bench`: one C source, built three ways (bench/Makefile):
 *   - kernels.wasm      an Extism plugin: exports fib, sha256, matmul taking no arguments; each reads its
 *                       size (8 bytes, little-endian) from the Extism input and outputs an 8-byte checksum;
 *   - kernels_raw.wasm  no imports: set_n(size) then fib() / sha256() / matmul() return the checksum
 *                       (for the wasmi harness and wasm3);
 *   - native            compiled into the benchmark program (kern_set_n, kern_fib, ...).
 * The kernels themselves are the same code in all three. Sizes: fib(n); sha256 over an n-byte buffer
 * (n <= 1 MiB, filled with a fixed pattern first); n x n matrix multiply of doubles (n <= 256).
 */
#include <stdint.h>

#if defined(__wasm__)
#define EXPORT(name) __attribute__((export_name(name), used))
#define IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))
#else
#define EXPORT(name)
#endif

#define NOINLINE __attribute__((noinline))

#if defined(__wasm__)
/* -nostdlib: the compiler may still emit calls to memset (zeroed arrays). */
__attribute__((no_builtin("memset"))) void *memset(void *d, int c, unsigned long n) {
  unsigned char *p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}
#endif

static uint64_t g_n;

/* ---- fib: recursive ---------------------------------------------------------------------------- */
static NOINLINE uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static NOINLINE uint64_t run_fib(void) { return fib((uint32_t)g_n); }

/* ---- sha256 over a buffer ---------------------------------------------------------------------- */
#define SHA_BUF_MAX (1u << 20)
static uint8_t sha_buf[SHA_BUF_MAX];

static const uint32_t K256[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const uint8_t *p) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
    uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static NOINLINE uint64_t run_sha256(void) {
  uint64_t n = g_n > SHA_BUF_MAX ? SHA_BUF_MAX : g_n;
  for (uint64_t i = 0; i < n; i++) sha_buf[i] = (uint8_t)(i * 31u + 7u);
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  uint64_t i = 0;
  for (; i + 64 <= n; i += 64) sha256_block(h, sha_buf + i);
  uint8_t last[128] = {0};
  uint64_t rest = n - i;
  for (uint64_t j = 0; j < rest; j++) last[j] = sha_buf[i + j];
  last[rest] = 0x80;
  uint64_t blocks = rest + 9 <= 64 ? 1 : 2;
  uint64_t bits = n * 8;
  for (int j = 0; j < 8; j++) last[blocks * 64 - 1 - j] = (uint8_t)(bits >> (8 * j));
  for (uint64_t b = 0; b < blocks; b++) sha256_block(h, last + 64 * b);
  return (uint64_t)h[0] << 32 | h[1];
}

/* ---- matmul: n x n doubles ---------------------------------------------------------------------- */
#define MAT_MAX 256
static double ma[MAT_MAX * MAT_MAX], mb[MAT_MAX * MAT_MAX], mc[MAT_MAX * MAT_MAX];

static NOINLINE uint64_t run_matmul(void) {
  uint32_t n = g_n > MAT_MAX ? MAT_MAX : (uint32_t)g_n;
  for (uint32_t i = 0; i < n * n; i++) {
    ma[i] = (double)(i % 17) * 0.25;
    mb[i] = (double)(i % 13) * 0.5;
  }
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t j = 0; j < n; j++) {
      double s = 0;
      for (uint32_t k = 0; k < n; k++) s += ma[i * n + k] * mb[k * n + j];
      mc[i * n + j] = s;
    }
  double sum = 0;
  for (uint32_t i = 0; i < n * n; i++) sum += mc[i] * (double)(i % 7 + 1);
  return (uint64_t)sum;
}

/* ---- entry points --------------------------------------------------------------------------------- */
#if defined(__wasm__) && defined(KERNELS_EXTISM)
IMPORT("extism:host/env", "input_load_u64") uint64_t extism_input_load_u64(uint64_t off);
IMPORT("extism:host/env", "alloc") uint64_t extism_alloc(uint64_t n);
IMPORT("extism:host/env", "store_u64") void extism_store_u64(uint64_t off, uint64_t v);
IMPORT("extism:host/env", "output_set") void extism_output_set(uint64_t off, uint64_t n);

static int32_t extism_run(uint64_t (*kernel)(void)) {
  g_n = extism_input_load_u64(0);
  uint64_t r = kernel();
  uint64_t out = extism_alloc(8);
  extism_store_u64(out, r);
  extism_output_set(out, 8);
  return 0;
}
EXPORT("fib") int32_t x_fib(void) { return extism_run(run_fib); }
EXPORT("sha256") int32_t x_sha256(void) { return extism_run(run_sha256); }
EXPORT("matmul") int32_t x_matmul(void) { return extism_run(run_matmul); }
#elif defined(__wasm__)
EXPORT("set_n") void r_set_n(uint64_t n) { g_n = n; }
EXPORT("fib") uint64_t r_fib(void) { return run_fib(); }
EXPORT("sha256") uint64_t r_sha256(void) { return run_sha256(); }
EXPORT("matmul") uint64_t r_matmul(void) { return run_matmul(); }
#else
void kern_set_n(uint64_t n) { g_n = n; }
uint64_t kern_fib(void) { return run_fib(); }
uint64_t kern_sha256(void) { return run_sha256(); }
uint64_t kern_matmul(void) { return run_matmul(); }
#endif
