/* Checklist "Version and identity" (items 1-5). */
#include <stdlib.h>
#include <string.h>

#include "common.h"

static int is_semver(const char *s) {
  int parts = 0;
  while (parts < 3) {
    if (*s < '0' || *s > '9')
      return 0;
    while (*s >= '0' && *s <= '9')
      s++;
    parts++;
    if (parts < 3) {
      if (*s != '.')
        return 0;
      s++;
    }
  }
  /* optional pre-release / build suffix */
  return *s == 0 || *s == '-' || *s == '+';
}

/* 1 */
TEST(version_is_semver) {
  const char *v = extism_version();
  REQUIRE_NOT_NULL(v);
  CHECK(is_semver(v));
  CHECK(strcmp(v, "0.0.0") != 0);
  CHECK(strncmp(v, "1.", 2) == 0); /* a drop-in for libextism 1.x */
  /* the upstream release whose API and behaviour the library matches: the reference's own */
  CHECK_STR(v, "1.41.0");
  CHECK(extism_version() == v || strcmp(extism_version(), v) == 0);
}

static void check_uuid_v4(const uint8_t *id) {
  CHECK_EQ_INT(id[6] >> 4, 4);      /* version nibble */
  CHECK_EQ_INT(id[8] >> 6, 2);      /* RFC 4122 variant bits 10 */
}

/* 2, 4 */
TEST(plugin_id_is_uuid_v4_and_stable) {
  ExtismPlugin *p = load_plugin("calls", false);
  const uint8_t *id = extism_plugin_id(p), *again;
  uint8_t copy[16];
  REQUIRE_NOT_NULL(id);
  check_uuid_v4(id);
  memcpy(copy, id, 16);
  CHECK_EQ_INT(call_str(p, "nothing", "x"), 0);
  again = extism_plugin_id(p);
  CHECK(again == id);
  CHECK(memcmp(again, copy, 16) == 0);
  extism_plugin_free(p);
}

/* 2: ids differ between plugins made from the same bytes */
TEST(plugin_ids_distinct) {
  ExtismPlugin *a = load_plugin("calls", false);
  ExtismPlugin *b = load_plugin("calls", false);
  const uint8_t *ia = extism_plugin_id(a), *ib = extism_plugin_id(b);
  REQUIRE(ia && ib);
  check_uuid_v4(ib);
  CHECK(memcmp(ia, ib, 16) != 0);
  extism_plugin_free(a);
  extism_plugin_free(b);
}

/* 3 */
TEST(plugin_ids_distinct_from_one_compiled) {
  size_t len = 0;
  uint8_t *w = plugin_bytes("calls", &len);
  char *err = NULL;
  ExtismCompiledPlugin *c = extism_compiled_plugin_new(w, len, NULL, 0, false, &err);
  ExtismPlugin *a, *b;
  const uint8_t *ia, *ib;
  free(w);
  REQUIRE_NOT_NULL(c);
  a = extism_plugin_new_from_compiled(c, &err);
  b = extism_plugin_new_from_compiled(c, &err);
  REQUIRE(a && b);
  ia = extism_plugin_id(a);
  ib = extism_plugin_id(b);
  REQUIRE(ia && ib);
  check_uuid_v4(ia);
  check_uuid_v4(ib);
  CHECK(memcmp(ia, ib, 16) != 0);
  extism_plugin_free(a);
  extism_plugin_free(b);
  extism_compiled_plugin_free(c);
}

/* 5 */
TEST(plugin_id_null) { CHECK_NULL(extism_plugin_id(NULL)); }

#ifdef EXTISM_NOT_UPSTREAM
/* Our own release, apart from the upstream API level (extensions). */
TEST_NOT_UPSTREAM(x_version_is_own_release, "extension") {
  const char *v = extism_x_version();
  REQUIRE_NOT_NULL(v);
  CHECK(is_semver(v));
  CHECK(strcmp(v, extism_version()) != 0);
  CHECK(extism_x_version() == v);
  CHECK(EXTISM_X_VERSION >= 2);
}
#endif
