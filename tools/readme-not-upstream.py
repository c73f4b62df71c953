#!/usr/bin/env python3
"""The list (docs/behaviour.md) of tests that do not run against upstream's library, generated from the
harness's own skip lines in the log of a reference run (make test-reference):

    SKIP <test> (<file>) -- upstream: <reason>

usage: readme-not-upstream.py --check|--write DOC.md REFERENCE_LOG
--check fails (exit 1) when the document's list differs from the log's; --write rewrites it.
The list sits between the markers <!-- not-upstream:begin --> and <!-- not-upstream:end -->."""
import re
import sys

BEGIN, END = "<!-- not-upstream:begin -->", "<!-- not-upstream:end -->"


def table(log_text):
    rows = []
    for m in re.finditer(r"^SKIP (\S+) \((\S+)\) -- upstream: (.*)$", log_text, re.M):
        rows.append((m.group(2), m.group(1), m.group(3).strip()))
    if not rows:
        sys.exit("readme-not-upstream: no 'SKIP ... -- upstream:' lines in the log")
    rows.sort()
    out = ["| file | test | why it does not run on upstream's library |", "|---|---|---|"]
    for f, name, why in rows:
        why = why.replace("|", "\\|")
        out.append(f"| `{f}` | `{name}` | {why} |")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("--check", "--write"):
        sys.exit(__doc__)
    mode, readme, log = sys.argv[1:]
    text = open(readme, encoding="utf-8").read()
    try:
        head, rest = text.split(BEGIN + "\n", 1)
        _, tail = rest.split(END, 1)
    except ValueError:
        sys.exit(f"readme-not-upstream: {readme} lacks the markers {BEGIN} / {END}")
    want = head + BEGIN + "\n" + table(open(log, encoding="utf-8").read()) + END + tail
    if want == text:
        return
    if mode == "--write":
        open(readme, "w", encoding="utf-8").write(want)
        print(f"readme-not-upstream: {readme} updated")
    else:
        sys.exit(f"readme-not-upstream: the list of tests not run on upstream in {readme} is stale "
                 "(a TEST_NOT_UPSTREAM was added, removed or reworded): run `make readme-not-upstream`")


if __name__ == "__main__":
    main()
