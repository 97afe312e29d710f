"""The autodetector, one change type at a time, on hand-built states (no live models, no database)."""

import pytest

from migrations.helpers import detect, kinds, model, operations, state
from relata import models
from relata.exceptions import ImproperlyConfigured
from relata.migrations import operations as ops
from relata.migrations.questioner import MigrationQuestioner


def author(**extra):
    return model(
        "shop",
        "Author",
        ("name", models.CharField(max_length=200)),
        *extra.get("fields", []),
        **extra.get("options", {}),
    )


def book(fk=None, *fields, **options):
    fk = fk or models.ForeignKey("shop.author", on_delete=models.CASCADE)
    return model("shop", "Book", ("author", fk), ("title", models.CharField(max_length=200)), *fields, **options)


def test_no_changes_no_migration():
    assert detect(state(author(), book()), state(author(), book())) == {}


def test_create_models_puts_fk_targets_first():
    # "Zine" sorts after "Author" but the FK makes Author need it first.
    after = state(
        model("shop", "Author", ("zine", models.ForeignKey("shop.zine", on_delete=models.CASCADE))),
        model("shop", "Zine", ("title", models.CharField(max_length=10))),
    )
    changes = detect(state(), after)
    migration = changes["shop"][0]
    assert migration.name == "0001_initial" and migration.initial
    assert [(type(o).__name__, o.name) for o in migration.operations] == [
        ("CreateModel", "Zine"),
        ("CreateModel", "Author"),
    ]


def test_circular_foreign_keys_split_into_add_field():
    after = state(
        model("shop", "A", ("b", models.ForeignKey("shop.b", on_delete=models.CASCADE, null=True))),
        model("shop", "B", ("a", models.ForeignKey("shop.a", on_delete=models.CASCADE, null=True))),
    )
    result = operations(state(), after)
    assert kinds(result) == ["CreateModel", "CreateModel", "AddField"]


def test_delete_model():
    assert kinds(operations(state(author(), book()), state(author()))) == ["DeleteModel"]


def test_delete_models_dependents_first():
    result = operations(state(author(), book()), state())
    assert [o.name for o in result] == ["Book", "Author"]


def test_add_nullable_field():
    result = operations(state(author()), state(author(fields=[("bio", models.TextField(null=True))])))
    assert kinds(result) == ["AddField"] and result[0].name == "bio"


def test_add_not_null_field_without_default_asks_and_refuses_without_input():
    with pytest.raises(ImproperlyConfigured, match=r"non-nullable field 'age'.*default"):
        operations(state(author()), state(author(fields=[("age", models.IntegerField())])))


def test_add_not_null_field_with_one_off_default():
    class Answers(MigrationQuestioner):
        def ask_not_null_addition(self, model_name, field_name):
            return 7

    from relata.migrations.autodetector import MigrationAutodetector

    changes = MigrationAutodetector(
        state(author()), state(author(fields=[("age", models.IntegerField())])), Answers()
    ).changes(None)
    (op,) = changes["shop"][0].operations
    assert isinstance(op, ops.AddField) and op.preserve_default is False and op.field.default == 7


def test_remove_field():
    before = state(author(fields=[("bio", models.TextField())]))
    assert kinds(operations(before, state(author()))) == ["RemoveField"]


def test_alter_field():
    before = state(author())
    after = state(model("shop", "Author", ("name", models.CharField(max_length=300))))
    result = operations(before, after)
    assert kinds(result) == ["AlterField"] and result[0].field.max_length == 300


@pytest.mark.parametrize(
    "change",
    [
        {"related_name": "books"},
        {"related_name": "+"},
        {"related_query_name": "work"},
        {"on_delete": models.PROTECT},
        {"verbose_name": "writer"},
        {"help_text": "who wrote it"},
    ],
)
def test_python_only_changes_still_record_an_alter_field(change):
    kwargs = {"on_delete": models.CASCADE, **change}
    after = state(author(), book(models.ForeignKey("shop.author", **kwargs)))
    result = operations(state(author(), book()), after)
    assert kinds(result) == ["AlterField"]


def test_rename_field_when_confirmed_else_remove_and_add():
    before = state(model("shop", "Author", ("name", models.CharField(max_length=200, null=True))))
    after = state(model("shop", "Author", ("full_name", models.CharField(max_length=200, null=True))))
    assert kinds(operations(before, after, renames=True)) == ["RenameField"]
    assert kinds(operations(before, after, renames=False)) == ["AddField", "RemoveField"]


def test_rename_model_when_confirmed():
    before = state(author(), book())
    after = state(
        model("shop", "Writer", ("name", models.CharField(max_length=200))),
        book(models.ForeignKey("shop.writer", on_delete=models.CASCADE)),
    )
    result = operations(before, after, renames=True)
    assert kinds(result) == ["RenameModel"]
    assert (result[0].old_name, result[0].new_name) == ("Author", "Writer")
    assert kinds(operations(before, after, renames=False)) == ["CreateModel", "AlterField", "DeleteModel"]


def test_add_and_remove_index():
    index = models.Index(fields=["name"], name="shop_author_name_idx")
    with_index = state(author(options={"indexes": [index]}))
    assert kinds(operations(state(author()), with_index)) == ["AddIndex"]
    assert kinds(operations(with_index, state(author()))) == ["RemoveIndex"]


def test_add_and_remove_constraint():
    constraint = models.UniqueConstraint(fields=["name"], name="shop_author_name_uniq")
    with_constraint = state(author(options={"constraints": [constraint]}))
    assert kinds(operations(state(author()), with_constraint)) == ["AddConstraint"]
    assert kinds(operations(with_constraint, state(author()))) == ["RemoveConstraint"]


def test_unique_together():
    after = state(author(), book(unique_together={("author", "title")}))
    result = operations(state(author(), book()), after)
    assert kinds(result) == ["AlterUniqueTogether"]
    assert result[0].unique_together == {("author", "title")}


def test_model_options():
    result = operations(state(author()), state(author(options={"ordering": ["name"]})))
    assert kinds(result) == ["AlterModelOptions"] and result[0].options == {"ordering": ["name"]}


def test_many_to_many_field():
    after = state(author(), model("shop", "Tag", ("authors", models.ManyToManyField("shop.author"))))
    assert kinds(operations(state(author()), after)) == ["CreateModel"]
    tag = model("shop", "Tag", ("label", models.CharField(max_length=5)))
    tag_m2m = model(
        "shop", "Tag", ("label", models.CharField(max_length=5)), ("authors", models.ManyToManyField("shop.author"))
    )
    assert kinds(operations(state(author(), tag), state(author(), tag_m2m))) == ["AddField"]


def test_cross_app_dependency_on_new_migration():
    after = state(
        model("people", "Person", ("name", models.CharField(max_length=10))),
        model("shop", "Order", ("buyer", models.ForeignKey("people.person", on_delete=models.CASCADE))),
    )
    changes = detect(state(), after)
    assert changes["shop"][0].dependencies == [("people", "0001_initial")]
    assert changes["people"][0].dependencies == []


class Answers(MigrationQuestioner):
    """Answers every default question with `value`, and records what was asked."""

    def __init__(self, value):
        super().__init__()
        self.value, self.asked = value, []

    def ask_not_null_addition(self, model_name, field_name):
        self.asked.append(("addition", model_name, field_name))
        return self.value

    def ask_not_null_alteration(self, model_name, field_name):
        self.asked.append(("alteration", model_name, field_name))
        return self.value

    def ask_auto_now_add_addition(self, model_name, field_name):
        self.asked.append(("auto_now_add", model_name, field_name))
        return self.value


def detect_with(questioner, before, after):
    from relata.migrations.autodetector import MigrationAutodetector

    return MigrationAutodetector(before, after, questioner).changes(None)["shop"][0].operations


def nullable_age(null):
    return state(author(fields=[("age", models.IntegerField(null=null))]))


def test_field_becoming_not_null_asks_for_a_one_off_default():
    questioner = Answers(0)
    (op,) = detect_with(questioner, nullable_age(True), nullable_age(False))
    assert questioner.asked == [("alteration", "Author", "age")]
    assert isinstance(op, ops.AlterField) and op.preserve_default is False and op.field.default == 0


def test_field_becoming_not_null_without_input_warns_and_keeps_no_default():
    warnings = []
    (op,) = detect_with(MigrationQuestioner(warn=warnings.append), nullable_age(True), nullable_age(False))
    assert isinstance(op, ops.AlterField) and op.preserve_default is True and not op.field.has_default()
    assert len(warnings) == 1 and "'age' on Author becomes non-nullable" in warnings[0]
    assert "Give the field a default" in warnings[0]


def test_field_becoming_not_null_with_a_default_asks_nothing():
    questioner = Answers(0)
    after = state(author(fields=[("age", models.IntegerField(default=3))]))
    (op,) = detect_with(questioner, nullable_age(True), after)
    assert questioner.asked == [] and op.preserve_default is True


def test_auto_now_add_addition_asks_and_refuses_without_input():
    after = state(author(fields=[("added", models.DateTimeField(auto_now_add=True))]))
    with pytest.raises(ImproperlyConfigured, match=r"'added' with auto_now_add=True to Author.*default"):
        operations(state(author()), after)
    import datetime

    moment = datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC)
    questioner = Answers(moment)
    (op,) = detect_with(questioner, state(author()), after)
    assert questioner.asked == [("auto_now_add", "Author", "added")]
    assert op.preserve_default is False and op.field.default == moment and op.field.auto_now_add


@pytest.mark.parametrize(
    "field",
    [
        models.DateTimeField(auto_now=True),
        models.CharField(max_length=5, blank=True),
        models.ManyToManyField("shop.author"),
        models.IntegerField(null=True),
    ],
)
def test_additions_that_fill_existing_rows_themselves_ask_nothing(field):
    questioner = Answers(1)
    (op,) = detect_with(questioner, state(author()), state(author(fields=[("extra", field)])))
    assert questioner.asked == [] and op.preserve_default is True


@pytest.mark.parametrize(
    ("asked", "typed", "expected"),
    [
        ("ask_not_null_addition", "41 + 1\n", 42),
        ("ask_not_null_alteration", "'x'\n", "x"),
        ("ask_auto_now_add_addition", "datetime.date(2024, 5, 6)\n", __import__("datetime").date(2024, 5, 6)),
        ("ask_not_null_addition", "nonsense(\n7\n", 7),
    ],
)
def test_interactive_questioner_evaluates_the_typed_default(asked, typed, expected):
    import io

    from relata.migrations.questioner import InteractiveQuestioner

    out = io.StringIO()
    questioner = InteractiveQuestioner(stdin=io.StringIO(typed), stdout=out)
    assert getattr(questioner, asked)("Author", "age") == expected
    assert "one-off default" in out.getvalue()


def test_interactive_questioner_ignore_exit_and_enter_for_now():
    import datetime
    import io

    from relata.migrations.questioner import KEEP_NULLS, InteractiveQuestioner

    def ask(asked, typed):
        return getattr(InteractiveQuestioner(stdin=io.StringIO(typed), stdout=io.StringIO()), asked)("Author", "age")

    assert ask("ask_not_null_alteration", "ignore\n") is KEEP_NULLS
    with pytest.raises(ImproperlyConfigured, match=r"Stopped: give Author\.age a default"):
        ask("ask_not_null_addition", "exit\n")
    with pytest.raises(ImproperlyConfigured, match="No answer on standard input"):
        ask("ask_not_null_addition", "")
    now = ask("ask_auto_now_add_addition", "\n")
    assert isinstance(now, datetime.datetime) and now.tzinfo is not None
    assert abs((datetime.datetime.now(datetime.UTC) - now).total_seconds()) < 60


def test_circular_foreign_keys_across_apps_split_into_a_later_migration():
    after = state(
        model("people", "Person", ("favourite", models.ForeignKey("shop.order", models.SET_NULL, null=True))),
        model("shop", "Order", ("buyer", models.ForeignKey("people.person", on_delete=models.CASCADE))),
    )
    changes = detect(state(), after)
    people, shop = changes["people"], changes["shop"]
    assert [m.name for m in people] == ["0001_initial", "0002_person_favourite"]
    assert [m.name for m in shop] == ["0001_initial"]
    assert [(kinds(m.operations), m.dependencies) for m in people] == [
        (["CreateModel"], []),
        (["AddField"], [("people", "0001_initial"), ("shop", "0001_initial")]),
    ]
    assert [name for name, _f in people[0].operations[0].fields] == ["id"]
    assert shop[0].dependencies == [("people", "0001_initial")]
    assert shop[0].initial and people[0].initial and not people[1].initial


def applied_in_order(changes):
    """Every new migration in an order the graph allows, each after its dependencies."""
    from relata.migrations.graph import MigrationGraph

    graph = MigrationGraph()
    migrations = [m for app in changes.values() for m in app]
    for migration in migrations:
        graph.add_node(migration.key, migration)
    for migration in migrations:
        for parent in migration.dependencies:
            graph.add_dependency(migration.key, parent)
    order = []
    for migration in migrations:
        order += [key for key in graph.forwards_plan(migration.key) if key not in order]
    return [graph.nodes[key] for key in order]


def test_every_migration_of_a_cycle_across_apps_points_at_existing_tables():
    after = state(
        model("a", "A", ("c", models.ForeignKey("c.c", models.CASCADE))),
        model("b", "B", ("a", models.ForeignKey("a.a", models.CASCADE))),
        model("c", "C", ("b", models.ForeignKey("b.b", models.CASCADE))),
    )
    changes = detect(state(), after)
    created = set()
    for migration in applied_in_order(changes):
        for operation in migration.operations:
            if isinstance(operation, ops.CreateModel):
                created.add(f"{migration.app_label}.{operation.name.lower()}")
                fields = operation.fields
            else:
                fields = [(operation.name, operation.field)]
            for _name, fld in fields:
                assert fld.deconstruct()[3].get("to", "a.a") in created, (migration.key, operation)
    assert sum(len(app) for app in changes.values()) == 4


def test_dependency_on_a_model_that_already_exists_is_the_apps_current_migration():
    from relata.migrations.graph import MigrationGraph

    before = state(model("people", "Person"))
    after = state(
        model("people", "Person", ("tag", models.ForeignKey("shop.tag", models.SET_NULL, null=True))),
        model("shop", "Tag", ("owner", models.ForeignKey("people.person", models.CASCADE))),
    )
    graph = MigrationGraph()
    graph.add_node(("people", "0001_initial"), None)
    changes = detect(before, after, graph=graph)
    assert changes["shop"][0].dependencies == [("people", "0001_initial")]
    assert changes["people"][0].dependencies == [("people", "0001_initial"), ("shop", "0001_initial")]
    assert changes["people"][0].name == "0002_person_tag"


def test_index_that_only_changes_name_is_renamed():
    before = state(author(options={"indexes": [models.Index(fields=["name"], name="shop_author_old_idx")]}))
    after = state(author(options={"indexes": [models.Index(fields=["name"], name="shop_author_new_idx")]}))
    (op,) = operations(before, after)
    assert isinstance(op, ops.RenameIndex) and (op.old_name, op.new_name) == (
        "shop_author_old_idx",
        "shop_author_new_idx",
    )
    assert op.describe() == "Rename index shop_author_old_idx on Author to shop_author_new_idx"


def test_renamed_field_keeps_its_index():
    def with_index(field_name, index_name):
        index = models.Index(fields=[f"-{field_name}"], name=index_name)
        return state(
            model("shop", "Author", (field_name, models.CharField(max_length=200, null=True)), indexes=[index])
        )

    before = with_index("name", "shop_name_idx")
    assert kinds(operations(before, with_index("full_name", "shop_name_idx"), renames=True)) == ["RenameField"]
    result = operations(before, with_index("full_name", "shop_full_name_idx"), renames=True)
    assert kinds(result) == ["RenameField", "RenameIndex"]
    assert kinds(operations(before, with_index("full_name", "shop_name_idx"))) == [
        "RemoveIndex",
        "AddField",
        "AddIndex",
        "RemoveField",
    ]
