#!/usr/bin/env python3
"""make firmware-bench's table: ours against wasm3 on the Cortex-M4 board, from the two QEMU runs'
lines (bench/fw/measure.h: "fwbench <engine> <row> <value>", "fwbench <engine> check <what> ok|FAIL")
and the two link maps. Standard library only.

usage: report.py --build BOARD=DIR [--build BOARD=DIR ...] [--smoke] [--results RESULTS.md] [--svg OUT.svg]

One table per board (DIR holds its ours.log, wasm3.log, ours.map and wasm3.map).

  --smoke     fail (exit 1) unless both runs gave every figure and every check said ok; print the table
  --results   also replace the section between the firmware-bench markers of RESULTS.md with the table
  --svg       also draw ours / wasm3 per row and board (log scale)

Flash, interpreter share: the bytes the image stores (text, read-only data, .data's initialisers, the
unwind tables) from the engine's archive, libextism.a for ours (compiler_builtins included) and
libwasm3.a for wasm3, from the link map. RAM peak: the heap's peak over the run, plus the stack's
deepest use, plus .data and .bss (the whole image's static data). The rest are guest instructions.
"""
import argparse
import math
import re
import sys
from html import escape

ENGINES = ("wasm3", "ours")
ARCHIVE = {"ours": "libextism.a(", "wasm3": "libwasm3.a("}
FLASH_SECTIONS = (".text", ".data", ".ARM.exidx", ".ARM.extab")
# (key, label, unit): the table's rows in order.
ROWS = (
    ("flash", "flash, interpreter share (KiB)", "KiB"),
    ("ram", "RAM peak: heap + stack + static (KiB)", "KiB"),
    ("create", "create (wasm3: parse + load; ours: `extism_plugin_new`; unmetered: compiled + from compiled), instructions", ""),
    ("create_first_call", "create + first call (ours: the first call instantiates)", ""),
    ("trivial_call", "trivial call (an export that returns at once), mean of 1,000", ""),
    ("fib20", "fib(20), recursive", ""),
    ("sum", "sum 1..100,000, a loop", ""),
)
SHORT = {"flash": "flash (interpreter)", "ram": "RAM peak", "create": "create", "create_first_call":
         "create + first call", "trivial_call": "trivial call", "fib20": "fib(20)", "sum": "sum loop"}
BEGIN, END = "<!-- firmware-bench:begin -->", "<!-- firmware-bench:end -->"


def read_log(path):
    figures, checks = {}, []
    for line in open(path, encoding="utf-8", errors="replace"):
        f = line.split()
        if len(f) >= 4 and f[0] == "fwbench":
            if f[2] == "check":
                checks.append((" ".join(f[3:-1]), f[-1]))
            elif f[3].isdigit():
                figures[f[2]] = int(f[3])
    return figures, checks


def read_map(path, archive):
    """(bytes in flash from `archive`, bytes of .data + .bss of the whole image)."""
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("Linker script and memory map"))
    out, pending, flash, static = None, False, 0, 0
    for line in lines[start:]:
        top = re.match(r"^(\.\S+|/DISCARD/)\s*(0x[0-9a-f]+)?\s*(0x[0-9a-f]+)?", line)
        if top:
            out = top.group(1)
            if out in (".data", ".bss") and top.group(3):
                static += int(top.group(3), 16)
            continue
        if out not in FLASH_SECTIONS:
            continue
        if re.match(r"^ (\.\S+|COMMON)$", line):
            pending = True  # the section's name alone: its address, size and file on the next line
            continue
        m = re.match(r"^\s+(?:(?:\.\S+|COMMON)\s+)?(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\S.*)$", line)
        if m and (pending or line.startswith(" .")):
            if archive in m.group(3):
                flash += int(m.group(2), 16)
        pending = False
    return flash, static


BOARD_NAMES = {"arm": "Cortex-M4F (QEMU mps2-an386)", "riscv": "RV32IMAC (QEMU virt)"}
BOARD_COLORS = {"arm": ("#1f77b4", "#d62728"), "riscv": ("#6baed6", "#fc9272")}


def collect(build):
    data, problems = {}, []
    for e in ENGINES:
        figures, checks = read_log(f"{build}/{e}.log")
        problems += [f"{e}: {what} {res}" for what, res in checks if res != "ok"]
        if not checks:
            problems.append(f"{e}: the run printed no checks")
        flash, static = read_map(f"{build}/{e}.map", ARCHIVE[e])
        need = ("create", "create_first_call", "trivial_call", "fib20", "sum", "heap_peak", "stack_peak")
        if e == "ours":
            need += tuple(f"unmetered_{k}" for k in UNMETERED)
        problems += [f"{e}: no figure {k}" for k in need if k not in figures]
        if flash == 0:
            problems.append(f"{e}: no {ARCHIVE[e][:-1]} in the link map")
        figures["flash"] = flash / 1024
        figures["ram"] = (figures.get("heap_peak", 0) + figures.get("stack_peak", 0) + static) / 1024
        figures["static"] = static
        data[e] = figures
    return data, problems


def fmt(v, unit):
    return f"{v:,.1f}" if unit else f"{v:,.0f}"


# Rows measured a second time on an unmetered plugin (extism_x_compiled_plugin_new_unmetered).
UNMETERED = ("create", "create_first_call", "trivial_call", "fib20", "sum")


def table(data):
    out = ["| | wasm3 | ours | ours / wasm3 | ours, unmetered | unmetered / wasm3 |",
           "|---|---:|---:|---:|---:|---:|"]
    for key, label, unit in ROWS:
        w, o = data["wasm3"].get(key, 0), data["ours"].get(key, 0)
        u = data["ours"].get(f"unmetered_{key}", 0) if key in UNMETERED else 0
        ratio = lambda v: f"{v / w:.2f}" if w and v else "-"
        unmetered = fmt(u, unit) if u else "-"
        out.append(f"| {label} | {fmt(w, unit)} | {fmt(o, unit)} | {ratio(o)} | {unmetered} | {ratio(u)} |")
    parts = {e: f"heap {data[e].get('heap_peak', 0):,} + stack {data[e].get('stack_peak', 0):,} + static "
             f"{data[e]['static']:,} bytes" for e in ENGINES}
    out.append("")
    out.append(f"RAM by part: wasm3 {parts['wasm3']}; ours {parts['ours']}.")
    return "\n".join(out)


def write_results(path, body):
    text = open(path, encoding="utf-8").read()
    section = f"{BEGIN}\n{body}\n{END}"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    open(path, "w", encoding="utf-8").write(text)


def svg(boards, path):
    """ours / wasm3 per row as horizontal bars on a log scale (left of 1x: ours smaller or faster),
    one bar per board."""
    w, left, right, top = 860, 330, 40, 50
    row_h = 14 * len(boards) + 12
    lo, hi = math.log10(0.1), math.log10(100)
    x = lambda r: left + (math.log10(r) - lo) / (hi - lo) * (w - left - right)
    h = top + row_h * len(ROWS) + 40
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif">',
         f'<rect width="{w}" height="{h}" fill="white"/>',
         f'<text x="{w / 2}" y="22" font-size="14" text-anchor="middle" font-weight="bold">'
         'make firmware-bench: ours / wasm3 on the same board (guest instructions; left of 1x: ours better)</text>']
    for tick in (0.1, 0.3, 1, 3, 10, 30, 100):
        tx = x(tick)
        s.append(f'<line x1="{tx:.1f}" y1="{top - 6}" x2="{tx:.1f}" y2="{top + row_h * len(ROWS)}" '
                 f'stroke="{"#444" if tick == 1 else "#ddd"}"/>')
        s.append(f'<text x="{tx:.1f}" y="{top + row_h * len(ROWS) + 16}" font-size="11" '
                 f'text-anchor="middle">{tick:g}x</text>')
    for i, (key, label, _) in enumerate(ROWS):
        y = top + i * row_h
        s.append(f'<text x="{left - 8}" y="{y + row_h / 2 + 4}" font-size="12" text-anchor="end">'
                 f'{escape(SHORT[key])}</text>')
        for j, (board, data) in enumerate(boards):
            wv, ov = data["wasm3"].get(key, 0), data["ours"].get(key, 0)
            if not (wv and ov):
                continue
            r = min(max(ov / wv, 0.1), 100)
            x0, x1 = sorted((x(1), x(r)))
            better, worse = BOARD_COLORS.get(board, ("#1f77b4", "#d62728"))
            by = y + 6 + 14 * j
            s.append(f'<rect x="{x0:.1f}" y="{by}" width="{max(x1 - x0, 1):.1f}" height="11" '
                     f'fill="{better if r <= 1 else worse}"/>')
            s.append(f'<text x="{x1 + 4:.1f}" y="{by + 10}" font-size="10">{ov / wv:.2f}x {board}</text>')
    s.append("</svg>")
    open(path, "w", encoding="utf-8").write("\n".join(s) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", action="append", required=True, help="BOARD=DIR")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--results")
    ap.add_argument("--svg")
    args = ap.parse_args()
    boards, sections, problems = [], [], []
    for spec in args.build:
        board, _, build = spec.partition("=")
        data, found = collect(build)
        problems += [f"{board}: {p}" for p in found]
        boards.append((board, data))
        sections.append(f"**{BOARD_NAMES.get(board, board)}**\n\n{table(data)}")
    body = "\n\n".join(sections)
    print(body)
    for p in problems:
        print(f"firmware-bench: {p}", file=sys.stderr)
    if problems:
        return 1
    if args.results:
        write_results(args.results, body)
    if args.svg:
        svg(boards, args.svg)
    print("firmware-bench-smoke: passed" if args.smoke else "firmware-bench: table written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
