#!/usr/bin/env bash
# Docker HEALTHCHECK of a lambda service image: GET /actuator/health/readiness on the service's
# actuator port, with bash alone (the JRE image has no curl). The port is MANAGEMENT_SERVER_PORT
# when set (the actuator then lives there only), else SERVER_PORT when set, otherwise the module's
# server.port from its application.yaml (deploy-tests keeps this table in step).
set -euo pipefail
case "${LAMBDA_MODULE:-}" in
  query-service)  default_port=8080 ;;
  ingest-service) default_port=8081 ;;
  speed-service)  default_port=8082 ;;
  batch-service)  default_port=8083 ;;
  *) echo "healthcheck: unknown LAMBDA_MODULE '${LAMBDA_MODULE:-}'" >&2; exit 1 ;;
esac
port="${MANAGEMENT_SERVER_PORT:-${SERVER_PORT:-$default_port}}"
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET /actuator/health/readiness HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
status=$(head -n 1 <&3)
exec 3<&-
[[ "$status" == *" 200"* ]]
