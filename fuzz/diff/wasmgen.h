/* Generated plugins: a random list of kernel operations (imports of extism:host/env) and host
 * function calls (extism:host/user), compiled straight to a wasm module with one export, `run`.
 * Every operation's result goes to a slot of the plugin's own memory; at the end `run` usually
 * copies the slots into a kernel block and makes it the output, so the output shows the kernel's
 * answers (block offsets, lengths, loaded bytes, config and var handles, the log level). */
#ifndef DIFF_WASMGEN_H
#define DIFF_WASMGEN_H
#include "buf.h"

/* Wasm value types. */
enum { WT_I32 = 0x7f, WT_I64 = 0x7e, WT_F32 = 0x7d, WT_F64 = 0x7c };

#define GEN_MAX_HOST 4
typedef struct {
  int n_params, n_results;
  uint8_t params[3], results[2];
} HostSig;

typedef struct {
  int n_host;                 /* imports h0..h<n-1> from extism:host/user */
  HostSig host[GEN_MAX_HOST]; /* their types as the plugin imports them */
  int max_ops;                /* operations in `run` (1..max_ops) */
  const char *alias;          /* NULL, or a second name `run` is exported under */
} GenOptions;

/* The module into *wasm, a readable listing of its operations into *listing. */
void gen_plugin(Rng *r, const GenOptions *o, Buf *wasm, Buf *listing);

/* A random host function type. */
void gen_host_sig(Rng *r, HostSig *s);

#endif
