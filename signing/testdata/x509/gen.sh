#!/usr/bin/env bash
# Regenerates the test PKI and the CMS signatures the X.509 tests use
# (signing/cms_test.go, tests/testdata/script/signing_x509.txtar):
#
#   root.pem            trusted anchor "caafix test root"
#   int.pem             intermediate issued by root
#   int-server.pem      intermediate limited to serverAuth (EKU), issued by root
#   codesign.pem        leaf, codeSigning, issued by int (RSA)
#   codesign-ec.pem     leaf, codeSigning, issued by int (ECDSA P-256)
#   server.pem          leaf, serverAuth only, issued by int
#   noeku.pem           leaf without any extended key usage, issued by int
#   expired.pem         leaf, codeSigning, valid 2020-01-01 to 2021-01-01 only
#   future.pem          leaf, codeSigning, valid 2100-01-01 to 2110-01-01 only
#   underserver.pem     leaf, codeSigning, issued by int-server
#   other-root.pem      an untrusted root; other.pem, codeSigning, issued by it
#
# Certificates other than expired.pem are valid for 100 years, so the tests
# do not expire. Every *.p7s is a detached signature of runbook.yaml made the
# way docs/signing-x509.md tells: openssl cms -sign -binary -outform DER.
# The private keys live only while this script runs: nothing needs them
# afterwards, and no key file is committed.
#
# Run from anywhere: bash signing/testdata/x509/gen.sh
set -euo pipefail
cd "$(dirname "$0")"
rm -f ./*.pem ./*.key ./*.p7s
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
days=36500

cat > "$work/ext.cnf" <<'CNF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ca_server]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[codesign]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[noeku]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

# key NAME [ec]: a private key.
key() {
  if [[ ${2:-} == ec ]]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
  else
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null
  fi
}

# root NAME CN: a self-signed root CA.
root() {
  key "$1"
  openssl req -x509 -new -key "$1.key" -subj "/O=caafix tests/CN=$2" -days $days \
    -config "$work/ext.cnf" -extensions ca -out "$1.pem"
}

# issue NAME CN ISSUER SECTION [ec]: a certificate for a new key, signed by ISSUER.
issue() {
  key "$1" "${5:-}"
  openssl req -new -key "$1.key" -subj "/O=caafix tests/CN=$2" -out "$work/$1.csr"
  openssl x509 -req -in "$work/$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial \
    -CAserial "$work/serial" -days $days -extfile "$work/ext.cnf" -extensions "$4" -out "$1.pem" 2>/dev/null
}

root root "caafix test root"
issue int "caafix test issuing CA" root ca
issue int-server "caafix test TLS-only CA" root ca_server
issue codesign "caafix test code signing" int codesign
issue codesign-ec "caafix test code signing EC" int codesign ec
issue server "caafix test web server" int server
issue noeku "caafix test no usage" int noeku
issue underserver "caafix test code signing under TLS CA" int-server codesign
root other-root "caafix untrusted root"
issue other "caafix test code signing, other PKI" other-root codesign

# dated NAME CN START END: a code-signing certificate issued by int with
# the given validity. openssl x509 -req cannot set a start date, openssl ca can.
mkdir -p "$work/ca"
: > "$work/ca/index.txt"
echo 1000 > "$work/ca/serial"
cat > "$work/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
dir = $work/ca
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
organizationName = supplied
commonName = supplied
CNF
dated() {
  key "$1"
  openssl req -new -key "$1.key" -subj "/O=caafix tests/CN=$2" -out "$work/$1.csr"
  openssl ca -batch -config "$work/ca.cnf" -cert int.pem -keyfile int.key -in "$work/$1.csr" \
    -startdate "$3" -enddate "$4" -extfile "$work/ext.cnf" -extensions codesign \
    -notext -out "$1.pem" 2>/dev/null
}
dated expired "caafix test expired code signing" 20200101000000Z 20210101000000Z
# future.pem becomes valid only in 2100: signed today, its signature carries
# a signing time before its validity.
dated future "caafix test future code signing" 21000101000000Z 21100101000000Z

cat > runbook.yaml <<'YAML'
apiVersion: caafix/v1
kind: Runbook
name: small
version: 3
title: Just the WAM cache
steps:
  - id: wam
    uses: dsregcmd.cleanupaccounts
YAML

# sign OUT SIGNER [openssl cms options...]: a detached signature of runbook.yaml.
sign() {
  local out=$1 signer=$2
  shift 2
  openssl cms -sign -binary -outform DER -in runbook.yaml -signer "$signer.pem" -inkey "$signer.key" "$@" -out "$out"
}
sign codesign.p7s codesign -certfile int.pem
sign codesign-noattr.p7s codesign -certfile int.pem -noattr
sign codesign-sha512.p7s codesign -certfile int.pem -md sha512
sign codesign-sha1.p7s codesign -certfile int.pem -md sha1
sign codesign-nochain.p7s codesign
sign codesign-nocerts.p7s codesign -nocerts
sign codesign-attached.p7s codesign -certfile int.pem -nodetach
sign codesign-ec.p7s codesign-ec -certfile int.pem
sign server.p7s server -certfile int.pem
sign noeku.p7s noeku -certfile int.pem
sign expired.p7s expired -certfile int.pem
sign future.p7s future -certfile int.pem
sign underserver.p7s underserver -certfile int-server.pem
sign other.p7s other -certfile other-root.pem
openssl cms -sign -binary -outform PEM -in runbook.yaml -signer codesign.pem -inkey codesign.key \
  -certfile int.pem -out codesign-pem.p7s
rm -f ./*.key
echo "regenerated $(ls ./*.pem | wc -l) certificates and $(ls ./*.p7s | wc -l) signatures in $PWD"
