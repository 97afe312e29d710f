"""System checks for generic relations: Django's ids (contenttypes.E001-E005, fields.E3xx), hints that fix them."""

from __future__ import annotations

from relata import checks, models
from relata.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from relata.contrib.contenttypes.models import ContentType

APP = "ct_checks"


def ids(*model_list):
    return sorted((str(m.obj), m.id) for m in checks.run_checks(models=list(model_list)))


class Good(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    content_object = GenericForeignKey()

    class Meta:
        app_label = APP


class HasGood(models.Model):
    goods = GenericRelation(Good, related_query_name="has_good")

    class Meta:
        app_label = APP


def test_a_correct_pair_has_no_message():
    assert ids(Good, HasGood) == []


def test_missing_object_id_field():
    class NoObjectId(models.Model):
        content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
        content_object = GenericForeignKey()

        class Meta:
            app_label = APP

    (message,) = checks.run_checks(models=[NoObjectId])
    assert message.id == "contenttypes.E001"
    assert message.msg == "The GenericForeignKey object ID references the nonexistent field 'object_id'."
    assert "fk_field=" in message.hint
    assert message.obj is NoObjectId._meta.get_field("content_object")


def test_missing_content_type_field():
    class NoContentType(models.Model):
        object_id = models.PositiveIntegerField()
        content_object = GenericForeignKey()

        class Meta:
            app_label = APP

    (message,) = checks.run_checks(models=[NoContentType])
    assert message.id == "contenttypes.E002"
    assert "'NoContentType.content_type'" in message.msg
    assert "ForeignKey(ContentType" in message.hint


def test_content_type_field_not_a_foreign_key():
    class NotForeignKey(models.Model):
        content_type = models.IntegerField()
        object_id = models.PositiveIntegerField()
        content_object = GenericForeignKey()

        class Meta:
            app_label = APP

    (message,) = checks.run_checks(models=[NotForeignKey])
    assert (message.id, message.msg) == ("contenttypes.E003", "'NotForeignKey.content_type' is not a ForeignKey.")
    assert "'contenttypes.ContentType'" in message.hint


def test_content_type_field_to_another_model():
    class WrongTarget(models.Model):
        content_type = models.ForeignKey(Good, on_delete=models.CASCADE, related_name="+")
        object_id = models.PositiveIntegerField()
        content_object = GenericForeignKey()

        class Meta:
            app_label = APP

    (message,) = checks.run_checks(models=[WrongTarget])
    assert message.id == "contenttypes.E004"
    assert message.msg == "'WrongTarget.content_type' is not a ForeignKey to 'contenttypes.ContentType'."


def test_generic_relation_to_a_model_without_generic_foreign_key():
    class Plain(models.Model):
        class Meta:
            app_label = APP

    class Pointer(models.Model):
        plains = GenericRelation(Plain)

        class Meta:
            app_label = APP

    (message,) = checks.run_checks(models=[Plain, Pointer])
    assert message.id == "contenttypes.E004"
    assert message.msg == (
        f"The GenericRelation defines a relation with the model '{APP}.Plain', but that model does not have a "
        f"GenericForeignKey."
    )
    assert "GenericForeignKey('content_type', 'object_id')" in message.hint


def test_generic_relation_matching_custom_field_names():
    class Custom(models.Model):
        kind = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
        key = models.PositiveIntegerField()
        target = GenericForeignKey("kind", "key")

        class Meta:
            app_label = APP

    class CustomOwner(models.Model):
        right = GenericRelation(Custom, content_type_field="kind", object_id_field="key")
        wrong = GenericRelation(Custom)

        class Meta:
            app_label = APP

    assert ids(Custom, CustomOwner) == [(f"{APP}.CustomOwner.wrong", "contenttypes.E004")]


def test_generic_relation_to_an_abstract_model():
    class AbstractTagged(models.Model):
        class Meta:
            app_label = APP
            abstract = True

    class ToAbstract(models.Model):
        items = GenericRelation(AbstractTagged)

        class Meta:
            app_label = APP

    assert ids(ToAbstract) == [(f"{APP}.ToAbstract.items", "fields.E300")]


def test_query_name_clashing_with_a_field_of_the_target():
    class Clashing(models.Model):
        goods = GenericRelation(Good, related_query_name="object_id")

        class Meta:
            app_label = APP

    (message,) = [m for m in checks.run_checks(models=[Clashing]) if m.id == "fields.E303"]
    assert message.msg == (
        f"Reverse query name 'object_id' for '{APP}.Clashing.goods' clashes with field name '{APP}.Good.object_id'."
    )
    assert "related_query_name='clashing_goods'" in message.hint


def test_query_name_ending_with_underscore():
    class Underscored(models.Model):
        goods = GenericRelation(Good, related_query_name="bad_")

        class Meta:
            app_label = APP

    assert (f"{APP}.Underscored.goods", "fields.E308") in ids(Underscored)


def test_field_name_rules_apply():
    class BadName(models.Model):
        content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
        object_id = models.PositiveIntegerField()
        target_ = GenericForeignKey()

        class Meta:
            app_label = APP

    assert ids(BadName) == [(f"{APP}.BadName.target_", "fields.E001")]


def test_model_names_longer_than_the_content_type_column():
    name = "M" * 101
    long_model = type(name, (models.Model,), {"__module__": __name__, "Meta": type("Meta", (), {"app_label": APP})})
    messages = [m for m in checks.run_checks(models=[long_model]) if m.id == "contenttypes.E005"]
    assert [m.msg for m in messages] == ["Model names must be at most 100 characters (got 101)."]
    assert messages[0].obj is long_model
