/* Plugins using fixed-width SIMD (spec 207, issue 32): built by clang -msimd128 and by Rust with
 * +simd128, they load and run, with the same outputs as their scalar builds. And V128 in a host
 * function's signature: the plugin links, as upstream's; calling the function fails the call (upstream
 * aborts the process). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* Pseudo-random inputs of vowels, consonants, both cases, punctuation, a control byte and UTF-8 bytes;
 * every length from 0 to 70 covers whole 16-byte blocks and every tail length. */
static void make_input(char *out, size_t len, unsigned seed) {
  static const char alphabet[] = "aeiouAEIOUbcdxyzBCDXYZ !,.\x01\xc3\xa9";
  size_t i;
  for (i = 0; i < len; i++) {
    seed = seed * 1103515245u + 12345u;
    out[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
  }
  out[len] = 0;
}

/* 207: C with wasm_simd128.h, 16 bytes at a time; the same source built without SIMD agrees. */
TEST(simd_c_plugin_counts_like_scalar) {
  ExtismPlugin *simd = load_plugin("vowels_simd", false), *scalar = load_plugin("vowels_scalar", false);
  char input[80];
  size_t len;
  CHECK_EQ_INT(call_str(simd, "simd_used", NULL), 1);
  CHECK_EQ_INT(call_str(scalar, "simd_used", NULL), 0);
  CHECK_EQ_INT(call_str(simd, "count_vowels", "Hello, World! The quick brown fox jumps over the lazy dog."), 0);
  CHECK_OUTPUT(simd, "{\"count\":14}");
  for (len = 0; len <= 70; len++) {
    char *a, *b;
    make_input(input, len, (unsigned)len);
    CHECK_EQ_INT(call_str(simd, "count_vowels", input), 0);
    CHECK_EQ_INT(call_str(scalar, "count_vowels", input), 0);
    a = output_str(simd);
    b = output_str(scalar);
    if (!CHECK_STR(a, b))
      harness_note("input length %zu", len);
    free(a);
    free(b);
  }
  extism_plugin_free(simd);
  extism_plugin_free(scalar);
}

/* 207: a Rust PDK plugin built with -C target-feature=+simd128 gives c1's outputs (count, running
 * total in a var, configured vowels). */
TEST(simd_rust_pdk_plugin_matches_c1) {
  static const char *const inputs[] = {"Hello, World!", "", "aeiou AEIOU xyz, a long line of text with vowels",
                                       "caf\xc3\xa9 na\xc3\xafve"};
  ExtismPlugin *simd = load_plugin("simd_rs", false), *c1 = load_plugin("c1", false);
  size_t i;
  CHECK_EQ_INT(call_str(simd, "simd_used", NULL), 0);
  CHECK_OUTPUT(simd, "1");
  for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
    char *a, *b;
    CHECK_EQ_INT(call_str(simd, "count_vowels", inputs[i]), 0);
    CHECK_EQ_INT(call_str(c1, "count_vowels", inputs[i]), 0);
    a = output_str(simd);
    b = output_str(c1);
    CHECK_STR(a, b);
    free(a);
    free(b);
  }
  /* The last input: a in "caf\xc3\xa9", a and e in "na\xc3\xafve" (\xc3\xa9 and \xc3\xaf are not in the set);
   * the total is 3 + 0 + 19 + 3. */
  CHECK_OUTPUT(simd, "{\"count\":3,\"total\":25,\"vowels\":\"aeiouAEIOU\"}");
  extism_plugin_free(simd);
  extism_plugin_free(c1);
}

static int v128_callback_calls;

static void v128_cb(ExtismCurrentPlugin *plugin, const ExtismVal *inputs, ExtismSize n_inputs, ExtismVal *outputs,
                    ExtismSize n_outputs, void *data) {
  (void)plugin;
  (void)inputs;
  (void)n_inputs;
  (void)outputs;
  (void)n_outputs;
  (void)data;
  v128_callback_calls++;
}

/* A host function declared with V128 links against a plugin importing it with that type (as on
 * upstream); calling it fails the call with a message, the callback never runs (ExtismVal holds
 * 8 bytes). */
TEST_NOT_UPSTREAM(simd_v128_host_function_fails_the_call, "aborts the process when the function is called") {
  ExtismValType t = ExtismValType_V128;
  const ExtismFunction *fns[1];
  ExtismPlugin *p;
  fns[0] = extism_function_new("vec", &t, 1, &t, 1, v128_cb, NULL, NULL);
  REQUIRE_NOT_NULL(fns[0]);
  v128_callback_calls = 0;
  p = load_plugin_fns("simd_host", fns, 1, false);
  CHECK_EQ_INT(call_str(p, "run", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "host function `extism:host/user::vec` takes or returns V128, which cannot "
                                    "cross the C API (ExtismVal holds at most 64 bits)");
  CHECK_EQ_INT(v128_callback_calls, 0);
  /* The plugin's other export, which does not call it, works. */
  CHECK_EQ_INT(call_str(p, "lanes", NULL), 26);
  extism_plugin_free(p);
}

/* Upstream links it too: creation succeeds on both libraries. */
TEST(simd_v128_host_function_links) {
  ExtismValType t = ExtismValType_V128;
  const ExtismFunction *fns[1];
  ExtismPlugin *p;
  fns[0] = extism_function_new("vec", &t, 1, &t, 1, v128_cb, NULL, NULL);
  REQUIRE_NOT_NULL(fns[0]);
  p = load_plugin_fns("simd_host", fns, 1, false);
  CHECK_EQ_INT(call_str(p, "lanes", NULL), 26);
  extism_plugin_free(p);
}
