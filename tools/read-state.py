#!/usr/bin/env python3
"""A reader of saved plugin states written from docs/state-format.md alone (no library code): it
checks the frame (magic, version, length, checksum), every record's rules, and, given the wasm
modules, the modules hash; then prints what the state holds. The build runs it on the state the
firmware images embed (firmware/firmware.mk), so the document stays enough to write a reader.

    tools/read-state.py [--module NAME=FILE.wasm ...] [--main INDEX] STATE

Exit status 0 when every check passes, 1 with the reason otherwise.
"""
import argparse
import struct
import sys

MAGIC = b"EXTISMX\x1a"
VERSION = 2
SEED = 0xCBF29CE484222325
PRIME = 0x00000100000001B3
MASK = (1 << 64) - 1
TAGS = {1: "limits", 2: "config", 3: "vars", 4: "kernel memory", 5: "linear memory", 6: "mutable global", 7: "table"}


class Bad(Exception):
    pass


def step(h, w):
    h = ((h ^ w) * PRIME) & MASK
    return h ^ (h >> 29)


def hash64(h, data):
    whole = len(data) // 8 * 8
    for (w,) in struct.iter_unpack("<Q", data[:whole]):
        h = step(h, w)
    for b in data[whole:]:
        h = step(h, b)
    return h


def checksum(data):
    lanes = [SEED ^ i for i in range(4)]
    whole = len(data) // 32 * 32
    for block in struct.iter_unpack("<4Q", data[:whole]):
        lanes = [step(lane, w) for lane, w in zip(lanes, block)]
    return hash64(hash64(SEED, struct.pack("<4Q", *lanes)), data[whole:])


def leb128(data, at):
    value = shift = 0
    while True:
        b = data[at]
        at += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, at


def module_hash(name, wasm):
    m = hash64(hash64(SEED, name.encode()), wasm[:8])
    at = 8
    while at < len(wasm):
        start, section_id = at, wasm[at]
        size, payload = leb128(wasm, at + 1)
        at = payload + size
        if section_id != 0:
            m = hash64(m, wasm[start:at])
    return m


def modules_hash(modules, main):
    h = SEED
    for name, wasm in modules:
        h = hash64(h, struct.pack("<Q", module_hash(name, wasm)))
    return hash64(h, struct.pack("<Q", main))


class Reader:
    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, n):
        if n > len(self.data) - self.at:
            raise Bad("a record ends early")
        out = self.data[self.at:self.at + n]
        self.at += n
        return out

    def u8(self):
        return self.take(1)[0]

    def u32(self):
        return struct.unpack("<I", self.take(4))[0]

    def u64(self):
        return struct.unpack("<Q", self.take(8))[0]

    def done(self):
        return self.at == len(self.data)

    def extents(self):
        length, count = self.u64(), self.u32()
        stored, end_of_last = 0, 0
        for _ in range(count):
            offset, size = self.u64(), self.u64()
            if offset < end_of_last or offset + size > length:
                raise Bad("an extent out of order or past its buffer")
            self.take(size)
            stored += size
            end_of_last = offset + size
        return length, count, stored


def read(state):
    if state[:8] != MAGIC:
        raise Bad("bad magic")
    if len(state) < 40:
        raise Bad("shorter than its header")
    version, flags, mods_hash, total = struct.unpack_from("<IIQQ", state, 8)
    if version != VERSION:
        raise Bad(f"format version {version}, this reader reads {VERSION}")
    if total != len(state):
        raise Bad(f"recorded length {total}, file length {len(state)}")
    (stored_sum,) = struct.unpack_from("<Q", state, len(state) - 8)
    if checksum(state[:-8]) != stored_sum:
        raise Bad("checksum mismatch")
    if flags & ~1:
        raise Bad(f"unknown flags {flags:#x}")
    summary = [f"version {version}, {total} bytes, modules hash {mods_hash:#018x}, instances {'yes' if flags & 1 else 'no'}"]
    records = Reader(state[32:-8])
    last_tag = 0
    while not records.done():
        tag, length = records.u32(), records.u64()
        r = Reader(records.take(length))
        if tag not in TAGS or tag < last_tag:
            raise Bad(f"record tag {tag} unknown or out of order")
        last_tag = tag
        if tag == 1:
            limits = [r.u64() for _ in range(5)]
            text = ", ".join("none" if v == MASK else str(v) for v in limits)
            summary.append(f"limits (fuel, timeout ms, max_pages, max_var_bytes, budget): {text}")
        elif tag in (2, 3):
            count = r.u32()
            for _ in range(count):
                r.take(r.u32())
                r.take(r.u32())
            summary.append(f"{TAGS[tag]}: {count} entries")
        elif tag == 4:
            committed, _length, position = r.u64(), r.u64(), r.u64()
            [r.u64() for _ in range(5)]
            r.u8()
            blocks = r.u32()
            for _ in range(blocks):
                r.take(13)
            length, count, stored = r.extents()
            if length != committed:
                raise Bad("kernel memory of another size than recorded")
            summary.append(f"kernel memory: {committed} bytes committed, {position} bumped, {blocks} blocks, "
                           f"{count} extents holding {stored} bytes")
        elif tag == 5:
            module, index = r.u32(), r.u32()
            length, count, stored = r.extents()
            if length % 65536:
                raise Bad(f"memory {module}/{index}: not a whole number of wasm pages")
            summary.append(f"module {module} memory {index}: {length // 65536} pages, {count} extents holding {stored} bytes")
        elif tag == 6:
            module, index, ty = r.u32(), r.u32(), r.u8()
            if ty > 4:
                raise Bad(f"global {module}/{index}: unknown type {ty}")
            value = r.take(16 if ty == 4 else 8)
            summary.append(f"module {module} global {index}: {['i32', 'i64', 'f32', 'f64', 'v128'][ty]} {value.hex()}")
        elif tag == 7:
            module, index, size = r.u32(), r.u32(), r.u64()
            summary.append(f"module {module} table {index}: {size} elements")
        if not r.done():
            raise Bad(f"record {tag} longer than its contents")
    return mods_hash, summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--module", action="append", default=[], metavar="NAME=FILE",
                    help="a module of the manifest, in manifest order (a plain wasm file is `main`)")
    ap.add_argument("--main", type=int, default=None, help="the main module's index (default: the last)")
    ap.add_argument("state")
    args = ap.parse_args()
    with open(args.state, "rb") as f:
        state = f.read()
    try:
        mods_hash, summary = read(state)
        if args.module:
            modules = []
            for spec in args.module:
                name, _, path = spec.partition("=")
                with open(path, "rb") as f:
                    modules.append((name, f.read()))
            main_index = len(modules) - 1 if args.main is None else args.main
            want = modules_hash(modules, main_index)
            if want != mods_hash:
                raise Bad(f"modules hash {mods_hash:#018x}, the given modules hash to {want:#018x}")
            summary.append("modules hash: matches the given modules")
    except Bad as e:
        print(f"read-state: {args.state}: {e}", file=sys.stderr)
        return 1
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
