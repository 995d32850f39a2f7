#!/usr/bin/env python3
"""The source checks find what they are for: a back-edge with its file and line, a
folder-level cycle, a folder missing from the table, a long file and a long function."""
import os
import subprocess
import sys
import tempfile
import unittest

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'check_source.py')

TABLE = '''
[layers]
core = []
leads = ["core"]
http = ["leads"]

[limits]
file_lines = 40
function_lines = 10

[exceptions]
"http/big.cpp:Allowed" = "a named exception"
'''


class CheckSourceTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.src = self.dir.name
        self.write('layers.toml', TABLE)
        self.write('core/status.h', '#pragma once\n')
        self.write('leads/lead.h', '#pragma once\n#include "core/status.h"\n')
        self.write('http/routes.cpp', '#include "leads/lead.h"\n#include <string>\n')

    def tearDown(self):
        self.dir.cleanup()

    def write(self, rel, text):
        path = os.path.join(self.src, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)

    def run_check(self, what):
        return subprocess.run([sys.executable, CHECK, what, self.src], capture_output=True, text=True)

    def test_a_tree_that_follows_the_table_passes(self):
        self.assertEqual(self.run_check('layers').returncode, 0)
        self.assertEqual(self.run_check('sizes').returncode, 0)

    def test_a_back_edge_fails_with_its_file_and_line(self):
        self.write('leads/lead.cpp', '#include "leads/lead.h"\n\n#include "http/routes.h"\n')
        result = self.run_check('layers')
        self.assertEqual(result.returncode, 1)
        self.assertIn(os.path.join(self.src, 'leads/lead.cpp') + ':3: leads may not include http/routes.h',
                      result.stdout)

    def test_a_folder_level_cycle_is_named(self):
        self.write('layers.toml', TABLE.replace('core = []', 'core = ["http"]'))
        result = self.run_check('layers')
        self.assertEqual(result.returncode, 1)
        self.assertIn('the table has a cycle', result.stdout)

    def test_a_folder_missing_from_the_table_fails(self):
        self.write('email/sender.cpp', '#include "core/status.h"\n')
        result = self.run_check('layers')
        self.assertEqual(result.returncode, 1)
        self.assertIn('folder "email" is not in src/layers.toml', result.stdout)

    def test_tests_may_include_anything(self):
        self.write('core/status_test.cpp', '#include "http/routes.h"\n')
        self.assertEqual(self.run_check('layers').returncode, 0)

    def test_a_long_file_and_a_long_function_fail(self):
        body = 'int Long(int x) {\n' + '  x += 1;\n' * 12 + '  return x;\n}\n'
        self.write('leads/long.cpp', body + '\n' * 30)
        result = self.run_check('sizes')
        self.assertEqual(result.returncode, 1)
        self.assertIn('leads/long.cpp:1: Long is 15 lines', result.stdout)
        self.assertIn('leads/long.cpp:45: 45 lines', result.stdout)

    def test_a_named_exception_and_braces_in_strings_do_not_count(self):
        body = 'int Allowed() {\n' + '  f();\n' * 12 + '}\n'
        body += 'const char* k = "}}}{{{";\nint Short() {\n  return 1;  // }\n}\n'
        self.write('http/big.cpp', body)
        self.assertEqual(self.run_check('sizes').returncode, 0, self.run_check('sizes').stdout)


if __name__ == '__main__':
    unittest.main()
