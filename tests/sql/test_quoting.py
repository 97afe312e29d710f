"""Identifiers are always quoted, with embedded quote characters doubled, in every dialect (no database)."""

import pytest

from relata.backends.mysql.compiler import MySQLCompiler
from relata.backends.postgresql.compiler import PostgreSQLCompiler
from relata.backends.sqlite.compiler import SQLiteCompiler
from relata.sql import nodes as n

COMPILERS = [SQLiteCompiler, PostgreSQLCompiler, MySQLCompiler]


@pytest.mark.parametrize("compiler", COMPILERS)
def test_a_name_that_looks_quoted_is_quoted_again(compiler):
    q = compiler.identifier_quote
    looks_quoted = f"{q}x{q} FROM t; DROP TABLE t; -- {q}"
    quoted = compiler.quote_name(looks_quoted)
    assert quoted == q + looks_quoted.replace(q, q + q) + q
    # Read back as the database reads a quoted identifier: one name, the whole text.
    assert quoted[1:-1].replace(q + q, q) == looks_quoted


@pytest.mark.parametrize("compiler", COMPILERS)
def test_select_alias_cannot_close_its_quotes(compiler):
    q = compiler.identifier_quote
    alias = f"{q}s{q} FROM {q}t{q}; DROP TABLE {q}secret{q}; -- {q}"
    sql, params = compiler().compile(n.Select(((n.Col("t", "n"), alias),), n.Table("t")))
    doubled = alias.replace(q, q + q)
    assert sql == f"SELECT {q}t{q}.{q}n{q} AS {q}{doubled}{q} FROM {q}t{q}"
    assert params == []


@pytest.mark.parametrize("compiler", [PostgreSQLCompiler, MySQLCompiler])
def test_percent_in_a_name_is_doubled_only_beside_parameters(compiler):
    q = compiler.identifier_quote
    table = n.Table("rate%s")
    col = n.Col("rate%s", "pct%")
    with_param = n.Select(((col, None),), table, where=n.Lookup("exact", col, n.Param(5)))
    assert compiler().compile(with_param) == (
        f"SELECT {q}rate%%s{q}.{q}pct%%{q} FROM {q}rate%%s{q} WHERE {q}rate%%s{q}.{q}pct%%{q} = %s",
        [5],
    )
    without = n.Select(((col, None),), table)
    assert compiler().compile(without) == (f"SELECT {q}rate%s{q}.{q}pct%{q} FROM {q}rate%s{q}", [])


@pytest.mark.parametrize("compiler", [PostgreSQLCompiler, MySQLCompiler])
def test_modulo_is_doubled_beside_parameters(compiler):
    expr = n.BinOp("%", n.Col(None, "n"), n.Param(3))
    q = compiler.identifier_quote
    assert compiler().compile(n.Select(((expr, None),), n.Table("t"))) == (
        f"SELECT ({q}n{q} %% %s) FROM {q}t{q}",
        [3],
    )
