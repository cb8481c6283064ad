#!/usr/bin/env python3
"""Reads what bench/real-suites.sh left in OUT (results.tsv and SUITE/MODE/reports/TEST-*.xml),
prints one table of every suite and mode, then every test whose outcome differs from its
reference run (plain; plain-subset for a method run on a selection of classes). Writes the table
to OUT/table.md and the differences to OUT/differences.tsv (suite, mode, test, reference outcome,
outcome, message). Exit status 1 when --fail-on-difference is given and any test differs (or is
missing, or a mode did not run to its end)."""
import collections
import glob
import os
import sys
import xml.etree.ElementTree as ET


def outcomes(reports):
    """{(class, name): [outcome, ...]} with outcome in pass, failure, error, skipped, and the
    message of each non-passing one: names can repeat (parameterized tests), so lists."""
    tests = collections.defaultdict(list)
    for f in sorted(glob.glob(os.path.join(reports, "TEST-*.xml"))):
        try:
            root = ET.parse(f).getroot()
        except ET.ParseError as e:
            print(f"warning: {f}: {e}", file=sys.stderr)
            continue
        for case in root.iter("testcase"):
            key = (case.get("classname", ""), case.get("name", ""))
            state, message = "pass", ""
            for kind in ("failure", "error", "skipped"):
                el = case.find(kind)
                if el is not None:
                    state = kind
                    message = el.get("message") or el.get("type") or (el.text or "").strip()
                    if kind != "skipped" and el.get("type"):
                        message = f"{el.get('type')}: {el.get('message') or ''}"
                    break
            tests[key].append((state, " ".join(message.split())[:300]))
    return tests


def counts(tests):
    c = collections.Counter(state for runs in tests.values() for state, _ in runs)
    return sum(c.values()), c["failure"], c["error"], c["skipped"]


def differences(reference, run):
    """(test, reference outcome, outcome, message) for each test whose outcomes differ; a test
    absent from one side is 'missing' there. Repeated names compare as sorted lists."""
    diffs = []
    for key in sorted(set(reference) | set(run)):
        ref = sorted(s for s, _ in reference.get(key, [])) or ["missing"]
        got = sorted(s for s, _ in run.get(key, [])) or ["missing"]
        if ref != got:
            msgs = [m for s, m in run.get(key, []) if s != "pass" and m]
            diffs.append((f"{key[0]}#{key[1]}", ",".join(ref), ",".join(got),
                          msgs[0] if msgs else ""))
    return diffs


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    fail_on_difference = "--fail-on-difference" in sys.argv
    out = args[0]
    rows = []
    with open(os.path.join(out, "results.tsv")) as f:
        for line in f:
            suite, mode, wall, status, jacoco, usage = line.rstrip("\n").split("\t")
            rows.append((suite, mode, float(wall), int(status), jacoco, int(usage)))
    walls = {(s, m): w for s, m, w, *_ in rows}
    data = {(s, m): outcomes(os.path.join(out, s, m, "reports")) for s, m, *_ in rows}
    table = ["| suite | mode | tests | failures | errors | skipped | wall s | ratio | differ | "
             "jacoco.exec | barco containers | exit |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    all_diffs = []
    bad = False
    for suite, mode, wall, status, jacoco, usage in rows:
        ref_mode = "plain-subset" if mode == "method" and (suite, "plain-subset") in data else "plain"
        if mode == "plain-subset":
            ref_mode = "plain-subset"
        t, fl, er, sk = counts(data[(suite, mode)])
        ref_wall = walls.get((suite, ref_mode))
        ratio = f"{wall / ref_wall:.2f}" if ref_wall else "-"
        if mode in ("plain", "plain-subset"):
            diff_count = "-"
        else:
            diffs = differences(data[(suite, ref_mode)], data[(suite, mode)])
            all_diffs += [(suite, mode, *d) for d in diffs]
            diff_count = str(len(diffs))
            bad = bad or bool(diffs)
        # 124/137: stopped by MODE_TIMEOUT; Maven's own status is 0 with failure.ignore
        bad = bad or status != 0
        ref_note = " (vs plain-subset)" if ref_mode == "plain-subset" and mode == "method" else ""
        table.append(f"| {suite} | {mode}{ref_note} | {t} | {fl} | {er} | {sk} | {wall:.1f} | "
                     f"{ratio} | {diff_count} | {jacoco} | {usage} | {status} |")
    text = "\n".join(table)
    print(text)
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(out, "differences.tsv"), "w") as f:
        for d in all_diffs:
            f.write("\t".join(d) + "\n")
    if all_diffs:
        print(f"\n{len(all_diffs)} outcome differences from the reference run "
              f"(all in {os.path.join(out, 'differences.tsv')}):")
        for suite, mode, test, ref, got, msg in all_diffs:
            print(f"  {suite} {mode}: {test}: {ref} -> {got}  {msg[:160]}")
    if fail_on_difference and bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
