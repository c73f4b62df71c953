#include "wasmgen.h"

#include <stdio.h>
#include <string.h>

/* Kernel imports, in import-index order, with their type index (see TYPES). */
enum { T_I64_I64, T_I64_V, T_I64_I32, T_I64I32_V, T_I64I64_V, T_V_I64, T_V_I32, T_RUN, N_FIXED_TYPES };
static const struct {
  const char *name;
  int type;
} KERNEL[] = {
    {"alloc", T_I64_I64},        {"free", T_I64_V},          {"length", T_I64_I64},
    {"length_unsafe", T_I64_I64}, {"load_u8", T_I64_I32},     {"load_u64", T_I64_I64},
    {"store_u8", T_I64I32_V},    {"store_u64", T_I64I64_V},  {"input_length", T_V_I64},
    {"input_offset", T_V_I64},   {"input_load_u8", T_I64_I32}, {"input_load_u64", T_I64_I64},
    {"output_set", T_I64I64_V},  {"error_set", T_I64_V},     {"error_get", T_V_I64},
    {"config_get", T_I64_I64},   {"var_get", T_I64_I64},     {"var_set", T_I64I64_V},
    {"log_info", T_I64_V},       {"log_warn", T_I64_V},      {"log_error", T_I64_V},
    {"log_debug", T_I64_V},      {"log_trace", T_I64_V},     {"get_log_level", T_V_I32},
    {"output_length", T_V_I64},  {"output_offset", T_V_I64}, {"memory_bytes", T_V_I64},
    {"input_set", T_I64I64_V},   {"reset", T_RUN /* patched below: () -> () */},
};
enum {
  K_ALLOC, K_FREE, K_LENGTH, K_LENGTH_UNSAFE, K_LOAD_U8, K_LOAD_U64, K_STORE_U8, K_STORE_U64,
  K_INPUT_LENGTH, K_INPUT_OFFSET, K_INPUT_LOAD_U8, K_INPUT_LOAD_U64, K_OUTPUT_SET, K_ERROR_SET,
  K_ERROR_GET, K_CONFIG_GET, K_VAR_GET, K_VAR_SET, K_LOG_INFO, K_LOG_WARN, K_LOG_ERROR, K_LOG_DEBUG,
  K_LOG_TRACE, K_GET_LOG_LEVEL, K_OUTPUT_LENGTH, K_OUTPUT_OFFSET, K_MEMORY_BYTES, K_INPUT_SET,
  K_RESET, N_KERNEL
};
#define T_V_V N_FIXED_TYPES /* () -> (), the type of `reset` */

/* Locals of `run`: handles h0..h7 (i64), a scratch i64, then per result position one local of
 * each type (host function results). */
#define NH 8
#define L_TMP 8
#define L_RES(type_index, pos) (9 + (type_index) * 2 + (pos)) /* type_index: 0 i32, 1 i64, 2 f32, 3 f64 */
#define MAX_SLOTS 256

enum {
  OP_CALL = 0x10, OP_LGET = 0x20, OP_LSET = 0x21, OP_LTEE = 0x22, OP_I32C = 0x41, OP_I64C = 0x42,
  OP_F32C = 0x43, OP_F64C = 0x44, OP_I64ADD = 0x7c, OP_I64LOAD = 0x29, OP_I64STORE = 0x37,
  OP_EXT_U = 0xad, OP_I32_REINT = 0xbc, OP_I64_REINT = 0xbd, OP_END = 0x0b, OP_UNREACHABLE = 0x00,
};

typedef struct {
  Rng *r;
  const GenOptions *o;
  Buf code, *list;
  int slots;
  /* Size of the block each handle holds, as far as the straight-line code shows (alloc or string,
   * not freed since), else -1: stores stay inside such blocks (see store_target). */
  int64_t known[NH];
} Gen;

/* Constant offsets. None between 64 KiB and 1 MiB: upstream's kernel memory starts at 16 pages and
 * ours at 1 (docs/behaviour.md, isolation_store_past_committed_end), a known, recorded difference. */
static const int64_t EDGES[] = {0,    1,     8,     63,        64,  65, 71, 72, 100, 4096, 65000,
                                1LL << 32, (1LL << 32) + 64, INT64_MAX, -1, -8, -64};
static const int64_t DELTAS[] = {-72, -64, -9, -8, -1, 0, 0, 1, 7, 8, 9, 63, 64, 100};
static const int64_t SIZES[] = {0, 1, 7, 8, 9, 63, 64, 65, 100, 1000, 4096, 30000};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void i64c(Gen *g, int64_t v) {
  buf_u8(&g->code, OP_I64C);
  buf_sleb(&g->code, v);
}
static void i32c(Gen *g, int32_t v) {
  buf_u8(&g->code, OP_I32C);
  buf_sleb(&g->code, v);
}
static void lget(Gen *g, int l) {
  buf_u8(&g->code, OP_LGET);
  buf_uleb(&g->code, (uint64_t)l);
}
static void call(Gen *g, int f) {
  buf_u8(&g->code, OP_CALL);
  buf_uleb(&g->code, (uint64_t)f);
}
static void memarg(Gen *g) {
  buf_u8(&g->code, 3);
  buf_u8(&g->code, 0);
}

/* An i64 offset argument: a handle plus a small delta, a handle, or an edge constant. Returns the
 * handle it is based on, or -1 for a constant. */
static int off_expr(Gen *g) {
  uint32_t k = rng_below(g->r, 10);
  int h = (int)rng_below(g->r, NH);
  if (k < 4) {
    int64_t d = DELTAS[rng_below(g->r, COUNT(DELTAS))];
    lget(g, h);
    i64c(g, d);
    buf_u8(&g->code, OP_I64ADD);
    buf_printf(g->list, " h%d%+lld", h, (long long)d);
    return h;
  } else if (k < 7) {
    int64_t v = EDGES[rng_below(g->r, COUNT(EDGES))];
    i64c(g, v);
    buf_printf(g->list, " %lld", (long long)v);
    return -1;
  }
  lget(g, h);
  buf_printf(g->list, " h%d", h);
  return h;
}

static int64_t any_size(Gen *g) {
  return rng_pct(g->r, 60) ? (int64_t)rng_below(g->r, 300) : SIZES[rng_below(g->r, COUNT(SIZES))];
}

/* Opens a result slot: its address goes on the stack before the value (for i64.store). Returns 0
 * when the slots are used up (the value is then dropped by close_slot). */
static int open_slot(Gen *g) {
  if (g->slots >= MAX_SLOTS) return 0;
  i32c(g, g->slots * 8);
  return 1;
}
static void close_slot(Gen *g, int open, int is_i32) {
  if (is_i32) buf_u8(&g->code, OP_EXT_U);
  if (open) {
    buf_u8(&g->code, OP_I64STORE);
    memarg(g);
    g->slots++;
  } else {
    buf_u8(&g->code, 0x1a); /* drop */
  }
}

/* A fresh kernel block holding `s` (n bytes), left in handle h. */
static void make_string(Gen *g, int h, const char *s, size_t n) {
  i64c(g, (int64_t)n);
  call(g, K_ALLOC);
  buf_u8(&g->code, OP_LSET);
  buf_uleb(&g->code, (uint64_t)h);
  g->known[h] = (int64_t)n;
  for (size_t i = 0; i < n; i++) {
    lget(g, h);
    i64c(g, (int64_t)i);
    buf_u8(&g->code, OP_I64ADD);
    i32c(g, (uint8_t)s[i]);
    call(g, K_STORE_U8);
  }
  /* on a line of its own, before the operation that uses it */
  if (g->list->n && g->list->p[g->list->n - 1] != '\n') buf_printf(g->list, "\n");
  buf_printf(g->list, "    (h%d = string \"", h);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 32 && c < 127 && c != '"') buf_printf(g->list, "%c", c);
    else buf_printf(g->list, "\\x%02x", c);
  }
  buf_printf(g->list, "\")\n   ");
}

static const char *KEYS[] = {"k1", "k2", "missing", "", "a-much-longer-key-name-0123456789"};
static void key_string(Gen *g, int h) {
  const char *k = KEYS[rng_below(g->r, COUNT(KEYS))];
  make_string(g, h, k, strlen(k));
}
static void text_string(Gen *g, int h, const char *prefix) {
  char s[48];
  int n = snprintf(s, sizeof s, "%s%u", prefix, rng_below(g->r, 1000));
  if (rng_pct(g->r, 10)) s[n - 1] = (char)0xff; /* not UTF-8 */
  if (rng_pct(g->r, 5)) n = 0;
  make_string(g, h, s, (size_t)n);
}

/* A handle argument for config_get, var_get/var_set and the logs: usually a fresh string, sometimes any offset. */
static int string_or_off(Gen *g, const char *what) {
  if (rng_pct(g->r, 80)) {
    int h = (int)rng_below(g->r, NH);
    if (what[0] == 'k') key_string(g, h);
    else text_string(g, h, what);
    lget(g, h);
    buf_printf(g->list, " h%d", h);
    return h;
  }
  off_expr(g);
  return -1;
}

static void host_call(Gen *g) {
  int i = (int)rng_below(g->r, (uint32_t)g->o->n_host);
  const HostSig *s = &g->o->host[i];
  buf_printf(g->list, "  host h%d(", i);
  for (int p = 0; p < s->n_params; p++) {
    int64_t v = (int64_t)(rng_next(g->r) % 2001) - 1000;
    switch (s->params[p]) {
    case WT_I32: i32c(g, (int32_t)v); buf_printf(g->list, " i32 %lld", (long long)v); break;
    case WT_I64:
      if (rng_pct(g->r, 50)) { /* a handle: the host function looks at its block */
        int h = (int)rng_below(g->r, NH);
        lget(g, h);
        buf_printf(g->list, " i64 h%d", h);
      } else {
        i64c(g, v * 1000003);
        buf_printf(g->list, " i64 %lld", (long long)v * 1000003);
      }
      break;
    case WT_F32: {
      float f = (float)v / 4.0f;
      buf_u8(&g->code, OP_F32C);
      buf_put(&g->code, &f, 4);
      buf_printf(g->list, " f32 %g", f);
      break;
    }
    default: {
      double d = (double)v / 8.0;
      buf_u8(&g->code, OP_F64C);
      buf_put(&g->code, &d, 8);
      buf_printf(g->list, " f64 %g", d);
    }
    }
  }
  buf_printf(g->list, " )\n");
  call(g, N_KERNEL + i);
  /* Results come off the stack last first: park each in its own local, then store in order. */
  static const uint8_t ORDER[] = {WT_I32, WT_I64, WT_F32, WT_F64};
  int ti[2] = {0, 0};
  for (int j = 0; j < s->n_results; j++)
    for (int t = 0; t < 4; t++)
      if (ORDER[t] == s->results[j]) ti[j] = t;
  for (int j = s->n_results - 1; j >= 0; j--) {
    buf_u8(&g->code, OP_LSET);
    buf_uleb(&g->code, (uint64_t)L_RES(ti[j], j));
  }
  for (int j = 0; j < s->n_results; j++) {
    int open = open_slot(g);
    lget(g, L_RES(ti[j], j));
    switch (s->results[j]) {
    case WT_I32: buf_u8(&g->code, OP_EXT_U); break;
    case WT_F32: buf_u8(&g->code, OP_I32_REINT); buf_u8(&g->code, OP_EXT_U); break;
    case WT_F64: buf_u8(&g->code, OP_I64_REINT); break;
    default: break;
    }
    close_slot(g, open, 0);
  }
}

/* A store's target: inside a block of known size, or where both kernels ignore it (below 64, past
 * 4 GiB). A store anywhere else may land on a block header: upstream's allocator then follows the
 * corrupted header and ours does not (its own state is authoritative, kernel/src/layout.rs), a
 * known difference that would drown everything else. */
static void store_target(Gen *g, int width) {
  int cand[NH], n = 0;
  for (int h = 0; h < NH; h++)
    if (g->known[h] >= width) cand[n++] = h;
  if (n == 0 || rng_pct(g->r, 10)) {
    static const int64_t IGNORED[] = {0, 1, 8, 63 - 7, 1LL << 32, INT64_MAX};
    int64_t v = IGNORED[rng_below(g->r, COUNT(IGNORED))];
    i64c(g, v);
    buf_printf(g->list, " %lld", (long long)v);
    return;
  }
  int h = cand[rng_below(g->r, (uint32_t)n)];
  int64_t d = (int64_t)rng_below(g->r, (uint32_t)(g->known[h] - width + 1));
  lget(g, h);
  i64c(g, d);
  buf_u8(&g->code, OP_I64ADD);
  buf_printf(g->list, " h%d+%lld", h, (long long)d);
}

/* A block was released (freed, consumed by an import, wiped) through handle h, or through a
 * constant or a handle plus a delta (-1): which block is then unknown, so every size is forgotten. */
static void released(Gen *g, int h) {
  for (int i = 0; i < NH; i++)
    if (h < 0 || i == h) g->known[i] = -1;
}

/* One operation. */
static void gen_op(Gen *g) {
  Rng *r = g->r;
  uint32_t k = rng_below(r, g->o->n_host ? 32 : 29);
  int h = (int)rng_below(r, NH);
  int open;
  switch (k) {
  case 0: case 1: case 2: { /* alloc */
    int64_t n = any_size(g);
    open = open_slot(g);
    i64c(g, n);
    call(g, K_ALLOC);
    buf_u8(&g->code, OP_LTEE);
    buf_uleb(&g->code, (uint64_t)h);
    close_slot(g, open, 0);
    g->known[h] = n;
    buf_printf(g->list, "  h%d = alloc %lld\n", h, (long long)n);
    return;
  }
  case 3: buf_printf(g->list, "  free"); off_expr(g); released(g, -1); call(g, K_FREE); break;
  case 4: case 5: /* length / length_unsafe (the latter of real handles only: garbage elsewhere) */
    open = open_slot(g);
    if (k == 4) {
      buf_printf(g->list, "  length");
      off_expr(g);
      call(g, K_LENGTH);
    } else {
      buf_printf(g->list, "  length_unsafe h%d", h);
      lget(g, h);
      call(g, K_LENGTH_UNSAFE);
    }
    close_slot(g, open, 0);
    break;
  case 6: case 7:
    open = open_slot(g);
    buf_printf(g->list, "  %s", k == 6 ? "load_u8" : "load_u64");
    off_expr(g);
    call(g, k == 6 ? K_LOAD_U8 : K_LOAD_U64);
    close_slot(g, open, k == 6);
    break;
  case 8: case 9: {
    buf_printf(g->list, "  %s", k == 8 ? "store_u8" : "store_u64");
    store_target(g, k == 8 ? 1 : 8);
    uint64_t v = rng_next(r);
    if (k == 8) i32c(g, (int32_t)(v & 0x1ff));
    else i64c(g, (int64_t)v);
    buf_printf(g->list, " %llu", (unsigned long long)(k == 8 ? (v & 0x1ff) : v));
    call(g, k == 8 ? K_STORE_U8 : K_STORE_U64);
    break;
  }
  case 10: case 11: case 12: case 13: {
    static const int KS[] = {K_INPUT_LENGTH, K_INPUT_OFFSET, K_OUTPUT_LENGTH, K_OUTPUT_OFFSET};
    static const char *NS[] = {"input_length", "input_offset", "output_length", "output_offset"};
    open = open_slot(g);
    call(g, KS[k - 10]);
    close_slot(g, open, 0);
    buf_printf(g->list, "  %s", NS[k - 10]);
    break;
  }
  case 14: case 15: {
    /* input indices below 2^63 (past that, upstream's wrapping read is a recorded difference) */
    static const int64_t IDX[] = {0, 1, 3, 7, 8, 9, 15, 16, 17, 24, 65536, 1LL << 32, INT64_MAX - 7};
    int64_t i = rng_pct(r, 50) ? (int64_t)rng_below(r, 24) : IDX[rng_below(r, COUNT(IDX))];
    open = open_slot(g);
    i64c(g, i);
    call(g, k == 14 ? K_INPUT_LOAD_U8 : K_INPUT_LOAD_U64);
    close_slot(g, open, k == 14);
    buf_printf(g->list, "  %s %lld", k == 14 ? "input_load_u8" : "input_load_u64", (long long)i);
    break;
  }
  case 16: {
    buf_printf(g->list, "  output_set");
    off_expr(g);
    int64_t n = rng_pct(r, 70) ? (int64_t)rng_below(r, 40) : SIZES[rng_below(r, COUNT(SIZES))];
    i64c(g, n);
    buf_printf(g->list, " %lld", (long long)n);
    call(g, K_OUTPUT_SET);
    break;
  }
  case 17:
    if (rng_pct(r, 60)) {
      text_string(g, h, "E:");
      lget(g, h);
      buf_printf(g->list, "  error_set h%d", h);
    } else {
      buf_printf(g->list, "  error_set");
      off_expr(g);
    }
    call(g, K_ERROR_SET);
    break;
  case 18: case 26: {
    int f = k == 18 ? K_ERROR_GET : K_MEMORY_BYTES;
    open = open_slot(g);
    call(g, f);
    if (f == K_ERROR_GET) { /* memory_bytes is no handle: with a delta it would pass 64 KiB */
      buf_u8(&g->code, OP_LTEE);
      buf_uleb(&g->code, (uint64_t)h);
      buf_printf(g->list, "  h%d = error_get", h);
      g->known[h] = -1;
    } else {
      buf_printf(g->list, "  memory_bytes");
    }
    close_slot(g, open, 0);
    break;
  }
  case 19: case 20: {
    int f = k == 19 ? K_CONFIG_GET : K_VAR_GET;
    int dst = (int)rng_below(r, NH);
    open = open_slot(g);
    buf_printf(g->list, "  h%d = %s", dst, f == K_CONFIG_GET ? "config_get" : "var_get");
    released(g, string_or_off(g, "key"));
    g->known[dst] = -1;
    call(g, f);
    buf_u8(&g->code, OP_LTEE);
    buf_uleb(&g->code, (uint64_t)dst);
    close_slot(g, open, 0);
    break;
  }
  case 21:
    buf_printf(g->list, "  var_set");
    released(g, string_or_off(g, "key"));
    if (rng_pct(r, 15)) {
      i64c(g, 0);
      buf_printf(g->list, " 0");
    } else {
      released(g, string_or_off(g, "value"));
    }
    call(g, K_VAR_SET);
    break;
  case 22: case 23: {
    static const int LOGS[] = {K_LOG_INFO, K_LOG_WARN, K_LOG_ERROR, K_LOG_DEBUG, K_LOG_TRACE};
    int which = (int)rng_below(r, 5);
    buf_printf(g->list, "  log#%d", which);
    released(g, string_or_off(g, "msg"));
    call(g, LOGS[which]);
    break;
  }
  case 24:
    open = open_slot(g);
    call(g, K_GET_LOG_LEVEL);
    close_slot(g, open, 1);
    buf_printf(g->list, "  get_log_level");
    break;
  case 25:
    if (rng_pct(r, 20)) {
      buf_printf(g->list, "  trap\n");
      buf_u8(&g->code, OP_UNREACHABLE);
      return;
    }
    if (rng_pct(r, 30)) {
      buf_printf(g->list, "  reset");
      call(g, K_RESET);
      released(g, -1);
    } else {
      buf_printf(g->list, "  input_set");
      off_expr(g);
      int64_t n = (int64_t)rng_below(r, 40);
      i64c(g, n);
      buf_printf(g->list, " %lld", (long long)n);
      call(g, K_INPUT_SET);
    }
    break;
  case 27: case 28: { /* write a string into a fresh block, keep its handle */
    text_string(g, h, "s");
    return;
  }
  default:
    host_call(g);
    return;
  }
  buf_printf(g->list, "\n");
}

static void section(Buf *mod, uint8_t id, Buf *body) {
  buf_u8(mod, id);
  buf_uleb(mod, body->n);
  buf_put(mod, body->p, body->n);
  buf_free(body);
}
static void name(Buf *b, const char *s) {
  buf_uleb(b, strlen(s));
  buf_put(b, s, strlen(s));
}
static void functype(Buf *b, int np, const uint8_t *p, int nr, const uint8_t *res) {
  buf_u8(b, 0x60);
  buf_uleb(b, (uint64_t)np);
  buf_put(b, p, (size_t)np);
  buf_uleb(b, (uint64_t)nr);
  buf_put(b, res, (size_t)nr);
}

void gen_host_sig(Rng *r, HostSig *s) {
  static const uint8_t TYPES[] = {WT_I32, WT_I64, WT_F32, WT_F64};
  s->n_params = (int)rng_below(r, 4);
  s->n_results = (int)rng_below(r, 3);
  for (int i = 0; i < s->n_params; i++) s->params[i] = TYPES[rng_below(r, 4)];
  for (int i = 0; i < s->n_results; i++) s->results[i] = TYPES[rng_below(r, 4)];
}

void gen_plugin(Rng *r, const GenOptions *o, Buf *wasm, Buf *listing) {
  Gen g = {.r = r, .o = o, .list = listing};
  released(&g, -1);
  int nops = 1 + (int)rng_below(r, (uint32_t)(o->max_ops > 0 ? o->max_ops : 1));
  for (int i = 0; i < nops; i++) gen_op(&g);
  /* Usually publish every slot as the output: the kernel's answers become comparable bytes. */
  if (g.slots > 0 && rng_pct(r, 75)) {
    buf_printf(listing, "  output = the %d slots\n", g.slots);
    i64c(&g, g.slots * 8);
    call(&g, K_ALLOC);
    buf_u8(&g.code, OP_LSET);
    buf_uleb(&g.code, L_TMP);
    for (int i = 0; i < g.slots; i++) {
      lget(&g, L_TMP);
      i64c(&g, i * 8);
      buf_u8(&g.code, OP_I64ADD);
      i32c(&g, i * 8);
      buf_u8(&g.code, OP_I64LOAD);
      memarg(&g);
      call(&g, K_STORE_U64);
    }
    lget(&g, L_TMP);
    i64c(&g, g.slots * 8);
    call(&g, K_OUTPUT_SET);
  }
  static const int32_t RCS[] = {0, 0, 0, 0, 0, 1, -1, 7, 134};
  int32_t rc = RCS[rng_below(r, COUNT(RCS))];
  buf_printf(listing, "  return %d\n", rc);
  i32c(&g, rc);
  buf_u8(&g.code, OP_END);

  Buf mod = {0}, s = {0};
  buf_put(&mod, "\0asm\1\0\0\0", 8);
  /* types: the fixed ones, () -> (), then one per host function */
  static const uint8_t I64[] = {WT_I64, WT_I64}, I64I32[] = {WT_I64, WT_I32}, I32[] = {WT_I32};
  buf_uleb(&s, N_FIXED_TYPES + 1 + (uint64_t)o->n_host);
  functype(&s, 1, I64, 1, I64);    /* T_I64_I64 */
  functype(&s, 1, I64, 0, NULL);   /* T_I64_V */
  functype(&s, 1, I64, 1, I32);    /* T_I64_I32 */
  functype(&s, 2, I64I32, 0, NULL); /* T_I64I32_V */
  functype(&s, 2, I64, 0, NULL);   /* T_I64I64_V */
  functype(&s, 0, NULL, 1, I64);   /* T_V_I64 */
  functype(&s, 0, NULL, 1, I32);   /* T_V_I32 */
  functype(&s, 0, NULL, 1, I32);   /* T_RUN */
  functype(&s, 0, NULL, 0, NULL);  /* T_V_V */
  for (int i = 0; i < o->n_host; i++)
    functype(&s, o->host[i].n_params, o->host[i].params, o->host[i].n_results, o->host[i].results);
  section(&mod, 1, &s);
  /* imports */
  buf_uleb(&s, N_KERNEL + (uint64_t)o->n_host);
  for (int i = 0; i < N_KERNEL; i++) {
    name(&s, "extism:host/env");
    name(&s, KERNEL[i].name);
    buf_u8(&s, 0);
    buf_uleb(&s, (uint64_t)(i == K_RESET ? T_V_V : KERNEL[i].type));
  }
  for (int i = 0; i < o->n_host; i++) {
    char nm[16];
    snprintf(nm, sizeof nm, "h%d", i);
    name(&s, "extism:host/user");
    name(&s, nm);
    buf_u8(&s, 0);
    buf_uleb(&s, (uint64_t)(T_V_V + 1 + i));
  }
  section(&mod, 2, &s);
  buf_uleb(&s, 1); /* functions: run */
  buf_uleb(&s, T_RUN);
  section(&mod, 3, &s);
  buf_uleb(&s, 1); /* memory: 1 page, no maximum */
  buf_u8(&s, 0);
  buf_uleb(&s, 1);
  section(&mod, 5, &s);
  buf_uleb(&s, o->alias ? 3 : 2); /* exports: run, memory, maybe run again under the alias */
  name(&s, "run");
  buf_u8(&s, 0);
  buf_uleb(&s, N_KERNEL + (uint64_t)o->n_host);
  if (o->alias) {
    name(&s, o->alias);
    buf_u8(&s, 0);
    buf_uleb(&s, N_KERNEL + (uint64_t)o->n_host);
    buf_printf(listing, "  (run is also exported as %s)\n", o->alias);
  }
  name(&s, "memory");
  buf_u8(&s, 2);
  buf_uleb(&s, 0);
  section(&mod, 7, &s);
  /* code */
  Buf body = {0};
  buf_uleb(&body, 5); /* local groups: 9 i64, then 2 each of i32, i64, f32, f64 */
  buf_uleb(&body, 9);
  buf_u8(&body, WT_I64);
  buf_uleb(&body, 2);
  buf_u8(&body, WT_I32);
  buf_uleb(&body, 2);
  buf_u8(&body, WT_I64);
  buf_uleb(&body, 2);
  buf_u8(&body, WT_F32);
  buf_uleb(&body, 2);
  buf_u8(&body, WT_F64);
  buf_put(&body, g.code.p, g.code.n);
  buf_free(&g.code);
  buf_uleb(&s, 1);
  buf_uleb(&s, body.n);
  buf_put(&s, body.p, body.n);
  buf_free(&body);
  section(&mod, 10, &s);
  buf_put(wasm, mod.p, mod.n);
  buf_free(&mod);
}
