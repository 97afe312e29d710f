"""Generic relations, as Django's contenttypes framework: a row may point at a row of any model.

- `models.ContentType`: one row per model (table `django_content_type`, as Django names it, so a
  database Django made is read unchanged), with a per-process cache in `ContentType.objects`.
- `fields.GenericForeignKey` / `fields.GenericRelation`: the two ends of a generic relation.
- `prefetch.GenericPrefetch`: prefetch_related() through a GenericForeignKey with a queryset per model.

The ContentType table is an ordinary model's: create it as any other, with
`relata.testing.create_tables(ContentType, ...)` or a migration in your app. Rows need no set-up
step: `ContentType.objects.get_for_model(Model)` creates a model's row the first time it is asked
(Django's post_migrate handler creates them all up front; `management.create_contenttypes()` does
the same here, for code that wants every row to exist before it runs).
"""
