#!/bin/sh
# Test PKI for the probe suite (openssl CLI only), ECDSA P-256:
#   ca.pem/ca.key            the deployment CA
#   NAME.pem/.key/.crt       leaf NAME for NAME.lab.example.com (.crt = cert + key, for HAProxy)
#   shared.pem/.key          one certificate naming cucm-1 and cvp-1 (served by both)
#   short.pem/.key           vvb-1, valid 1 day (expired under --as-of today+10)
#   wrong.pem/.key           self-signed, names other.example.com (served by cube-1)
#   client.pem/.key          a client certificate of the CA (to show HAProxy accepts mTLS)
# Usage: make_certs.sh DIR
set -eu
D=$1
mkdir -p "$D"
cd "$D"
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj "/CN=probe test CA" \
  -keyout ca.key -out ca.pem -addext basicConstraints=critical,CA:true \
  -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
leaf() { # file days san...
  f=$1; days=$2; shift 2
  san="DNS:$1"; cn=$1; shift
  for n in "$@"; do san="$san,DNS:$n"; done
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
    -addext "subjectAltName=$san" -keyout "$f.key" -out "$f.csr" 2>/dev/null
  openssl x509 -req -in "$f.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days "$days" \
    -copy_extensions copy -out "$f.pem" 2>/dev/null
  cat "$f.pem" "$f.key" > "$f.crt"
}
leaf pg-a 365 pg-a.lab.example.com
leaf pg-b 365 pg-b.lab.example.com
leaf shared 365 cucm-1.lab.example.com cvp-1.lab.example.com
leaf short 1 vvb-1.lab.example.com
leaf client 365 finesse-1.lab.example.com
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj "/CN=other.example.com" \
  -addext "subjectAltName=DNS:other.example.com" -keyout wrong.key -out wrong.pem 2>/dev/null
