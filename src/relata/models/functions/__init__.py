"""Database functions, as `django.db.models.functions` offers them, one module per family.

`from relata.models.functions import Lower` works as in Django; each family's
module (`comparison`, `datetime`, `math`, `text`) holds the classes and says
what its functions compute; SQL spellings that differ by database live in the backends.
"""

from relata.models.functions.comparison import Cast, Coalesce, Greatest, Least
from relata.models.functions.datetime import Now
from relata.models.functions.math import Abs
from relata.models.functions.text import Concat, Length, Lower, Upper

__all__ = [
    "Abs",
    "Cast",
    "Coalesce",
    "Concat",
    "Greatest",
    "Least",
    "Length",
    "Lower",
    "Now",
    "Upper",
]
