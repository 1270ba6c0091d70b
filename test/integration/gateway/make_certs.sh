#!/bin/sh
# Test PKI for the gateway suites, made with the openssl CLI only (the pki module is separate):
#   ca.pem/ca.key/crl.pem      the deployment CA and its CRL (revokes "revoked")
#   crl-none.pem               a CRL of the same CA that revokes nothing (a CRL reload revokes)
#   hosts/NAME.pem|.key        leaf certs, CN=NAME, SAN DNS:NAME + IP:127.0.0.1, ECDSA P-256
#     gw, gw2 (a second gw cert for rotation), cg-a, finesse-a, finesse-b, intruder (valid, not
#     allowed), revoked (allowed, revoked), expired (allowed, notAfter in 2020)
#   other/ca.pem, other/finesse-a.pem|.key  a foreign CA and a "finesse-a" cert it signed
#   chain/  two intermediate CAs under ca.pem: int (good) and int-revoked (revoked by the root);
#     chain/ca.pem = root + both intermediates, chain/crl.pem = the CRLs of all three;
#     chain/gw.pem (leaf only, issued by int), chain/finesse-a.pem (by int),
#     chain/finesse-r.pem (allowed name "finesse-r", issued by the revoked intermediate)
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
openssl ca -batch -config ca.cnf -gencrl -out crl-none.pem 2>/dev/null
openssl ca -batch -config ca.cnf -revoke hosts/revoked.pem 2>/dev/null
openssl ca -batch -config ca.cnf -gencrl -out crl.pem 2>/dev/null
# foreign CA: a cert with an allowed name, signed by the wrong CA
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=finesse-a" \
  -addext "subjectAltName=DNS:finesse-a" -keyout other/finesse-a.key -out other/finesse-a.csr 2>/dev/null
openssl x509 -req -in other/finesse-a.csr -CA other/ca.pem -CAkey other/ca.key -CAcreateserial \
  -days 30 -copy_extensions copy -out other/finesse-a.pem 2>/dev/null
rm -f other/finesse-a.csr
# intermediates: chain/NAME/ca.pem|ca.key with their own database; leaves in chain/
mkdir -p chain
cat >> ca.cnf <<CNF
[ intca ]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
CNF
intca() { # name
  mkdir -p "chain/$1/db"
  : > "chain/$1/db/index.txt"
  echo 2000 > "chain/$1/db/serial"
  echo 2000 > "chain/$1/db/crlnumber"
  sed -e "s#^dir = .*#dir = chain/$1/db#" -e "s#= ca-db/#= chain/$1/db/#" \
      -e "s#^certificate = .*#certificate = chain/$1/ca.pem#" \
      -e "s#^private_key = .*#private_key = chain/$1/ca.key#" ca.cnf > "chain/$1/ca.cnf"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=ccsec test $1" \
    -keyout "chain/$1/ca.key" -out "chain/$1/ca.csr" 2>/dev/null
  openssl ca -batch -config ca.cnf -extensions intca -in "chain/$1/ca.csr" \
    -out "chain/$1/ca.pem" -notext 2>/dev/null
}
intleaf() { # ca name
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" \
    -addext "subjectAltName=DNS:$2,IP:127.0.0.1" -keyout "chain/$2.key" -out "chain/$2.csr" 2>/dev/null
  openssl ca -batch -config "chain/$1/ca.cnf" -extensions leaf -in "chain/$2.csr" \
    -out "chain/$2.pem" -notext 2>/dev/null
  rm -f "chain/$2.csr"
}
intca int
intca int-revoked
intleaf int gw
intleaf int finesse-a
intleaf int-revoked finesse-r
openssl ca -batch -config ca.cnf -revoke chain/int-revoked/ca.pem 2>/dev/null
openssl ca -batch -config ca.cnf -gencrl -out chain/root-crl.pem 2>/dev/null
openssl ca -batch -config chain/int/ca.cnf -gencrl -out chain/int-crl.pem 2>/dev/null
openssl ca -batch -config chain/int-revoked/ca.cnf -gencrl -out chain/int-revoked-crl.pem 2>/dev/null
cat ca.pem chain/int/ca.pem chain/int-revoked/ca.pem > chain/ca.pem
cat chain/root-crl.pem chain/int-crl.pem chain/int-revoked-crl.pem > chain/crl.pem
chmod 600 hosts/*.key other/*.key ca.key chain/*.key chain/*/ca.key
