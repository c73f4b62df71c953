#!/usr/bin/env python3
"""Draws bench/report.svg from the numbers `make bench` wrote (bench/build/bench.tsv). Standard library only.

usage: report.py BENCH.tsv OUT.svg

Three panels: ours/upstream per line (log scale, left of 1x = ours faster or smaller), creation time
against module size (log-log), and the compute kernels as multiples of native C (log scale).
"""
import math
import sys
from collections import defaultdict
from html import escape

OURS, UP = "#1f77b4", "#d62728"
W = 980


def read(path):
    lines, rss, sweep, kernels = {}, [], [], defaultdict(dict)
    order = []
    for row in open(path, encoding="utf-8"):
        f = row.rstrip("\n").split("\t")
        if f[0] == "line":
            _, lid, subj, what, med = f[:5]
            if lid not in lines:
                lines[lid] = {"what": what}
                order.append(lid)
            lines[lid][subj] = float(med)
        elif f[0] == "rss":
            rss.append((f[1], f[2], float(f[4])))
        elif f[0] == "sweep":
            sweep.append((f[1], f[2], int(f[3]), float(f[4])))
        elif f[0] == "kernel":
            kernels[f[2]][f[1]] = float(f[3])
    return [(lid, lines[lid]) for lid in order], rss, sweep, kernels


def text(x, y, s, size=12, anchor="start", color="#222", weight="normal"):
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{color}" '
            f'font-weight="{weight}">{escape(s)}</text>')


def ratio_panel(y0, rows):
    """Horizontal bars of log10(ours/upstream), one per row."""
    out = [text(20, y0 + 16, "Ours / upstream per line (time or memory; left of 1× = ours better)", 15, weight="bold")]
    lo, hi = -3.0, 1.5  # 0.001x .. ~30x
    x0, x1 = 470, W - 40
    sx = lambda v: x0 + (max(lo, min(hi, v)) - lo) / (hi - lo) * (x1 - x0)
    top = y0 + 34
    for d in range(int(lo), int(math.floor(hi)) + 1):
        x = sx(d)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + 20 * len(rows)}" stroke="#ccc"/>')
        label = f"{10 ** d:g}×"
        out.append(text(x, top + 20 * len(rows) + 14, label, 11, "middle", "#555"))
    for i, (what, r) in enumerate(rows):
        y = top + 20 * i
        v = math.log10(r)
        xa, xb = sorted((sx(0), sx(v)))
        color = "#2ca02c" if r <= 1 else "#d62728"
        out.append(f'<rect x="{xa:.1f}" y="{y + 3}" width="{max(1, xb - xa):.1f}" height="14" fill="{color}"/>')
        label = what if len(what) <= 74 else what[:72].rstrip() + "…"
        out.append(text(x0 - 8, y + 14, label, 11, "end"))
        out.append(text(xb + 4 if r > 1 else xa - 4, y + 14, f"{r:.3g}×", 11, "start" if r > 1 else "end", "#333"))
    return out, top + 20 * len(rows) + 30


def sweep_panel(y0, sweep):
    out = [text(20, y0 + 16, "Creation from bytes (extism_plugin_new) against module size; upstream without its disk cache",
                15, weight="bold")]
    if not sweep:
        return out, y0 + 30
    x0, x1, yt, yb = 90, W - 220, y0 + 40, y0 + 300
    sizes = [s for _, _, s, _ in sweep]
    times = [t for _, _, _, t in sweep]
    lx0, lx1 = math.floor(math.log10(min(sizes))), math.ceil(math.log10(max(sizes)))
    ly0, ly1 = math.floor(math.log10(min(times))), math.ceil(math.log10(max(times)))
    lx1, ly1 = max(lx1, lx0 + 1), max(ly1, ly0 + 1)
    px = lambda s: x0 + (math.log10(s) - lx0) / (lx1 - lx0) * (x1 - x0)
    py = lambda t: yb - (math.log10(t) - ly0) / (ly1 - ly0) * (yb - yt)
    out.append(f'<rect x="{x0}" y="{yt}" width="{x1 - x0}" height="{yb - yt}" fill="none" stroke="#999"/>')
    units = {0: "1 B", 1: "10 B", 2: "100 B", 3: "1 kB", 4: "10 kB", 5: "100 kB", 6: "1 MB", 7: "10 MB", 8: "100 MB"}
    for d in range(lx0, lx1 + 1):
        out.append(text(px(10 ** d), yb + 16, units.get(d, f"1e{d} B"), 11, "middle", "#555"))
    for d in range(ly0, ly1 + 1):
        t = 10 ** d
        label = f"{t * 1e6:g} µs" if t < 1e-3 else f"{t * 1e3:g} ms" if t < 1 else f"{t:g} s"
        out.append(f'<line x1="{x0}" y1="{py(t):.1f}" x2="{x1}" y2="{py(t):.1f}" stroke="#eee"/>')
        out.append(text(x0 - 6, py(t) + 4, label, 11, "end", "#555"))
    for subj, color in (("ours", OURS), ("upstream", UP)):
        pts = sorted((s, t, m) for m, sj, s, t in sweep if sj == subj)
        if not pts:
            continue
        path = " ".join(f"{px(s):.1f},{py(t):.1f}" for s, t, _ in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="1.5"/>')
        for s, t, m in pts:
            out.append(f'<circle cx="{px(s):.1f}" cy="{py(t):.1f}" r="4" fill="{color}"><title>{escape(m)}: '
                       f'{t * 1e3:.3g} ms</title></circle>')
    names = {}
    for m, _, s, _ in sweep:
        names[m] = s
    for i, (m, s) in enumerate(sorted(names.items(), key=lambda kv: kv[1])):
        out.append(text(x1 + 10, yt + 14 + 14 * i, f"{m} ({s:,} B)", 10, color="#555"))
    out.append(text(x1 + 10, yb - 24, "● ours", 12, color=OURS))
    out.append(text(x1 + 10, yb - 8, "● upstream", 12, color=UP))
    return out, yb + 40


def kernel_panel(y0, kernels):
    out = [text(20, y0 + 16, "Compute kernels: time as a multiple of native C (log scale)", 15, weight="bold")]
    names = ["fib", "sha256", "matmul"]
    engines = [e for e in ["upstream (C API)", "wasmi (raw)", "wasmi + fuel", "ours (C API)", "ours, unmetered", "wasm3"]
               if any(e in kernels[k] for k in names)]
    if "native C" not in kernels.get("fib", {}):
        return out, y0 + 30
    colors = {"upstream (C API)": UP, "wasmi (raw)": "#9467bd", "wasmi + fuel": "#c5b0d5", "ours (C API)": OURS,
              "ours, unmetered": "#98df8a", "wasm3": "#ff7f0e"}
    x0, x1 = 160, W - 60
    lmax = 2.0  # 100x
    sx = lambda r: x0 + max(0.0, min(lmax, math.log10(max(r, 1.0)))) / lmax * (x1 - x0)
    y = y0 + 34
    for d in range(0, 3):
        x = x0 + d / lmax * (x1 - x0)
        h = len(names) * (len(engines) * 16 + 28)
        out.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + h}" stroke="#ccc"/>')
        out.append(text(x, y + h + 14, f"{10 ** d:g}×", 11, "middle", "#555"))
    for k in names:
        out.append(text(20, y + 12, k, 12, weight="bold"))
        y += 16
        for e in engines:
            if e not in kernels[k]:
                y += 16
                continue
            r = kernels[k][e] / kernels[k]["native C"]
            out.append(f'<rect x="{x0}" y="{y + 2}" width="{max(1, sx(r) - x0):.1f}" height="12" fill="{colors[e]}"/>')
            out.append(text(x0 - 6, y + 12, e, 10, "end"))
            out.append(text(sx(r) + 4, y + 12, f"{r:.3g}×", 10))
            y += 16
        y += 12
    return out, y + 30


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: report.py BENCH.tsv OUT.svg")
    lines, rss, sweep, kernels = read(sys.argv[1])
    rows = [(r["what"], r["ours"] / r["upstream"]) for _, r in lines
            if r.get("ours", 0) > 0 and r.get("upstream", 0) > 0]
    per = defaultdict(dict)
    for mode, lib, after_call in rss:
        per[mode][lib] = after_call
    for mode, d in per.items():
        if d.get("upstream", 0) > 0 and d.get("ours", 0) > 0:
            rows.append((f"resident memory per live plugin ({mode}), after one call", d["ours"] / d["upstream"]))
    body, y = [], 10
    for panel in (lambda y: ratio_panel(y, rows), lambda y: sweep_panel(y, sweep), lambda y: kernel_panel(y, kernels)):
        part, y = panel(y)
        body += part
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{y:.0f}" viewBox="0 0 {W} {y:.0f}" '
           f'font-family="sans-serif">', f'<rect width="{W}" height="{y:.0f}" fill="white"/>'] + body + ["</svg>"]
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
