// The AssemblyScript twin of ctests/plugins/pdk/c1 (the Rust PDK plugin the firmware also runs), on
// the official `@extism/as-pdk` (the version ctests/plugins/as/package.json pins; firmware/firmware.mk
// builds it with that install). `count_vowels` counts the input characters found in config key
// `vowels` (default "aeiouAEIOU"), adds the count to a running `total` kept in a var (8 bytes
// little-endian, as the Rust PDK stores a u64), and returns {"count":N,"total":T,"vowels":"..."}.
// An empty input is an error (rc 1). ASCII vowels only: the output is built as a string, and the
// PDK's Host.outputString passes the string's UTF-16 length as its byte length.
import { Config, Host, Memory, Var } from "@extism/as-pdk";
import { error_set } from "@extism/as-pdk/lib/env";

function myAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  error_set(Memory.allocateString(message === null ? "abort" : message).offset);
  unreachable();
}

function readTotal(): u64 {
  const bytes = Var.get("total");
  if (bytes === null || bytes.length != 8) return 0;
  let v: u64 = 0;
  for (let i = 7; i >= 0; i--) v = (v << 8) | (bytes[i] as u64);
  return v;
}

function writeTotal(v: u64): void {
  const bytes = new Uint8Array(8);
  for (let i = 0; i < 8; i++) bytes[i] = <u8>(v >> (8 * i));
  Var.set("total", bytes);
}

function jsonString(s: string): string {
  return '"' + s.replaceAll("\\", "\\\\").replaceAll('"', '\\"') + '"';
}

export function count_vowels(): i32 {
  const fromConfig = Config.get("vowels");
  const vowels = fromConfig === null ? "aeiouAEIOU" : fromConfig;
  const input = Host.inputString();
  if (input.length == 0) {
    error_set(Memory.allocateString("count_vowels: no input").offset);
    return 1;
  }
  let count: u64 = 0;
  for (let i = 0; i < input.length; i++) {
    if (vowels.includes(input.charAt(i))) count++;
  }
  const total = readTotal() + count;
  writeTotal(total);
  Host.outputString(
    '{"count":' + count.toString() + ',"total":' + total.toString() + ',"vowels":' + jsonString(vowels) + "}",
  );
  return 0;
}
