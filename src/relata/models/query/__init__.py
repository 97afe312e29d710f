"""The query machinery behind QuerySet: state, joins, SQL building, loading."""
