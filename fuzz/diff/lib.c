#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "lib.h"

#include <dlfcn.h>
#include <stdio.h>

#define SYM(field, name)                                                                \
  do {                                                                                  \
    *(void **)&lib->field = dlsym(lib->dl, name);                                       \
    if (lib->field == NULL) {                                                           \
      fprintf(stderr, "fuzz-diff: %s: no symbol %s\n", label, name);                    \
      return 0;                                                                         \
    }                                                                                   \
  } while (0)

int lib_open(Lib *lib, const char *label, const char *path) {
  lib->label = label;
  lib->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (lib->dl == NULL) {
    fprintf(stderr, "fuzz-diff: %s: %s\n", label, dlerror());
    return 0;
  }
  SYM(version, "extism_version");
  SYM(plugin_new, "extism_plugin_new");
  SYM(plugin_new_with_fuel_limit, "extism_plugin_new_with_fuel_limit");
  SYM(plugin_new_error_free, "extism_plugin_new_error_free");
  SYM(plugin_free, "extism_plugin_free");
  SYM(plugin_call, "extism_plugin_call");
  SYM(plugin_call_with_host_context, "extism_plugin_call_with_host_context");
  SYM(current_plugin_host_context, "extism_current_plugin_host_context");
  SYM(plugin_output_length, "extism_plugin_output_length");
  SYM(plugin_output_data, "extism_plugin_output_data");
  SYM(plugin_error, "extism_plugin_error");
  SYM(plugin_config, "extism_plugin_config");
  SYM(plugin_reset, "extism_plugin_reset");
  SYM(plugin_function_exists, "extism_plugin_function_exists");
  SYM(plugin_cancel_handle, "extism_plugin_cancel_handle");
  SYM(plugin_cancel, "extism_plugin_cancel");
  SYM(compiled_plugin_new, "extism_compiled_plugin_new");
  SYM(compiled_plugin_free, "extism_compiled_plugin_free");
  SYM(plugin_new_from_compiled, "extism_plugin_new_from_compiled");
  SYM(function_new, "extism_function_new");
  SYM(function_free, "extism_function_free");
  SYM(function_set_namespace, "extism_function_set_namespace");
  SYM(current_plugin_memory, "extism_current_plugin_memory");
  SYM(current_plugin_memory_alloc, "extism_current_plugin_memory_alloc");
  SYM(current_plugin_memory_length, "extism_current_plugin_memory_length");
  SYM(current_plugin_memory_free, "extism_current_plugin_memory_free");
  SYM(log_custom, "extism_log_custom");
  SYM(log_drain, "extism_log_drain");
  return 1;
}
