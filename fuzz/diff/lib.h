/* One Extism library loaded with dlopen: its C API as a table of function pointers. Both libraries
 * export the same names; each is opened RTLD_LOCAL (and RTLD_DEEPBIND), so neither's symbols
 * resolve into the other. */
#ifndef DIFF_LIB_H
#define DIFF_LIB_H
#include "extism.h"

typedef struct {
  const char *label; /* "upstream" or "ours" */
  void *dl;
  __typeof__(&extism_version) version;
  __typeof__(&extism_plugin_new) plugin_new;
  __typeof__(&extism_plugin_new_with_fuel_limit) plugin_new_with_fuel_limit;
  __typeof__(&extism_plugin_new_error_free) plugin_new_error_free;
  __typeof__(&extism_plugin_free) plugin_free;
  __typeof__(&extism_plugin_call) plugin_call;
  __typeof__(&extism_plugin_call_with_host_context) plugin_call_with_host_context;
  __typeof__(&extism_current_plugin_host_context) current_plugin_host_context;
  __typeof__(&extism_plugin_output_length) plugin_output_length;
  __typeof__(&extism_plugin_output_data) plugin_output_data;
  __typeof__(&extism_plugin_error) plugin_error;
  __typeof__(&extism_plugin_config) plugin_config;
  __typeof__(&extism_plugin_reset) plugin_reset;
  __typeof__(&extism_plugin_function_exists) plugin_function_exists;
  __typeof__(&extism_plugin_cancel_handle) plugin_cancel_handle;
  __typeof__(&extism_plugin_cancel) plugin_cancel;
  __typeof__(&extism_compiled_plugin_new) compiled_plugin_new;
  __typeof__(&extism_compiled_plugin_free) compiled_plugin_free;
  __typeof__(&extism_plugin_new_from_compiled) plugin_new_from_compiled;
  __typeof__(&extism_function_new) function_new;
  __typeof__(&extism_function_free) function_free;
  __typeof__(&extism_function_set_namespace) function_set_namespace;
  __typeof__(&extism_current_plugin_memory) current_plugin_memory;
  __typeof__(&extism_current_plugin_memory_alloc) current_plugin_memory_alloc;
  __typeof__(&extism_current_plugin_memory_length) current_plugin_memory_length;
  __typeof__(&extism_current_plugin_memory_free) current_plugin_memory_free;
  __typeof__(&extism_log_custom) log_custom;
  __typeof__(&extism_log_drain) log_drain;
} Lib;

/* Opens path into *lib; on failure prints why and returns 0. */
int lib_open(Lib *lib, const char *label, const char *path);

#endif
