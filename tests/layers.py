#!/usr/bin/env python3
"""layers.py - `make layers`: every #include points down the layers.

The graph (DESIGN.md "Layers"):
  layer 0  dnsd/base/                     libc, libconfig
  layer 1  zones/    -> base              + ldns
           probes/   -> base              + libevent, curl, openssl, urcu, jansson
  layer 2  dnsd/ dnsd/relay/ dnsd/status/ -> base, zones, probes
  layer 3  dnsd/daemon.c dnsd/render.c dnsd/main.c -> everything
zones/ and probes/ never include each other; nothing below layer 3 includes
a layer-3 header; layer 2 modules include each other without cycles.
Exit 1 with one "file:line: message" per violation.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAYER3 = {"dnsd/daemon", "dnsd/render", "dnsd/main"}
# External headers a layer may not use (the narrow boundaries of STYLE.md).
FORBIDDEN_SYS = {
    "base": ("ldns/", "curl/", "event2/", "openssl/", "jansson", "urcu"),
    "zones": ("curl/", "event2/", "jansson", "urcu"),
    "probes": ("ldns/",),
    "dnsd": ("ldns/", "curl/"),
}
INC = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def layer_of(path):
    """(layer name, rank) of a source path relative to ROOT."""
    mod = os.path.splitext(path)[0]
    if path.startswith("dnsd/base/"):
        return "base", 0
    if path.startswith("zones/"):
        return "zones", 1
    if path.startswith("probes/"):
        return "probes", 1
    if mod in LAYER3:
        return "prog", 3
    if path.startswith("dnsd/"):
        return "dnsd", 2
    return None, None


def allowed(src_layer, dst_layer):
    if src_layer == "prog":
        return True
    if src_layer == "dnsd":
        return dst_layer in ("base", "zones", "probes", "dnsd")
    if src_layer in ("zones", "probes"):
        return dst_layer in ("base", src_layer)
    return dst_layer == "base"


def main():
    errors = []
    graph = {}  # layer-2 module -> set of layer-2 modules it includes
    files = []
    for top in ("dnsd", "zones", "probes"):
        for dirpath, _, names in os.walk(os.path.join(ROOT, top)):
            for n in sorted(names):
                if n.endswith((".c", ".h")):
                    files.append(os.path.relpath(os.path.join(dirpath, n), ROOT))
    for f in sorted(files):
        src_layer, _ = layer_of(f)
        if src_layer is None:
            continue
        mod = os.path.splitext(f)[0]
        with open(os.path.join(ROOT, f), encoding="utf-8", errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                m = INC.match(line)
                if not m:
                    continue
                kind, hdr = m.groups()
                if kind == "<":
                    for bad in FORBIDDEN_SYS.get(src_layer, ()):
                        if hdr.startswith(bad):
                            errors.append("%s:%d: layer %s must not include <%s>"
                                          % (f, lineno, src_layer, hdr))
                    continue
                if hdr.startswith("tests/"):
                    errors.append("%s:%d: product code includes test code \"%s\""
                                  % (f, lineno, hdr))
                    continue
                dst_layer, _ = layer_of(hdr)
                if dst_layer is None:
                    errors.append("%s:%d: \"%s\" is not a project header path"
                                  % (f, lineno, hdr))
                    continue
                if not os.path.exists(os.path.join(ROOT, hdr)):
                    errors.append("%s:%d: \"%s\" does not exist" % (f, lineno, hdr))
                if not allowed(src_layer, dst_layer):
                    errors.append("%s:%d: upward include: %s (layer %s) includes "
                                  "\"%s\" (layer %s)"
                                  % (f, lineno, f, src_layer, hdr, dst_layer))
                dmod = os.path.splitext(hdr)[0]
                if src_layer == "dnsd" and dst_layer == "dnsd" and dmod != mod:
                    graph.setdefault(mod, set()).add(dmod)
    # Cycles among layer-2 modules (a.c includes b.h and b.c includes a.h).
    state = {}
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for d in sorted(graph.get(n, ())):
            if state.get(d) == 1:
                cyc = stack[stack.index(d):] + [d]
                errors.append("include cycle: " + " -> ".join(cyc))
            elif d not in state:
                visit(d)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)
    for e in errors:
        print(e)
    if errors:
        print("layers: %d violation%s" % (len(errors), "" if len(errors) == 1 else "s"))
        return 1
    print("layers: ok (%d files)" % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
