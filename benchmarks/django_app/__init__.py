"""The Django app that holds the benchmark models and queries (label "bench")."""
