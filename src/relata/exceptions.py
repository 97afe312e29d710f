"""Every public exception relata raises.

The PEP 249 family wraps each driver's own errors, so user code catches
`relata.exceptions.IntegrityError` whatever database it runs on. Model-level
errors keep Django's names and meanings.
"""

from __future__ import annotations

from typing import Any


class ObjectDoesNotExist(Exception):
    """The requested object does not exist."""

    silent_variable_failure = True


class MultipleObjectsReturned(Exception):
    """A query expected one object and found several."""


class FieldError(Exception):
    """A field name or lookup is not valid for this model."""


class FieldDoesNotExist(Exception):
    """The model has no field of that name."""


class ImproperlyConfigured(Exception):
    """relata is configured in a way it cannot work with."""


class SuspiciousOperation(Exception):
    """Input that looks like an attack, such as a file name leaving its storage."""


class SuspiciousFileOperation(SuspiciousOperation):
    """A file name or path that would read or write outside the storage's folder."""


class EmptyResultSet(Exception):
    """A query can match nothing (internal: lets the caller skip the database)."""


class FullResultSet(Exception):
    """A condition matches every row (Django's name; relata drops such conditions while compiling)."""


class ValidationError(Exception):
    """One or more values failed validation.

    Holds either a single message, a list of messages, or a dict mapping field
    names to lists of messages, as Django's ValidationError does.
    """

    def __init__(self, message: Any, code: str | None = None, params: dict | None = None):
        super().__init__(message, code, params)
        if isinstance(message, ValidationError):
            if hasattr(message, "error_dict"):
                message = message.error_dict
            else:
                message = message.error_list if len(message.error_list) > 1 else message.message
        if isinstance(message, dict):
            self.error_dict: dict[str, list[ValidationError]] = {}
            for field, messages in message.items():
                if not isinstance(messages, ValidationError):
                    messages = ValidationError(messages)
                self.error_dict[field] = messages.error_list
        elif isinstance(message, list):
            self.error_list: list[ValidationError] = []
            for item in message:
                if not isinstance(item, ValidationError):
                    item = ValidationError(item)
                if hasattr(item, "error_dict"):
                    self.error_list.extend(e for errors in item.error_dict.values() for e in errors)
                else:
                    self.error_list.extend(item.error_list)
        else:
            self.message = message
            self.code = code
            self.params = params
            self.error_list = [self]

    @property
    def message_dict(self) -> dict[str, list[str]]:
        return dict(self._items())

    @property
    def messages(self) -> list[str]:
        if hasattr(self, "error_dict"):
            return [text for texts in dict(self._items()).values() for text in texts]
        return list(self._texts())

    def _items(self):
        for field, errors in self.error_dict.items():
            yield field, list(ValidationError(errors)._texts())

    def _texts(self):
        for error in self.error_list:
            text = error.message
            if error.params:
                text = text % error.params
            yield str(text)

    def update_error_dict(self, error_dict: dict) -> dict:
        if hasattr(self, "error_dict"):
            for field, errors in self.error_dict.items():
                error_dict.setdefault(field, []).extend(errors)
        else:
            error_dict.setdefault("__all__", []).extend(self.error_list)
        return error_dict

    def __str__(self) -> str:
        if hasattr(self, "error_dict"):
            return repr(dict(self._items()))
        return repr(list(self._texts()))

    def __repr__(self) -> str:
        return f"ValidationError({self})"


# PEP 249 exceptions, raised in place of every driver's own.


class Error(Exception):
    """Base of the PEP 249 database errors."""


class InterfaceError(Error):
    pass


class DatabaseError(Error):
    pass


class DataError(DatabaseError):
    pass


class OperationalError(DatabaseError):
    pass


class IntegrityError(DatabaseError):
    pass


class InternalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


class TransactionManagementError(ProgrammingError):
    """atomic() or a savepoint was used in a way that cannot work."""


class ProtectedError(IntegrityError):
    """A delete was refused because PROTECT relations point at the objects."""

    def __init__(self, msg: str, protected_objects: Any):
        self.protected_objects = protected_objects
        super().__init__(msg, protected_objects)


class RestrictedError(IntegrityError):
    """A delete was refused because RESTRICT relations point at the objects."""

    def __init__(self, msg: str, restricted_objects: Any):
        self.restricted_objects = restricted_objects
        super().__init__(msg, restricted_objects)
