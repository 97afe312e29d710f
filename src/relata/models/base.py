"""`Model` and its metaclass.

The metaclass turns a class body into a model: it builds `_meta`, adds the
automatic primary key, inherits fields from abstract bases, installs
managers and the per-model `DoesNotExist`, and registers the model so string
relations can find it. Instances keep field values in `__dict__` by attname.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any, ClassVar

from relata import exceptions
from relata.models import inheritance, order_wrt, save_arguments
from relata.models import unique_checks as unique_checks_module
from relata.models.asynchronous import AsyncModelMixin
from relata.models.fastpaths import build_class_init, field_setters
from relata.models.fields import BigAutoField, DatabaseDefault
from relata.models.indexes import format_names
from relata.models.instance_state import ModelState, ModelStateDescriptor, take_refusal
from relata.models.manager import Manager
from relata.models.options import Options
from relata.models.persistence import save_instance
from relata.models.registry import apps
from relata.models.signals import class_prepared, init_listened, post_init, pre_init, row_init_args


def _app_label_for(module: str, name: str, abstract: bool = False) -> str | None:
    parts = module.split(".")
    if "models" in parts[1:]:
        return parts[parts.index("models", 1) - 1]
    if len(parts) > 1:
        return parts[-2]
    if module == "__main__":
        if abstract:
            return None  # an abstract model has no table: it needs no app until a concrete child
        raise exceptions.ImproperlyConfigured(
            f"Model class {name} is defined in a script (__main__), so it has no app label. "
            f'Add `class Meta: app_label = "myapp"` to it.'
        )
    return parts[0]


def _is_contributable(value: Any) -> bool:
    return not inspect.isclass(value) and hasattr(value, "contribute_to_class")


class ModelBase(type):
    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any], **kwargs: Any) -> Any:
        parents = [b for b in bases if isinstance(b, ModelBase)]
        if not parents:
            return super().__new__(mcs, name, bases, attrs, **kwargs)

        module = attrs.pop("__module__")
        new_attrs: dict[str, Any] = {"__module__": module}
        if "__qualname__" in attrs:
            new_attrs["__qualname__"] = attrs.pop("__qualname__")
        contributable = {}
        for key, value in attrs.items():
            if _is_contributable(value):
                contributable[key] = value
            else:
                new_attrs[key] = value
        cls = super().__new__(mcs, name, bases, new_attrs, **kwargs)

        meta = attrs.get("Meta")
        # Only a Meta's own `abstract` counts: `class Meta(Base.Meta)` makes a concrete model.
        abstract = bool(meta is not None and vars(meta).get("abstract", False))
        base_meta = getattr(cls, "_meta", None)
        if meta is None and base_meta is not None and base_meta.abstract:
            meta = _inherited_meta(base_meta)
        app_label = getattr(meta, "app_label", None) or _app_label_for(module, name, abstract)
        options = Options(meta, app_label)
        options.contribute_to_class(cls, "_meta")
        options.abstract = abstract
        if "__init__" not in attrs:
            _own_init(cls, options)

        concrete_parents = inheritance.concrete_bases(parents)
        if not abstract:
            cls.DoesNotExist = _model_exception("DoesNotExist", exceptions.ObjectDoesNotExist, cls, concrete_parents)
            cls.MultipleObjectsReturned = _model_exception(
                "MultipleObjectsReturned", exceptions.MultipleObjectsReturned, cls, concrete_parents
            )
            if base_meta is not None and not base_meta.abstract:
                inheritance.inherit_meta(options, meta, base_meta)
        if options.proxy and not abstract:
            options.setup_proxy(inheritance.proxy_base(name, parents))
        for key, value in sorted(contributable.items(), key=lambda kv: getattr(kv[1], "creation_counter", 0)):
            cls.add_to_class(key, value)
        declared = {f.name for f in options.local_fields + options.local_many_to_many}
        _add_abstract_fields(cls, parents, declared)
        if concrete_parents or any(getattr(p, "_meta", None) is not None and p._meta.parents for p in parents):
            inheritance.setup_parents(cls, parents, declared)
        if abstract:
            return cls
        cls._prepare()
        format_names(cls)
        options.apps.register_model(options.app_label, cls)
        return cls

    def add_to_class(cls, name: str, value: Any) -> None:
        if _is_contributable(value):
            value.contribute_to_class(cls, name)
        else:
            setattr(cls, name, value)

    def _prepare(cls) -> None:
        opts = cls._meta
        if opts.pk is None and opts.parents:
            inheritance.promote_parent_link(opts)
        elif opts.pk is None:
            auto = BigAutoField(verbose_name="ID", primary_key=True, auto_created=True)
            cls.add_to_class("id", auto)
            # The implicit pk goes first, like Django's.
            opts.local_fields.sort(key=lambda f: (not f.auto_created, f.creation_counter))
            opts.expire_cache()
        if not opts.managers:
            if any(f.name == "objects" for f in opts.forward_fields):
                raise ValueError(
                    f"Model {cls.__name__} must specify a custom Manager, because it has a field named 'objects'."
                )
            manager = Manager()
            manager.auto_created = True
            cls.add_to_class("objects", manager)
        if opts.order_with_respect_to:
            order_wrt.prepare(cls)
        for field in opts.local_fields + opts.local_many_to_many:
            finish = getattr(field, "finish_model_setup", None)
            if finish is not None:
                finish(cls)
        if class_prepared.receivers:
            class_prepared.send(sender=cls)

    @property
    def _base_manager(cls) -> Manager:
        return cls._meta.base_manager

    @property
    def _default_manager(cls) -> Manager:
        return cls._meta.default_manager


def _own_init(cls: Any, options: Options) -> None:
    """Give a model without an __init__ of its own Model.__init__ in its own namespace.

    Model.__init__ replaces itself with code generated for the class's fields; a
    subclass must never run code generated for its parent's.
    """
    inherited = cls.__init__
    if inherited is not Model.__init__ and getattr(inherited, "generated_for", None) is None:
        return  # the user's own __init__, which calls Model.__init__ itself
    after_model = cls.__mro__[cls.__mro__.index(Model) + 1 : -1]
    options.init_calls_super = any("__init__" in vars(klass) for klass in after_model)
    cls.__init__ = Model.__init__


def _inherited_meta(base_meta: Options) -> type:
    attrs = {k: v for k, v in base_meta.original_attrs.items() if k not in ("abstract", "db_table")}
    return type("Meta", (), attrs)


def _model_exception(name: str, default: type, model: type, concrete_parents: list[type]) -> type:
    # A child's DoesNotExist is also each concrete parent's: `except Place.DoesNotExist` catches Restaurant's.
    bases = tuple(getattr(parent, name) for parent in concrete_parents) or (default,)
    return type(name, bases, {"__module__": model.__module__, "__qualname__": f"{model.__qualname__}.{name}"})


def _add_abstract_fields(cls: Any, parents: list[type], declared: set[str]) -> None:
    """Copies of the fields of the abstract bases; declared names, and names a base before it set, win."""
    inherited: dict[str, Any] = {}
    for base in parents:
        meta = getattr(base, "_meta", None)
        if meta is None or not meta.abstract:
            continue
        for field in meta.local_fields + meta.local_many_to_many + meta.private_fields:
            if field.name in declared or field.name in inherited or _shadowed(cls, base, field.name):
                continue
            inherited[field.name] = field
    for field_name, field in inherited.items():
        clone = copy.deepcopy(field)
        clone.model = None
        cls.add_to_class(field_name, clone)


def _shadowed(cls: type, base: type, name: str) -> bool:
    """Whether a class before `base` in the MRO already gives `name`: the class itself or a plain class
    (`name = None` removes an inherited field), or a concrete model's field."""
    for klass in cls.__mro__:
        if klass is base:
            return False
        meta = vars(klass).get("_meta")
        if klass is cls or not isinstance(meta, Options):
            if name in vars(klass):
                return True
        elif not meta.abstract and any(f.name == name for f in meta.forward_fields):
            return True
    return False


class Model(AsyncModelMixin, metaclass=ModelBase):
    """Base class of every model; instances are rows."""

    _meta: ClassVar[Options]
    _state = ModelStateDescriptor()
    DoesNotExist: ClassVar[type[exceptions.ObjectDoesNotExist]]
    MultipleObjectsReturned: ClassVar[type[exceptions.MultipleObjectsReturned]]
    objects: ClassVar[Manager]

    def __init__(self, *args: Any, **kwargs: Any):
        cls = type(self)
        opts = cls._meta
        announce = (pre_init.receivers or post_init.receivers) and not opts.abstract and init_listened(cls)
        if announce:
            pre_init.send(sender=cls, args=args, kwargs=kwargs)
        if args or opts.abstract or opts.init_calls_super:
            self._init_with_args(args, kwargs)
            if opts.init_calls_super:
                super().__init__()  # a plain class after Model in the MRO has an __init__, as Django calls it
        else:
            if cls.__init__ is Model.__init__ and not announce:
                # No __init__ of the user's own and nobody listening: give the class a generated one for
                # next time (dropped again when its fields change or an init receiver connects).
                cls.__init__ = build_class_init(opts, Model.__init__)
            opts.fast_init(self, kwargs)
        if announce:
            post_init.send(sender=cls, instance=self)

    def _init_with_args(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        cls = type(self)
        opts = cls._meta
        if opts.abstract:
            raise TypeError(
                f"Abstract models cannot be instantiated. {cls.__name__} has Meta.abstract = True: "
                f"create an instance of a model that subclasses it."
            )
        state = self.__dict__
        state["_state"] = None  # new and unsaved (see instance_state)
        fields = opts.insertable_fields
        if len(args) > len(fields):
            raise IndexError("Number of args exceeds number of fields")
        for field, value in zip(fields, args, strict=False):
            if field.name in kwargs:
                raise TypeError(f"{cls.__name__}() got both positional and keyword arguments for field '{field.name}'.")
            state[field.attname] = value
        for name, attname, is_relation, default, call in opts.init_plan[len(args) :]:
            if name in kwargs:
                value = kwargs.pop(name)
                if is_relation and value is not None:
                    setattr(self, name, value)
                else:
                    state[attname] = value
            elif attname in kwargs:
                state[attname] = kwargs.pop(attname)
            else:
                state[attname] = default() if call else default
        for attname, descriptor in field_setters(opts):
            descriptor.__set__(self, state.pop(attname))
        if kwargs:
            self._init_extra(kwargs)

    def _init_extra(self, kwargs: dict[str, Any]) -> None:
        cls = type(self)
        unexpected = []
        for name, value in kwargs.items():
            attr = getattr(cls, name, None)
            if isinstance(attr, property) or (name in cls._meta._forward_map and attr is not None):
                setattr(self, name, value)
            else:
                unexpected.append(name)
        if unexpected:
            listed = ", ".join(f"'{n}'" for n in unexpected)
            raise TypeError(
                f"{cls.__name__}() got unexpected keyword arguments: {listed}. "
                f"Valid fields are: {', '.join(f.name for f in cls._meta.forward_fields)}."
            )

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: explain reverse accessors that
        # exist under another name or were hidden with related_name="+".
        if name.startswith("_"):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'", name=name, obj=self)
        refusal = take_refusal(self, name)
        if refusal is not None:
            raise refusal
        from relata.models.fields.reverse_related import missing_accessor_hint

        error = AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'", name=name, obj=self)
        hint = missing_accessor_hint(type(self), name)
        if hint is not None:
            renamed, text = hint
            if renamed:
                error.args = (f"{error.args[0]}; {text}",)
            else:
                error.add_note(text)
        raise error

    @classmethod
    def from_db(cls, db: str, field_names: list[str], values: tuple[Any, ...]) -> Model:
        """Build an instance from a row, without running __init__'s defaults."""
        obj = cls.__new__(cls)
        announce = (pre_init.receivers or post_init.receivers) and init_listened(cls)
        if announce:
            pre_init.send(sender=cls, args=row_init_args(cls, dict(zip(field_names, values, strict=True))), kwargs={})
        obj.__dict__.update(zip(field_names, values, strict=True))
        obj.__dict__["_state"] = ModelState(db, adding=False)
        if announce:
            post_init.send(sender=cls, instance=obj)
        return obj

    # -- identity -----------------------------------------------------------------

    def _get_pk_val(self) -> Any:
        return self.__dict__.get(self._meta.pk.attname)

    def _set_pk_val(self, value: Any) -> None:
        opts = self._meta
        if opts.multi_table:
            # `child.pk = None` makes a copy: the parents reached by a non-key link get the value too.
            for link in opts.parents.values():
                if link is not None and link is not opts.pk:
                    setattr(self, link.target_field.attname, value)
        setattr(self, opts.pk.attname, value)

    pk = property(_get_pk_val, _set_pk_val)

    def _is_pk_set(self, meta: Any = None) -> bool:
        """Whether the primary key holds a value (0 counts; None does not), as Django 5.2 asks it.

        A composite key is set when every part is."""
        opts = meta or self._meta
        if opts.is_composite_pk:
            return all(self.__dict__.get(f.attname) is not None for f in opts.pk_fields)
        return self.__dict__.get(opts.pk.attname) is not None

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self}>"

    def __str__(self) -> str:
        return f"{type(self).__name__} object ({self.pk})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Model):
            return NotImplemented
        if self._meta.concrete_model is not other._meta.concrete_model:
            return False
        pk = self.pk
        if pk is None or (type(pk) is tuple and not self._is_pk_set()):
            return self is other
        return pk == other.pk

    def __hash__(self) -> int:
        pk = self.pk
        if pk is None or (type(pk) is tuple and not self._is_pk_set()):
            raise TypeError("Model instances without primary key value are unhashable")
        return hash(pk)

    def __reduce__(self) -> Any:
        data = dict(self.__dict__)
        state = data.get("_state")
        if type(state) is ModelState:
            data["_state"] = copy.copy(state)  # a copy's database and flags are its own, as in Django
        return _unpickle_model, (self._meta.app_label, self._meta.object_name), data

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def get_deferred_fields(self) -> set[str]:
        return {f.attname for f in self._meta.concrete_fields if f.attname not in self.__dict__}

    def serializable_value(self, field_name: str) -> Any:
        try:
            field = self._meta.get_field(field_name)
        except exceptions.FieldDoesNotExist:
            return getattr(self, field_name)
        return getattr(self, field.attname)

    # -- persistence --------------------------------------------------------------

    def save(
        self,
        *args: Any,
        force_insert: bool = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Any = None,
    ) -> None:
        if args:  # Django 5.2's deprecated positional form
            given = (force_insert, force_update, using, update_fields)
            force_insert, force_update, using, update_fields = save_arguments.from_positional("save", args, given, 2)
        save_instance(
            self, force_insert=force_insert, force_update=force_update, using=using, update_fields=update_fields
        )

    save.alters_data = True  # type: ignore[attr-defined]

    def save_base(
        self,
        raw: bool = False,
        force_insert: bool = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Any = None,
    ) -> None:
        """save() without a user's save() override; `raw` is passed on to pre_save and post_save, and (as
        loading fixtures does) writes a multi-table instance's own table only: its parent rows exist already."""
        save_instance(
            self,
            force_insert=force_insert,
            force_update=force_update,
            using=using,
            update_fields=update_fields,
            raw=raw,
        )

    save_base.alters_data = True  # type: ignore[attr-defined]

    def delete(self, using: str | None = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        from relata.models.deletion import delete_collected

        if not self._is_pk_set():
            raise ValueError(
                f"{self._meta.object_name} object can't be deleted because its "
                f"{self._meta.pk.attname} attribute is set to None."
            )
        using = using or self._state.db or _write_db(type(self), self)
        return delete_collected(
            using, lambda collector: collector.collect([self], keep_parents=keep_parents), origin=self
        )

    delete.alters_data = True  # type: ignore[attr-defined]

    def refresh_from_db(self, using: str | None = None, fields: Any = None, from_queryset: Any = None) -> None:
        from relata.models.persistence import refresh_instance

        refresh_instance(self, using=using, fields=fields, from_queryset=from_queryset)

    # -- validation ---------------------------------------------------------------

    @classmethod
    def check(cls, **kwargs: Any) -> list[Any]:
        """This model's system-check messages (checks.run_checks() gives every model's)."""
        from relata.models.checks import check_all_models

        return check_all_models([cls])

    def clean(self) -> None:
        """Hook for model-wide validation; raise ValidationError to reject."""

    def clean_fields(self, exclude: Any = None) -> None:
        exclude = set(exclude or ())
        errors: dict[str, list[Any]] = {}
        for field in self._meta.concrete_fields:
            if field.name in exclude or field.generated:
                continue  # the database computes a generated column: nothing to clean
            raw = getattr(self, field.attname)
            if (field.blank and raw in field.empty_values) or type(raw) is DatabaseDefault:
                continue  # the database fills a DatabaseDefault: nothing to check here
            try:
                setattr(self, field.attname, field.clean(raw, self))
            except exceptions.ValidationError as error:
                errors[field.name] = error.error_list
        if errors:
            raise exceptions.ValidationError(errors)

    def validate_unique(self, exclude: Any = None) -> None:
        """Raise ValidationError if a unique field, unique_together group or unique_for_date rule clashes."""
        unique_checks, date_checks = self._get_unique_checks(exclude=exclude)
        errors = unique_checks_module.perform_unique_checks(self, unique_checks)
        for name, found in unique_checks_module.perform_date_checks(self, date_checks).items():
            errors.setdefault(name, []).extend(found)
        if errors:
            raise exceptions.ValidationError(errors)

    def _get_unique_checks(self, exclude: Any = None, include_meta_constraints: bool = False) -> Any:
        return unique_checks_module.get_unique_checks(self, exclude, include_meta_constraints)

    def _perform_unique_checks(self, unique_checks: Any) -> dict[str, list[Any]]:
        return unique_checks_module.perform_unique_checks(self, unique_checks)

    def _perform_date_checks(self, date_checks: Any) -> dict[str, list[Any]]:
        return unique_checks_module.perform_date_checks(self, date_checks)

    def unique_error_message(self, model_class: type, unique_check: tuple[str, ...]) -> Any:
        return unique_checks_module.unique_error_message(self, model_class, unique_check)

    def date_error_message(self, lookup_type: str, field_name: str, unique_for: str) -> Any:
        return unique_checks_module.date_error_message(self, lookup_type, field_name, unique_for)

    def validate_constraints(self, exclude: Any = None) -> None:
        from relata.models.constraint_validation import validate_constraints

        validate_constraints(self, set(exclude or ()), self._state.db or _write_db(type(self), self))

    def full_clean(self, exclude: Any = None, validate_unique: bool = True, validate_constraints: bool = True) -> None:
        errors: dict[str, list[Any]] = {}
        exclude = set(exclude or ())
        steps = [lambda: self.clean_fields(exclude), self.clean]
        if validate_unique:
            steps.append(lambda: self.validate_unique(exclude | set(errors)))
        if validate_constraints:
            steps.append(lambda: self.validate_constraints(exclude | set(errors)))
        for step in steps:
            try:
                step()
            except exceptions.ValidationError as error:
                error.update_error_dict(errors)
        if errors:
            raise exceptions.ValidationError(errors)


def _write_db(model: type, instance: Any) -> str:
    from relata.models.routing import router

    return router.db_for_write(model, instance=instance)


def _unpickle_model(app_label: str, object_name: str) -> Model:
    model = apps.get_model(app_label, object_name)
    return model.__new__(model)


def model_unpickle(key: tuple[str, str]) -> Model:
    return _unpickle_model(*key)
