#!/bin/sh
# with_ca.sh COMMAND [ARGS...]: run COMMAND trusting the optional build secret
# `ca` (an extra CA certificate for networks behind a TLS-inspecting proxy),
# for apt, curl and Deno alike. Without the secret it just runs COMMAND.
#
# The Dockerfile runs every step that downloads through this script, as
#   RUN --mount=type=secret,id=ca,required=false with_ca.sh ...
# The secret is only mounted for that step, and the bundle made from it lives in
# a temporary file removed when COMMAND ends, so no image layer holds it.
set -eu
secret=/run/secrets/ca
if [ ! -s "$secret" ]; then
  exec "$@"
fi
bundle=$(mktemp)
trap 'rm -f "$bundle" "$bundle.apt"' EXIT
# The system's own CAs stay trusted (if ca-certificates is installed yet).
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then cat /etc/ssl/certs/ca-certificates.crt >>"$bundle"; fi
cat "$secret" >>"$bundle"
printf 'Acquire::https::CAInfo "%s";\n' "$bundle" >"$bundle.apt"
APT_CONFIG="$bundle.apt" CURL_CA_BUNDLE="$bundle" SSL_CERT_FILE="$bundle" DENO_CERT="$bundle" \
  NODE_EXTRA_CA_CERTS="$bundle" "$@"
