#!/bin/sh
# Writes a set of throwaway client keys in every private key format and
# cipher that OpenSSH's ssh-keygen produces, for the authentication tests.
# Nothing here is a real credential: every key is generated on each run.
#
# Usage: make-keys.sh OUTDIR PASSPHRASE
#
# Each NAME is a private key with NAME.pub beside it; the encrypted ones use
# PASSPHRASE.
#   ed25519-plain                 OpenSSH format, not encrypted
#   ed25519-aes256-ctr-bcrypt16   OpenSSH format, aes256-ctr, 16 bcrypt rounds
#   ed25519-CIPHER                OpenSSH format, each cipher that OpenSSH 9.2
#                                 lists in ssh -Q cipher
#   rsa-openssh-plain             OpenSSH format RSA
#   rsa-pem-plain                 "BEGIN RSA PRIVATE KEY"
#   rsa-pem-encrypted             PEM with Proc-Type and DEK-Info headers
#   rsa-pkcs8-plain               "BEGIN PRIVATE KEY"
#   rsa-pkcs8-encrypted           "BEGIN ENCRYPTED PRIVATE KEY"
#   ecdsa256-plain                OpenSSH format ECDSA P-256
#   ecdsa384-pem-plain            "BEGIN EC PRIVATE KEY"
#   ecdsa521-aes256-ctr           OpenSSH format ECDSA P-521, encrypted
#   wrong-passphrase              a copy of ed25519-aes256-ctr-bcrypt16, to be
#                                 given another passphrase
#   mismatched-pub                the private key of ed25519-plain with the
#                                 public file of rsa-openssh-plain
set -eu

out=${1:?usage: make-keys.sh OUTDIR PASSPHRASE}
passphrase=${2:?usage: make-keys.sh OUTDIR PASSPHRASE}
mkdir -p "$out"
cd "$out"

keygen() {
    ssh-keygen -q "$@" </dev/null
}

keygen -t ed25519 -N '' -C plain -f ed25519-plain
keygen -t ed25519 -N "$passphrase" -a 16 -C bcrypt16 -f ed25519-aes256-ctr-bcrypt16
for cipher in 3des-cbc aes128-cbc aes192-cbc aes256-cbc aes128-ctr aes192-ctr aes256-ctr \
    aes128-gcm@openssh.com aes256-gcm@openssh.com chacha20-poly1305@openssh.com; do
    keygen -t ed25519 -N "$passphrase" -Z "$cipher" -C "$cipher" -f "ed25519-$cipher"
done

keygen -t rsa -b 3072 -N '' -C rsa-openssh -f rsa-openssh-plain
keygen -t rsa -b 3072 -N '' -m PEM -C rsa-pem -f rsa-pem-plain
keygen -t rsa -b 3072 -N "$passphrase" -m PEM -C rsa-pem-encrypted -f rsa-pem-encrypted
keygen -t rsa -b 3072 -N '' -m PKCS8 -C rsa-pkcs8 -f rsa-pkcs8-plain
keygen -t rsa -b 3072 -N "$passphrase" -m PKCS8 -C rsa-pkcs8-encrypted -f rsa-pkcs8-encrypted

keygen -t ecdsa -b 256 -N '' -C ecdsa256 -f ecdsa256-plain
keygen -t ecdsa -b 384 -N '' -m PEM -C ecdsa384-pem -f ecdsa384-pem-plain
keygen -t ecdsa -b 521 -N "$passphrase" -C ecdsa521 -f ecdsa521-aes256-ctr

cp ed25519-aes256-ctr-bcrypt16 wrong-passphrase
cp ed25519-aes256-ctr-bcrypt16.pub wrong-passphrase.pub
cp ed25519-plain mismatched-pub
cp rsa-openssh-plain.pub mismatched-pub.pub
chmod 0600 wrong-passphrase mismatched-pub
