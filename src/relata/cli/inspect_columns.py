"""What `inspectdb` makes of one column: its Python attribute name and its field class.

Names follow Django's inspectdb (lower case, unsuitable characters replaced, keywords
and leading digits renamed), each change noted for the generated comment. Types are
read from the declared type text of any of the three databases.
"""

from __future__ import annotations

import keyword
import re

#: (pattern on the lower-cased declared type, field class); the first match wins, so longer
#: prefixes come before the shorter ones they contain ("interval" before "int", "datetime" before "date").
TYPES = (
    (r"^bool|^tinyint\(1\)", "BooleanField"),
    (r"^bigint|^int8|^bigserial", "BigIntegerField"),
    (r"^smallint|^int2|^tinyint|^smallserial", "SmallIntegerField"),
    (r"^interval", "DurationField"),
    (r"^int(eger)?\b|^int4|^mediumint|^serial", "IntegerField"),
    (r"^year", "IntegerField"),
    (r"^enum\(", "CharField"),
    (r"^(var)?char|^character|^nvarchar|^nchar", "CharField"),
    (r"^text|^longtext|^mediumtext|^tinytext|^clob", "TextField"),
    (r"^datetime|^timestamp", "DateTimeField"),
    (r"^date", "DateField"),
    (r"^time", "TimeField"),
    (r"^decimal|^numeric", "DecimalField"),
    (r"^real|^double|^float", "FloatField"),
    (r"^uuid", "UUIDField"),
    (r"^json", "JSONField"),
    (r"^(long|medium|tiny)?blob|^bytea|^(var)?binary", "BinaryField"),
)

#: An integer column the database numbers itself becomes the matching auto field.
AUTO = {"IntegerField": "AutoField", "BigIntegerField": "BigAutoField", "SmallIntegerField": "SmallAutoField"}

#: MySQL's UNSIGNED integers hold no negative values: the Positive fields say so.
UNSIGNED = {
    "IntegerField": "PositiveIntegerField",
    "BigIntegerField": "PositiveBigIntegerField",
    "SmallIntegerField": "PositiveSmallIntegerField",
}

#: A NUMERIC column without precision keeps whatever it is given; these leave room for it.
GUESSED_DIGITS, GUESSED_PLACES = 30, 10


def field_type(db_type: str) -> tuple[str, dict[str, object], list[str]]:
    """(field class, keyword arguments, notes for the comment) for a declared column type."""
    lowered = db_type.lower().strip()
    if lowered.endswith("]"):
        return "TextField", {}, [f"This field type is a guess: {db_type} is an array."]
    name = next((field for pattern, field in TYPES if re.search(pattern, lowered)), None)
    if name is None:
        return "TextField", {}, [f"This field type is a guess: {db_type} is not a type relata knows."]
    if "unsigned" in lowered and name in UNSIGNED:
        return UNSIGNED[name], {}, []
    size = re.search(r"\((\d+)(?:,\s*(\d+))?\)", lowered)
    if name == "CharField" and lowered.startswith("enum("):
        choices = re.findall(r"'((?:[^']|'')*)'", db_type)
        return name, {"max_length": max((len(c) for c in choices), default=1)}, [f"The database type is {db_type}."]
    if name == "CharField":
        if size is None:  # an unbounded varchar holds text of any length
            return "TextField", {}, []
        return name, {"max_length": int(size.group(1))}, []
    if name == "DecimalField":
        return decimal_type(size)
    return name, {}, []


def decimal_type(size: re.Match[str] | None) -> tuple[str, dict[str, object], list[str]]:
    if size is None:
        note = (
            "max_digits and decimal_places have been guessed, as the column declares no precision: "
            "set them to the largest values it holds."
        )
        return "DecimalField", {"max_digits": GUESSED_DIGITS, "decimal_places": GUESSED_PLACES}, [note]
    places = int(size.group(2)) if size.group(2) else 0
    return "DecimalField", {"max_digits": int(size.group(1)), "decimal_places": places}, []


def field_name(column: str, is_relation: bool, used: set[str]) -> tuple[str, list[str]]:
    """A Python attribute name for `column` not in `used`, and a note for each change made to it."""
    notes = []
    name = column.lower()
    if name != column:
        notes.append("Field name made lowercase.")
    if is_relation and name.endswith("_id") and len(name) > 3:
        name = name[:-3]
    name, replaced = re.subn(r"\W", "_", name)
    if replaced:
        notes.append("Field renamed to remove unsuitable characters.")
    if "__" in name:
        name = re.sub(r"_{2,}", "_", name)
        notes.append("Field renamed because it contained more than one '_' in a row.")
    if name.startswith("_"):
        name = f"field{name}"
        notes.append("Field renamed because it started with '_'.")
    if name.endswith("_"):
        name = f"{name}field"
        notes.append("Field renamed because it ended with '_'.")
    if keyword.iskeyword(name):
        name += "_field"
        notes.append("Field renamed because it was a Python reserved word.")
    if name[:1].isdigit():
        name = f"number_{name}"
        notes.append("Field renamed because it wasn't a valid Python identifier.")
    if name == "pk":
        name = "pk_field"
        notes.append("Field renamed because pk is the primary key's alias.")
    if name in used:
        number = 0
        while f"{name}_{number}" in used:
            number += 1
        name = f"{name}_{number}"
        notes.append("Field renamed because of name conflict.")
    used.add(name)
    return name, notes


def class_name(table: str) -> str:
    """The model class for a table: its words joined, each with a capital; never a leading digit."""
    name = "".join(part[0].upper() + part[1:] for part in re.split(r"[^0-9a-zA-Z]+", table) if part) or "Table"
    return f"Table{name}" if name[0].isdigit() else name
