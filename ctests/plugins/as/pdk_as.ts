// "PDK_AS": the AssemblyScript twin of pdk_rs (ctests/plugins/pdk/pdk_rs), written with the official
// `@extism/as-pdk` from npm (versions pinned in package.json / package-lock.json beside this file).
// Same exports and outputs as pdk_rs, within what this PDK offers:
//   greet, fail, config, count, var_clear, host   as pdk_rs
//   log    debug, info, warn and error lines (the AS PDK has no trace level)
//   http   through the PDK's declared `http_request` import (the AS PDK has no HTTP helper;
//          `http_status_code` is declared here, the PDK does not declare it)
//   boom   throws: AssemblyScript calls `abort`, which this plugin routes (--use abort=...) to
//          myAbort: the message goes to error_set, then the plugin traps
// No `json`: the AS PDK has no JSON types.
// Outputs are ASCII only: the PDK's Host.outputString passes the UTF-16 length as the byte length.
import { Config, Host, LogLevel, Memory, Var } from "@extism/as-pdk";
import { error_set, http_request, length } from "@extism/as-pdk/lib/env";

@external("extism:host/user", "transform")
declare function transform(offset: u64): u64;

@external("extism:host/env", "http_status_code")
declare function http_status_code(): i32;

function myAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  error_set(Memory.allocateString(message === null ? "abort" : message).offset);
  unreachable();
}

export function greet(): i32 {
  Host.outputString("Hello, " + Host.inputString() + "!");
  return 0;
}

export function fail(): i32 {
  error_set(Memory.allocateString("failed: " + Host.inputString()).offset);
  return 1;
}

export function config(): i32 {
  const value = Config.get(Host.inputString());
  Host.outputString(value === null ? "<unset>" : value);
  return 0;
}

export function count(): i32 {
  const old = Var.getString("n");
  const n: u64 = (old === null ? 0 : U64.parseInt(old)) + 1;
  Var.set("n", Uint8Array.wrap(String.UTF8.encode(n.toString())));
  Host.outputString(n.toString());
  return 0;
}

export function var_clear(): i32 {
  Var.remove("n");
  return 0;
}

export function log(): i32 {
  const text = Host.inputString();
  Host.log(LogLevel.Debug, "debug: " + text);
  Host.log(LogLevel.Info, "info: " + text);
  Host.log(LogLevel.Warn, "warn: " + text);
  Host.log(LogLevel.Error, "error: " + text);
  return 0;
}

export function host(): i32 {
  const reply = transform(Memory.allocateString(Host.inputString()).offset);
  Host.outputString("host said: " + new Memory(reply, length(reply)).toString());
  return 0;
}

export function http(): i32 {
  const req = '{"url":"' + Host.inputString() + '","method":"GET","headers":{}}';
  const res = http_request(Memory.allocateString(req).offset, 0);
  const body = res == 0 ? "" : new Memory(res, length(res)).toString();
  Host.outputString(http_status_code().toString() + "|" + body);
  return 0;
}

export function boom(): i32 {
  throw new Error("boom: " + Host.inputString());
}
