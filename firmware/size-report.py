#!/usr/bin/env python3
"""The firmware image's figures: flash and RAM by owner, from the linker map and the QEMU run's log.

    usage: size-report.py BOARD firmware.map run.log [TOP]

Flash is what the image stores (text + rodata + the .data initialisers); RAM for one plugin is
.data + .bss + the stack's peak + the heap's peak while one plugin was created and called (the run
prints the last two: "stack: peak N of M bytes", "ram: heap peak N bytes for one plugin").
Then the RAM each PDK plugin takes, by part, as a Markdown table (the run's "pdk-budget:" lines,
firmware/pdk_plugins.c; the README's firmware section and docs/firmware.md show it).

Then libextism.a's share of flash is broken down by crate and by area (crate and module), with its TOP
largest functions and tables (default 15). The library is one LTO'd object whose every function and
named constant has its own input section (`.text.<symbol>`, `.rodata.<symbol>`), so the map's kept
sections name them; c++filt (binutils) demangles the Rust names. A generic function is counted in the
crate of the type it is implemented for (`<wasmi::X as core::fmt::Display>::fmt` is wasmi's), or of
its trait when that type is core's, alloc's or a type parameter (serde's derived code is
`<PhantomData<T> as serde_core::de::DeserializeSeed>::deserialize`: serde_core). Anonymous constants
(string literals, jump tables, merged string pools) and the machine outliner's shared code fragments
(OUTLINED_FUNCTION_n) have no owner in the map: they are counted apart.
"""
import re
import shutil
import subprocess
import sys
from collections import defaultdict

ENTRY = re.compile(r"^\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\S.*)$")


def owner(path):
    if "libextism.a(" in path:
        return "compiler_builtins" if "compiler_builtins" in path else "libextism"
    if re.search(r"/lib(c|c_nano|g|gcc|m|nosys)\.a\(", path):
        return "libc+libgcc"
    if path.endswith("/plugins.o"):  # the embedded wasm (not pdk_plugins.o, the step's code)
        return "plugins"
    return "firmware"


def parse_map(path, lib_sections=None):
    """Bytes per output section and owner; with `lib_sections` (a list), also every kept input
    section of libextism.a in a flash section, as (input section name, bytes, file)."""
    sizes = defaultdict(lambda: defaultdict(int))  # output section -> owner -> bytes
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("Linker script and memory map"))
    out, pending = None, None
    for line in lines[start:]:
        top = re.match(r"^(\.\S+|/DISCARD/)", line)
        if top:
            out = top.group(1)
            continue
        if out not in (".text", ".data", ".tdata", ".bss", ".ARM.exidx", ".ARM.extab"):
            continue
        alone = re.match(r"^ (\.\S+|COMMON)$", line)
        if alone:
            pending = alone.group(1)  # section name alone, its address/size/file on the next line
            continue
        m = re.match(r"^ (\.\S+|COMMON)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\S.*)$", line)
        if m:
            section, size, path_ = m.group(1), m.group(3), m.group(4)
        elif pending and ENTRY.match(line):
            e = ENTRY.match(line)
            section, size, path_ = pending, e.group(2), e.group(3)
        else:
            pending = None
            continue
        pending = None
        if path_.startswith("load address"):
            continue
        who = owner(path_.strip())
        sizes[out][who] += int(size, 16)
        if lib_sections is not None and who in ("libextism", "compiler_builtins") and out != ".bss":
            lib_sections.append((section, int(size, 16), who))
    return sizes


# Input-section prefixes in front of a symbol's name (.text.unlikely.<sym>: LLVM's cold code).
SECTION_PREFIX = re.compile(r"^\.(?:ARM\.exidx\.|ARM\.extab\.)?(?:text|rodata|data|tdata)\.(?:unlikely\.|hot\.)?")
ANON = "(anonymous constants: literals, tables)"
OUTLINED = "(outlined code fragments)"


def demangle_all(names):
    """Rust symbol names demangled by c++filt (legacy and v0 manglings); hashes and crate
    disambiguators dropped. Without c++filt the names stay mangled (the crate is still found)."""
    if not names or shutil.which("c++filt") is None:
        return {n: n for n in names}
    out = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True, text=True).stdout
    result = {}
    for raw, nice in zip(names, out.split("\n")):
        nice = re.sub(r"::h[0-9a-f]{16}$", "", nice)
        result[raw] = re.sub(r"\[[0-9a-f]{16}\]", "", nice)
    return result


def split_path(name):
    """`a::b<c::d>::e` -> ['a', 'b<c::d>', 'e'] (splits only outside brackets)."""
    parts, depth, cur, i = [], 0, "", 0
    while i < len(name):
        ch = name[i]
        if ch in "<([":
            depth += 1
        elif ch in ">)]":
            depth -= 1
        if depth == 0 and name.startswith("::", i):
            parts.append(cur)
            cur, i = "", i + 2
            continue
        cur += ch
        i += 1
    parts.append(cur)
    return parts


def path_crate(path):
    """The crate a type or path names: 'core' for references, slices, tuples and primitives,
    None for a type parameter (a lone capitalised name) or a closure."""
    path = re.sub(r"^(?:&|\*const |\*mut |mut |dyn )+", "", path.strip())
    if path[:1] in "[(" or re.fullmatch(r"[iu](8|16|32|64|128|size)|f32|f64|bool|char|str", path):
        return "core"
    head = re.split(r"::|<", path, maxsplit=1)[0]
    if re.fullmatch(r"[A-Z]\w{0,2}", head) or not head:
        return None
    return head


def qualified(name):
    """(crate, area) of a demangled function or constant: area is the crate and its first module."""
    first = split_path(name)[0]
    m = re.fullmatch(r"<(.*) as (.*)>", first) or re.fullmatch(r"<(.*)>", first)
    if m:  # `<Type as Trait>::method` or `<Type>::method`
        self_ty = m.group(1)
        crate = path_crate(self_ty)
        trait = m.group(2) if m.lastindex == 2 else None
        trait_crate = path_crate(trait) if trait else None
        if trait_crate and (crate is None or (crate in ("core", "alloc") and trait_crate != "core")):
            crate, area_of = trait_crate, trait
        else:
            area_of = self_ty
        crate = crate or "core"
        segments = split_path(re.sub(r"^(?:&|\*const |\*mut |mut )+", "", area_of).split("<")[0])
    else:
        segments = split_path(name)
        crate = segments[0]
    area = "::".join(s for s in segments[:2] if s and not s.startswith("<"))
    return crate, area or crate


def breakdown(lib_sections):
    """(by crate, by area, by symbol) bytes of libextism.a's flash sections."""
    symbols = [SECTION_PREFIX.sub("", sec, count=1) for sec, _, _ in lib_sections]
    names = demangle_all(sorted({s for s in symbols if s.startswith(("_ZN", "_R"))}))
    crates, areas, funcs = defaultdict(int), defaultdict(int), defaultdict(int)
    for (sec, size, who), sym in zip(lib_sections, symbols):
        if who == "compiler_builtins":
            crate, area, name = "compiler_builtins", "compiler_builtins", sym
        elif sym.startswith(("OUTLINED_FUNCTION_",)):
            crate = area = name = OUTLINED
        elif sym.startswith(("_ZN", "_R")):
            name = names.get(sym, sym)
            crate, area = qualified(name)
        elif sym.startswith(".") or re.fullmatch(r"(str|cst)\d+(\.\d+)?|\.?rodata|text|data", sym) or sym == sec:
            crate = area = name = ANON
        else:  # an unmangled symbol: our C API (extism_*) and the allocator shims
            crate = "extism" if sym.startswith("extism_") else "(other)"
            area, name = crate if crate != "extism" else "extism::capi", sym
        if crate == "__rustc":  # the allocator shims rustc generates (__rust_alloc & co.)
            crate = area = "alloc"
        crates[crate] += size
        areas[area] += size
        funcs[name] += size
    return crates, areas, funcs


def print_breakdown(board, lib_sections, top):
    crates, areas, funcs = breakdown(lib_sections)
    total = sum(crates.values())
    pct = lambda n: f"{100 * n / total:5.1f}%"
    print(f"firmware-{board}: libextism.a {total} bytes by crate:")
    for crate, n in sorted(crates.items(), key=lambda kv: -kv[1]):
        print(f"  {n:8d} {pct(n)}  {crate}")
    print(f"firmware-{board}: libextism.a by area (crate::module), the {top} largest:")
    for area, n in sorted(areas.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {n:8d} {pct(n)}  {area}")
    print(f"firmware-{board}: libextism.a's {top} largest functions and tables "
          "(a generic function's monomorphised copies summed):")
    for name, n in sorted(funcs.items(), key=lambda kv: -kv[1])[:top]:
        short = name if len(name) <= 110 else name[:107] + "..."
        print(f"  {n:8d} {pct(n)}  {short}")
    # HTTP through the host's handler (issue 27): the functions of its modules, its C functions and
    # the http_request import (generic code it shares, BTreeMap's and core's, is not counted here:
    # docs/firmware-images.md gives the whole cost, against the image built without it).
    http = sum(n for name, n in funcs.items()
               if name.startswith(("extism::http::", "extism::capi::http::", "extism::imports::env::http_request"))
               or (name.startswith("extism_x_") and "http" in name))
    print(f"firmware-{board}: libextism.a's HTTP through the host (extism::http, its C functions, the "
          f"http_request import): {http} bytes ({pct(http).strip()})")


def main():
    board, map_path, log_path = sys.argv[1:4]
    top = int(sys.argv[4]) if len(sys.argv) > 4 else 15
    lib_sections = []
    sizes = parse_map(map_path, lib_sections)
    log = open(log_path, encoding="utf-8", errors="replace").read()
    flash = defaultdict(int)
    for sec in (".text", ".ARM.exidx", ".ARM.extab", ".data", ".tdata"):
        for who, n in sizes[sec].items():
            flash[who] += n
    ram_static = sum(sizes[".data"].values()) + sum(sizes[".bss"].values())
    total = sum(flash.values())
    lib = flash["libextism"] + flash["compiler_builtins"]
    kib = lambda n: f"{n / 1024:.1f} KiB"
    print(f"firmware-{board}: flash {total} bytes ({kib(total)}): libextism.a {lib} ({kib(lib)}; "
          f"of it compiler_builtins {flash['compiler_builtins']}), plugins {flash['plugins']}, "
          f"firmware {flash['firmware']}, libc+libgcc {flash['libc+libgcc']}")
    print_breakdown(board, lib_sections, top)
    stack = re.search(r"^stack: peak (\d+) of (\d+) bytes$", log, re.M)
    heap = re.search(r"^ram: heap peak (\d+) bytes for one plugin", log, re.M)
    peak = re.search(r"^heap: peak (\d+) bytes", log, re.M)
    if stack and heap:
        s, h = int(stack.group(1)), int(heap.group(1))
        ram = ram_static + s + h
        print(f"firmware-{board}: RAM for one plugin {ram} bytes ({kib(ram)}): .data+.bss {ram_static}, "
              f"stack peak {s} (of {stack.group(2)} reserved), heap peak {h}"
              + (f"; heap peak over the whole run {peak.group(1)}" if peak else ""))
    else:
        print(f"firmware-{board}: the run's log has no stack/heap figures")
        return 1
    budgets = pdk_budgets(log)
    if len(budgets) != len(PDK_PLUGINS):
        print(f"firmware-{board}: the run's log has {len(budgets)} of {len(PDK_PLUGINS)} pdk-budget lines")
        return 1
    print(f"firmware-{board}: RAM per PDK plugin (KiB; firmware/pdk_plugins.c):")
    print(pdk_table(budgets))
    return 0


PDK_PLUGINS = ("rust-pdk", "as-pdk", "c-pdk")


def pdk_budgets(log):
    """The "pdk-budget: NAME key=value ..." lines of the run: {name: {key: int}}."""
    out = {}
    for m in re.finditer(r"^pdk-budget: (\S+)((?: \w+=-?\d+)+)$", log, re.M):
        out[m.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(-?\d+)", m.group(2))}
    return out


def pdk_table(budgets):
    """A Markdown table: one row per plugin, its RAM in all and the parts of it (KiB)."""
    kib = lambda n: f"{n / 1024:.1f}"
    cols = [
        ("wasm", "wasm"),
        ("RAM in all", "total"),
        ("ran inside", "proven"),
        ("goal", "goal"),
        ("heap peak", "peak"),
        ("held after the calls", "held"),
        ("module", "module"),
        ("translated code", "code"),
        ("instance + vars", "instance"),
        ("our state", "state"),
        ("kernel arena", "kernel"),
        ("linear memory", "linear"),
        ("calls' stack + buffers", "call"),
        ("C stack peak", "stack"),
    ]
    rows = ["| plugin | " + " | ".join(c for c, _ in cols) + " |", "|---|" + "---:|" * len(cols)]
    for name in PDK_PLUGINS:
        b = budgets[name]
        cells = [kib(b[key]) for _, key in cols]
        over = b["total"] - b["goal"]  # measured; "ran inside" adds the stack reserve and rounding
        cells[3] += " (met)" if over <= 0 else f" (over by {kib(over)})"
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    b = budgets[PDK_PLUGINS[0]]
    rows.append("")
    rows.append(f"RAM in all = .data+.bss ({kib(b['static'])}) + C stack peak + the heap's high-water mark (the "
                f"library's globals, {kib(b['globals'])}, the heap peak and first-fit holes). \"ran inside\": "
                "the second run, with the heap cut to that size less .data+.bss and a 16 KiB stack reserve. "
                "Held after the calls = module + translated code + instance + our state + kernel "
                "arena + linear memory.")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
