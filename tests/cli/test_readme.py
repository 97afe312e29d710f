"""The README's snippets, run as a newcomer would run them.

"A first model" is followed step by step in an empty folder: its files are
written where their first-line comment says, its commands run, and each
`print(...)  # expected` must print what the comment says. The other blocks
run too: TOML is read as settings, commands run in the first model's folder.
Only installing (venv, pip) and the test suite itself are taken as done.
"""

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from relata.conf import load_project_settings

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
#: Steps the test run itself stands for: this venv is the one they make, and this is the suite.
TAKEN_AS_DONE = ("python3 -m venv", ".venv/bin/pip install", ".venv/bin/pytest")
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(text):
    return [(match.group(1), match.group(2)) for match in BLOCK.finditer(text)]


def section(title):
    text = README.read_text()
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def commands(script):
    """Each command of a bash block, comments dropped, `a && b` split, install steps left out."""
    for line in script.splitlines():
        line = line.split("  #")[0].strip()
        if not line or line.startswith("#"):
            continue
        for part in line.split("&&"):
            part = part.strip()
            if not part.startswith(TAKEN_AS_DONE):
                yield part


def run(command, cwd):
    """Run one command with this venv's programs first on PATH; `cd` moves `cwd` for the next ones."""
    argv = shlex.split(command)
    if argv[0] == "cd":
        return None, cwd / argv[1]
    program = Path(argv[0]).name
    if program == "python" or program == "python3":
        argv[0] = sys.executable
    elif (BIN / program).exists():
        argv[0] = str(BIN / program)
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, input="", timeout=600)
    assert result.returncode == 0, f"{command!r} failed:\n{result.stdout}\n{result.stderr}"
    return result, cwd


def expected_prints(source):
    return [line.split("  # ", 1)[1] for line in source.splitlines() if line.startswith("print(") and "  # " in line]


@pytest.fixture
def first_model(tmp_path):
    """The folder 'A first model' builds, after every step of it has run."""
    folder = tmp_path / "first"
    folder.mkdir()
    outputs, expected = [], []
    for language, body in blocks(section("A first model")):
        if language == "toml":
            (folder / "pyproject.toml").write_text(body)
        elif language == "python":
            path = re.match(r"# (\S+\.py)\n", body)
            assert path, "each Python block of 'A first model' starts with the comment naming its file"
            (folder / path.group(1)).parent.mkdir(parents=True, exist_ok=True)
            (folder / path.group(1)).write_text(body)
            expected += expected_prints(body)
        else:
            cwd = folder
            for command in commands(body):
                result, cwd = run(command, cwd)
                if result is not None:
                    outputs += result.stdout.splitlines()
    return folder, outputs, expected


def test_a_first_model_runs_as_written_in_an_empty_folder(first_model):
    folder, outputs, expected = first_model
    assert expected, "the script shows what it prints"
    assert outputs[-len(expected) :] == expected
    assert (folder / "booktracker" / "migrations" / "0001_initial.py").exists()
    assert (folder / "books.sqlite3").exists()


def test_the_command_list_runs_in_that_folder(first_model):
    folder = first_model[0]
    found = blocks(section("Migrations and the `relata` command"))
    (script,) = [body for language, body in found if language == "bash"]
    ran = [run(command, folder)[0] for command in commands(script)]
    assert len(ran) == 9
    assert "CREATE TABLE" in ran[3].stdout


def test_the_settings_examples_are_valid_settings(tmp_path):
    text = README.read_text()
    found = [body for language, body in blocks(text) if language == "toml"]
    assert len(found) >= 3
    for number, body in enumerate(found):
        folder = tmp_path / str(number)
        folder.mkdir()
        (folder / "pyproject.toml").write_text(body)
        settings = load_project_settings(folder)
        assert settings.path == folder / "pyproject.toml"


def test_the_quick_start_runs_the_demo(tmp_path):
    (script,) = [body for language, body in blocks(README.read_text().split("## ", 1)[0]) if language == "bash"]
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns("*.sqlite3", "__pycache__"))
    cwd, ran = tmp_path, []
    for command in commands(script):
        result, cwd = run(command.replace("../.venv/bin/", ""), cwd)
        ran.append(result)
    assert [r.args[1:] for r in ran if r is not None] == [["demo"]]


def test_the_speed_command_runs_shrunk(tmp_path):
    (script,) = [body for language, body in blocks(section("Speed")) if language == "bash"]
    (command,) = commands(script)
    # The same command at a hundredth of the data and one round: the README's takes minutes.
    result, _cwd = run(f"{command.replace('.venv/bin/', '')} --scale 0.01 --reps 1", ROOT)
    assert "relata" in result.stdout and "total run time" in result.stdout
