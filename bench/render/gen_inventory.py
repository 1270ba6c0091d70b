#!/usr/bin/env python3
"""Writes a synthetic two-site inventory with N hosts (default 1000) for the render benchmark.

Usage: gen_inventory.py [N] > synthetic.yaml
Per site: a duplexed Rogger pair, then PGs, CTI servers, Finesse, AWs, HDSs, dialers and CCPs in
fixed proportions; half of the servers are Linux (nftables + strongSwan), half Windows (firewall
+ IPsec scripts). Core servers run IPsec isolation; site east has an ASA perimeter with two
contexts, west an nftables perimeter; the sites are linked over IPsec. Deterministic.
"""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
per_site = n // 2
# Proportions of a large deployment: many PGs, a CTI server per few PGs, a handful of AWs.
mix = [("cti-server", 0.04), ("finesse", 0.06), ("aw", 0.02), ("hds", 0.02), ("dialer", 0.02),
       ("ccp", 0.02), ("call-server", 0.10), ("vxml-server", 0.04), ("pg", 1.0)]
out = []
w = out.append
w("version: 1")
w("deployment: {name: synthetic, security_model: end-to-end, tls_min_version: \"1.2\", instance: 0}")
w("sites:")
for s, (site, octet) in enumerate([("east", 10), ("west", 110)]):
    w(f"  - name: {site}")
    w("    physical_access: controlled")
    w("    zones:")
    w(f"      - {{name: {site}-dc, kind: datacenter, cidr: 10.{octet}.0.0/16}}")
    w(f"      - {{name: {site}-agents, kind: agent, cidr: 10.{octet + 1}.0.0/16}}")
    w(f"      - {{name: {site}-ext, kind: external, cidr: 0.0.0.0/0}}")
    w("    perimeter:")
    if site == "east":
        w("      vendor: asa")
        w("      contexts: [tenant-a, tenant-b]")
    else:
        w("      vendor: nftables")
    w("      allow:")
    w(f"        - {{proto: tcp, port: 443, to: ccp-{site}-0, reason: \"collaboration portal\"}}")
w("site_links:")
w("  - {a: east, b: west, protection: ipsec}")
w("directory:")
w("  forests:")
w("    - name: synth.test")
w("      domains:")
w("        - {name: synth.test, mode: native, global_catalog: true}")
w("  controllers:")
w("    - {name: dc-east, address: 10.10.0.5, domain: synth.test, site: east, global_catalog: true}")
w("    - {name: dc-west, address: 10.110.0.5, domain: synth.test, site: west, global_catalog: true}")
w("hosts:")


def host(name, site, octet, idx, roles, os, side, ipsec):
    a, b = divmod(idx, 250)
    w(f"  - name: {name}")
    w(f"    site: {site}")
    w(f"    zone: {site}-dc")
    w(f"    address: 10.{octet}.{a + 1}.{b + 2}")
    w(f"    os: {os}")
    if side:
        w(f"    side: {side}")
    w(f"    roles: [{', '.join(roles)}]")
    w(f"    protection: {{host_firewall: true, ipsec: {ipsec}}}")
    w(f"    certificate: {{path: certs/{name}.pem}}")


for site, octet in [("east", 10), ("west", 110)]:
    idx = 0
    for side in ("a", "b"):
        host(f"rgr-{site}-{side}", site, octet, idx, ["router", "logger"], "windows", side, "isolation")
        idx += 1
    for role, frac in mix:
        count = max(1, int((per_site - 2) * frac)) if frac < 1 else per_site - idx
        for i in range(count):
            if idx >= per_site:
                break
            os = "linux" if i % 2 == 0 else "windows"
            # Only the first PG pair is duplexed: the catalog pairs every side-a PG with every
            # side-b PG (private links), which no real deployment has at this scale.
            side = ("a" if i % 2 == 0 else "b") if (role == "cti-server" or (role == "pg" and i < 2)) else None
            ipsec = "isolation" if role in ("pg", "aw", "hds") else "none"
            host(f"{role.replace('-server', '').replace('vxml', 'vxml-server')}-{site}-{i}", site, octet, idx, [role], os, side, ipsec)
            idx += 1
w("endpoints:")
for site in ("east", "west"):
    w(f"  - {{name: {site}-desktops, kind: softphone, site: {site}, zone: {site}-agents, count: 500, srtp: true, device_security: encrypted}}")
print("\n".join(out))
