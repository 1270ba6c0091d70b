#!/usr/bin/env python3
"""Synthetic inventories for the `ccsec check` benchmark.

Usage: gen_inventory.py HOSTS OUT.yaml

The shape grows linearly, as a large enterprise does: one site per 500 hosts, each site with its
zones, two domain controllers, a Finesse server, agent endpoint groups and a majority of administration clients and
reporting (CUIC) servers. The central controller (router/logger pair, a PG pair, two AWs, an
HDS, CVP, Unified CM) exists once. Deployment-scoped channels therefore
pair a constant number of servers with a growing number of clients, so the channel graph, and
with it the check, grows linearly. Output is deterministic (no randomness).
"""
import sys

HOSTS_PER_SITE = 500


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    total = int(sys.argv[1])
    out = open(sys.argv[2], "w", encoding="utf-8")
    w = out.write
    sites = total // (HOSTS_PER_SITE - 50) + 1  # headroom: every site also holds a Finesse
    w("version: 1\n")
    w("deployment: {name: bench, security_model: end-to-end, tls_min_version: \"1.2\", instance: 0}\n")
    w("sites:\n")
    for s in range(sites):
        # 10.<s/4>.x.x style: each site gets a /18 datacenter and a /18 agent range inside 10/8
        # and 172.16/12 respectively; enough for 500 hosts.
        a, b = divmod(s, 4)
        w(f"  - name: site{s}\n    physical_access: controlled\n    zones:\n")
        w(f"      - {{name: site{s}-dc, kind: datacenter, cidr: 10.{a}.{b * 64}.0/18}}\n")
        w(f"      - {{name: site{s}-agents, kind: agent, cidr: 172.{16 + a // 64}.{(a % 64) * 4 + b}.0/24}}\n")
    # One child domain per site, so that each host's directory edges go to its own site's two
    # domain controllers (the directory channel pairs a host with every DC of its domain).
    w("directory:\n  forests:\n    - name: bench.example.com\n      domains:\n")
    for s in range(sites):
        w(f"        - {{name: site{s}.bench.example.com, mode: native, global_catalog: true}}\n")
    w("  controllers:\n")
    for s in range(sites):
        a, b = divmod(s, 4)
        for k in (0, 1):
            w(f"    - {{name: dc{s}-{k}, address: 10.{a}.{b * 64}.{5 + k}, domain: site{s}.bench.example.com, "
              f"site: site{s}, global_catalog: true}}\n")
    w("  security_group_update: 0\n")
    w("hosts:\n")
    prot = ("{host_firewall: true, ipsec: isolation, last_patched: 2026-11-20, sql_hardened: true, "
            "antivirus: {installed: true, definitions_age_days: 1, on_access: writes, "
            "scan_remote_drives: false, scheduled_window: \"02:00-04:00\"}}")
    n = 0

    def host(name, site, idx, roles, os="windows", side=None, extra=""):
        nonlocal n
        a, b = divmod(site, 4)
        third, fourth = divmod(10 + idx, 250)
        addr = f"10.{a}.{b * 64 + 1 + third}.{fourth + 1}"
        side_s = f", side: {side}" if side else ""
        dom = f", domain: site{site}.bench.example.com, ou: \"OU=Servers,OU=CCE,DC=bench,DC=example,DC=com\"" \
            if os == "windows" else ""
        p = prot if os == "windows" else "{host_firewall: true, last_patched: 2026-11-20}"
        w(f"  - {{name: {name}, site: site{site}, zone: site{site}-dc, address: {addr}, os: {os}{dom}"
          f"{side_s}, roles: [{', '.join(roles)}], protection: {p}{extra}}}\n")
        n += 1

    # Central controller and shared servers in site 0.
    host("rgr-a", 0, 0, ["router", "logger"], side="a")
    host("rgr-b", 0, 1, ["router", "logger"], side="b")
    host("aw-1", 0, 2, ["aw"])
    host("aw-2", 0, 3, ["aw"])
    host("hds-1", 0, 4, ["hds"])
    host("cvp-1", 0, 5, ["call-server", "vxml-server"])
    host("cucm-1", 0, 6, ["cucm"], os="vos")
    host("pg-a", 0, 7, ["pg", "cti-server"], side="a")
    host("pg-b", 0, 8, ["pg", "cti-server"], side="b")
    per_site_idx = {0: 9}
    for s in range(sites):
        i = per_site_idx.get(s, 0)
        if n >= total:
            break
        host(f"finesse{s}", s, i, ["finesse"], os="vos")
        per_site_idx[s] = i + 1
    # The rest: administration clients and CUIC servers, spread over the sites.
    s = 0
    k = 0
    while n < total:
        i = per_site_idx.get(s, 0)
        if i >= HOSTS_PER_SITE - 1:
            s += 1
            continue
        roles = ["admin-client"] if k % 2 == 0 else ["cuic"]
        os_name = "windows" if k % 3 else "linux"
        host(f"app{k}", s, i, roles, os=os_name)
        per_site_idx[s] = i + 1
        k += 1
    w("endpoints:\n")
    for s in range(sites):
        w(f"  - {{name: site{s}-phones, kind: ip-phone, site: site{s}, zone: site{s}-agents, count: 200, "
          f"srtp: true, device_security: encrypted, gratuitous_arp: false, recording: network}}\n")
    w("media:\n  ivr: {platform: vvb, codec: g729}\n  agent_codec: g729\n")
    w("accounts:\n  service_accounts:\n")
    w("    - {name: svc-cce, domain: site0.bench.example.com, hosts: [rgr-a, rgr-b, aw-1, aw-2, hds-1], "
      "local_groups: [UcceService]}\n")
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
