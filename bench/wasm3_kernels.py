#!/usr/bin/env python3
"""The compute kernels on wasm3 (PyPI's pywasm3, which builds wasm3 from its sdist here).

usage: wasm3_kernels.py KERNELS_RAW.wasm REPS NAME=N...
prints one line per run: wasm3<TAB>NAME<TAB>NANOSECONDS<TAB>CHECKSUM (as the wasmi harness).
Only the call into wasm is timed (a Python call adds ~1 us to runs of milliseconds).
"""
import sys
import time

import wasm3


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: wasm3_kernels.py KERNELS_RAW.wasm REPS NAME=N...")
    with open(sys.argv[1], "rb") as f:
        wasm = f.read()
    reps = int(sys.argv[2])
    env = wasm3.Environment()
    rt = env.new_runtime(1 << 20)
    rt.load(env.parse_module(wasm))
    set_n = rt.find_function("set_n")
    for arg in sys.argv[3:]:
        name, n = arg.split("=", 1)
        f = rt.find_function(name)
        set_n(int(n))
        f()  # warm-up (wasm3 compiles functions lazily)
        for _ in range(reps):
            t = time.perf_counter_ns()
            r = f()
            ns = time.perf_counter_ns() - t
            print(f"wasm3\t{name}\t{ns}\t{r & 0xFFFFFFFFFFFFFFFF}", flush=True)


if __name__ == "__main__":
    main()
