#!/usr/bin/env python3
"""The C edge's types: fails when a value C hands the library has a Rust type that C can fill with an
invalid bit pattern (undefined behaviour on the Rust side before any check can run).

A C caller may pass any bits in any argument: a binding that declares a flag as uint8_t passes 2 or
0xFF (JNA's `true`), an enum argument may be out of range, a pointer may be NULL. So these Rust types
must never receive a value from C:

  bool, char              only 0/1, only Unicode scalar values (a flag is `CBool`, nonzero = true)
  &T, &mut T, NonNull<T>  never NULL (a pointer from C is a raw pointer, checked where it is used)
  Box<T>                  owned and non-NULL
  enums of the crate      only their declared values (an enum from C is taken as an integer)
  a bare `extern "C" fn`  never NULL (a callback from C is `Option<extern "C" fn ...>`)

Checked: the parameters of every `#[no_mangle] extern "C" fn` in src/ (what C passes in), the return
type of every `extern "C" fn` pointer type in src/ (what a C callback hands back), and the fields of
every `#[repr(C)]` struct or union in src/capi/ (what C writes into an ExtismVal).

usage: check-c-edge.py [SRC_DIR]    (default: src/ of the repository); exit 1 on a finding.
"""
import pathlib
import re
import sys

src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent / "src")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def balanced(text, start, open_ch="(", close_ch=")"):
    """Index just past the bracket matching the one at `start`."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == open_ch:
            depth += 1
        elif text[i] == close_ch:
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def split_top(text, sep=","):
    """Splits on `sep` outside (), <> and []."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "(<[":
            depth += 1
        elif ch in ")>]" and not (ch == ">" and cur.endswith("-")):
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts]


files = {p: strip_comments(p.read_text(encoding="utf-8")) for p in sorted(src.rglob("*.rs"))}
enums = sorted({m.group(1) for text in files.values() for m in re.finditer(r"\benum\s+(\w+)", text)})


def problems(ty):
    """Why a Rust type cannot take any bits from C (empty when it can)."""
    found = []
    bare = re.sub(r"Option\s*<\s*(unsafe\s+)?extern\s+\"C\"\s+fn", "OPTFN", ty)
    checks = [
        (r"(?<![\w:])bool\b", "bool"),
        (r"(?<![\w:])char\b", "char (a Rust char; c_char is fine)"),
        (r"&", "a reference"),
        (r"\bNonNull\b", "NonNull"),
        (r"\bBox\s*<", "Box"),
    ]
    for pattern, why in checks:
        if re.search(pattern, ty):
            found.append(why)
    if re.search(r"(?<!OPT)(unsafe\s+)?extern\s+\"C\"\s+fn", bare.replace("OPTFN", "OPT")):
        found.append("a bare extern \"C\" fn (NULL from C: use Option<...>)")
    for name in enums:
        if re.search(rf"(?<![\w]){name}\b", ty):
            found.append(f"the enum {name}")
    return found


findings = []
checked = {"export parameters": 0, "callback returns": 0, "repr(C) fields": 0}
for path, text in files.items():
    rel = path.relative_to(src.parent)
    # Exported functions: #[no_mangle] (or #[unsafe(no_mangle)]) ... extern "C" fn name(params)
    for m in re.finditer(r"#\[(?:unsafe\()?no_mangle\)?\]\s*(?:#\[[^\]]*\]\s*)*pub\s+(?:unsafe\s+)?extern\s+\"C\"\s+fn\s+(\w+)\s*", text):
        name, open_at = m.group(1), m.end()
        if text[open_at] != "(":
            continue
        params = text[open_at + 1:balanced(text, open_at) - 1]
        for param in split_top(params):
            if not param:
                continue
            ty = param.split(":", 1)[1] if ":" in param else param
            checked["export parameters"] += 1
            for why in problems(ty):
                findings.append(f"{rel}: {name}: parameter `{param}`: {why}")
    # Function pointer types: extern "C" fn(...) -> Ret; the return is what a C callback gives back.
    for m in re.finditer(r"extern\s+\"C\"\s+fn\s*\(", text):
        close = balanced(text, m.end() - 1)
        ret = re.match(r"\s*->\s*([^,;>{)]+(?:<[^;{]*?>)?)", text[close:])
        if not ret:
            continue
        checked["callback returns"] += 1
        for why in problems(ret.group(1)):
            findings.append(f"{rel}: a C callback returning `{ret.group(1).strip()}`: {why}")
    # repr(C) structs and unions of the C API: their fields are written by C.
    if "capi" in path.parts:
        for m in re.finditer(r"#\[repr\(C\)\]\s*(?:#\[[^\]]*\]\s*)*pub\s+(?:struct|union)\s+(\w+)\s*\{", text):
            body = text[m.end():balanced(text, m.end() - 1, "{", "}") - 1]
            for field in split_top(body):
                if ":" not in field:
                    continue
                checked["repr(C) fields"] += 1
                for why in problems(field.split(":", 1)[1]):
                    findings.append(f"{rel}: {m.group(1)}: field `{field}`: {why}")

summary = ", ".join(f"{n} {what}" for what, n in checked.items())
if checked["export parameters"] < 50 or checked["callback returns"] < 5:
    print(f"check-c-edge: found too little to check ({summary}): has the source layout changed?")
    sys.exit(2)
if findings:
    print("check-c-edge: FAIL: types C can fill with invalid bits (see tools/check-c-edge.py):")
    for f in findings:
        print("    " + f)
    sys.exit(1)
print(f"check-c-edge: ok ({summary}; enums of the crate: {len(enums)})")
