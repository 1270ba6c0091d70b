#!/usr/bin/env python3
"""Regenerates the example host certificates (examples/certs/*.pem) that the example inventories
reference with `certificate: {path: certs/NAME.pem}`.

Each certificate is self-signed (P-256) with the host's dns_name (or name) and address in its
subjectAltName, valid 2026-01-01 .. 2036-01-01, so CCS-TLS-004/005 stay silent on them. The
exception is insecure.yaml's shared.pem (shared by two hosts, CCS-TLS-004), which names
neither host and expires on 2026-12-10 (within 30 days of the golden tests' --as-of 2026-11-28).
Private keys are thrown away: only certificates are kept. Uses the openssl CLI (`openssl ca` for
fixed validity dates) and python3-yaml.
Usage: examples/certs/make-certs.py
"""
import os
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.dirname(HERE)
VALID = ("20260101000000Z", "20360101000000Z")
SPECIAL = {"shared.pem": (["shared.example.com"], [], ("20251201000000Z", "20261210000000Z"))}


def make(out, dns, ips, dates):
    with tempfile.TemporaryDirectory() as tmp:
        open(os.path.join(tmp, "index.txt"), "w").close()
        with open(os.path.join(tmp, "serial"), "w") as f:
            f.write("1000\n")
        san = ",".join([f"DNS:{d}" for d in dns] + [f"IP:{i}" for i in ips])
        with open(os.path.join(tmp, "ca.cnf"), "w") as f:
            f.write(f"""[ca]
default_ca = ex
[ex]
dir = {tmp}
database = $dir/index.txt
serial = $dir/serial
new_certs_dir = $dir
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
[ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = {san}
""")
        key = os.path.join(tmp, "key.pem")
        csr = os.path.join(tmp, "req.csr")
        subprocess.run(["openssl", "req", "-new", "-nodes", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:P-256", "-keyout", key, "-out", csr,
                        "-subj", f"/CN={dns[0]}"], check=True, capture_output=True)
        subprocess.run(["openssl", "ca", "-batch", "-selfsign", "-config", os.path.join(tmp, "ca.cnf"),
                        "-keyfile", key, "-in", csr, "-out", os.path.join(tmp, "cert.pem"),
                        "-startdate", dates[0], "-enddate", dates[1], "-extensions", "ext", "-notext"],
                       check=True, capture_output=True)
        pem = subprocess.run(["openssl", "x509", "-in", os.path.join(tmp, "cert.pem")],
                             check=True, capture_output=True).stdout
        with open(out, "wb") as f:
            f.write(pem)


def main():
    # file → (dns names, addresses) gathered over every example that uses it (lab.yaml and
    # reference.yaml both have an rgr-a, for instance).
    names = {}
    for name in sorted(os.listdir(EXAMPLES)):
        if not name.endswith(".yaml"):
            continue
        doc = yaml.safe_load(open(os.path.join(EXAMPLES, name)))
        for h in doc.get("hosts", []):
            path = (h.get("certificate") or {}).get("path")
            if not path or not path.startswith("certs/"):
                continue
            dns, ips = names.setdefault(os.path.basename(path), ([], []))
            for d in (h.get("dns_name") or h["name"],):
                if d not in dns:
                    dns.append(d)
            if str(h["address"]) not in ips:
                ips.append(str(h["address"]))
    for file in sorted(names):
        dns, ips = names[file]
        dates = VALID
        if file in SPECIAL:
            dns, ips, dates = SPECIAL[file]
        make(os.path.join(HERE, file), dns, ips, dates)
        print(f"examples/certs/{file}: {', '.join(dns + ips)} {dates[0][:8]}..{dates[1][:8]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
