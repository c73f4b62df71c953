/* Generated manifests: a small value tree (objects, arrays, strings, numbers, booleans, null)
 * written out as JSON or as TOML, so the same manifest reaches both libraries in either format. */
#ifndef DIFF_MGEN_H
#define DIFF_MGEN_H
#include "buf.h"

/* A manifest around wasm (base64'd into a `data` source, or other sources), with every field of
 * the manifest drawn from odd and ordinary values; sometimes damaged text. toml: TOML, else JSON.
 * The file at wasm_path holds the same module (for `path` sources). */
void gen_manifest(Rng *r, const Buf *wasm, const char *wasm_path, int toml, Buf *out);

/* A config update for extism_plugin_config: a JSON object of strings, nulls and odd values, or junk. */
void gen_config_json(Rng *r, Buf *out);

void base64(const uint8_t *p, size_t n, Buf *out);

#endif
