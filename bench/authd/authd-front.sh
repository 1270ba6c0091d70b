#!/usr/bin/env bash
# authd-front.sh start|stop|verify DIR
#
# nginx (auth_request) + `ccsec authd` against the slapd-lab.sh directory in DIR (reads
# DIR/lab.env), the same decision Apache's anchor makes: Basic credentials, bind as the user over
# ldaps, member of cn=ccp-agents (nested groups resolved), /ccp/admin/ blocked.
#
#   /ccp/ok.txt    3-byte static file: one request = one decision
#
# Env: CCSEC (the ccsec binary, required), CACHE=on|off (authd cache ttl 600 s / off),
#      FRONT_CPUS (taskset list for nginx and authd), AUTHD_WORKERS (default 16).
# Writes DIR/authd.env (NGINX_URL, NGINX_PID, AUTHD_PID); files live in DIR/authd.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 start|stop|verify|status DIR" >&2; exit 2; }
CMD=$1
DIR=$(cd "$2" && pwd)
A="$DIR/authd"
CACHE=${CACHE:-on}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

start() {
    : "${CCSEC:?set CCSEC to the ccsec binary}"
    . "$DIR/lab.env"
    mkdir -p "$A/www/ccp/admin" "$A/tmp"
    printf 'ok\n' > "$A/www/ccp/ok.txt"
    printf '<p>admin</p>\n' > "$A/www/ccp/admin/index.html"
    chmod 755 "$DIR" "$A" "$A/www" "$A/www/ccp" "$A/www/ccp/admin"; chmod -R a+rX "$A/www"
    local ttl=600; [ "$CACHE" = off ] && ttl=0
    cat > "$A/authd.yaml" <<YAML
listen: 127.0.0.1:0
realm: ccp
workers: ${AUTHD_WORKERS:-16}
directory:
  servers: ["ldaps://127.0.0.1:$LDAPS_PORT"]
  ca_file: $LDAP_CA
  bind: "uid={user},ou=people,$LDAP_SUFFIX"
  nested: memberof
  group_base: "ou=groups,$LDAP_SUFFIX"
allowed_group: "$LDAP_GROUP_DN"
groups:
  - {group: "$LDAP_GROUP_DN", blocked_urls: ["/ccp/admin/*"]}
cache: {ttl_s: $ttl, max_entries: 10000}
throttle: {user_failures: 1000, address_failures: 100000, window_s: 60}
audit: {store: "sqlite:$A/audit.db"}
YAML
    local pre=()
    [ -n "${FRONT_CPUS:-}" ] && pre=(taskset -c "$FRONT_CPUS")
    "${pre[@]}" "$CCSEC" authd --config "$A/authd.yaml" > "$A/authd.log" 2>&1 &
    local apid=$!
    local port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/.*listen=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$A/authd.log")
        [ -n "$port" ] && break; sleep 0.05
    done
    [ -n "$port" ] || { cat "$A/authd.log" >&2; exit 1; }
    local nport; nport=$(free_port)
    cat > "$A/nginx.conf" <<NGX
worker_processes 1;
pid $A/nginx.pid;
error_log $A/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $A/tmp/body; proxy_temp_path $A/tmp/proxy;
  fastcgi_temp_path $A/tmp/fcgi; uwsgi_temp_path $A/tmp/uwsgi; scgi_temp_path $A/tmp/scgi;
  keepalive_requests 1000000;
  upstream authd { server 127.0.0.1:$port; keepalive 64; }
  server {
    listen 127.0.0.1:$nport;
    root $A/www;
    location /ccp/ {
      auth_request /_authd;
      auth_request_set \$authd_status \$upstream_status;
      error_page 500 = @authd_error;
    }
    location = /_authd {
      internal;
      proxy_pass http://authd/auth;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI \$request_uri;
      proxy_set_header X-Real-IP \$remote_addr;
    }
    location @authd_error {
      if (\$authd_status = 503) { return 503; }
      return 500;
    }
  }
}
NGX
    "${pre[@]}" /usr/sbin/nginx -p "$A" -c "$A/nginx.conf"
    for _ in $(seq 100); do [ -s "$A/nginx.pid" ] && break; sleep 0.05; done
    cat > "$DIR/authd.env" <<ENV
NGINX_URL=http://127.0.0.1:$nport/ccp/ok.txt
NGINX_PID=$(cat "$A/nginx.pid")
AUTHD_PID=$apid
AUTHD_PORT=$port
ENV
    echo "authd pid $apid  nginx pid $(cat "$A/nginx.pid")  http://127.0.0.1:$nport/ccp/  (CACHE=$CACHE)"
}

stop() {
    [ -f "$DIR/authd.env" ] || return 0
    . "$DIR/authd.env"
    alive "$NGINX_PID" && kill "$NGINX_PID"
    alive "$AUTHD_PID" && kill "$AUTHD_PID"
    for _ in $(seq 100); do alive "$NGINX_PID" || alive "$AUTHD_PID" || break; sleep 0.05; done
    rm -f "$DIR/authd.env"
}

verify() {
    . "$DIR/authd.env"
    local base=${NGINX_URL%/ok.txt} fail=0
    check() {  # expected user:pw path
        local got; got=$(curl -s -o /dev/null -w '%{http_code}' ${2:+-u "$2"} "$base$3")
        if [ "$got" = "$1" ]; then echo "ok   $1 ${2%%:*} $3"; else echo "FAIL $got (want $1) ${2%%:*} $3"; fail=1; fi
    }
    check 200 user0001:pw-0001 /ok.txt
    check 200 user0505:pw-0505 /ok.txt       # nested (ccp-supervisors in ccp-agents)
    check 403 user0600:pw-0600 /ok.txt       # in no group
    check 401 user0001:wrong /ok.txt
    check 401 lockeduser:pw-locked /ok.txt
    check 401 "" /ok.txt
    check 403 user0001:pw-0001 /admin/
    return $fail
}

case "$CMD" in
    start) start ;;
    stop) stop ;;
    verify) verify ;;
    status) [ -f "$DIR/authd.env" ] && cat "$DIR/authd.env" ;;
    *) exit 2 ;;
esac
