#!/usr/bin/env python3
"""Runs and checks every code block of the README and the docs, so that they cannot drift.

Each fenced block says what it is by its language:
  console  a transcript: its `$ ` lines run in one bash, one after the other, as typed (from the
           repository's root, stderr with stdout), and what each prints must be the lines that
           follow it; a line `...` stands for any lines, and `...` inside a line for any text there.
  sh       commands: each runs (bash, from the repository's root) and must exit 0, unless the
           table RUN_ELSEWHERE below names the CI step that runs it, which must hold its words.
  java     code: its lines must stand, in order and together, in a test source of the repository
           that the build compiles and runs (leading spaces aside).
  xml      Maven configuration: its lines must stand together in a pom.xml that CI builds.
  text     a diagram or output shown as it was: nothing to run.
A block with no language is an error: every block says which of these it is.

usage: .ci/check-docs.py [--list] [FILE.md...]     (default: README.md, CONTRIBUTING.md, docs/*.md, vagrant/README.md)
"""
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Commands the documents show that CI runs elsewhere, with what it runs them in: the script must
# contain the given words (so the document and CI say the same thing).
RUN_ELSEWHERE = {
    "mvn verify": (".ci/run", "mvn -B -ntp verify"),
    "./barco -u 0 -m / -c /bin/sh -a .": (".ci/check-docs.py", "DEMO"),  # driven through a terminal below
    "mvn -B -q install -DskipTests": (".ci/run", "mvn -B -ntp -q install -DskipTests"),
    "cd vagrant && vagrant up && vagrant ssh -c 'cd /vagrant && sudo mvn verify'":
        ("vagrant/systemd-vm-tests.sh", "sudo mvn"),
    "vagrant/cgroup-v2-tests.sh": (".ci/run", "vagrant/cgroup-v2-tests.sh"),
    "vagrant/junit-v2-tests.sh": (".ci/run", "vagrant/junit-v2-tests.sh"),
    "vagrant/run-in-vm.sh -- COMMAND...": ("vagrant/cgroup-v2-tests.sh", "vagrant/run-in-vm.sh --"),
    "vagrant/systemd-vm-tests.sh": (".ci/run", "vagrant/systemd-vm-tests.sh"),
}

# The demo's shell, on a terminal as a user has it: what it types, and a line it must see.
DEMO = ("./barco -u 0 -m / -c /bin/sh -a .", 'echo "i am a container on $(hostname)"; exit\n',
        "i am a container on barcontainer")

FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
MARK = "__barco_check_docs_end_of_command__"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def blocks(path):
    """(language, first line number, lines) of each fenced block, its indentation removed."""
    found, lang, start, indent, body = [], None, 0, "", []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f.read().split("\n"), 1):
            m = FENCE.match(line)
            if lang is None and m:
                lang, start, indent, body = m.group(2), number, m.group(1), []
            elif lang is not None and m and m.group(2) == "" and len(m.group(1)) <= len(indent):
                found.append((lang, start, body))
                lang = None
            elif lang is not None:
                body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
    return found


def strip_comment(command):
    """The command without a trailing `# comment` (not inside quotes)."""
    quote = None
    for i, c in enumerate(command):
        if c in "'\"" and quote in (None, c):
            quote = None if quote == c else c
        elif c == "#" and quote is None and (i == 0 or command[i - 1] == " "):
            return command[:i].rstrip()
    return command.rstrip()


def run(command, stdin=None, timeout=900):
    p = subprocess.run(["bash", "-c", command], cwd=ROOT, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=timeout)
    return p.returncode, p.stdout


def matches(expected, actual):
    """Expected lines against actual ones: `...` alone is any lines, `...` in a line any text."""
    def line_ok(e, a):
        return re.fullmatch(".*".join(re.escape(part) for part in e.split("...")), a) is not None

    def walk(i, j):
        if i == len(expected):
            return j == len(actual)
        if expected[i] == "...":
            return any(walk(i + 1, k) for k in range(j, len(actual) + 1))
        return j < len(actual) and line_ok(expected[i], actual[j]) and walk(i + 1, j + 1)
    return walk(0, 0)


def sources(pattern):
    for path in glob.glob(os.path.join(ROOT, pattern), recursive=True):
        if "/target/" not in path:
            with open(path, encoding="utf-8") as f:
                yield path, [line.strip() for line in f.read().split("\n")]


def contained(lines, pattern):
    wanted = [line.strip() for line in lines if line.strip()]
    for path, have in sources(pattern):
        have = [line for line in have if line]
        for i in range(len(have) - len(wanted) + 1):
            if have[i:i + len(wanted)] == wanted:
                return os.path.relpath(path, ROOT)
    return None


def check_console(where, body, listing):
    """A transcript: its `$ ` lines run in one bash, and each prints the lines that follow it."""
    problems, done = [], 0
    commands = []
    for line in body:
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
    for _, expected in commands:
        while expected and expected[-1] == "":
            expected.pop()
    if listing:
        for command, _ in commands:
            print(f"{where}: run {command}")
        return problems, done
    # one shell for the block, as a user types it: `$ echo $?` sees the command before
    script = ["exec 2>&1"]
    for command, _ in commands:
        script += [command, "__status=$?", f"printf '\\n%s\\n' {MARK}", "(exit $__status)"]
    _, out = run("\n".join(script))
    out = ANSI.sub("", out)  # colour codes (Maven 3.8 prints them even with -B -q) are not text
    outputs = out.split(f"\n{MARK}\n")
    for (command, expected), printed in zip(commands, outputs + [""] * len(commands)):
        actual = printed.strip("\n").split("\n") if printed.strip("\n") else []
        if not matches(expected, actual):
            problems.append(f"{where}: `{command}` printed:\n  " + "\n  ".join(actual)
                            + "\n  where the document shows:\n  " + "\n  ".join(expected))
        done += 1
    return problems, done


def check_sh(where, body, listing):
    """Commands: each exits 0, or is one RUN_ELSEWHERE names and its CI step holds its words."""
    problems, done = [], 0
    for line in body:
        command = strip_comment(line)
        if not command:
            continue
        if command in RUN_ELSEWHERE:
            script, words = RUN_ELSEWHERE[command]
            target = os.path.join(ROOT, script)
            if not os.path.exists(target) or words not in open(target, encoding="utf-8").read():
                problems.append(f"{where}: `{command}` is said to run in {script}, which lacks `{words}`")
            if listing:
                print(f"{where}: run by {script}: {command}")
            continue
        if listing:
            print(f"{where}: run {command}")
            continue
        code, out = run(command)
        if code != 0:
            problems.append(f"{where}: `{command}` exited {code}:\n  " + out[-2000:].replace("\n", "\n  "))
        done += 1
    return problems, done


def check_contained(pattern, kind, missing):
    """A checker of blocks whose lines must stand, in order and together, in a file of `pattern`."""
    def check_block(where, body, listing):
        found = contained(body, pattern)
        if not found:
            return [f"{where}: {missing}"], 1
        if listing:
            print(f"{where}: {kind} block in {found}")
        return [], 1
    return check_block


def check_text(where, body, listing):
    """A diagram or output shown as it was: nothing to run."""
    return [], 0


# Each block's language and what checks a block of it.
CHECKERS = {
    "console": check_console,
    "sh": check_sh,
    # code: its lines stand in a test source of the repository that the build compiles and runs
    "java": check_contained("**/src/test/java/**/*.java", "java",
                            "this Java block stands in no test source: put it in one the build runs"),
    # Maven configuration: its lines stand together in a pom.xml that CI builds
    "xml": check_contained("**/pom.xml", "xml", "this XML block stands in no pom.xml the build uses"),
    "text": check_text,
}


def check(path, listing):
    problems, done = [], 0
    for lang, start, body in blocks(path):
        where = f"{os.path.relpath(path, ROOT)}:{start}"
        checker = CHECKERS.get(lang)
        if checker is None:
            names = list(CHECKERS)
            problems.append(f"{where}: a block of language '{lang}': say {', '.join(names[:-1])} or {names[-1]}")
            continue
        p, d = checker(where, body, listing)
        problems += p
        done += d
    return problems, done


def demo():
    """The README's first command, typed at on a terminal through script(1), as a user would."""
    command, typed, seen = DEMO
    code, out = run(f"script -qec {command!r} /dev/null", stdin=typed, timeout=300)
    if seen not in out:
        return [f"the demo `{command}` on a terminal did not print `{seen}` (exit {code}):\n  " + out[-2000:]]
    return []


def main(argv):
    listing = "--list" in argv
    files = [a for a in argv if not a.startswith("--")] or (
        [os.path.join(ROOT, f) for f in ("README.md", "CONTRIBUTING.md", "vagrant/README.md")
         if os.path.exists(os.path.join(ROOT, f))] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))))
    problems, done = [], 0
    for path in files:
        p, d = check(path, listing)
        problems += p
        done += d
    if not listing and not [a for a in argv if not a.startswith("--")]:
        problems += demo()
        done += 1
    for problem in problems:
        print("check-docs: " + problem, file=sys.stderr)
    print(f"check-docs: {done} blocks and commands checked in {len(files)} documents, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
