#!/bin/sh
# mkcerts.sh DIR - test certificates made with openssl: self-signed (valid
# 30 days) and expired (ended 3 days ago), both for host name "localhost".
set -e
D=${1:?usage: mkcerts.sh DIR}
CNF=$(cd "$(dirname "$0")/../integration/data/common" && pwd)/ca.cnf
mkdir -p "$D"
cd "$D"
openssl req -x509 -newkey rsa:2048 -nodes -keyout selfsigned.key \
    -out selfsigned.crt -days 30 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost >/dev/null 2>&1
# openssl req cannot backdate: sign with "openssl ca -selfsign" and explicit dates.
mkdir -p ca
: > ca/index.txt
echo 01 > ca/serial
# the CA's paths are relative to $D (the current directory)
cp "$CNF" ca/ca.cnf
openssl req -new -newkey rsa:2048 -nodes -keyout expired.key -out ca/expired.csr \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost >/dev/null 2>&1
start=$(date -u -d '40 days ago' +%Y%m%d%H%M%SZ)
end=$(date -u -d '3 days ago' +%Y%m%d%H%M%SZ)
openssl ca -batch -config ca/ca.cnf -selfsign -keyfile expired.key \
    -in ca/expired.csr -out expired.crt -startdate "$start" -enddate "$end" \
    -notext >/dev/null 2>&1
test -s selfsigned.crt && test -s expired.crt
