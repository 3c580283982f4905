#!/bin/sh
# The development PKI of docker-compose.yml, made once by its one-shot `certs` service (or by hand:
# `sh deploy/compose/make-certs.sh DIR`). Three trust domains, as README's "Trust between zones" advises:
#   orleans-zone1-ca, orleans-zone2-ca  each zone's Orleans cluster (silo and gateway ports): a zone 1 certificate
#                                        cannot join or call zone 2's cluster, nor the other way round
#   finger-ca                           finger gateways, the web frontend's finger client and users' finger clients
#   zk-ca                               ZooKeeper's TLS port and the deployment's one ZooKeeper identity CN=orleans-zuul
# Existing files are kept, so restarting the service changes nothing; delete the volume for new certificates.
set -eu
dir=${1:?usage: make-certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
if [ -f complete ]; then
  echo "make-certs: certificates already in $dir"
  exit 0
fi
umask 077

ca() {  # ca <name> <subject>
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
    -keyout "$1.key" -out "$1.pem" -subj "$2" 2>/dev/null
}
leaf() {  # leaf <ca> <name> <subject> <subjectAltName>: serverAuth and clientAuth (a silo is both), 1 year
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$2.key" -out "$2.csr" -subj "$3" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$4" > "$2.ext"
  openssl x509 -req -in "$2.csr" -CA "$1.pem" -CAkey "$1.key" -CAcreateserial -days 365 -out "$2.pem" \
    -extfile "$2.ext" 2>/dev/null
  rm -f "$2.csr" "$2.ext"
}

ca zk-ca "/CN=Orleans.Zuul compose ZooKeeper CA"
# Zone 1 reaches ZooKeeper as `zookeeper` on its network, zone 2 at the host's published port (host.docker.internal).
leaf zk-ca zookeeper "/CN=zookeeper" "DNS:zookeeper,DNS:host.docker.internal"
cat zookeeper.key zookeeper.pem > zookeeper-keystore.pem
leaf zk-ca zk-client "/CN=orleans-zuul" "DNS:orleans-zuul"

ca orleans-zone1-ca "/CN=Orleans.Zuul compose zone1 cluster CA"
for name in silo-zone1 web executor1; do leaf orleans-zone1-ca "orleans-$name" "/CN=$name" "DNS:$name"; done
ca orleans-zone2-ca "/CN=Orleans.Zuul compose zone2 cluster CA"
for name in silo-zone2 executor2 executor3; do leaf orleans-zone2-ca "orleans-$name" "/CN=$name" "DNS:$name"; done

ca finger-ca "/CN=Orleans.Zuul compose finger CA"
# Each gateway's certificate names its registered hostname (FingerGateway:Hostname), which clients verify.
leaf finger-ca finger-silo-zone1 "/CN=gateway-zone1" "DNS:gateway-zone1"
leaf finger-ca finger-silo-zone2 "/CN=gateway-zone2" "DNS:gateway-zone2"
leaf finger-ca finger-web "/CN=web" "DNS:web"
# For people (and scripts/compose-test.sh) streaming from the host through a published gateway port.
leaf finger-ca finger-user "/CN=finger-user" "DNS:finger-user"

rm -f ./*.srl
chmod 644 ./*.pem
chmod 600 ./*.key zookeeper-keystore.pem
# ZooKeeper's image runs the server as its user `zookeeper` (uid 1000); every other service runs as root.
chown 1000:1000 zookeeper-keystore.pem
touch complete
echo "make-certs: certificates made in $dir"
