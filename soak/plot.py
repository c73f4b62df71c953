#!/usr/bin/env python3
"""Draws the soak's resident set over time (soak/soak.c's TSV) as an SVG and judges whether it is flat.
Standard library only.

usage: plot.py SOAK.tsv OUT.svg [--check] [REFERENCE.tsv]

Warm-up is the first tenth of the run. "start" is the median of the next tenth, "end" the median of
the last tenth. With --check it exits 1 when end exceeds start by more than the noise allowance:
5 % of start or 2 MiB, whichever is larger. A second TSV (the same soak on upstream's library) is
drawn alongside, not judged.
"""
import statistics
import sys
from html import escape

W, H, PAD = 900, 360, 60


def read(path):
    rows, title = [], ""
    for line in open(path, encoding="utf-8"):
        if line.startswith("# soak:"):
            title = line[2:].strip()
        if line.startswith("#") or line.startswith("seconds"):
            continue
        t, rss, _ops = line.split("\t")
        rows.append((float(t), int(rss)))
    return title, rows


def judge(rows):
    """(start KiB, end KiB, allowance KiB) after warm-up; None when the run is too short."""
    body = [r for r in rows if r[0] > 0]
    if len(body) < 10:
        return None
    tenth = max(1, len(body) // 10)
    start = statistics.median(r[1] for r in body[tenth:2 * tenth])
    end = statistics.median(r[1] for r in body[-tenth:])
    return start, end, max(0.05 * start, 2048)


def svg(series, out):
    t_max = max(r[0] for _, _, rows, _ in series for r in rows) or 1
    k_max = max(r[1] for _, _, rows, _ in series for r in rows) * 1.1 or 1
    x = lambda t: PAD + (W - 2 * PAD) * t / t_max
    y = lambda k: H - PAD - (H - 2 * PAD) * k / k_max
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif">',
             f'<rect width="{W}" height="{H}" fill="white"/>',
             f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#444"/>',
             f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="#444"/>',
             f'<text x="{W / 2}" y="{H - 20}" font-size="12" text-anchor="middle">seconds</text>',
             f'<text x="15" y="{H / 2}" font-size="12" transform="rotate(-90 15 {H / 2})" '
             f'text-anchor="middle">resident set (MiB)</text>']
    for i in range(6):
        k = k_max * i / 5
        parts.append(f'<text x="{PAD - 5}" y="{y(k) + 4:.1f}" font-size="11" text-anchor="end">{k / 1024:.0f}</text>')
        t = t_max * i / 5
        parts.append(f'<text x="{x(t):.1f}" y="{H - PAD + 15}" font-size="11" text-anchor="middle">{t:.0f}</text>')
    for n, (label, color, rows, verdict) in enumerate(series):
        points = " ".join(f"{x(t):.1f},{y(k):.1f}" for t, k in rows)
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{points}"/>')
        note = label
        if verdict:
            start, end, _ = verdict
            note += f": start {start / 1024:.1f} MiB, end {end / 1024:.1f} MiB (after warm-up)"
        parts.append(f'<text x="{PAD + 10}" y="{PAD - 30 + 15 * n}" font-size="12" fill="{color}">{escape(note)}</text>')
    parts.append("</svg>")
    open(out, "w", encoding="utf-8").write("\n".join(parts) + "\n")


def main(argv):
    args = [a for a in argv[1:] if a != "--check"]
    if len(args) not in (2, 3):
        sys.exit(__doc__)
    title, rows = read(args[0])
    if not rows:
        sys.exit(f"plot.py: no samples in {args[0]}")
    verdict = judge(rows)
    series = [(title or "ours", "#1f77b4", rows, verdict)]
    if len(args) == 3:
        ref_title, ref_rows = read(args[2])
        if ref_rows:
            series.append(("upstream: " + ref_title, "#d62728", ref_rows, judge(ref_rows)))
    svg(series, args[1])
    if verdict is None:
        print(f"soak: {len(rows)} samples, too few to judge flatness (plot: {args[1]})")
        return 0
    start, end, allowance = verdict
    flat = end - start <= allowance
    print(f"soak: resident set after warm-up: start {start / 1024:.1f} MiB, end {end / 1024:.1f} MiB "
          f"({(end - start) / 1024:+.1f} MiB; allowance {allowance / 1024:.1f}): {'flat' if flat else 'GROWING'} "
          f"(plot: {args[1]})")
    return 0 if flat or "--check" not in argv else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
