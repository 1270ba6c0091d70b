#!/usr/bin/env python3
"""Benchmark lab for `ccsec probe`: examples/lab.yaml with its hosts replaced by N Finesse hosts,
each with its declared TLS listener (desktop-https 8445), so N TLS endpoints. Writes the
inventory, the HAProxy configuration (one bind per endpoint, host k on 127.0.X.Y, ports +20000),
and the --resolve arguments. Usage: gen_lab.py N OUTDIR CERT_PEM_WITH_KEY"""
import sys
import os
import yaml

BASE = int(os.environ.get("CCSEC_BENCH_NET", "10"))  # 127.0.BASE.x and up

n, out, crt = int(sys.argv[1]), sys.argv[2], sys.argv[3]
src = yaml.safe_load(open(sys.argv[4] if len(sys.argv) > 4 else "examples/lab.yaml"))
hosts = []
resolve = []
binds = []
for k in range(n):
    name = f"fin-{k:04d}"
    hosts.append({"name": name, "site": "lab", "zone": "lab-dc", "address": f"10.1.{10 + k // 250}.{1 + k % 250}",
                  "dns_name": f"{name}.lab.example.com", "os": "vos", "roles": ["finesse"],
                  "protection": {"host_firewall": True, "last_patched": "2026-11-20"}})
    addr = f"127.0.{BASE + k // 250}.{1 + k % 250}"
    resolve.append(f"--resolve {name}={addr}:20000")
    binds.append(f"  bind {addr}:28445 ssl crt {crt}")
# Domain controllers are mapped to loopback addresses where nothing listens (refused at once).
resolve.append("--resolve dc1=127.0.9.1:20000")
resolve.append("--resolve dc2=127.0.9.2:20000")
src["hosts"] = hosts
for key in ("channels", "accounts"):
    src.pop(key, None)
src["sites"][0]["perimeter"]["allow"] = []
yaml.safe_dump(src, open(f"{out}/lab.yaml", "w"), sort_keys=False)
open(f"{out}/resolve.args", "w").write(" ".join(resolve) + "\n")
open(f"{out}/haproxy.cfg", "w").write(
    "global\n  maxconn 8000\n  tune.ssl.default-dh-param 2048\ndefaults\n  mode tcp\n  timeout connect 1s\n"
    "  timeout client 5s\n  timeout server 5s\nfrontend tls\n" + "\n".join(binds) +
    "\n  default_backend none\nbackend none\n  server s 127.0.0.1:9\n")
open(f"{out}/endpoints.txt", "w").write(
    "\n".join(b.split()[1] for b in binds) + "\n")
