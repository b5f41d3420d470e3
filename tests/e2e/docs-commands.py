#!/usr/bin/env python3
"""Checks that every cradle, cradled and cradle-agent command the docs name
exists, with every option it is given.

Usage: docs-commands.py CRADLE CRADLED CRADLE_AGENT FILE.md...

Where commands are found (the convention in docs/architecture.md):
  - ```sh blocks: parsed as shell (quotes, comments, continuations, heredoc
    bodies skipped); each simple command whose program is one of the three;
  - inline code spans in prose, `cradle release sign ...`, and synopsis lines
    of plain ``` blocks that start with a program name: split on blanks;
    placeholders (MODEL, <x>, [..], ...) end the command path.
The truth is each program's own --help at every level, so a renamed or
removed command or option fails here until the docs follow.

Prints one line per file and kind: "ok<TAB>description" or
"not ok<TAB>description<TAB>detail|detail...".
"""
import re
import shlex
import subprocess
import sys

CRADLE, CRADLED, AGENT = sys.argv[1:4]
FILES = sys.argv[4:]
GLOBAL_VALUE_OPTS = {"--url", "--ca", "--token-file", "--config"}
GLOBAL_OPTS = GLOBAL_VALUE_OPTS | {"--json", "--help", "-h", "--version"}
PROGS = {"cradle": CRADLE, "cradled": CRADLED, "cradle-agent": AGENT}

_help_cache = {}


def help_text(argv):
    key = tuple(argv)
    if key not in _help_cache:
        p = subprocess.run(argv + ["--help"], capture_output=True, text=True)
        _help_cache[key] = (p.returncode, p.stdout + p.stderr)
    return _help_cache[key]


def subcommands(path):
    """The subcommands listed by `cradle PATH --help`, or [] for a leaf."""
    rc, text = help_text([CRADLE] + path)
    subs, inside = [], False
    for line in text.splitlines():
        if line.strip() in ("Commands:", "Subcommands:"):
            inside = True
            continue
        if inside:
            if not line.strip():
                break
            subs.append(line.split()[0])
    return subs


def options_in(text):
    return set(re.findall(r"--[a-z0-9][a-z0-9-]*", text))


def placeholder(word):
    return (not word or any(c in word for c in "<[{…$\"'") or "..." in word
            or word.isupper() or re.match(r"^[A-Z0-9_-]+$", word) is not None)


def clean_option(word):
    return word.strip("[](),.;:`").split("=")[0]


def check_cradle(words):
    """Returns (command path text, [problems])."""
    problems, i, path = [], 0, []
    opts = []
    while i < len(words) and words[i].startswith("-"):
        opts.append(words[i])
        i += 2 if clean_option(words[i]) in GLOBAL_VALUE_OPTS else 1
    if i < len(words) and words[i] == "help":
        return "cradle help", []
    while i < len(words):
        w = words[i].strip("`,.;:")
        subs = subcommands(path)
        if not subs or w.startswith("-") or placeholder(w):
            break
        alts = w.split("|")
        for a in alts:
            if a not in subs:
                problems.append("'cradle %s' is not a command (cradle %s--help lists: %s)"
                                % (" ".join(path + [a]), " ".join(path) + " " if path else "",
                                   ", ".join(subs)))
        if any(a not in subs for a in alts):
            return "cradle " + " ".join(path + [w]), problems
        path.append(alts[0])
        i += 1
    _, text = help_text([CRADLE] + path)
    known = options_in(text) | GLOBAL_OPTS
    for w in opts + words[i:]:
        if w.startswith("--") or w.startswith("[--"):
            o = clean_option(w)
            if o not in known and o != "--":
                problems.append("'cradle %s' has no option %s" % (" ".join(path), o))
    return "cradle " + " ".join(path), problems


def check_cradled(words):
    rc, text = help_text([CRADLED])
    commands = {"init", "run", "routes", "config-defaults", "help", "cvd-key",
                "kek-rotate"}  # secrets at rest (issue 11 section 6)
    problems = []
    cmd = "run"
    rest = words
    if words and not words[0].startswith("-") and not placeholder(words[0]):
        cmd, rest = words[0], words[1:]
        if cmd not in commands:
            problems.append("'cradled %s' is not a command" % cmd)
    known = options_in(text)
    for w in rest:
        if w.startswith("--"):
            o = clean_option(w)
            if o not in known:
                problems.append("'cradled %s' has no option %s" % (cmd, o))
    return "cradled " + cmd, problems


def check_agent(words):
    rc, text = help_text([AGENT])
    problems, i = [], 0
    while i < len(words) and words[i].startswith("-"):
        o = clean_option(words[i])
        if o not in options_in(text) and o not in ("-c", "--help-config", "--version"):
            problems.append("'cradle-agent' has no option %s" % o)
        i += 2 if o in ("-c", "--config") else 1
    cmd = words[i] if i < len(words) else ""
    if cmd and not placeholder(cmd):
        for a in cmd.split("|"):
            if a not in ("run", "once", "confirm", "boot", "status"):
                problems.append("'cradle-agent %s' is not a command" % a)
    return "cradle-agent " + cmd, problems


CHECKS = {"cradle": check_cradle, "cradled": check_cradled, "cradle-agent": check_agent}


def program_of(word):
    base = word.rsplit("/", 1)[-1]
    return base if base in PROGS else None


def sh_commands(lines):
    """(line number, program, words) of each command in one sh block."""
    out, joined, start, heredoc = [], "", None, None
    for n, line in lines:
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            continue
        if start is None:
            start = n
        if line.endswith("\\"):
            joined += line[:-1] + " "
            continue
        joined += line
        m = re.search(r"<<-?\s*['\"]?(\w+)['\"]?", joined)
        if m:
            heredoc = m.group(1)
        try:
            lex = shlex.shlex(joined, posix=True, punctuation_chars=";&|()<>")
            lex.whitespace_split = True
            lex.commenters = "#"
            tokens = list(lex)
        except ValueError:
            tokens = joined.split()
        cmd = []
        for t in tokens + [";"]:
            if t and all(c in ";&|()<>" for c in t):
                if cmd:
                    out.append((start, cmd))
                cmd = []
            else:
                cmd.append(t)
        joined, start = "", None
    result = []
    for n, cmd in out:
        while cmd and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", cmd[0]) and not program_of(cmd[0]):
            # VAR=value before the program, or an assignment like x=$(cradle ...)
            head, _, value = cmd[0].partition("=")
            if value.startswith("$") and len(cmd) > 1:
                cmd = cmd[1:]
                break
            cmd = cmd[1:]
        if cmd and cmd[0] in ("$", "exec", "sudo", "env"):
            cmd = cmd[1:]
        if cmd and program_of(cmd[0]):
            result.append((n, program_of(cmd[0]), cmd[1:]))
    return result


def file_commands(path):
    lines = open(path, encoding="utf-8").read().splitlines()
    found, block, lang = [], None, None
    for n, line in enumerate(lines, 1):
        m = re.match(r"^```(\w*)\s*$", line)
        if m and block is None:
            block, lang = [], m.group(1)
            continue
        if line.startswith("```") and block is not None:
            if lang in ("sh", "bash"):
                found += [(k, p, w, "sh block") for k, p, w in sh_commands(block)]
            elif lang == "":
                # Synopses ("cradle release sign RELEASE-ID --key REF"): checked
                # like inline spans; continuation lines are indented.
                # Two blanks start a description; " | " separates forms.
                for k, text in block:
                    for form in re.split(r"  +", text.strip())[0].split(" | "):
                        words = form.split()
                        if words and words[0] in PROGS:
                            found.append((k, words[0], words[1:], "synopsis"))
            block = None
            continue
        if block is not None:
            block.append((n, line))
            continue
        for span in re.findall(r"`((?:cradle|cradled|cradle-agent) [^`]+)`", line):
            words = span.split()
            found.append((n, words[0], words[1:], "inline"))
    return found


def main():
    for path in FILES:
        problems, commands = [], set()
        for n, prog, words, where in file_commands(path):
            name, probs = CHECKS[prog](words)
            commands.add(name)
            problems += ["%s:%d (%s): %s" % (path.rsplit("/", 1)[-1], n, where, p) for p in probs]
        short = path.rsplit("/", 1)[-1]
        desc = "%s: the %d commands it names exist, with their options" % (short, len(commands))
        if problems:
            print("not ok\t%s\t%s" % (desc, "|".join(sorted(set(problems)))))
        else:
            print("ok\t%s" % desc)


def leaves(path=None):
    path = path or []
    subs = subcommands(path)
    if not subs:
        return [path]
    out = []
    for sub in subs:
        out += leaves(path + [sub])
    return out


def check_reference(path):
    """docs/cli.md is the reference: every leaf command of `cradle --help` has
    its text there."""
    text = open(path, encoding="utf-8").read()
    missing = []
    for leaf in leaves():
        name = " ".join(leaf)
        # Headings may group subcommands: "cradle device list|show|revoke".
        group = re.escape(" ".join(leaf[:-1]))
        pat = r"cradle %s\b|cradle %s[ ]?(?:[a-z-]+\|)*%s(?:\||\b)" % (
            re.escape(name), group, re.escape(leaf[-1]))
        if not re.search(pat, text):
            missing.append("'cradle %s' is not described in %s" % (name, path.rsplit("/", 1)[-1]))
    desc = "cli.md describes every command of 'cradle --help'"
    print("not ok\t%s\t%s" % (desc, "|".join(missing)) if missing else "ok\t" + desc)


main()
for f in FILES:
    if f.endswith("/cli.md"):
        check_reference(f)
