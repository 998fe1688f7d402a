#!/usr/bin/env python3
"""Lists functions longer than a limit in C++ sources (issue 15: none over 150 lines in src/).

A function is a definition whose body opens with '{' at the end of its signature line and closes
with '}' at the same indentation; lambdas and nested classes count towards the enclosing function.
Tests, benchmarks and fuzzers are skipped. Usage: function_lengths.py [--limit N] [DIR...]
Exit status 1 when any function is over the limit.
"""
import argparse
import pathlib
import re
import sys

SIGNATURE = re.compile(r'^(\s*)(?!if\b|for\b|while\b|switch\b|else\b|do\b|try\b|namespace\b|'
                       r'struct\b|class\b|enum\b|union\b|extern\b|return\b)'
                       r'[\w:<>,~*&\s\[\]]+\([^;]*\)[\w\s:&<>,()=*\-\[\]"]*\{\s*$')


def functions(path):
    lines = path.read_text(errors='replace').splitlines()
    i = 0
    while i < len(lines):
        m = SIGNATURE.match(lines[i])
        # A signature may start on an earlier line (wrapped parameters).
        if not m and lines[i].rstrip().endswith('{') and ')' in lines[i]:
            j = i
            while j > 0 and '(' not in lines[j] and i - j < 6:
                j -= 1
            if '(' in lines[j] and not lines[j].lstrip().startswith(('if', 'for', 'while', '}')):
                joined = ' '.join(l.strip() for l in lines[j:i + 1])
                m = SIGNATURE.match(lines[j][:len(lines[j]) - len(lines[j].lstrip())] + joined)
        if not m:
            i += 1
            continue
        indent = m.group(1)
        name = re.search(r'([\w:~]+)\s*\(', lines[i] if '(' in lines[i] else lines[max(0, i - 1)])
        start = i
        depth = 0
        for k in range(i, len(lines)):
            depth += lines[k].count('{') - lines[k].count('}')
            if depth <= 0 and k > i:
                yield (name.group(1) if name else '?', start + 1, k - start + 1)
                i = k
                break
        i += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--limit', type=int, default=150)
    ap.add_argument('dirs', nargs='*', default=['src'])
    args = ap.parse_args()
    over = []
    for d in args.dirs:
        for path in sorted(pathlib.Path(d).rglob('*.cc')):
            if re.search(r'_(test|bench|fuzz)\.cc$', path.name):
                continue
            for name, line, length in functions(path):
                if length > args.limit:
                    over.append((length, f'{path}:{line}', name))
    for length, where, name in sorted(over, reverse=True):
        print(f'{length:5d}  {where}  {name}')
    print(f'{len(over)} function(s) over {args.limit} lines')
    return 1 if over else 0


if __name__ == '__main__':
    sys.exit(main())
