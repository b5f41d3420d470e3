# Running the shell examples of the docs as tests. Source after lib.sh.
#
# The convention (docs/architecture.md, "Shell examples in the docs"):
#   ```sh      a shell example: every cradle / cradled / cradle-agent command and
#              option in it must exist (docs-examples.sh checks them all);
#   ```text, ```ini, ``` and others: output, files, schematics: not checked;
#   <!-- doc-test: NAME --> ... <!-- /doc-test -->: the sh blocks between the
#              markers are run for real, in order, in one shell, by a test.
#              A comment "# prints: TEXT" after a command says the block's
#              output has TEXT as a whole line; the runner checks it.

# doc_sh_blocks FILE [NAME]: the ```sh blocks of FILE (only those inside the
# doc-test NAME when given), each followed by a line "#@@end".
doc_sh_blocks() {
  awk -v want="${2:-}" '
    /^<!-- doc-test: / { sub(/^<!-- doc-test: /, ""); sub(/ -->.*$/, ""); section = $0; next }
    /^<!-- \/doc-test -->/ { section = ""; next }
    /^```sh[[:space:]]*$/ { if (want == "" || section == want) { inblock = 1; next } }
    /^```/ { if (inblock) { print "#@@end"; inblock = 0 }; next }
    inblock { print }
  ' "$1"
}

# doc_run_blocks FILE NAME [SED-SCRIPT]: runs the doc-test NAME of FILE in a
# new bash (set -euo pipefail) in the current directory, stdin from
# /dev/null, after applying SED-SCRIPT to the text (the only substitution a
# test may make: the server's URL). One TAP line per block, named after its
# first command; the first failing block ends the run with the output's tail.
# Sets DOC_LOG (the whole output).
doc_run_blocks() {
  local file=$1 name=$2 sedscript=${3:-} text n i script=$E2E_TMP/doc-$2.sh
  DOC_LOG=$E2E_TMP/doc-$name.log
  text=$(doc_sh_blocks "$file" "$name")
  [[ -n $sedscript ]] && text=$(sed -e "$sedscript" <<<"$text")
  n=$(grep -c '^#@@end$' <<<"$text")
  if [[ $n -eq 0 ]]; then tap_fail "$file has a doc-test '$name' with sh blocks"; return 1; fi
  # Each block is bracketed by markers on stdout, so its output can be told apart.
  awk 'BEGIN { i = 1; print "set -euo pipefail"; print "echo \"#@@begin 1\"" }
       /^#@@end$/ { print "echo \"#@@end " i "\""; i++; print "echo \"#@@begin " i "\""; next }
       { print }' <<<"$text" >"$script"
  bash "$script" </dev/null >"$DOC_LOG" 2>&1
  local rc=$? first want out
  for ((i = 1; i <= n; i++)); do
    first=$(awk -v b="$i" '/^#@@end$/ { k++; next } k + 1 == b && !/^[[:space:]]*(#|$)/ { print; exit }' <<<"$text")
    if ! grep -qx "#@@end $i" "$DOC_LOG"; then
      tap_fail "${file##*/} [$name] block $i runs: ${first:0:70}" "exit status $rc; output:" \
        "$(sed -n "/^#@@begin $i\$/,\$p" "$DOC_LOG" | tail -n 25)"
      return 1
    fi
    out=$(sed -n "/^#@@begin $i\$/,/^#@@end $i\$/p" "$DOC_LOG")
    tap_ok "${file##*/} [$name] block $i runs: ${first:0:70}"
    while IFS= read -r want; do
      [[ -z $want ]] && continue
      if grep -qxF -- "$want" <<<"$out"; then tap_ok "... it prints '$want' as the page says"
      else tap_fail "... it prints '$want' as the page says" "output: ${out:0:1500}"; fi
    done < <(awk -v b="$i" '/^#@@end$/ { k++; next } k + 1 == b && /# prints: / { sub(/.*# prints: /, ""); print }' <<<"$text")
  done
  return 0
}
