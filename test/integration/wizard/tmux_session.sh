#!/usr/bin/env bash
# One complete interactive `ccsec wizard` session in a real terminal (tmux): every answer is
# typed with send-keys after its prompt shows in capture-pane, including a line edited with
# the keyboard (libedit: a wrong character removed with BackSpace) and an invalid answer that
# is explained and asked again. The inventory written is then accepted by `ccsec check`.
# Usage: tmux_session.sh CCSEC_BINARY SOURCE_DIR      (exit 77: tmux missing)
set -euo pipefail
ccsec="$1"; src="$2"
command -v tmux >/dev/null || { echo "SKIP: tmux not installed"; exit 77; }
work="$(mktemp -d)"; sock="ccsec-wizard-$$"
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cp "$src/test/integration/wizard/hosts.csv" "$work/hosts.csv"

pane() { tmux -L "$sock" capture-pane -p -J -S -200 -t wiz; }
# wait_for TEXT: until the pane shows TEXT (10 s).
wait_for() {
  for _ in $(seq 200); do pane | grep -qF -- "$1" && return 0; sleep 0.05; done
  echo "timeout waiting for: $1"; echo "----- pane -----"; pane; exit 1
}
# answer PROMPT KEYS...: wait for the prompt, then type the keys (tmux key names allowed).
answer() { local p="$1"; shift; wait_for "$p"; tmux -L "$sock" send-keys -t wiz "$@"; }

# The wizard runs in a 160x50 terminal; the pane stays after it exits so its output can be read.
tmux -L "$sock" -f /dev/null new-session -d -s wiz -x 160 -y 50 \
  "cd '$work' && TERM=xterm '$ccsec' wizard; echo \"WIZARD-EXIT=\$?\"; sleep 600"
tmux -L "$sock" set-option -t wiz remain-on-exit on >/dev/null

answer "Deployment name [contact-center]: " "tmux-lab" Enter
answer "Security model [end-to-end]: " "full" Enter
wait_for "! expected one of unsecured|signaling|agent-media|end-to-end"
# Typed with a stray character, corrected with BackSpace before Enter (line editing).
tmux -L "$sock" send-keys -t wiz "agent-mediaX" BSpace Enter
answer "Minimum TLS version [1.2]: " Enter
answer "Busy hours" Enter
answer "Site names, comma separated [main]: " "east" Enter
answer "Site east: physical access [controlled]: " Enter
answer "Site east: zones [east-dc:datacenter:10.10.0.0/16, east-agents:agent:10.11.0.0/16]: " Enter
answer "Site east: perimeter firewall (none|nftables|asa) [none]: " "nftables" Enter
answer "Host CSV file [hosts.csv]: " Enter
wait_for "imported 6 host(s)"
answer "Host firewall on every server (yes|no) [yes]: " Enter
answer "IPsec for core servers (isolation|peer|none) [isolation]: " Enter
answer "Render the SQL Server hardening (yes|no) [yes]: " Enter
answer "Write the inventory to [inventory.yaml]: " Enter
answer "Render the enforcement bundle now (yes|no) [yes]: " Enter
answer "Bundle directory [bundle]: " Enter
answer "Issuing CA of the hosts' IPsec certificates (ccsec pki's) [CN=ccsec CA]: " Enter
wait_for "WIZARD-EXIT="
pane > "$work/pane.txt"
grep -qF "WIZARD-EXIT=0" "$work/pane.txt" || { cat "$work/pane.txt"; exit 1; }
grep -qF "wrote inventory.yaml (1 site(s), 6 host(s))" "$work/pane.txt"
grep -qF "Security model [end-to-end]: agent-media" "$work/pane.txt" || {
  echo "the edited line did not arrive as agent-media"; cat "$work/pane.txt"; exit 1; }

# The inventory it wrote: the typed answers, and ccsec check accepts it (0 or 1, never 2).
grep -qF "security_model: agent-media" "$work/inventory.yaml"
grep -qF "name: \"tmux-lab\"" "$work/inventory.yaml"
set +e; "$ccsec" check "$work/inventory.yaml" > "$work/check.out" 2>&1; rc=$?; set -e
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then echo "ccsec check exit $rc"; cat "$work/check.out"; exit 1; fi
[ -f "$work/bundle/manifest.json" ] && [ -f "$work/bundle/sites/east.perimeter.nft" ]
echo "tmux session: inventory written, ccsec check exit $rc, $(find "$work/bundle" -type f | wc -l) files rendered"
