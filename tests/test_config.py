"""Configuration: relata.connect, RELATA_DATABASE_URL, [tool.relata] in pyproject.toml, bad URLs."""

import pytest

import relata
from relata import conf, exceptions
from relata.db import connections


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No environment URL, and a working directory without a pyproject.toml."""
    monkeypatch.delenv(conf.ENV_DATABASE_URL, raising=False)
    monkeypatch.delenv("RELATA_DATABASE_URL_EXTRA", raising=False)
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    connections.forget("cfg")
    connections.forget("extra")


def write_pyproject(folder, body):
    (folder / "pyproject.toml").write_text(body)


# -- URLs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///rel.db", {"ENGINE": "sqlite", "NAME": "rel.db"}),
        ("sqlite:////abs/x.db", {"ENGINE": "sqlite", "NAME": "/abs/x.db"}),
        ("sqlite:///:memory:", {"ENGINE": "sqlite", "NAME": ":memory:"}),
        ("sqlite:///rel.db?timeout=1", {"NAME": "rel.db", "OPTIONS": {"timeout": "1"}}),
        (
            "sqlite:///file:x.db?mode=ro&transaction_mode=deferred",
            {
                "NAME": "file:x.db?mode=ro&transaction_mode=deferred",
                "OPTIONS": {"mode": "ro", "transaction_mode": "deferred"},
            },
        ),
        (
            "postgresql://u:p%40ss@h:5433/db?sslmode=require",
            {
                "ENGINE": "postgresql",
                "NAME": "db",
                "USER": "u",
                "PASSWORD": "p@ss",
                "HOST": "h",
                "PORT": 5433,
                "OPTIONS": {"sslmode": "require"},
            },
        ),
        ("postgres://h/db", {"ENGINE": "postgresql", "HOST": "h", "PORT": None, "USER": None}),
        ("mysql://root@127.0.0.1/app", {"ENGINE": "mysql", "NAME": "app", "USER": "root", "HOST": "127.0.0.1"}),
    ],
)
def test_parse_url(url, expected):
    settings = conf.parse_url(url)
    assert {k: settings[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("nope", "sqlite:///path.db"),
        ("", "sqlite:///path.db"),
        (None, "sqlite:///path.db"),
        ("sqlite:/x.db", "sqlite:///path.db"),
        ("ftp://host/db", "use sqlite://, postgresql:// or mysql://"),
        ("postgresql://u:secret@h:abc/db", "write a number"),
        ("postgresql://u:secret@h:5432", "names no database"),
        ("mysql://root@h/", "names no database"),
    ],
)
def test_bad_url_is_one_line_improperly_configured(url, hint):
    with pytest.raises(exceptions.ImproperlyConfigured) as info:
        conf.parse_url(url)
    message = str(info.value)
    assert hint in message
    assert "\n" not in message
    assert "secret" not in message  # passwords never reach messages


def test_connect_rejects_bad_url_and_keeps_nothing(isolated):
    with pytest.raises(exceptions.ImproperlyConfigured):
        relata.connect("nope://x", alias="cfg")
    assert "cfg" not in connections


def test_connect_is_lazy(isolated):
    path = isolated / "lazy.sqlite3"
    wrapper = relata.connect(f"sqlite:///{path}", alias="cfg")
    assert wrapper.connection is None and not path.exists()
    assert connections["cfg"] is wrapper
    wrapper.execute("CREATE TABLE t (x integer)")
    assert path.exists()


def test_importing_models_touches_no_database(isolated):
    from relata import models

    class Lazy(models.Model):
        class Meta:
            app_label = "cfg_lazy"

    assert "cfg" not in connections


def test_connect_with_options(isolated):
    wrapper = relata.connect("sqlite:///:memory:", alias="cfg", timeout=1)
    assert wrapper.settings["OPTIONS"] == {"timeout": 1}
    assert wrapper.vendor == "sqlite"


def test_reconnecting_an_alias_replaces_its_connection(isolated):
    first = relata.connect("sqlite:///:memory:", alias="cfg")
    first.execute("SELECT 1")
    second = relata.connect("sqlite:///:memory:", alias="cfg")
    assert second is not first and first.connection is None


# -- precedence ------------------------------------------------------------------------


def test_embedded_default(isolated):
    assert conf.database_url_for("default") == "sqlite:///db.sqlite3"


def test_pyproject_over_default(isolated):
    write_pyproject(
        isolated,
        '[tool.relata]\ndatabase = "sqlite:///from_toml.db"\n'
        'databases = {extra = "sqlite:///extra.db"}\napps = ["booktracker"]\n',
    )
    assert conf.database_url_for("default") == "sqlite:///from_toml.db"
    assert conf.database_url_for("extra") == "sqlite:///extra.db"
    project = conf.load_project_settings()
    assert project.apps == ["booktracker"] and project.path == isolated / "pyproject.toml"
    assert connections.settings_for("extra")["NAME"] == "extra.db"


def test_pyproject_found_in_a_parent_folder(isolated, monkeypatch):
    write_pyproject(isolated, '[tool.relata]\ndatabase = "sqlite:///parent.db"\n')
    child = isolated / "a" / "b"
    child.mkdir(parents=True)
    monkeypatch.chdir(child)
    assert conf.database_url_for("default") == "sqlite:///parent.db"


def test_environment_over_pyproject(isolated, monkeypatch):
    write_pyproject(isolated, '[tool.relata]\ndatabase = "sqlite:///from_toml.db"\n')
    monkeypatch.setenv(conf.ENV_DATABASE_URL, "sqlite:///from_env.db")
    assert conf.database_url_for("default") == "sqlite:///from_env.db"


def test_connect_over_environment(isolated, monkeypatch):
    monkeypatch.setenv("RELATA_DATABASE_URL_CFG", "sqlite:///from_env.db")
    assert connections.settings_for("cfg")["NAME"] == "from_env.db"
    connections.forget("cfg")
    relata.connect("sqlite:///from_code.db", alias="cfg")
    assert connections.settings_for("cfg")["NAME"] == "from_code.db"


def test_unconfigured_alias_says_how_to_configure_it(isolated):
    with pytest.raises(exceptions.ImproperlyConfigured) as info:
        connections["cfg"]
    assert "relata.connect" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("body", "hint"),
    [
        ("[tool.relata\n", "Fix the TOML syntax"),
        ('[tool]\nrelata = "x"\n', "must be a table"),
        ('[tool.relata]\napps = "booktracker"\n', "list of package names"),
        ('[tool.relata]\ndatabases = "x"\n', "must be a table"),
    ],
)
def test_bad_pyproject_is_improperly_configured(isolated, body, hint):
    write_pyproject(isolated, body)
    with pytest.raises(exceptions.ImproperlyConfigured) as info:
        conf.load_project_settings()
    assert hint in str(info.value)
    assert "\n" not in str(info.value)
