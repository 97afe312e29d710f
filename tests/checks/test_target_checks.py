"""checks.run_checks() on what a relation's key points at: the to_fields exist (fields.E312) and name
one row (fields.E311 for one field, fields.E310 for several), with Django's ids; the hints fix it."""

from relata import checks, models


def run(*model_list):
    return [
        m for m in checks.run_checks(models=list(model_list)) if m.id in ("fields.E310", "fields.E311", "fields.E312")
    ]


def sides(label, unique_code=False, together=False):
    class Stock(models.Model):
        code = models.CharField(max_length=3, unique=unique_code)
        shelf = models.IntegerField()
        slot = models.IntegerField()

        class Meta:
            app_label = label
            unique_together = [("shelf", "slot")] if together else []

    class Item(models.Model):
        code = models.CharField(max_length=3)
        shelf = models.IntegerField()
        slot = models.IntegerField()
        by_code = models.ForeignKey(Stock, models.CASCADE, to_field="code", related_name="+")
        by_place = models.ForeignObject(
            Stock, models.CASCADE, from_fields=["shelf", "slot"], to_fields=["shelf", "slot"], related_name="+"
        )
        by_pk = models.ForeignKey(Stock, models.CASCADE, related_name="+")

        class Meta:
            app_label = label

    return Stock, Item


def test_targets_that_are_not_unique_are_reported_like_django():
    stock, item = sides("ck_target_loose")
    found = {(m.obj.name, m.id) for m in run(stock, item)}
    assert found == {("by_code", "fields.E311"), ("by_place", "fields.E310")}
    (e311,) = [m for m in run(stock, item) if m.id == "fields.E311"]
    assert e311.msg == "'Stock.code' must be unique because it is referenced by a foreign key."
    assert "unique=True to Stock.code" in e311.hint
    (e310,) = [m for m in run(stock, item) if m.id == "fields.E310"]
    assert e310.msg == "No subset of the fields 'shelf', 'slot' on model 'Stock' is unique."
    assert "unique_together = [('shelf', 'slot')]" in e310.hint


def test_the_fixes_the_hints_give_silence_the_checks():
    assert run(*sides("ck_target_fixed", unique_code=True, together=True)) == []


def test_a_missing_to_field_is_named():
    class Depot(models.Model):
        name = models.CharField(max_length=3)

        class Meta:
            app_label = "ck_target_missing"

    class Crate(models.Model):
        depot_name = models.CharField(max_length=3)
        depot = models.ForeignObject(
            Depot, models.CASCADE, from_fields=["depot_name"], to_fields=["title"], related_name="+"
        )

        class Meta:
            app_label = "ck_target_missing"

    (message,) = run(Depot, Crate)
    assert message.id == "fields.E312"
    assert message.msg == "The to_field 'title' doesn't exist on the related model 'ck_target_missing.Depot'."
    assert "id, name" in message.hint


def test_a_relation_that_asks_for_no_unique_target_is_not_checked():
    class Loose(models.ForeignObject):
        requires_unique_target = False

    class Page(models.Model):
        lang = models.CharField(max_length=2)

        class Meta:
            app_label = "ck_target_optout"

    class Text(models.Model):
        lang = models.CharField(max_length=2)
        page = Loose(Page, models.CASCADE, from_fields=["lang"], to_fields=["lang"], related_name="+")

        class Meta:
            app_label = "ck_target_optout"

    assert run(Page, Text) == []


def test_a_foreign_keys_on_delete_and_unique_are_checked_like_django():
    class Owner(models.Model):
        class Meta:
            app_label = "ck_fk_own"

    class Pet(models.Model):
        nullless = models.ForeignKey(Owner, models.SET_NULL, related_name="+")
        defaultless = models.ForeignKey(Owner, models.SET_DEFAULT, related_name="+")
        single = models.ForeignKey(Owner, models.CASCADE, unique=True, related_name="+")
        fine = models.ForeignKey(Owner, models.SET_NULL, null=True, related_name="+")
        one = models.OneToOneField(Owner, models.CASCADE, related_name="+")

        class Meta:
            app_label = "ck_fk_own"

    found = {(m.obj.name, m.id, m.level) for m in checks.run_checks(models=[Owner, Pet])}
    assert found == {
        ("nullless", "fields.E320", checks.ERROR),
        ("defaultless", "fields.E321", checks.ERROR),
        ("single", "fields.W342", checks.WARNING),
    }
    (e320,) = [m for m in checks.run_checks(models=[Pet]) if m.id == "fields.E320"]
    assert "null=True on Pet.nullless" in e320.hint


def test_foreign_key_class_subscription_gives_the_class():
    assert models.ForeignKey["Owner"] is models.ForeignKey
