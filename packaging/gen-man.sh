#!/bin/sh
# Generates the man pages from the CLI's own help (help2man), one for `ccsec` and one per
# subcommand (ccsec-SUB.1), gzipped as Debian wants them. Usage: gen-man.sh CCSEC_BIN OUTDIR
set -eu
bin=$1; out=$2
mkdir -p "$out"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
version=$("$bin" --version | sed 's/^ccsec //')
gen() {  # gen PROGRAM NAME DESCRIPTION
  help2man --no-info --section=1 --version-string="$version" --name="$3" \
    --source="ccsec $version" --manual="ccsec manual" --no-discard-stderr "$1" > "$tmp/$2.1"
  gzip -9n -c "$tmp/$2.1" > "$out/$2.1.gz"
}
gen "$bin" ccsec "security plane for enterprise contact centers"
# Subcommands and their one-line summaries, read from the main help.
"$bin" --help | awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{print $1 "\t" substr($0, index($0,$2))}' |
while IFS="$(printf '\t')" read -r sub summary; do
  wrapper="$tmp/ccsec-$sub"
  printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$bin" "$sub" > "$wrapper"
  chmod +x "$wrapper"
  gen "$wrapper" "ccsec-$sub" "$(printf '%s' "$summary" | sed 's/[[:space:]]*$//' | tr 'A-Z' 'a-z' | cut -c1 )$(printf '%s' "$summary" | cut -c2- | sed 's/\.$//')"
done
