"""Untrusted letter templates (trade associations distribute them): the known Jinja2 sandbox
escapes are refused, templates cannot read files outside their folders, and output, loops,
numbers and time are bounded. Every refusal is a one-line UserError naming the template.

Each hostile template runs in a child process with a 2 GB address-space limit, so a template
that did manage to allocate without bound would fail the test instead of the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SECRET = "TOP-SECRET-CONTENT-4711"

RUNNER = textwrap.dedent("""\
    import json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))
    from commentkit.errors import UserError
    import commentkit.letter.templating as T
    from commentkit.letter.templating import TemplateSet
    T.MAX_SECONDS = float(sys.argv[3])
    dirs, name = json.loads(sys.argv[1]), sys.argv[2]
    t0 = time.monotonic()
    try:
        out = TemplateSet(dirs).render(name, {"commenter": {"name": "Acme"}, "items": [1, 2, 3]})
        print(json.dumps({"ok": True, "out": out[:5000], "len": len(out), "s": time.monotonic() - t0}))
    except UserError as exc:
        print(json.dumps({"ok": False, "error": exc.format(), "s": time.monotonic() - t0}))
    """)


def _render(tmp_path: Path, source: str, *, name: str = "letter.md.j2", extra: dict | None = None,
            dirs: list[Path] | None = None, max_seconds: float = 10.0) -> dict:
    folder = tmp_path / "assoc-templates"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(source)
    for n, text in (extra or {}).items():
        (folder / n).parent.mkdir(parents=True, exist_ok=True)
        (folder / n).write_text(text)
    env = dict(os.environ, COMMENTKIT_NO_TEMPLATE_CACHE="1")
    res = subprocess.run([sys.executable, "-c", RUNNER, json.dumps([str(d) for d in (dirs or [folder])]), name,
                          str(max_seconds)],
                         capture_output=True, text=True, timeout=60, env=env)
    assert res.returncode == 0, f"the render crashed instead of refusing:\n{res.stderr[-3000:]}"
    return json.loads(res.stdout)


def _refused(result: dict, *words: str) -> str:
    assert not result["ok"], f"template was rendered: {result.get('out', '')[:300]!r}"
    err = result["error"]
    assert "\n" not in err and "letter.md.j2" in err, err
    assert SECRET not in err
    for w in words:
        assert w in err, err
    return err


ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ().__class__.__base__.__subclasses__() }}",
    "{{ [].__class__.__mro__ }}",
    "{{ commenter.__class__.__init__.__globals__ }}",
    "{{ self.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self._TemplateReference__context.environment }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__.os.popen('id').read() }}",
    "{{ namespace.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ lipsum(100, True, 10 ** 6, 10 ** 6) }}",
    "{{ range.__init__.__globals__ }}",
    "{{ commenter|attr('__class__') }}",
    "{{ '{0.__class__.__mro__}'.format(items) }}",
    "{{ items.append(4) }}{{ items }}",
    "{{ commenter.update({'name': 'x'}) }}",
    "{{ config }}",
    "{{ request.application.__globals__ }}",
    "{{ get_flashed_messages.__globals__ }}",
    "{{ ''.__class__.__subclasses__ }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ (items|first).__class__ }}",
    "{{ 'a'.__add__('b') }}",
    "{{ commenter.items().__iter__().__reduce__() }}",
    "{{ [].pop.__self__ }}",
    "{{ range(10).__iter__().gi_frame.f_globals }}",
    "{% set g = (x for x in []) %}{{ g.gi_frame }}",
]


def test_unsafe_attributes_through_filters_come_back_undefined(tmp_path):
    """map(attribute=...) goes through the sandbox's getattr: unsafe attributes are undefined, never objects."""
    result = _render(tmp_path, "{{ items|map(attribute='__class__')|list }}")
    assert result["ok"] and "class" not in result["out"] and "Undefined" in result["out"]


@pytest.mark.parametrize("source", ESCAPES)
def test_known_sandbox_escapes_are_refused(tmp_path, source):
    result = _render(tmp_path, source)
    if result["ok"]:  # a harmless rendering (e.g. an unsafe attribute that came back undefined) is not enough:
        pytest.fail(f"{source!r} rendered {result['out'][:200]!r}")
    _refused(result)
    assert "uid=" not in result["error"]


@pytest.mark.parametrize("source, words", [
    ("{{ 'x' * 10 ** 9 }}", ["limit"]),
    ("{{ 'x' * 1000000 * 1000 }}", ["limit"]),
    ("{{ [1] * 100000000 }}", ["limit"]),
    ("{{ range(10 ** 10)|list }}", ["limit"]),
    ("{{ range(10 ** 10)|length }}", ["limit"]),
    ("{{ 9 ** 9 ** 9 }}", ["limit"]),
    ("{{ ((10 ** 7) ** 64) ** 64 }}", ["limit"]),
    ("{{ '%999999999s' % 'x' }}", ["limit"]),
    ("{{ 'x'|center(1000000000) }}", ["limit"]),
    ("{{ 'ab'|replace('a', 'x' * 1900000)|replace('x', 'yy') }}", ["limit"]),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", ["limit"]),
    ("{% for i in range(3000000) %}{{ i }}{% endfor %}", ["limit"]),
    ("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}", ["recursion"]),
    ("{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% else %}{{ s|length }}{% endif %}{% endmacro %}"
     "{{ d('x', 64) }}", []),
    ("{% macro d(s, n) %}{% if n %}{{ d(s + s, n - 1) }}{% else %}{{ s|length }}{% endif %}{% endmacro %}"
     "{{ d('x', 64) }}", []),
    ("{{ ('x' * 1000000)|list|join(' ' * 1000) }}", []),
    ("{% set s = 'x' * 1000000 %}{{ (s ~ s ~ s ~ s ~ s ~ s ~ s ~ s)|length }}", ["limit"]),
    ("{{ items|batch(10 ** 9)|list }}", ["limit"]),
    ("{{ 'x'|indent(10 ** 9, true) }}", ["limit"]),
    ("{{ '%s' % ('x' * 2000000) ~ ('x' * 2000000) }}", []),
])
def test_unbounded_work_is_stopped(tmp_path, source, words):
    result = _render(tmp_path, source)
    _refused(result, *words)
    assert result["s"] < 15, f"took {result['s']:.1f} s"


def test_slow_template_is_stopped_by_the_time_limit(tmp_path):
    result = _render(tmp_path, "{{ ('x' * 1000000)|wordwrap(1) }}", max_seconds=1.0)
    _refused(result, "took longer than 1 s")
    assert result["s"] < 5


def test_template_cannot_include_or_import_files_outside_its_folders(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    (tmp_path / "secret.md.j2").write_text(SECRET)
    rel = os.path.relpath(secret, tmp_path / "assoc-templates")
    for source in [f"{{% include '{rel}' %}}", "{% include '../secret.md.j2' %}", f"{{% include '{secret}' %}}",
                   "{% import '../secret.md.j2' as s %}{{ s }}", "{% extends '../secret.md.j2' %}",
                   "{% include '/etc/passwd' %}", "{% include 'partials/../../secret.md.j2' %}",
                   "{% include '..\\\\secret.md.j2' %}", "{% from '../secret.md.j2' import x %}{{ x }}"]:
        _refused(_render(tmp_path, source), "not found")


def test_symlink_in_template_folder_cannot_reach_outside(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    folder = tmp_path / "assoc-templates"
    folder.mkdir()
    (folder / "partials").mkdir()
    (folder / "partials" / "link.md.j2").symlink_to(secret)
    (folder / "dirlink").symlink_to(tmp_path, target_is_directory=True)
    for source in ["{% include 'partials/link.md.j2' %}", "{% include 'dirlink/secret.txt' %}"]:
        result = _render(tmp_path, source)
        assert not result["ok"] and SECRET not in result.get("out", ""), result
        _refused(result)


def test_includes_inside_the_folder_and_shipped_partials_still_work(tmp_path):
    result = _render(tmp_path, "{% include 'partials/greeting.md.j2' %} {{ commenter.name }}",
                     extra={"partials/greeting.md.j2": "Dear Sir or Madam,"})
    assert result["ok"], result
    assert result["out"].strip() == "Dear Sir or Madam, Acme"


def test_a_hostile_project_template_fails_the_build_cleanly(project, run):
    """Through the real command: an override template that tries an escape is a one-line error, exit 2,
    and no partial output is left behind."""
    (project / "templates").mkdir(exist_ok=True)
    (project / "templates" / "letter.md.j2").write_text(
        "Dear Sir,\n\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    res = run("build", project, "--format", "md")
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert "\n" not in err and "letter.md.j2:3" in err and "Traceback" not in err
    assert not list((project / "build").glob("*.md")) if (project / "build").exists() else True
