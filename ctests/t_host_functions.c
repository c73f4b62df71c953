/* Checklist "Host functions" (items 78-100) and the creation items about host functions (26-28,
 * 34). Plugins: cf (PDK), hostcalls.wat, reflect.wat, upper.wat. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define COMPILE_PREFIX "Unable to compile Extism plugin: "

static size_t count_vowels(const char *s, size_t n) {
  size_t i, c = 0;
  for (i = 0; i < n; i++)
    if (strchr("aeiouAEIOU", s[i]) && s[i])
      c++;
  return c;
}

/* 78, 80 */
TEST(cf_counts_vowels_through_host_function) {
  ExtismPlugin *p = load_cf();
  CHECK_EQ_INT(call_str(p, "count_vowels", "aeiou xyz"), 0);
  CHECK_OUTPUT(p, "{\"count\": 5}");
  CHECK_EQ_INT(call_str(p, "count_vowels", "this is a test aaa"), 0);
  CHECK_OUTPUT(p, "{\"count\": 7}");
  CHECK_EQ_INT(call_str(p, "count_vowels", ""), 0);
  CHECK_OUTPUT(p, "{\"count\": 0}");
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 79, with our own 65010-byte text (upstream's it_works input is not available here) */
TEST(cf_large_input) {
  ExtismPlugin *p = load_cf();
  static const char words[] = "Lorem ipsum dolor sit amet, consectetur adipiscing elit; ";
  size_t n = 65010, i;
  char *in = malloc(n + 1), want[64];
  for (i = 0; i < n; i++)
    in[i] = words[(i * 7 + i / 13) % (sizeof words - 1)];
  in[n] = 0;
  snprintf(want, sizeof want, "{\"count\": %lu}", (unsigned long)count_vowels(in, n));
  CHECK_EQ_INT(extism_plugin_call(p, "count_vowels", (const uint8_t *)in, n), 0);
  CHECK_OUTPUT(p, want);
  free(in);
  extism_plugin_free(p);
}

/* 26 */
TEST(cf_without_host_function) {
  size_t len = 0;
  uint8_t *w = plugin_bytes("cf", &len);
  char *e = create_error(w, len, false);
  CHECK_PREFIX(e, COMPILE_PREFIX);
  CHECK_CONTAINS(e, "unknown import: `extism:host/user::hello_world` has not been defined");
  free(e);
  free(w);
}

static void identity_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in,
                        ExtismVal *out, ExtismSize n_out, void *data) {
  (void)cp;
  (void)data;
  if (n_in == 1 && n_out == 1)
    out[0].v.i64 = in[0].v.i64;
}

/* 27 */
TEST(cf_host_function_wrong_type) {
  ExtismValType in = ExtismValType_I32, out = ExtismValType_I64;
  const ExtismFunction *fns[1];
  size_t len = 0;
  uint8_t *w = plugin_bytes("cf", &len);
  char *err = NULL;
  fns[0] = extism_function_new("hello_world", &in, 1, &out, 1, identity_cb, NULL, NULL);
  CHECK_NULL(extism_plugin_new(w, len, fns, 1, false, &err));
  CHECK_PREFIX(err, COMPILE_PREFIX);
  CHECK_CONTAINS(err, "types incompatible");
  extism_plugin_new_error_free(err);
  extism_function_free((ExtismFunction *)fns[0]);
  free(w);
}

/* 28 */
TEST(cf_host_function_other_namespace) {
  const ExtismFunction *fns[1];
  size_t len = 0;
  uint8_t *w = plugin_bytes("cf", &len);
  char *err = NULL;
  ExtismFunction *f = identity_function("hello_world");
  extism_function_set_namespace(f, "other");
  fns[0] = f;
  CHECK_NULL(extism_plugin_new(w, len, fns, 1, false, &err));
  CHECK_CONTAINS(err, "unknown import: `extism:host/user::hello_world` has not been defined");
  extism_plugin_new_error_free(err);
  extism_function_free(f);
  free(w);
}

/* set_namespace to the import's module works */
TEST(cf_host_function_namespace_set_explicitly) {
  const ExtismFunction *fns[1];
  ExtismFunction *f = identity_function("hello_world");
  ExtismPlugin *p;
  extism_function_set_namespace(f, "elsewhere");
  extism_function_set_namespace(f, "extism:host/user");
  fns[0] = f;
  p = load_plugin_fns("cf", fns, 1, false);
  CHECK_EQ_INT(call_str(p, "count_vowels", "aeiou"), 0);
  CHECK_OUTPUT(p, "{\"count\": 5}");
  extism_plugin_free(p);
}

/* 34 */
TEST(function_used_twice) {
  const ExtismFunction *fns[1];
  size_t len = 0;
  uint8_t *w = plugin_bytes("cf", &len), *bad = (uint8_t *)"hello there";
  char *err = NULL;
  ExtismFunction *f = identity_function("hello_world");
  ExtismPlugin *p;
  fns[0] = f;
  /* a failed create call still takes the function over */
  CHECK_NULL(extism_plugin_new(bad, 11, fns, 1, false, &err));
  extism_plugin_new_error_free(err);
  err = NULL;
  CHECK_NULL(extism_plugin_new(w, len, fns, 1, false, &err));
  CHECK_STR(err, "Function cannot be registered with multiple different Plugins");
  extism_plugin_new_error_free(err);
  err = NULL;
  /* a second use after a successful one */
  extism_function_free(f);
  f = identity_function("hello_world");
  fns[0] = f;
  p = extism_plugin_new(w, len, fns, 1, false, &err);
  CHECK_NOT_NULL(p);
  CHECK_NULL(extism_plugin_new(w, len, fns, 1, false, &err));
  CHECK_STR(err, "Function cannot be registered with multiple different Plugins");
  extism_plugin_new_error_free(err);
  err = NULL;
  CHECK_NULL(extism_compiled_plugin_new(w, len, fns, 1, false, &err));
  CHECK_STR(err, "Function cannot be registered with multiple different Plugins");
  extism_plugin_new_error_free(err);
  extism_function_free(f);
  if (p) {
    CHECK_EQ_INT(call_str(p, "count_vowels", "aeiou"), 0);
    CHECK_OUTPUT(p, "{\"count\": 5}");
  }
  extism_plugin_free(p);
  free(w);
}

/* ---- hostcalls.wat ---- */

struct seen {
  int calls;
  ExtismSize n_in, n_out;
  ExtismVal in[4];
  ExtismValType out_tags[2];
  int inputs_null, outputs_null;
  void *host_context;
  int ctx_calls;
};

static void types_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                     ExtismSize n_out, void *data) {
  struct seen *s = data;
  ExtismSize i;
  (void)cp;
  s->calls++;
  s->n_in = n_in;
  s->n_out = n_out;
  for (i = 0; i < n_in && i < 4; i++)
    s->in[i] = in[i];
  for (i = 0; i < n_out && i < 2; i++)
    s->out_tags[i] = out[i].t;
  if (n_out == 2) {
    out[0].v.f64 = 6.125;
    out[1].v.i32 = -123456;
  }
}

static void void_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                    ExtismSize n_out, void *data) {
  struct seen *s = data;
  (void)cp;
  s->calls++;
  s->n_in = n_in;
  s->n_out = n_out;
  s->inputs_null = in == NULL;
  s->outputs_null = out == NULL;
}

static void untouched_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in,
                         ExtismVal *out, ExtismSize n_out, void *data) {
  struct seen *s = data;
  (void)cp;
  (void)in;
  (void)n_in;
  s->calls++;
  s->n_out = n_out;
  if (n_out == 1)
    s->out_tags[0] = out[0].t;
}

static void ctx_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                   ExtismSize n_out, void *data) {
  struct seen *s = data;
  (void)in;
  (void)n_in;
  (void)out;
  (void)n_out;
  s->ctx_calls++;
  s->host_context = extism_current_plugin_host_context(cp);
}

struct hostcalls {
  struct seen types, vd, untouched, ctx;
  ExtismPlugin *p;
};

static void load_hostcalls(struct hostcalls *h) {
  ExtismValType t_in[4] = {ExtismValType_I32, ExtismValType_I64, ExtismValType_F32,
                           ExtismValType_F64};
  ExtismValType t_out[2] = {ExtismValType_F64, ExtismValType_I32};
  ExtismValType i64 = ExtismValType_I64;
  const ExtismFunction *fns[4];
  memset(h, 0, sizeof *h);
  fns[0] = extism_function_new("types", t_in, 4, t_out, 2, types_cb, &h->types, NULL);
  fns[1] = extism_function_new("void_fn", NULL, 0, NULL, 0, void_cb, &h->vd, NULL);
  fns[2] = extism_function_new("untouched", NULL, 0, &i64, 1, untouched_cb, &h->untouched, NULL);
  fns[3] = extism_function_new("ctx", NULL, 0, NULL, 0, ctx_cb, &h->ctx, NULL);
  h->p = load_plugin_fns("hostcalls", fns, 4, false);
}

/* 81, 82 */
TEST(host_function_value_types) {
  struct hostcalls h;
  double want_f64 = 6.125, got_f64;
  uint64_t bits;
  load_hostcalls(&h);
  CHECK_EQ_INT(call_str(h.p, "call_types", NULL), 0);
  CHECK_NULL(extism_plugin_error(h.p));
  CHECK_EQ_INT(h.types.calls, 1);
  CHECK_EQ_INT(h.types.n_in, 4);
  CHECK_EQ_INT(h.types.n_out, 2);
  CHECK_EQ_INT(h.types.in[0].t, ExtismValType_I32);
  CHECK_EQ_INT(h.types.in[1].t, ExtismValType_I64);
  CHECK_EQ_INT(h.types.in[2].t, ExtismValType_F32);
  CHECK_EQ_INT(h.types.in[3].t, ExtismValType_F64);
  CHECK_EQ_INT(h.types.in[0].v.i32, -7);
  CHECK_EQ_U64((uint64_t)h.types.in[1].v.i64, 0x123456789abcdef0ULL);
  CHECK(h.types.in[2].v.f32 == 1.5f);
  CHECK(h.types.in[3].v.f64 == -2.25);
  CHECK_EQ_INT(h.types.out_tags[0], ExtismValType_F64);
  CHECK_EQ_INT(h.types.out_tags[1], ExtismValType_I32);
  bits = output_u64(h.p, 0);
  memcpy(&got_f64, &bits, 8);
  CHECK(got_f64 == want_f64);
  CHECK_EQ_INT((int64_t)output_u64(h.p, 1), -123456);
  extism_plugin_free(h.p);
}

/* 83 */
TEST(host_function_without_params_or_results) {
  struct hostcalls h;
  load_hostcalls(&h);
  CHECK_EQ_INT(call_str(h.p, "call_void", NULL), 3);
  CHECK_EQ_INT(h.vd.calls, 2);
  CHECK_EQ_INT(h.vd.n_in, 0);
  CHECK_EQ_INT(h.vd.n_out, 0);
  CHECK(h.vd.inputs_null);
  CHECK(h.vd.outputs_null);
  extism_plugin_free(h.p);
}

/* 84 */
TEST(host_function_untouched_result_is_zero) {
  struct hostcalls h;
  load_hostcalls(&h);
  CHECK_EQ_INT(call_str(h.p, "call_untouched", NULL), 0);
  CHECK_EQ_INT(h.untouched.calls, 1);
  CHECK_EQ_INT(h.untouched.n_out, 1);
  CHECK_EQ_INT(h.untouched.out_tags[0], ExtismValType_I64);
  CHECK_EQ_U64(output_u64(h.p, 0), 0);
  CHECK_EQ_U64(output_u64(h.p, 1), 1);
  extism_plugin_free(h.p);
}

/* 85, 86 */
TEST(host_context) {
  struct hostcalls h;
  int marker;
  load_hostcalls(&h);
  CHECK_EQ_INT(extism_plugin_call_with_host_context(h.p, "call_ctx", NULL, 0, &marker), 0);
  CHECK_EQ_INT(h.ctx.ctx_calls, 1);
  CHECK(h.ctx.host_context == &marker);
  h.ctx.host_context = &h;
  CHECK_EQ_INT(call_str(h.p, "call_ctx", NULL), 0);
  CHECK_EQ_INT(h.ctx.ctx_calls, 2);
  CHECK_NULL(h.ctx.host_context);
  CHECK_EQ_INT(extism_plugin_call_with_host_context(h.p, "call_ctx", NULL, 0, NULL), 0);
  CHECK_NULL(h.ctx.host_context);
  extism_plugin_free(h.p);
}

/* ---- reflect.wat ---- */

struct memcheck {
  int calls;
  ExtismSize arg_len, arg_plus1_len, alloc0, q_len, freed_len, q_len_after_bad_free;
  ExtismMemoryHandle q;
  int base_stable, arg_bytes_ok;
  const char *expect_input;
  size_t expect_len;
};

/* 87-92: exercises the memory helpers, returns a fresh block "HELLO" */
static void memcheck_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in,
                        ExtismVal *out, ExtismSize n_out, void *data) {
  struct memcheck *m = data;
  uint8_t *base = extism_current_plugin_memory(cp);
  ExtismMemoryHandle arg, q2;
  if (n_in != 1 || n_out != 1)
    return;
  m->calls++;
  arg = (ExtismMemoryHandle)in[0].v.i64;
  m->arg_len = extism_current_plugin_memory_length(cp, arg);
  m->arg_bytes_ok = base && m->arg_len == m->expect_len &&
                    memcmp(base + arg, m->expect_input, m->expect_len) == 0;
  m->arg_plus1_len = extism_current_plugin_memory_length(cp, arg + 1);
  m->alloc0 = extism_current_plugin_memory_alloc(cp, 0);
  m->q = extism_current_plugin_memory_alloc(cp, 5);
  m->q_len = extism_current_plugin_memory_length(cp, m->q);
  q2 = extism_current_plugin_memory_alloc(cp, 7);
  extism_current_plugin_memory_free(cp, q2);
  m->freed_len = extism_current_plugin_memory_length(cp, q2);
  extism_current_plugin_memory_free(cp, 999999);
  extism_current_plugin_memory_free(cp, m->q + 1);
  m->q_len_after_bad_free = extism_current_plugin_memory_length(cp, m->q);
  m->base_stable = extism_current_plugin_memory(cp) == base;
  if (m->q)
    memcpy(extism_current_plugin_memory(cp) + m->q, "HELLO", 5);
  out[0].v.i64 = (int64_t)m->q;
}

TEST(current_plugin_memory_helpers) {
  struct memcheck m;
  ExtismValType t = EXTISM_PTR;
  const ExtismFunction *fns[1];
  ExtismPlugin *p;
  memset(&m, 0, sizeof m);
  m.expect_input = "reflect me";
  m.expect_len = 10;
  fns[0] = extism_function_new("host_reflect", &t, 1, &t, 1, memcheck_cb, &m, NULL);
  p = load_plugin_fns("reflect", fns, 1, false);
  CHECK_EQ_INT(call_str(p, "reflect", "reflect me"), 0);
  CHECK_EQ_INT(m.calls, 1);
  CHECK_EQ_U64(m.arg_len, 10);           /* 87 */
  CHECK(m.arg_bytes_ok);                 /* base + offset reaches the bytes */
  CHECK_EQ_U64(m.arg_plus1_len, 0);      /* 88 */
  CHECK_EQ_U64(m.alloc0, 0);             /* 89 */
  CHECK(m.q != 0);                       /* 90 */
  CHECK_EQ_U64(m.q_len, 5);
  CHECK_EQ_U64(m.freed_len, 0);          /* 91 */
  CHECK_EQ_U64(m.q_len_after_bad_free, 5); /* 92 */
  CHECK(m.base_stable);
  CHECK_OUTPUT(p, "HELLO");
  extism_plugin_free(p);
}

/* 93-95 */
TEST(reflect_identity) {
  ExtismPlugin *p;
  const ExtismFunction *fns[1];
  size_t sizes[] = {1, 2, 7, 64, 100, 1000, 4096, 65535, 65536, 65537, 65539};
  size_t i;
  char *buf = malloc(65540);
  fns[0] = identity_function("host_reflect");
  p = load_plugin_fns("reflect", fns, 1, false);
  CHECK_EQ_INT(call_str(p, "reflect", "reflect me"), 0);
  CHECK_OUTPUT(p, "reflect me");
  CHECK_EQ_INT(call_str(p, "reflect", ""), 0);
  CHECK_EQ_INT(extism_plugin_output_length(p), 0);
  memset(buf, 'a', 65540);
  for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    CHECK_EQ_INT(extism_plugin_call(p, "reflect", (const uint8_t *)buf, sizes[i]), 0);
    CHECK_MEM(extism_plugin_output_data(p), extism_plugin_output_length(p), buf, sizes[i]);
  }
  free(buf);
  extism_plugin_free(p);
}

/* ---- user data destructors (96-98) ---- */

static int destroyed;
static void destroy(void *p) {
  (void)p;
  destroyed++;
}

/* 96 */
TEST(destructor_at_plugin_free) {
  ExtismValType t = EXTISM_PTR;
  const ExtismFunction *fns[1];
  ExtismFunction *f;
  ExtismPlugin *p;
  int token;
  destroyed = 0;
  f = extism_function_new("host_reflect", &t, 1, &t, 1, identity_cb, &token, destroy);
  fns[0] = f;
  p = load_plugin_fns("reflect", fns, 1, false); /* also calls extism_function_free(f) */
  CHECK_EQ_INT(destroyed, 0);
  CHECK_EQ_INT(call_str(p, "reflect", "still here"), 0);
  CHECK_OUTPUT(p, "still here");
  extism_plugin_free(p);
  CHECK_EQ_INT(destroyed, 1);
}

/* 97 */
TEST(destructor_of_unregistered_function) {
  int token;
  ExtismFunction *f;
  destroyed = 0;
  f = extism_function_new("x", NULL, 0, NULL, 0, identity_cb, &token, destroy);
  REQUIRE_NOT_NULL(f);
  CHECK_EQ_INT(destroyed, 0);
  extism_function_free(f);
  CHECK_EQ_INT(destroyed, 1);
  /* NULL user data or NULL callback: nothing to run */
  f = extism_function_new("x", NULL, 0, NULL, 0, identity_cb, NULL, destroy);
  extism_function_free(f);
  f = extism_function_new("x", NULL, 0, NULL, 0, identity_cb, &token, NULL);
  extism_function_free(f);
  CHECK_EQ_INT(destroyed, 1);
}

/* 98 */
TEST(destructor_after_compiled_and_plugins) {
  ExtismValType t = EXTISM_PTR;
  const ExtismFunction *fns[1];
  ExtismFunction *f;
  ExtismCompiledPlugin *c;
  ExtismPlugin *a, *b;
  size_t len = 0;
  uint8_t *w = plugin_bytes("reflect", &len);
  char *err = NULL;
  int token;
  destroyed = 0;
  f = extism_function_new("host_reflect", &t, 1, &t, 1, identity_cb, &token, destroy);
  fns[0] = f;
  c = extism_compiled_plugin_new(w, len, fns, 1, false, &err);
  free(w);
  REQUIRE_NOT_NULL(c);
  a = extism_plugin_new_from_compiled(c, &err);
  b = extism_plugin_new_from_compiled(c, &err);
  REQUIRE(a && b);
  extism_function_free(f);
  extism_compiled_plugin_free(c);
  CHECK_EQ_INT(destroyed, 0);
  CHECK_EQ_INT(call_str(a, "reflect", "A"), 0);
  CHECK_OUTPUT(a, "A");
  extism_plugin_free(a);
  CHECK_EQ_INT(destroyed, 0);
  CHECK_EQ_INT(call_str(b, "reflect", "B"), 0);
  CHECK_OUTPUT(b, "B");
  extism_plugin_free(b);
  CHECK_EQ_INT(destroyed, 1);
}

/* 99 */
static void second_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                      ExtismSize n_out, void *data) {
  ExtismMemoryHandle h;
  (void)in;
  (void)n_in;
  (void)data;
  if (n_out != 1)
    return;
  h = extism_current_plugin_memory_alloc(cp, 6);
  memcpy(extism_current_plugin_memory(cp) + h, "second", 6);
  out[0].v.i64 = (int64_t)h;
}

TEST(later_duplicate_host_function_wins) {
  ExtismValType t = EXTISM_PTR;
  const ExtismFunction *fns[2];
  ExtismPlugin *p;
  fns[0] = identity_function("host_reflect");
  fns[1] = extism_function_new("host_reflect", &t, 1, &t, 1, second_cb, NULL, NULL);
  p = load_plugin_fns("reflect", fns, 2, false);
  CHECK_EQ_INT(call_str(p, "reflect", "first"), 0);
  CHECK_OUTPUT(p, "second");
  extism_plugin_free(p);
}

/* 100 */
TEST(wasm_module_as_host_functions) {
  size_t ulen = 0, rlen = 0;
  uint8_t *u = plugin_bytes("upper", &ulen), *r = plugin_bytes("reflect", &rlen);
  char *ub = base64_encode(u, ulen), *rb = base64_encode(r, rlen);
  size_t n = strlen(ub) + strlen(rb) + 200;
  char *m = malloc(n);
  ExtismPlugin *p;
  snprintf(m, n,
           "{\"wasm\":[{\"data\":\"%s\",\"name\":\"extism:host/user\"},"
           "{\"data\":\"%s\",\"name\":\"main\"}]}",
           ub, rb);
  p = plugin_from_text(m, false);
  CHECK_EQ_INT(call_str(p, "reflect", "Hello, world!"), 0);
  CHECK_OUTPUT(p, "HELLO, WORLD!");
  CHECK(extism_plugin_function_exists(p, "reflect"));
  CHECK(!extism_plugin_function_exists(p, "host_reflect"));
  extism_plugin_free(p);
  free(m);
  free(ub);
  free(rb);
  free(u);
  free(r);
}
