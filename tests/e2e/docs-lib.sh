# Running the shell examples of the docs as tests. Source after lib.sh.
#
# The convention (docs/architecture.md, "Shell examples in the docs"):
#   ```sh      a shell example: every cradle, cradled and cradle-agent command,
#              subcommand and option in it must exist (docs-examples.sh);
#   ```text, ```ini, ``` and others: output, files, synopses: not run;
#   <!-- doc-test: NAME --> ... <!-- /doc-test -->: the sh blocks between the
#              markers are run for real, in order, in one shell, by a test.
#              Inside such a section, a ```text block right after an sh block
#              is that block's expected output, and a comment "# prints: TEXT"
#              says the block prints TEXT; each such line must appear as a
#              whole line of what the block printed.

# doc_sh_blocks FILE [NAME]: the ```sh blocks of FILE (only those inside the
# doc-test NAME when given), each followed by a line "#@@end"; with NAME, a
# ```text block after an sh block follows as lines "#@@expect TEXT".
doc_sh_blocks() {
  awk -v want="${2:-}" '
    /^<!-- doc-test: / { sub(/^<!-- doc-test: /, ""); sub(/ -->.*$/, ""); section = $0; next }
    /^<!-- \/doc-test -->/ { section = ""; next }
    /^```sh[[:space:]]*$/ { if (want == "" || section == want) { inblock = 1; next } }
    /^```text[[:space:]]*$/ { if (want != "" && section == want) { inexpect = 1; next } }
    /^```/ { if (inblock) print "#@@end"; inblock = 0; inexpect = 0; next }
    inblock { print }
    inexpect { print "#@@expect " $0 }
  ' "$1"
}

# doc_run_blocks FILE NAME [SED-SCRIPT]: runs the doc-test NAME of FILE in a
# new bash (set -euo pipefail) in the current directory, with stdin from
# $DOC_STDIN (default /dev/null), after applying SED-SCRIPT to the text: the
# only change a test may make (the server's URL, a data directory). One TAP
# line per block, named after its first command, and one per expected line;
# the first failing block ends the run with the tail of its output.
# Sets DOC_LOG (everything the blocks printed, stdout and stderr).
doc_run_blocks() {
  local file=$1 name=$2 sedscript=${3:-} text n i script=$E2E_TMP/doc-$2.sh
  DOC_LOG=$E2E_TMP/doc-$name.log
  text=$(doc_sh_blocks "$file" "$name")
  [[ -n $sedscript ]] && text=$(sed -e "$sedscript" <<<"$text")
  n=$(grep -c '^#@@end$' <<<"$text")
  if [[ $n -eq 0 ]]; then tap_fail "${file##*/} has a doc-test '$name' with sh blocks"; return 1; fi
  # Markers on their own lines (output need not end in a newline) bracket
  # each block's output. Expected-output lines are not part of the script.
  awk 'BEGIN { i = 1; print "set -euo pipefail"; print "printf \"\\n#@@begin 1\\n\"" }
       /^#@@expect / { next }
       /^#@@end$/ { print "printf \"\\n#@@end " i "\\n\""; i++; print "printf \"\\n#@@begin " i "\\n\""; next }
       { print }' <<<"$text" >"$script"
  bash "$script" <"${DOC_STDIN:-/dev/null}" >"$DOC_LOG" 2>&1
  local rc=$? first want out
  for ((i = 1; i <= n; i++)); do
    first=$(awk -v b="$i" '/^#@@end$/ { k++; next } k + 1 == b && !/^[[:space:]]*(#|$)/ { print; exit }' <<<"$text")
    first=${first%%  #*}
    if ! grep -qx "#@@end $i" "$DOC_LOG"; then
      tap_fail "${file##*/} [$name] block $i runs: ${first:0:70}" "exit status $rc; the block's output ends:"
      sed -n "/^#@@begin $i\$/,\$p" "$DOC_LOG" | tail -n 25 | sed 's/^/#   /'
      return 1
    fi
    out=$(sed -n "/^#@@begin $i\$/,/^#@@end $i\$/p" "$DOC_LOG")
    tap_ok "${file##*/} [$name] block $i runs: ${first:0:70}"
    while IFS= read -r want; do
      [[ -z $want ]] && continue
      if grep -qxF -- "$want" <<<"$out"; then tap_ok "... it prints '$want' as the page says"
      else tap_fail "... it prints '$want' as the page says" "output: ${out:0:1500}"; fi
    done < <(awk -v b="$i" '
      /^#@@end$/ { k++; next }
      /^#@@expect / { if (k == b) { sub(/^#@@expect /, ""); print }; next }
      k + 1 == b && /# prints: / { sub(/.*# prints: /, ""); print }' <<<"$text")
  done
  return 0
}
