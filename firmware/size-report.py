#!/usr/bin/env python3
"""The firmware image's figures: flash and RAM by owner, from the linker map and the QEMU run's log.

    usage: size-report.py BOARD firmware.map run.log

Flash is what the image stores (text + rodata + the .data initialisers); RAM for one plugin is
.data + .bss + the stack's peak + the heap's peak while one plugin was created and called (the run
prints the last two: "stack: peak N of M bytes", "ram: heap peak N bytes for one plugin").
Then the RAM each PDK plugin takes, by part, as a Markdown table (the run's "pdk-budget:" lines,
firmware/pdk_plugins.c; the README's firmware section and docs/firmware.md show it).
"""
import re
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


def parse_map(path):
    sizes = defaultdict(lambda: defaultdict(int))  # output section -> owner -> bytes
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("Linker script and memory map"))
    out, pending = None, False
    for line in lines[start:]:
        top = re.match(r"^(\.\S+|/DISCARD/)", line)
        if top:
            out = top.group(1)
            continue
        if out not in (".text", ".data", ".tdata", ".bss", ".ARM.exidx", ".ARM.extab"):
            continue
        if re.match(r"^ \.\S+$", line) or re.match(r"^ COMMON$", line):
            pending = True  # section name alone, its address/size/file on the next line
            continue
        m = re.match(r"^ (?:\.\S+|COMMON)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\S.*)$", line)
        if m is None and pending:
            m = ENTRY.match(line)
        pending = False
        if m and not m.group(3).startswith("load address"):
            sizes[out][owner(m.group(3).strip())] += int(m.group(2), 16)
    return sizes


def main():
    board, map_path, log_path = sys.argv[1:4]
    sizes = parse_map(map_path)
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
