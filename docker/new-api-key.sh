#!/usr/bin/env bash
# Makes the API key of docker/compose.yaml: writes its SHA-256 to docker/api-keys.yaml (the file of
# the compose secret "api-keys", in the shape lambda.security.api-keys-file reads) and prints the key,
# which is stored nowhere else. Usage: docker/new-api-key.sh [file]
set -euo pipefail
file="${1:-$(dirname "$0")/api-keys.yaml}"
if [[ -e "$file" ]]; then
  echo "new-api-key: $file exists; add a key to it by hand to rotate, or remove it to start over" >&2
  exit 1
fi
# 32 random bytes as 64 hex digits: always the same length and 256 bits (base64 with '+' and '/'
# deleted came out 39-43 characters long)
key=$(head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n')
hash=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
# readable by the containers' user 10001: a compose secret is a bind mount that keeps the host's modes
umask 022
cat > "$file" <<YAML
# API keys of docker/compose.yaml (lambda.security.api-keys-file): hashes only, see docs/security.md.
# The services re-read this file when it changes. It is bind-mounted, so edit it in place
# (cat new.yaml > api-keys.yaml); a file replaced by a rename is not seen until a restart.
api-keys:
  - id: compose
    sha256: $hash
    scopes: [ingest, read, admin]
YAML
echo "$key"
