#include "targets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgen.h"
#include "wasmgen.h"

/* ---- what a host observes ------------------------------------------------------------------- */

/* The transcript being written (host callbacks, free_user_data and the log drain write into it). */
static Transcript *g_t;
/* What calls with a host context pass (host functions check they get it). */
static int g_host_context;

void error_class(const char *e, Buf *out) {
  if (e == NULL) {
    buf_printf(out, "(null)");
    return;
  }
  size_t n = strcspn(e, "\n");
  const char *colon = strstr(e, ": ");
  if (colon != NULL && (size_t)(colon - e) < n) n = (size_t)(colon - e);
  buf_printf(out, "\"%.*s\"", (int)n, e);
}

static void record_error(const char *what, const char *e) {
  buf_printf(&g_t->cmp, " %s=", what);
  error_class(e, &g_t->cmp);
  buf_printf(&g_t->raw, "%s: %s\n", what, e ? e : "(null)");
}

static void record_bytes(Buf *b, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n && i < 2048; i++) buf_printf(b, "%02x", p[i]);
  if (n > 2048) buf_printf(b, "...");
}

/* Log lines, without the time stamp and the plugin id. Plugin lines (extism::pdk) are compared as
 * "<LEVEL> <message>". The runtime's ERROR lines about a failed call say what failed: upstream's
 * extism_plugin_error gives only "error while executing at wasm backtrace: ..." for an error raised
 * in an import or a trap, and its log line the cause ("Caused by: ..."); ours gives the cause in
 * both. So a call's error is compared through these lines: the plugin's own message ("returned
 * with error message") or the innermost cause. */
static Buf g_call_log; /* runtime lines since the last call was recorded */

static const char *line_end(const char *p, const char *end) {
  const char *q = memmem(p, (size_t)(end - p), " plugin=", 8);
  return q ? q : end;
}

static void drain_line(const char *data, ExtismSize size) {
  if (g_t == NULL) return;
  const char *end = data + size;
  while (end > data && (end[-1] == '\n' || end[-1] == '\r')) end--;
  const char *tgt = memmem(data, size, " extism::pdk: ", 14);
  if (tgt != NULL) {
    const char *msg = tgt + 14;
    const char *lvl = tgt - 5 >= data ? tgt - 5 : data;
    /* A message with a NUL byte: upstream's logger drops the line, ours writes it with "\0" (a
     * recorded difference, logger_ring_nul_in_message); the generator never writes a backslash. */
    if (memmem(msg, (size_t)(end - msg), "\\0", 2) != NULL) return;
    buf_printf(&g_t->cmp, "  log %.5s %.*s\n", lvl, (int)(line_end(msg, end) - msg), msg);
    return;
  }
  if (memmem(data, size, "\\0", 2) != NULL) return; /* a NUL byte: see above */
  const char *m = memmem(data, size, "returned with error message: ", 29);
  if (m != NULL) {
    m += 29;
    buf_printf(&g_call_log, "plugin error \"%.*s\"", (int)(line_end(m, end) - m), m);
    return;
  }
  m = memmem(data, size, "encountered an error: ", 22);
  if (m == NULL) return;
  m += 22;
  const char *cause = m;
  for (const char *c; (c = memmem(cause, (size_t)(end - cause), "Caused by:", 10)) != NULL;) cause = c + 10;
  if (cause != m) { /* upstream's Debug form: the last "Caused by:" entry, "    N: " or "    " */
    while (cause < end && (*cause == ' ' || *cause == '\n')) cause++;
    const char *q = cause;
    while (q < end && *q >= '0' && *q <= '9') q++;
    if (q + 1 < end && q > cause && q[0] == ':' && q[1] == ' ') cause = q + 2;
  }
  const char *stop = memchr(cause, '\n', (size_t)(end - cause));
  if (stop == NULL) stop = line_end(cause, end);
  if (g_call_log.n == 0) buf_printf(&g_call_log, "runtime error \"%.*s\"", (int)(stop - cause), cause);
}

void targets_init_logging(const Lib *lib) { lib->log_custom("extism::pdk=trace,extism::plugin=error"); }

/* ---- host functions ----------------------------------------------------------------------------- */

typedef struct {
  int index;
  int mode; /* 1: the first i64 result is a fresh kernel block holding "host!"; 2: frees its first argument's block */
  HostSig sig;
  const Lib *lib;
} HostData;

static ExtismValType val_type(uint8_t wt) {
  switch (wt) {
  case WT_I32: return ExtismValType_I32;
  case WT_I64: return ExtismValType_I64;
  case WT_F32: return ExtismValType_F32;
  default: return ExtismValType_F64;
  }
}

static void host_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize nin, ExtismVal *out,
                    ExtismSize nout, void *data) {
  HostData *hd = data;
  uint64_t s = (uint64_t)hd->index + 1;
  buf_printf(&g_t->cmp, "  host h%d(", hd->index);
  for (ExtismSize i = 0; i < nin; i++) {
    switch (in[i].t) {
    case ExtismValType_I32: s = s * 31 + (uint32_t)in[i].v.i32; buf_printf(&g_t->cmp, " i32 %d", in[i].v.i32); break;
    case ExtismValType_I64:
      s = s * 31 + (uint64_t)in[i].v.i64;
      buf_printf(&g_t->cmp, " i64 %lld (length %llu)", (long long)in[i].v.i64,
                 (unsigned long long)hd->lib->current_plugin_memory_length(cp, (ExtismMemoryHandle)in[i].v.i64));
      break;
    case ExtismValType_F32: s = s * 31 + (uint64_t)(int64_t)in[i].v.f32; buf_printf(&g_t->cmp, " f32 %g", in[i].v.f32); break;
    case ExtismValType_F64: s = s * 31 + (uint64_t)(int64_t)in[i].v.f64; buf_printf(&g_t->cmp, " f64 %g", in[i].v.f64); break;
    default: buf_printf(&g_t->cmp, " type%d", (int)in[i].t);
    }
  }
  buf_printf(&g_t->cmp, " ) n_out=%llu", (unsigned long long)nout);
  if (hd->mode == 2 && nin > 0 && in[0].t == ExtismValType_I64) { /* frees what its first argument names */
    ExtismMemoryHandle h = (ExtismMemoryHandle)in[0].v.i64;
    hd->lib->current_plugin_memory_free(cp, h);
    buf_printf(&g_t->cmp, " freed, length now %llu", (unsigned long long)hd->lib->current_plugin_memory_length(cp, h));
  }
  void *ctx = hd->lib->current_plugin_host_context(cp);
  buf_printf(&g_t->cmp, " context=%s", ctx == NULL ? "null" : ctx == &g_host_context ? "ours" : "other");
  for (ExtismSize j = 0; j < nout && j < 2; j++) {
    buf_printf(&g_t->cmp, " preset%d=%d", (int)j, (int)out[j].t);
    uint64_t v = s * (j + 3) + j;
    out[j].t = val_type(hd->sig.results[j]);
    switch (hd->sig.results[j]) {
    case WT_I32: out[j].v.i32 = (int32_t)v; break;
    case WT_I64:
      out[j].v.i64 = (int64_t)v;
      if (hd->mode == 1 && j == 0) {
        ExtismMemoryHandle h = hd->lib->current_plugin_memory_alloc(cp, 5);
        uint8_t *mem = hd->lib->current_plugin_memory(cp);
        if (h != 0 && mem != NULL) memcpy(mem + h, "host!", 5);
        buf_printf(&g_t->cmp, " block=%llu len=%llu", (unsigned long long)h,
                   (unsigned long long)hd->lib->current_plugin_memory_length(cp, h));
        out[j].v.i64 = (int64_t)h;
      }
      break;
    case WT_F32: out[j].v.f32 = (float)(v % 100003) / 3.0f; break;
    default: out[j].v.f64 = (double)(v % 1000003) / 7.0; break;
    }
  }
  buf_printf(&g_t->cmp, "\n");
}

static void host_free(void *data) {
  HostData *hd = data;
  if (g_t != NULL) buf_printf(&g_t->cmp, "  freed user data of h%d\n", hd->index);
  free(hd);
}

/* ---- cases: a plugin and a plan of C API steps ------------------------------------------------ */

enum { S_NEW, S_COMPILE, S_FREE_COMPILED, S_CALL, S_RESET, S_CONFIG, S_CANCEL, S_EXISTS, S_FREE };
static const char *STEP_NAMES[] = {"new", "compile", "free_compiled", "call", "reset",
                                   "config", "cancel", "exists", "free"};
#define MAX_STEPS 16
typedef struct {
  int op, slot, from_compiled;
  int wasi;   /* with_wasi for new and compile (the plugins import no WASI) */
  int context; /* call with extism_plugin_call_with_host_context */
  int fuel;   /* new with a fuel limit far above what any generated call takes */
  char name[16];
  char json[160];
  size_t json_len;
  uint8_t input[32];
  size_t input_len;
} Step;

struct Case {
  Buf wasm, listing, manifest, desc;
  int n_host;
  HostSig decl[GEN_MAX_HOST]; /* the host functions' types as the host declares them */
  int host_mode[GEN_MAX_HOST];
  int host_ns[GEN_MAX_HOST]; /* 0: default namespace, 1: set to extism:host/user, 2: set to "other" */
  int n_steps;
  Step steps[MAX_STEPS];
};

static Case *case_new(void) {
  Case *c = calloc(1, sizeof *c);
  if (c == NULL) exit(2);
  return c;
}

static void case_free(Case *c) {
  buf_free(&c->wasm);
  buf_free(&c->listing);
  buf_free(&c->manifest);
  buf_free(&c->desc);
  free(c);
}

static void random_input(Rng *r, Step *s) {
  s->input_len = rng_pct(r, 25) ? 0 : rng_below(r, sizeof s->input + 1);
  for (size_t i = 0; i < s->input_len; i++) s->input[i] = (uint8_t)rng_below(r, 256);
}

/* A JSON manifest around the module: base64 data, the config keys the plugin reads, a var budget. */
static void wrap_manifest(Rng *r, Case *c) {
  Buf b64 = {0};
  base64(c->wasm.p, c->wasm.n, &b64);
  buf_printf(&c->manifest, "{\"wasm\":[{\"data\":\"%s\"}],\"config\":{\"k1\":\"v1\",\"k2\":\"\"}",
             buf_str(&b64));
  buf_free(&b64);
  static const int VARS[] = {-1, 0, 60, 100, 1000};
  int v = VARS[rng_below(r, 5)];
  if (v >= 0) buf_printf(&c->manifest, ",\"memory\":{\"max_var_bytes\":%d}", v);
  buf_printf(&c->manifest, "}");
}

static const char *describe(const Case *cc) {
  Case *c = (Case *)cc;
  if (c->desc.n) return buf_str(&c->desc);
  for (int i = 0; i < c->n_host; i++) {
    buf_printf(&c->desc, "host function h%d declared (", i);
    for (int p = 0; p < c->decl[i].n_params; p++) buf_printf(&c->desc, " %02x", c->decl[i].params[p]);
    buf_printf(&c->desc, " ) -> (");
    for (int p = 0; p < c->decl[i].n_results; p++) buf_printf(&c->desc, " %02x", c->decl[i].results[p]);
    buf_printf(&c->desc, " ) mode %d namespace %d\n", c->host_mode[i], c->host_ns[i]);
  }
  buf_printf(&c->desc, "plugin (%zu bytes):\n%s", c->wasm.n, buf_str(&c->listing));
  if (c->manifest.n) { /* the manifest, its base64 data shortened */
    const char *m = buf_str(&c->manifest);
    buf_printf(&c->desc, "manifest: ");
    for (const char *q; (q = strstr(m, "AGFzbQ")) != NULL && strlen(q) > 40; m = q + strcspn(q, "\"\n")) {
      buf_put(&c->desc, m, (size_t)(q - m));
      buf_printf(&c->desc, "<base64 of the plugin>");
    }
    buf_printf(&c->desc, "%s\n", m);
  }
  for (int i = 0; i < c->n_steps; i++) {
    const Step *s = &c->steps[i];
    buf_printf(&c->desc, "step %s slot %d", STEP_NAMES[s->op], s->slot);
    if (s->op == S_NEW) buf_printf(&c->desc, " from_compiled=%d fuel=%d", s->from_compiled, s->fuel);
    if (s->op == S_NEW || s->op == S_COMPILE) buf_printf(&c->desc, " wasi=%d", s->wasi);
    if (s->op == S_CALL || s->op == S_EXISTS) buf_printf(&c->desc, " \"%s\"", s->name);
    if (s->op == S_CALL) {
      buf_printf(&c->desc, " context=%d input ", s->context);
      record_bytes(&c->desc, s->input, s->input_len);
    }
    if (s->op == S_CONFIG) buf_printf(&c->desc, " %.*s", (int)s->json_len, s->json);
    buf_printf(&c->desc, "\n");
  }
  return buf_str(&c->desc);
}

/* ---- running a case ----------------------------------------------------------------------------- */

/* The error text right after each slot's last call: a later read of the same text is shown as
 * that (upstream's text for a runtime error differs from ours by design, see drain_line). */
static char *g_last_error[2];

static void record_later_error(const Lib *L, ExtismPlugin *p, int slot) {
  const char *e = L->plugin_error(p);
  if (e != NULL && g_last_error[slot] != NULL && strcmp(e, g_last_error[slot]) == 0) {
    buf_printf(&g_t->cmp, " error=(the last call's)");
    buf_printf(&g_t->raw, "error: %s\n", e);
  } else {
    record_error("error", e);
  }
}

static void record_call(const Lib *L, ExtismPlugin *p, int32_t rc, int slot) {
  ExtismSize n = L->plugin_output_length(p);
  buf_printf(&g_t->cmp, " rc=%d out=%llu:", rc, (unsigned long long)n);
  /* Not for an empty output: upstream may segfault there (diff_output_data_after_oom_call). */
  const uint8_t *d = n ? L->plugin_output_data(p) : NULL;
  if (d != NULL) record_bytes(&g_t->cmp, d, n);
  else if (n) buf_printf(&g_t->cmp, "(null)");
  Transcript *t = g_t, lines = {0};
  g_t = &lines;
  L->log_drain(drain_line);
  g_t = t;
  const char *e = L->plugin_error(p);
  free(g_last_error[slot]);
  g_last_error[slot] = e ? strdup(e) : NULL;
  if (g_call_log.n) { /* the text itself differs by design for these (see drain_line) */
    buf_printf(&g_t->cmp, " %s", buf_str(&g_call_log));
    buf_printf(&g_t->raw, "error: %s\n", e ? e : "(null)");
    g_call_log.n = 0;
  } else {
    record_error("error", e);
  }
  buf_printf(&g_t->cmp, "\n");
  buf_put(&g_t->cmp, lines.cmp.p, lines.cmp.n);
  buf_free(&lines.cmp);
  buf_free(&lines.raw);
}

static void exec_steps(const Case *c, const Lib *L, Transcript *t) {
  g_t = t;
  ExtismFunction *fns[GEN_MAX_HOST] = {0};
  for (int i = 0; i < c->n_host; i++) {
    HostData *hd = calloc(1, sizeof *hd);
    if (hd == NULL) exit(2);
    *hd = (HostData){.index = i, .mode = c->host_mode[i], .sig = c->decl[i], .lib = L};
    ExtismValType in[3], out[2];
    for (int p = 0; p < c->decl[i].n_params; p++) in[p] = val_type(c->decl[i].params[p]);
    for (int p = 0; p < c->decl[i].n_results; p++) out[p] = val_type(c->decl[i].results[p]);
    char nm[16];
    snprintf(nm, sizeof nm, "h%d", i);
    fns[i] = L->function_new(nm, in, (ExtismSize)c->decl[i].n_params, out,
                             (ExtismSize)c->decl[i].n_results, host_cb, hd, host_free);
    if (fns[i] == NULL) {
      buf_printf(&t->cmp, "function_new h%d: NULL\n", i);
      host_free(hd);
      continue;
    }
    if (c->host_ns[i]) L->function_set_namespace(fns[i], c->host_ns[i] == 1 ? "extism:host/user" : "other");
  }
  const uint8_t *src = c->manifest.n ? c->manifest.p : c->wasm.p;
  size_t src_len = c->manifest.n ? c->manifest.n : c->wasm.n;
  const char *dump = getenv("FUZZ_DIFF_DUMP"); /* a replay keeps the case's bytes for a C test */
  if (dump != NULL) {
    char path[512];
    snprintf(path, sizeof path, "%s.wasm", dump);
    FILE *f = fopen(path, "wb");
    if (f) fwrite(c->wasm.p, 1, c->wasm.n, f), fclose(f);
    snprintf(path, sizeof path, "%s.create", dump);
    f = fopen(path, "wb");
    if (f) fwrite(src, 1, src_len, f), fclose(f);
  }
  ExtismPlugin *plugins[2] = {0};
  ExtismCompiledPlugin *compiled = NULL;
  for (int i = 0; i < 2; i++) {
    free(g_last_error[i]);
    g_last_error[i] = NULL;
  }
  for (int i = 0; i < c->n_steps; i++) {
    const Step *s = &c->steps[i];
    ExtismPlugin **p = &plugins[s->slot];
    buf_printf(&t->cmp, "%s %d:", STEP_NAMES[s->op], s->slot);
    buf_printf(&t->raw, "step %d %s:\n", i, STEP_NAMES[s->op]);
    char *err = NULL;
    switch (s->op) {
    case S_NEW:
      if (*p != NULL) L->plugin_free(*p);
      if (s->from_compiled) {
        *p = compiled ? L->plugin_new_from_compiled(compiled, &err) : NULL;
        if (compiled == NULL) buf_printf(&t->cmp, " no compiled plugin");
      } else {
        *p = s->fuel ? L->plugin_new_with_fuel_limit(src, src_len, (const ExtismFunction **)fns,
                                                    (ExtismSize)c->n_host, s->wasi, 1000000000, &err)
                     : L->plugin_new(src, src_len, (const ExtismFunction **)fns, (ExtismSize)c->n_host, s->wasi, &err);
      }
      buf_printf(&t->cmp, " %s", *p ? "ok" : "refused");
      if (*p == NULL) record_error("err", err);
      if (err) L->plugin_new_error_free(err);
      break;
    case S_COMPILE:
      if (compiled) L->compiled_plugin_free(compiled);
      compiled = L->compiled_plugin_new(src, src_len, (const ExtismFunction **)fns, (ExtismSize)c->n_host, s->wasi, &err);
      buf_printf(&t->cmp, " %s", compiled ? "ok" : "refused");
      if (compiled == NULL) record_error("err", err);
      if (err) L->plugin_new_error_free(err);
      break;
    case S_FREE_COMPILED:
      if (compiled) L->compiled_plugin_free(compiled);
      compiled = NULL;
      break;
    case S_FREE:
      if (*p) L->plugin_free(*p);
      *p = NULL;
      break;
    default:
      if (*p == NULL) {
        buf_printf(&t->cmp, " no plugin");
        break;
      }
      switch (s->op) {
      case S_CALL:
        record_call(L, *p,
                    s->context ? L->plugin_call_with_host_context(*p, s->name, s->input, s->input_len, &g_host_context)
                               : L->plugin_call(*p, s->name, s->input, s->input_len),
                    s->slot);
        break;
      case S_RESET: buf_printf(&t->cmp, " %d", L->plugin_reset(*p)); break;
      case S_CONFIG:
        buf_printf(&t->cmp, " %d", L->plugin_config(*p, (const uint8_t *)s->json, s->json_len));
        record_later_error(L, *p, s->slot);
        break;
      case S_CANCEL: buf_printf(&t->cmp, " %d", L->plugin_cancel(L->plugin_cancel_handle(*p))); break;
      case S_EXISTS: buf_printf(&t->cmp, " %d", L->plugin_function_exists(*p, s->name)); break;
      default: break;
      }
    }
    buf_printf(&t->cmp, "\n");
    L->log_drain(drain_line);
  }
  for (int i = 0; i < 2; i++)
    if (plugins[i]) L->plugin_free(plugins[i]);
  if (compiled) L->compiled_plugin_free(compiled);
  buf_printf(&t->cmp, "end\n");
  for (int i = 0; i < c->n_host; i++)
    if (fns[i]) L->function_free(fns[i]);
  L->log_drain(drain_line);
  g_t = NULL;
}

/* ---- target: manifests ------------------------------------------------------------------------------- */

static Case *gen_manifest_case(Rng *r, const char *tmpdir) {
  Case *c = case_new();
  GenOptions o = {.n_host = 0, .max_ops = 6};
  gen_plugin(r, &o, &c->wasm, &c->listing);
  char path[512];
  snprintf(path, sizeof path, "%s/plugin.wasm", tmpdir);
  FILE *f = fopen(path, "wb");
  if (f) {
    fwrite(c->wasm.p, 1, c->wasm.n, f);
    fclose(f);
  }
  gen_manifest(r, &c->wasm, path, rng_pct(r, 35), &c->manifest);
  if (c->manifest.n == 0) buf_printf(&c->manifest, " ");
  c->n_steps = 1;
  c->steps[0] = (Step){.op = S_NEW};
  if (rng_pct(r, 50)) {
    c->steps[c->n_steps++] = (Step){.op = S_COMPILE};
    c->steps[c->n_steps++] = (Step){.op = S_NEW, .slot = 1, .from_compiled = 1};
  }
  Step call = {.op = S_CALL, .name = "run"};
  random_input(r, &call);
  c->steps[c->n_steps++] = call;
  return c;
}

/* ---- target: generated plugins driving the kernel ------------------------------------------------- */

static Case *gen_plugin_case(Rng *r, const char *tmpdir) {
  (void)tmpdir;
  Case *c = case_new();
  GenOptions o = {.n_host = 0, .max_ops = 40};
  gen_plugin(r, &o, &c->wasm, &c->listing);
  wrap_manifest(r, c);
  c->steps[c->n_steps++] = (Step){.op = S_NEW};
  int calls = 1 + (int)rng_below(r, 3);
  for (int i = 0; i < calls; i++) {
    if (i && rng_pct(r, 30)) c->steps[c->n_steps++] = (Step){.op = S_RESET};
    Step call = {.op = S_CALL, .name = "run"};
    random_input(r, &call);
    c->steps[c->n_steps++] = call;
  }
  return c;
}

/* ---- target: C API call sequences, host functions of every type ---------------------------------- */

static Case *gen_api_case(Rng *r, const char *tmpdir) {
  (void)tmpdir;
  Case *c = case_new();
  GenOptions o = {.n_host = (int)rng_below(r, GEN_MAX_HOST + 1), .max_ops = 16};
  static const char *ALIASES[] = {"_start", "_initialize", "main"};
  if (rng_pct(r, 25)) o.alias = ALIASES[rng_below(r, 3)];
  c->n_host = o.n_host;
  for (int i = 0; i < o.n_host; i++) {
    gen_host_sig(r, &o.host[i]);
    c->decl[i] = o.host[i];
    if (rng_pct(r, 8)) gen_host_sig(r, &c->decl[i]); /* declared with another type than imported */
    c->host_mode[i] = rng_pct(r, 30) ? 1 : rng_pct(r, 20) ? 2 : 0;
    c->host_ns[i] = rng_pct(r, 80) ? 0 : (rng_pct(r, 70) ? 1 : 2);
  }
  gen_plugin(r, &o, &c->wasm, &c->listing);
  if (rng_pct(r, 60)) wrap_manifest(r, c);
  c->n_steps = 3 + (int)rng_below(r, MAX_STEPS - 3);
  c->steps[0] = (Step){.op = rng_pct(r, 30) ? S_COMPILE : S_NEW};
  for (int i = 1; i < c->n_steps; i++) {
    Step *s = &c->steps[i];
    static const int OPS[] = {S_NEW, S_NEW, S_COMPILE, S_FREE_COMPILED, S_CALL, S_CALL, S_CALL,
                              S_CALL, S_RESET, S_CONFIG, S_CONFIG, S_CANCEL, S_EXISTS, S_FREE};
    *s = (Step){.op = OPS[rng_below(r, sizeof OPS / sizeof *OPS)], .slot = (int)rng_below(r, 2)};
    s->from_compiled = rng_pct(r, 50);
    s->wasi = rng_pct(r, 20);
    s->fuel = rng_pct(r, 20);
    s->context = rng_pct(r, 30);
    static const char *NAMES[] = {"run", "run", "run", "missing", "", "memory", "h0", "_start", "_initialize"};
    snprintf(s->name, sizeof s->name, "%s", NAMES[rng_below(r, 9)]);
    if (s->op == S_CALL) random_input(r, s);
    if (s->op == S_CONFIG) {
      Buf j = {0};
      gen_config_json(r, &j);
      s->json_len = j.n < sizeof s->json ? j.n : sizeof s->json;
      if (j.n) memcpy(s->json, j.p, s->json_len);
      buf_free(&j);
    }
  }
  return c;
}

const Target TARGET_MANIFEST = {"manifest", gen_manifest_case, exec_steps, describe, case_free};
const Target TARGET_PLUGIN = {"plugin", gen_plugin_case, exec_steps, describe, case_free};
const Target TARGET_API = {"api", gen_api_case, exec_steps, describe, case_free};
