#!/usr/bin/env python3
"""Time from a `didChange` to its `publishDiagnostics` in `qi lsp` (issue 16, point 2).

Usage: python3 benches/lsp_change.py QI_BINARY [FUNCTIONS] [ROUNDS]

Writes a program of FUNCTIONS (default 400) small functions, about 5,000 lines, opens
it in `qi lsp`, then sends ROUNDS (default 40) full-text changes that alternately break
the last function (one diagnostic: an undeclared name) and fix it (none), and prints
the time from writing each change to reading its diagnostics: min, median, max.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def program(functions):
    lines = [
        "结构体 点 {",
        "    横: 整数,",
        "    纵: 整数,",
        "}",
        "",
    ]
    for i in range(functions):
        lines += [
            f"函数 计算{i}(n: 整数): 整数 {{",
            f"    变量 p = 新建 点 {{ 横: n, 纵: {i} }};",
            "    变量 和 = 0;",
            "    对于 k 在 0..n {",
            "        如果 (k % 2 == 0) {",
            "            和 += p.横 * k;",
            "        } 否则 {",
            "            和 -= p.纵;",
            "        }",
            "    }",
            f"    返回 和 + {'计算' + str(i - 1) + '(0)' if i > 0 else '0'};",
            "}",
            "",
        ]
    lines += ["函数 入口() {", f"    打印行(计算{functions - 1}(3));", "}", ""]
    return "\n".join(lines)


class Server:
    def __init__(self, binary):
        self.process = subprocess.Popen(
            [binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )

    def send(self, message):
        body = json.dumps(message, ensure_ascii=False).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self):
        length = None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise SystemExit("qi lsp ended")
            line = line.strip()
            if not line:
                break
            if line.startswith(b"Content-Length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.process.stdout.read(length))

    def diagnostics(self, uri):
        while True:
            m = self.receive()
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                return m["params"]["diagnostics"]


def main():
    binary = sys.argv[1]
    functions = int(sys.argv[2]) if len(sys.argv) > 2 else 400
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    good = program(functions)
    # Only the last function's body changes: `和` becomes an undeclared name.
    bad = good.replace("    打印行(计算", "    打印行(未知 + 计算")
    path = os.path.join(tempfile.mkdtemp(), "m.qi")
    with open(path, "w") as f:
        f.write(good)
    uri = "file://" + path
    server = Server(binary)
    server.send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                 "params": {"processId": None, "capabilities": {}}})
    server.receive()
    server.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    server.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": uri, "languageId": "qi", "version": 1, "text": good}}})
    assert server.diagnostics(uri) == [], "the program checks"
    times = []
    for i in range(rounds):
        text = bad if i % 2 == 0 else good
        start = time.perf_counter()
        server.send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": i + 2},
            "contentChanges": [{"text": text}]}})
        found = server.diagnostics(uri)
        times.append((time.perf_counter() - start) * 1000)
        assert len(found) == (1 if text is bad else 0), found
    server.send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    server.receive()
    server.send({"jsonrpc": "2.0", "method": "exit"})
    server.process.wait()
    print(f"{good.count(chr(10))} lines, {rounds} changes: didChange → diagnostics "
          f"min {min(times):.1f} ms, median {statistics.median(times):.1f} ms, "
          f"max {max(times):.1f} ms")


if __name__ == "__main__":
    main()
