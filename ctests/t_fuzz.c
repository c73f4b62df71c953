/* Regression tests for what fuzzing found (fuzz/README.md lists every find). */
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* plugin_create, find 1: a function body with an operator after its final `end`. wasmi visits the
 * operator before its validator rejects the body, and a debug assertion in its fuel-metering
 * translator fires on the way (a panic in builds with debug assertions, such as the fuzz build).
 * Release builds reject the module cleanly; this keeps it that way. */
static const uint8_t trailing_nop[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,       /* magic, version */
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,                   /* type 0: () -> () */
    0x03, 0x02, 0x01, 0x00,                               /* func 0: type 0 */
    0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00,              /* export "f" */
    0x0a, 0x05, 0x01, 0x03, 0x00, 0x0b, 0x01,             /* body: end, then nop */
};

TEST(fuzz_operator_after_function_end_refused) {
  char *err = create_error(trailing_nop, sizeof trailing_nop, false);
  CHECK_PREFIX(err, "Unable to compile Extism plugin: ");
  free(err);
}

TEST_NOT_UPSTREAM(fuzz_operator_after_function_end_message, "Wasmtime words the error differently") {
  char *err = create_error(trailing_nop, sizeof trailing_nop, false);
  CHECK_STR(err, "Unable to compile Extism plugin: operators remaining after end of function (at "
                 "offset 0x20)");
  free(err);
}
