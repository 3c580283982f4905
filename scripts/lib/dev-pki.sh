# A development PKI for run-zones.sh, made with openssl: one CA per trust domain, one certificate per process.
# Source it, then call `ca` and `leaf` with the directory to write to in PKI_DIR. Keys are unencrypted P-256
# (PKCS#8 PEM), certificates carry serverAuth and clientAuth (a silo is both). Not for production: the CA keys
# lie next to the certificates.

ca() {  # ca <name> <subject>: a self-signed CA, 825 days
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
    -keyout "$PKI_DIR/$1.key" -out "$PKI_DIR/$1.pem" -subj "$2" 2>/dev/null
}

leaf() {  # leaf <ca> <name> <subject> <subjectAltName>: a certificate of <ca>, 365 days
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$PKI_DIR/$2.key" -out "$PKI_DIR/$2.csr" -subj "$3" 2>/dev/null
  openssl x509 -req -in "$PKI_DIR/$2.csr" -CA "$PKI_DIR/$1.pem" -CAkey "$PKI_DIR/$1.key" -CAcreateserial \
    -days 365 -out "$PKI_DIR/$2.pem" 2>/dev/null \
    -extfile <(printf "subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n" "$4")
  rm -f "$PKI_DIR/$2.csr"
}
