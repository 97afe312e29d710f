"""PostgreSQL (and PostgreSQL-compatible databases) through psycopg 3."""
