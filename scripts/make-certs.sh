#!/usr/bin/env bash
# Writes the TEST-ONLY PKI the harness uses into certs/: a root CA, an intermediate CA and a server leaf for
# "localhost" (with 127.0.0.1 and ::1 as addresses), and a client CA of its own with a client leaf (for
# post-handshake client authentication), all ECDSA P-256 and valid for 100 years so that the committed
# files never expire under CI. Never trust these keys anywhere else: the private keys are public.
set -euo pipefail
out=${1:-certs}
days=36500
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

openssl ecparam -name prime256v1 -genkey -noout -out "$work/ca.key"
openssl req -x509 -new -key "$work/ca.key" -sha256 -days "$days" -subj "/O=TLSInterop TEST ONLY/CN=TLSInterop Test Root CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$out/ca.pem"

openssl ecparam -name prime256v1 -genkey -noout -out "$work/intermediate.key"
openssl req -new -key "$work/intermediate.key" -subj "/O=TLSInterop TEST ONLY/CN=TLSInterop Test Intermediate CA" -out "$work/intermediate.csr"
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > "$work/intermediate.ext"
openssl x509 -req -in "$work/intermediate.csr" -CA "$out/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -sha256 -days "$days" \
  -extfile "$work/intermediate.ext" -out "$work/intermediate.pem"

openssl ecparam -name prime256v1 -genkey -noout -out "$work/server.key"
openssl pkcs8 -topk8 -nocrypt -in "$work/server.key" -out "$out/server.key"
openssl req -new -key "$out/server.key" -subj "/O=TLSInterop TEST ONLY/CN=localhost" -out "$work/server.csr"
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n' > "$work/server.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/intermediate.pem" -CAkey "$work/intermediate.key" -CAcreateserial -sha256 \
  -days "$days" -extfile "$work/server.ext" -out "$work/server.pem"

# Leaf first, then the intermediate: the order TLS sends them in.
cat "$work/server.pem" "$work/intermediate.pem" > "$out/server-chain.pem"
openssl verify -CAfile "$out/ca.pem" -untrusted "$work/intermediate.pem" "$work/server.pem"

# Clients are vouched for by a CA of their own, as servers that ask for client certificates usually arrange.
openssl ecparam -name prime256v1 -genkey -noout -out "$work/client-ca.key"
openssl req -x509 -new -key "$work/client-ca.key" -sha256 -days "$days" -subj "/O=TLSInterop TEST ONLY/CN=TLSInterop Test Client CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$out/client-ca.pem"
openssl ecparam -name prime256v1 -genkey -noout -out "$work/client.key"
openssl pkcs8 -topk8 -nocrypt -in "$work/client.key" -out "$out/client.key"
openssl req -new -key "$out/client.key" -subj "/O=TLSInterop TEST ONLY/CN=tls-interop client" -out "$work/client.csr"
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > "$work/client.ext"
openssl x509 -req -in "$work/client.csr" -CA "$out/client-ca.pem" -CAkey "$work/client-ca.key" -CAserial "$work/client-ca.srl" -CAcreateserial -sha256 \
  -days "$days" -extfile "$work/client.ext" -out "$out/client-chain.pem"
openssl verify -CAfile "$out/client-ca.pem" -purpose sslclient "$out/client-chain.pem"
echo "wrote $out/ca.pem $out/server-chain.pem $out/server.key $out/client-ca.pem $out/client-chain.pem $out/client.key (TEST ONLY)"
