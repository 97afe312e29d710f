"""The warning classes for Django API that Django itself deprecates.

relata offers Django 5.2's model-layer API, deprecated parts included, and warns
about those with Django's own categories, so code written for Django filters or
escalates them by the same names (`filterwarnings("error", category=RemovedInDjango60Warning)`).
"""


class RemovedInDjango60Warning(DeprecationWarning):
    """Django 5.2 API that Django 6.0 removes."""


class RemovedInDjango61Warning(PendingDeprecationWarning):
    """Django 5.2 API that Django 6.1 removes."""
