"""Side-by-side benchmarks: relata against the raw driver, Django, SQLAlchemy and Peewee.

Run ``python -m benchmarks --help`` from the repository root; README.md explains
the workloads. Nothing here is imported by relata itself.
"""
