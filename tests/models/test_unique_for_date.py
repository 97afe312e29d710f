"""unique_for_date / unique_for_month / unique_for_year and Model._get_unique_checks(), compared with Django."""

import datetime

import pytest

import oracle
from relata import models
from relata.testing import assert_num_queries
from relata.testing.pytest_plugin import use_models

dm = oracle.models


def declare(m, base):
    class Post(m.Model):
        title = m.CharField(max_length=50, unique_for_date="posted", blank=True)
        slug = m.CharField(max_length=50, unique_for_year="posted", blank=True)
        subtitle = m.CharField(max_length=50, unique_for_month="posted", blank=True)
        code = m.CharField(max_length=5, unique=True, null=True, blank=True, error_messages={"unique": "Taken."})
        posted = m.DateField(null=True, blank=True)

        class Meta(base):
            app_label = "m_unique_date"
            unique_together = [("title", "slug")]

    return Post


Post = declare(models, object)
DPost = declare(dm, oracle.Meta("m_unique_date"))
use_models(Post)
oracle.use_django_models(DPost)

FIRST = {"title": "Out", "slug": "out", "subtitle": "Finally", "code": "A", "posted": datetime.date(2008, 9, 3)}


def errors(obj):
    try:
        obj.full_clean()
    except Exception as error:
        assert type(error).__name__ == "ValidationError"
        return error.message_dict
    return {}


CASES = [
    {"title": "Out", "posted": datetime.date(2008, 9, 3)},  # same day
    {"title": "Out", "posted": datetime.date(2008, 9, 4)},  # another day
    {"slug": "out", "posted": datetime.date(2008, 1, 1)},  # same year
    {"slug": "out", "posted": datetime.date(2009, 9, 3)},  # another year
    {"subtitle": "Finally", "posted": datetime.date(2008, 9, 30)},  # same month
    {"subtitle": "Finally", "posted": datetime.date(2007, 9, 30)},  # same month, another year
    {"title": "Out"},  # no date: the rule does not apply
    {"title": "Out", "slug": "out", "code": "A", "posted": datetime.date(2008, 9, 3)},  # everything at once
]


@pytest.mark.parametrize("values", CASES, ids=[str(sorted(c.items())) for c in CASES])
def test_messages_match_django(values):
    Post.objects.create(**FIRST)
    DPost.objects.create(**FIRST)
    assert errors(Post(**values)) == errors(DPost(**values))


def test_the_rule_names_field_date_field_and_period():
    Post.objects.create(**FIRST)
    found = errors(Post(subtitle="Finally", posted=datetime.date(2008, 9, 1)))
    assert found == {"subtitle": ["Subtitle must be unique for Posted month."]}


def test_a_saved_row_does_not_clash_with_itself():
    post = Post.objects.create(**FIRST)
    assert errors(post) == {}


def test_excluding_the_date_field_drops_its_rules():
    Post.objects.create(**FIRST)
    assert errors(Post(title="Out", posted=datetime.date(2008, 9, 3))) != {}
    Post(title="Out", posted=datetime.date(2008, 9, 3)).validate_unique(exclude=["posted"])


def test_unique_checks_as_django_collects_them():
    ours = Post()._get_unique_checks()
    theirs = DPost()._get_unique_checks()
    names = lambda checks: [tuple(item[1:]) if len(item) > 2 else item[1] for item in checks]  # noqa: E731
    assert names(ours[0]) == names(theirs[0])
    assert names(ours[1]) == names(theirs[1])
    assert [type(item[0]) for item in ours[0]] and all(item[0] is Post for item in ours[0] + ours[1])


def test_one_query_per_rule_that_can_clash():
    post = Post(title="t", posted=datetime.date(2020, 1, 1))  # pk unset, code NULL: those rules cannot clash
    # unique_together (title, slug), title for the date, slug for the year, subtitle for the month
    with assert_num_queries(4):
        post.validate_unique()
