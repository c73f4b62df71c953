/* Address space: kernel memory reserves a little and grows as the plugin allocates, so many plugins
 * live in a bounded address space (32-bit hosts, `ulimit -v`); and the rule that comes with it, in
 * extism.h at extism_current_plugin_memory: the base is valid until the callback returns or calls
 * extism_current_plugin_memory_alloc, which may move kernel memory (handles never change). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

/* ---- how long a pointer into kernel memory is valid ---- */

/* What extism.h says kernel memory reserves at creation (std builds on Unix). */
#define KERNEL_RESERVED_AT_CREATION (256u << 10)
#define BIG_BLOCK (8u << 20)

static struct {
  int calls;
  uint8_t *base_before, *base_after;
  int stable_without_alloc, input_moved_with_memory, input_length_kept, big_writable, moved;
  ExtismSize big_len;
} grow_seen;

/* Reads the input through the base, blocks the address space right after the reservation (so
 * kernel memory cannot grow in place), allocates far past the reservation, and checks the input's
 * bytes at the new base + the same handle; answers with a block "HELLO" written through the new base. */
static void grow_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                    ExtismSize n_out, void *data) {
  ExtismMemoryHandle arg, big, q;
  uint8_t *base, *blocker;
  long page = sysconf(_SC_PAGESIZE);
  (void)data;
  if (n_in != 1 || n_out != 1)
    return;
  grow_seen.calls++;
  arg = (ExtismMemoryHandle)in[0].v.i64;
  base = extism_current_plugin_memory(cp);
  grow_seen.base_before = base;
  /* length and free never move it */
  (void)extism_current_plugin_memory_length(cp, arg);
  extism_current_plugin_memory_free(cp, 999999);
  grow_seen.stable_without_alloc = extism_current_plugin_memory(cp) == base;
  /* A mapping at the reservation's end (or whatever already sits there) stops in-place growth. */
  blocker = mmap(base + KERNEL_RESERVED_AT_CREATION, (size_t)page, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  big = extism_current_plugin_memory_alloc(cp, BIG_BLOCK);
  grow_seen.big_len = extism_current_plugin_memory_length(cp, big);
  base = extism_current_plugin_memory(cp); /* the rule: read the base again after an alloc */
  grow_seen.base_after = base;
  grow_seen.moved = grow_seen.base_after != grow_seen.base_before;
  grow_seen.input_length_kept = extism_current_plugin_memory_length(cp, arg) == 10;
  grow_seen.input_moved_with_memory = memcmp(base + arg, "grow me ok", 10) == 0;
  if (big != 0 && grow_seen.big_len == BIG_BLOCK) {
    memset(base + big, 0x5a, BIG_BLOCK);
    grow_seen.big_writable = base[big] == 0x5a && base[big + BIG_BLOCK - 1] == 0x5a;
  }
  if (blocker != MAP_FAILED)
    munmap(blocker, (size_t)page);
  q = extism_current_plugin_memory_alloc(cp, 5);
  if (q != 0)
    memcpy(extism_current_plugin_memory(cp) + q, "HELLO", 5);
  out[0].v.i64 = (int64_t)q;
}

TEST_NOT_UPSTREAM(kernel_memory_base_valid_until_alloc,
                  "its kernel memory is reserved whole and never moves") {
  ExtismValType t = EXTISM_PTR;
  const ExtismFunction *fns[1];
  ExtismPlugin *p;
  int i;
  memset(&grow_seen, 0, sizeof grow_seen);
  fns[0] = extism_function_new("host_reflect", &t, 1, &t, 1, grow_cb, NULL, NULL);
  p = load_plugin_fns("reflect", fns, 1, false);
  /* twice: the second call starts from the grown (wiped) memory, which no longer needs to move */
  for (i = 0; i < 2; i++) {
    CHECK_EQ_INT(call_str(p, "reflect", "grow me ok"), 0);
    CHECK(grow_seen.stable_without_alloc);
    CHECK_EQ_U64(grow_seen.big_len, BIG_BLOCK);
    CHECK(grow_seen.input_length_kept);
    CHECK(grow_seen.input_moved_with_memory);
    CHECK(grow_seen.big_writable);
    CHECK_OUTPUT(p, "HELLO");
    if (i == 0)
      CHECK(grow_seen.moved); /* growth could not happen in place */
    else
      CHECK(!grow_seen.moved); /* kernel memory never shrinks: the second call fits */
  }
  CHECK_EQ_INT(grow_seen.calls, 2);
  extism_plugin_free(p);
}

/* ---- many plugins in a bounded address space ---- */

/* 1,000 on 64-bit and i686 hosts; 500 on 32-bit ARM (issue 29's figures). */
#if defined(__arm__)
#define MANY_PLUGINS 500
#else
#define MANY_PLUGINS 1000
#endif
#define ADDRESS_SPACE_LIMIT (1ull << 30)

/* AddressSanitizer reserves terabytes of address space for its shadow memory before main: under it
 * (make ctest-asan) no address-space limit can hold, so the plugins are made without one. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* In a child process under RLIMIT_AS of 1 GiB: creates `MANY_PLUGINS` echo plugins one after the
 * other, keeping all alive, and calls each once. Writes how many were created and called right to
 * `fd`, then the first error (if any). Takes `wasm` over. */
static void many_plugins_child(int fd, uint8_t *wasm, size_t len) {
  static ExtismPlugin *plugins[MANY_PLUGINS];
  struct rlimit lim = {ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT};
  char msg[256] = "";
  int n = 0, i;
  if (!UNDER_ASAN && setrlimit(RLIMIT_AS, &lim) != 0) {
    snprintf(msg, sizeof msg, "setrlimit: %s", strerror(errno));
  }
  while (msg[0] == '\0' && n < MANY_PLUGINS) {
    char *err = NULL, input[32];
    ExtismPlugin *p = extism_plugin_new(wasm, len, NULL, 0, false, &err);
    if (p == NULL) {
      snprintf(msg, sizeof msg, "plugin %d: %s", n + 1, err ? err : "(no error text)");
      extism_plugin_new_error_free(err);
      break;
    }
    plugins[n] = p;
    snprintf(input, sizeof input, "plugin %d", n);
    if (extism_plugin_call(p, "echo", (const uint8_t *)input, strlen(input)) != 0 ||
        extism_plugin_output_length(p) != strlen(input) ||
        memcmp(extism_plugin_output_data(p), input, strlen(input)) != 0) {
      const char *e = extism_plugin_error(p);
      snprintf(msg, sizeof msg, "call of plugin %d failed: %s", n + 1, e ? e : "wrong output");
      break;
    }
    n++;
  }
  /* every plugin still works with all of them alive */
  for (i = 0; msg[0] == '\0' && i < n; i++) {
    if (extism_plugin_call(plugins[i], "echo", (const uint8_t *)"again", 5) != 0) {
      snprintf(msg, sizeof msg, "second call of plugin %d failed", i + 1);
    }
  }
  for (i = 0; i < n; i++)
    extism_plugin_free(plugins[i]);
  free(wasm); /* the child's copy: leak checkers run in it too */
  if (write(fd, &n, sizeof n) != (ssize_t)sizeof n || write(fd, msg, sizeof msg) != (ssize_t)sizeof msg)
    _exit(3);
  _exit(0);
}

TEST_NOT_UPSTREAM(many_plugins_in_one_gib_of_address_space,
                  "reserves its kernel memory whole (0 plugins under ulimit -v 3000000)") {
  size_t len;
  uint8_t *wasm = plugin_bytes("echo", &len);
  int fds[2], status = 0, created = -1;
  char msg[256] = "(child wrote nothing)";
  pid_t pid;
  REQUIRE(pipe(fds) == 0);
  pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    many_plugins_child(fds[1], wasm, len);
  }
  close(fds[1]);
  if (read(fds[0], &created, sizeof created) == (ssize_t)sizeof created)
    CHECK(read(fds[0], msg, sizeof msg) == (ssize_t)sizeof msg);
  close(fds[0]);
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  msg[sizeof msg - 1] = '\0';
  harness_note("%d plugins created and called under RLIMIT_AS %llu MiB%s; %s", created,
               ADDRESS_SPACE_LIMIT >> 20, UNDER_ASAN ? " (not set: AddressSanitizer)" : "",
               msg[0] ? msg : "no error");
  CHECK_EQ_INT(created, MANY_PLUGINS);
  CHECK_STR(msg, "");
  free(wasm);
}
