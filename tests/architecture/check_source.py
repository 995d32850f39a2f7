#!/usr/bin/env python3
"""Checks the shape of src/: the layering written in src/layers.toml, and the size limits.

  check_source.py layers SRC_DIR   every #include of another folder is allowed by the table,
                                   and the table has no cycle
  check_source.py sizes SRC_DIR    no file over the line limit, no function over the limit
                                   (outside tests), but for the exceptions the table names

Each finding is printed as "path:line: what is wrong" and makes the exit status 1.
"""
import os
import re
import sys
import tomllib

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def unit_of(rel_path, units):
    """The layering unit a path under src/ belongs to: the longest unit that prefixes it."""
    parts = rel_path.split('/')
    for n in range(len(parts) - 1, 0, -1):
        candidate = '/'.join(parts[:n])
        if candidate in units:
            return candidate
    return None


def source_files(src):
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(('.h', '.cpp', '.in')):
                path = os.path.join(root, name)
                yield path, os.path.relpath(path, src)


def is_test(rel):
    return rel.endswith('_test.cpp') or rel.startswith('testing/')


def find_cycle(graph):
    state = {}
    stack = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if state.get(node) is None:
            found = visit(node)
            if found:
                return found
    return None


def check_layers(src, table):
    units = table['layers']
    problems = []
    for unit, allowed in units.items():
        for dep in allowed:
            if dep not in units:
                problems.append(f'layers.toml: {unit} may include "{dep}", which is no folder of the table')
    cycle = find_cycle(units)
    if cycle:
        problems.append('layers.toml: the table has a cycle: ' + ' -> '.join(cycle))
    # What each unit may reach: its own folder and everything below what it names.
    reach = {}

    def reachable(unit):
        if unit not in reach:
            reach[unit] = set()
            for dep in units[unit]:
                reach[unit] |= {dep} | reachable(dep)
        return reach[unit]

    used = {}
    for path, rel in source_files(src):
        unit = unit_of(rel, units)
        if unit is None:
            problems.append(f'{path}:1: folder "{os.path.dirname(rel)}" is not in src/layers.toml')
            continue
        if is_test(rel):
            continue
        with open(path, encoding='utf-8') as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m or '/' not in m.group(1):
                    continue
                target = unit_of(m.group(1), units)
                if target is None:
                    continue
                if target != unit:
                    used.setdefault(unit, set()).add(target)
                if target != unit and target not in reachable(unit):
                    problems.append(f'{path}:{number}: {unit} may not include {m.group(1)} '
                                    f'({target} is not below {unit} in src/layers.toml)')
    cycle = find_cycle(used)
    if cycle:
        problems.append('the includes have a folder-level cycle: ' + ' -> '.join(cycle))
    return problems


def strip_code(text):
    """The text with comments, string and character literals blanked (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i)
            i = n if j < 0 else j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif c == 'R' and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == '_')):
            open_paren = text.find('(', i)
            delim = ')' + text[i + 2:open_paren] + '"'
            j = text.find(delim, open_paren)
            j = n if j < 0 else j + len(delim)
            out.append('""' + re.sub(r'[^\n]', ' ', text[i + 2:j]))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(c + ' ' * (j - i - 1) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def function_lengths(path):
    """(first line, length, name) of each function body opened outside any function."""
    with open(path, encoding='utf-8') as f:
        code = strip_code(f.read())
    out = []
    stack = []  # per open brace: 'ns' (namespace, class or initializer), or 'fn'
    head = ''
    line = 1
    fn_start = None
    name = '?'
    for c in code:
        if c == '\n':
            line += 1
        if c == '{':
            in_function = 'fn' in stack
            text = ' '.join(head.split())
            is_function = (not in_function and '(' in text and
                           not re.match(r'^(namespace|class|struct|enum|union)\b', text) and
                           '=' not in text.split('(')[0] and not text.endswith('='))
            if is_function:
                fn_start = line
                words = text.split('(')[0].split()
                name = words[-1] if words else '?'
            stack.append('fn' if is_function or in_function else 'ns')
            head = ''
        elif c == '}':
            kind = stack.pop() if stack else 'ns'
            if kind == 'fn' and 'fn' not in stack and fn_start is not None:
                out.append((fn_start, line - fn_start + 1, name))
                fn_start = None
            head = ''
        elif c == ';':
            head = ''
        else:
            if 'fn' not in stack:
                head += c
                if c == '\n' and head.strip().startswith('#'):
                    head = ''
    return out


def check_sizes(src, table):
    limits = table['limits']
    exceptions = table.get('exceptions', {})
    problems = []
    for path, rel in source_files(src):
        if is_test(rel):
            continue
        with open(path, encoding='utf-8') as f:
            count = sum(1 for _ in f)
        if count > limits['file_lines'] and rel not in exceptions:
            problems.append(f'{path}:{count}: {count} lines; a file in src/ has at most {limits["file_lines"]}')
        if not rel.endswith('.cpp'):
            continue
        for first, length, name in function_lengths(path):
            key = f'{rel}:{name}'
            if length > limits['function_lines'] and key not in exceptions:
                problems.append(f'{path}:{first}: {name} is {length} lines; a function has at most '
                                f'{limits["function_lines"]} (or an exception with its reason in src/layers.toml)')
    return problems


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ('layers', 'sizes'):
        print(__doc__, file=sys.stderr)
        return 2
    src = sys.argv[2]
    with open(os.path.join(src, 'layers.toml'), 'rb') as f:
        table = tomllib.load(f)
    problems = check_layers(src, table) if sys.argv[1] == 'layers' else check_sizes(src, table)
    for p in problems:
        print(p)
    if problems:
        print(f'{len(problems)} problem(s)', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
