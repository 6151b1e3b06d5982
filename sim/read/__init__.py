"""Reading and checking what the analyst gives: scenario YAML, areas and students tables, names.

Every problem is a ``read.errors.Problem`` naming the file, row, column, value and what is expected.
"""
