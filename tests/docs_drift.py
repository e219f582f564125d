#!/usr/bin/env python3
"""Fails when the option table, --help, the man pages and the bash completion drift apart.

usage: docs_drift.py CONNWATCH SOURCE_ROOT

The truth is the option table in src/options.c (with the command masks and short letters of
src/options.h) and the command table in src/commands.c. Checked against it:
  - `connwatch --help` (and `connwatch COMMAND --help`) lists every option and command;
  - man/connwatch.1 and man/connwatch.id.1 describe every option and command in a .TP entry of
    their OPTIONS / COMMANDS sections (OPSI / PERINTAH in Indonesian), and none that is gone;
  - contrib/bash-completion/connwatch, run in bash, completes every command and, after each
    command, every option that applies to it; an option that takes a value has a `case $prev`
    branch there, so the completion does not offer commands where a value belongs.
Each failure says what to add, and where.
"""
import os
import re
import subprocess
import sys

MAN_PAGES = {
    # page: (OPTIONS section title, COMMANDS section title)
    "man/connwatch.1": ("OPTIONS", "COMMANDS"),
    "man/connwatch.id.1": ("OPSI", "PERINTAH"),
}
COMPLETION = "contrib/bash-completion/connwatch"


def read(root, path):
    with open(os.path.join(root, path), encoding="utf-8") as f:
        return f.read()


def command_bits(root):
    """CMD_LIST -> bit value, and macros such as CMD_SNAPSHOT -> their mask."""
    text = read(root, "src/options.h")
    bits = {m[0]: 1 << int(m[1]) for m in re.findall(r"\b(CMD_[A-Z_]+)\s*=\s*1u?\s*<<\s*(\d+)", text)}
    for name, value in re.findall(r"\b(CMD_[A-Z_]+)\s*=\s*(0x[0-9a-fA-F]+)u?", text):
        bits[name] = int(value, 16)
    for name, expr in re.findall(r"#define\s+(CMD_[A-Z_]+)\s+\(([^)]*)\)", text):
        bits[name] = mask_of(expr, bits)
    return bits


def mask_of(expr, bits):
    mask = 0
    for part in expr.split("|"):
        part = part.strip().strip("()")
        if part not in bits:
            raise SystemExit(f"docs_drift.py: cannot evaluate command mask '{expr}' "
                             f"(unknown {part}); teach command_bits() about it")
        mask |= bits[part]
    return mask


def option_table(root, bits):
    """[(long name, short letter or None, argument or None, help, mask)] from src/options.c."""
    header = read(root, "src/options.h")
    shorts = dict(re.findall(r"\b(OPT_[A-Z0-9_]+)\s*=\s*'(.)'", header))
    text = read(root, "src/options.c")
    table = text[text.index("cw_option_defs[] = {"):]
    table = table[:table.index("\n};")]
    entry = re.compile(r'\{\s*"([a-z0-9-]+)",\s*(OPT_[A-Z0-9_]+),\s*(NULL|"[^"]*"),\s*'
                       r'N_\(((?:"(?:[^"\\]|\\.)*"\s*)+)\),\s*([A-Z_|\s()]+?)\s*\}', re.S)
    options = []
    for name, opt_id, arg, help_parts, mask in entry.findall(table):
        help_text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', help_parts))
        options.append((name, shorts.get(opt_id), None if arg == "NULL" else arg.strip('"'),
                        help_text, mask_of(mask, bits)))
    declared = len(re.findall(r'^\s*\{\s*"[a-z0-9-]+",\s*OPT_', table, re.M))
    if declared != len(options) or not options:
        raise SystemExit(f"docs_drift.py: read {len(options)} of {declared} entries of "
                         "cw_option_defs in src/options.c; keep each entry in the form "
                         '{"name", OPT_ID, "ARG" or NULL, N_("help"), CMD_MASK}')
    return options


def command_table(root, bits):
    """[(name, bit)] from src/commands.c."""
    text = read(root, "src/commands.c")
    cmds = re.findall(r'\.name\s*=\s*"([a-z0-9-]+)",\s*\.bit\s*=\s*(CMD_[A-Z_]+)', text)
    if not cmds:
        raise SystemExit("docs_drift.py: no command found in src/commands.c")
    return [(name, bits[bit]) for name, bit in cmds]


def help_text(binary, *args):
    env = dict(os.environ, LC_ALL="C", LANGUAGE="")
    return subprocess.run([binary, "--lang", "en", *args, "--help"], capture_output=True,
                          text=True, env=env, check=True).stdout


def help_options(text):
    return set(re.findall(r"^ +(?:-[^ -], )?--([a-z0-9-]+)", text, re.M))


def help_commands(text):
    section = text.split("Commands:", 1)[1].split("\n\n", 1)[0] if "Commands:" in text else ""
    return set(re.findall(r"^  ([a-z][a-z0-9-]*)\s", section, re.M))


def man_sections(text):
    """Section title -> list of .TP tag lines (with roff's \\- turned into -)."""
    sections, current, tags, after_tp = {}, None, None, False
    for line in text.splitlines():
        if line.startswith(".SH"):
            current = line[3:].strip().strip('"')
            tags = sections.setdefault(current, [])
            after_tp = False
            continue
        if line.startswith(".TP"):
            after_tp = True
            continue
        if after_tp and tags is not None:
            tags.append(line.replace("\\-", "-"))
        after_tp = False
    return sections


def man_entry(name, short, arg, help_text):
    tag = (f'.BR \\-{short} ", " \\-\\-{name}' if short else f".B \\-\\-{name}")
    if arg:
        tag = (f'.BR \\-{short} ", " \\-\\-{name} " {arg}"' if short
               else f'.BI \\-\\-{name} " {arg}"')
    return f".TP\n{tag}\n{help_text[0].upper() + help_text[1:]}."


def check_man(root, page, titles, options, commands, problems):
    try:
        text = read(root, page)
    except FileNotFoundError:
        problems.append(f"{page} is missing: create it (see man/connwatch.1) and install it in "
                        "man/meson.build")
        return
    sections = man_sections(text)
    opt_title, cmd_title = titles
    for title in titles:
        if title not in sections:
            problems.append(f"{page}: no '.SH {title}' section: add it")
    opt_tags = " ".join(sections.get(opt_title, []))
    documented = set(re.findall(r"--([a-z0-9][a-z0-9-]*)", opt_tags))
    for name, short, arg, help_text, _ in options:
        if name not in documented:
            note = "" if page == "man/connwatch.1" else " (in the page's language)"
            problems.append(f"{page}: option --{name} (src/options.c) is not documented. Add to "
                            f"section {opt_title}{note}:\n{man_entry(name, short, arg, help_text)}")
        elif short and not re.search(rf"(^|[\s\"])-{re.escape(short)}([\s\",]|$)", opt_tags):
            problems.append(f"{page}: option --{name} has the short form -{short}: write the "
                            f"tag as .BR \\-{short} \", \" \\-\\-{name}")
    for name in sorted(documented - {o[0] for o in options}):
        problems.append(f"{page}: section {opt_title} documents --{name}, which src/options.c "
                        "does not have: remove it (or add the option to the table)")
    cmd_tags = sections.get(cmd_title, [])
    documented_cmds = {m.group(1) for t in cmd_tags
                       for m in [re.match(r"\.BR?\s+\"?([a-z][a-z0-9-]*)", t)] if m}
    for name, _ in commands:
        if name not in documented_cmds:
            problems.append(f"{page}: command '{name}' (src/commands.c) is not documented. Add "
                            f"to section {cmd_title}:\n.TP\n.B {name}\n<what it does>")
    for name in sorted(documented_cmds - {c[0] for c in commands}):
        problems.append(f"{page}: section {cmd_title} documents command '{name}', which "
                        "src/commands.c does not have: remove it")


def complete(root, binary, words):
    """Runs the completion function for `words` (the last one is being typed)."""
    script = (f'. "{os.path.join(root, COMPLETION)}"\n'
              'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}\n'
              "_connwatch connwatch \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
              'printf "%s\\n" "${COMPREPLY[@]}"\n')
    out = subprocess.run(["bash", "-c", script, "complete", binary, *words],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{COMPLETION} failed in bash for {words}: {out.stderr}")
    return set(out.stdout.split())


def check_completion(root, binary, options, commands, problems):
    if not os.path.exists(os.path.join(root, COMPLETION)):
        problems.append(f"{COMPLETION} is missing")
        return
    offered = complete(root, binary, [""])
    for name, _ in commands:
        if name not in offered:
            problems.append(f"{COMPLETION}: `connwatch <TAB>` does not offer the command "
                            f"'{name}' (it reads the 'Commands:' lines of --help: keep the "
                            "command listed there)")
    for cmd, bit in [("", 0xffff)] + commands:
        words = ([cmd] if cmd else []) + ["--"]
        offered = complete(root, binary, words)
        for name, _, _, _, mask in options:
            if mask & bit and f"--{name}" not in offered:
                where = f"connwatch {cmd} --<TAB>" if cmd else "connwatch --<TAB>"
                problems.append(f"{COMPLETION}: `{where}` does not offer --{name}, which "
                                f"applies to {cmd or 'some command'} (its --help must list it)")
    # An argument spelled as a choice ("netlink|proc") is completed with exactly those words,
    # after "--opt ", "--opt=" (one word) and "--opt" "=" (bash's own split at '=').
    for name, _, arg, _, _ in options:
        if not arg or not re.fullmatch(r"[a-z0-9-]+(\|[a-z0-9-]+)+", arg):
            continue
        want = set(arg.split("|"))
        for words in ([f"--{name}", ""], [f"--{name}="], [f"--{name}", "="]):
            got = complete(root, binary, words)
            if got != want:
                problems.append(f"{COMPLETION}: after `connwatch {' '.join(words)}` the completion "
                                f"offers {sorted(got)}, but --{name} takes {arg}: list exactly "
                                f"those words in its `case $prev in` branch")
    text = read(root, COMPLETION)
    cases = " ".join(re.findall(r"^\s*([-a-z0-9 |]+)\)\s*$", text, re.M))
    for name, short, arg, _, _ in options:
        if arg and f"--{name}" not in cases.split():
            problems.append(f"{COMPLETION}: --{name} takes a value ({arg}): add '--{name}' to a "
                            "`case $prev in` branch (compgen -f for files, -d for directories, "
                            "-W for a fixed list, or the branch that returns nothing)")
        if arg and short and f"-{short}" not in cases.split():
            problems.append(f"{COMPLETION}: -{short} takes a value ({arg}): add '-{short}' next "
                            f"to --{name} in its `case $prev in` branch")


def main():
    binary, root = sys.argv[1], sys.argv[2]
    bits = command_bits(root)
    options = option_table(root, bits)
    commands = command_table(root, bits)
    problems = []

    text = help_text(binary)
    for name in sorted({o[0] for o in options} - help_options(text)):
        problems.append(f"connwatch --help does not list --{name}: check options_print_help()")
    for name in sorted(help_options(text) - {o[0] for o in options}):
        problems.append(f"connwatch --help lists --{name}, which src/options.c does not have")
    for name, _ in commands:
        if name not in help_commands(text):
            problems.append(f"connwatch --help does not list the command '{name}' under "
                            "'Commands:'")

    for page, titles in MAN_PAGES.items():
        check_man(root, page, titles, options, commands, problems)
    check_completion(root, binary, options, commands, problems)

    if problems:
        print(f"{len(problems)} documentation problem(s): the option table (src/options.c), "
              "--help, the man pages and the bash completion must name the same options and "
              "commands.\n")
        for p in problems:
            print(f"- {p}\n")
        return 1
    print(f"# {len(options)} options and {len(commands)} command(s) agree across src/options.c, "
          f"--help, {', '.join(MAN_PAGES)} and {COMPLETION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
