#!/bin/sh
# Test PKI for the gateway suites, made with the openssl CLI only (the pki module is separate):
#   ca.pem/ca.key/crl.pem      the deployment CA and its CRL (revokes "revoked")
#   hosts/NAME.pem|.key        leaf certs, CN=NAME, SAN DNS:NAME + IP:127.0.0.1, ECDSA P-256
#     gw, gw2 (a second gw cert for rotation), cg-a, finesse-a, finesse-b, intruder (valid, not
#     allowed), revoked (allowed, revoked), expired (allowed, notAfter in 2020)
#   other/ca.pem, other/finesse-a.pem|.key  a foreign CA and a "finesse-a" cert it signed
# Usage: make_certs.sh DIR
set -eu
D=$1
mkdir -p "$D/hosts" "$D/other" "$D/ca-db"
cd "$D"
: > ca-db/index.txt
echo 1000 > ca-db/serial
echo 1000 > ca-db/crlnumber
cat > ca.cnf <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = ca-db
database = ca-db/index.txt
serial = ca-db/serial
crlnumber = ca-db/crlnumber
new_certs_dir = ca-db
certificate = ca.pem
private_key = ca.key
default_md = sha256
default_days = 30
default_crl_days = 30
policy = any
unique_subject = no
copy_extensions = copy
[ any ]
commonName = supplied
[ leaf ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
CNF
mkca() { # dir name
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=$2" -keyout "$1/ca.key" -out "$1/ca.pem" \
    -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
mkca . "ccsec test CA"
mkca other "foreign CA"
leaf() { # name [startdate enddate]
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
    -addext "subjectAltName=DNS:$1,IP:127.0.0.1" -keyout "hosts/$1.key" -out "hosts/$1.csr" 2>/dev/null
  if [ $# -gt 1 ]; then
    openssl ca -batch -config ca.cnf -extensions leaf -startdate "$2" -enddate "$3" \
      -in "hosts/$1.csr" -out "hosts/$1.pem" -notext 2>/dev/null
  else
    openssl ca -batch -config ca.cnf -extensions leaf -in "hosts/$1.csr" -out "hosts/$1.pem" -notext 2>/dev/null
  fi
  rm -f "hosts/$1.csr"
}
for n in gw gw2 cg-a finesse-a finesse-b intruder revoked; do leaf "$n"; done
leaf expired 20200101000000Z 20200201000000Z
openssl ca -batch -config ca.cnf -revoke hosts/revoked.pem 2>/dev/null
openssl ca -batch -config ca.cnf -gencrl -out crl.pem 2>/dev/null
# foreign CA: a cert with an allowed name, signed by the wrong CA
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=finesse-a" \
  -addext "subjectAltName=DNS:finesse-a" -keyout other/finesse-a.key -out other/finesse-a.csr 2>/dev/null
openssl x509 -req -in other/finesse-a.csr -CA other/ca.pem -CAkey other/ca.key -CAcreateserial \
  -days 30 -copy_extensions copy -out other/finesse-a.pem 2>/dev/null
rm -f other/finesse-a.csr
chmod 600 hosts/*.key other/*.key ca.key
