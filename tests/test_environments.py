"""Environments: without the JIT, read-only installs, and processes compiling at once.

* ``NUMBA_DISABLE_JIT=1`` runs the kernels as plain Python: slow but the same numbers, so a
  broken compiler never blocks a user.
* A read-only package folder makes numba's cache fall back to ``$XDG_CACHE_HOME`` or
  ``~/.cache``, and, when that cannot be made either, to a private folder in the temporary
  directory (never one that another user could have planted pickles in).
* Two processes compiling into one fresh cache folder at the same time both succeed.

Each check runs in a fresh ``python`` process, since numba reads its configuration once.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from importlib.util import find_spec
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onzekerheid.cli import app

SCENARIOS = Path(__file__).parent.parent / "scenarios"
ENGINE = str(Path(find_spec("onzekerheid").origin).parent / "engine")  # type: ignore[arg-type]
EVERY_FAMILY = """\
[scenario]
title = "every family, a case block and a risk"
[parameters]
u = { dist = "uniform", min = 1, max = 3 }
t = { dist = "triangular", min = 0, mode = 1, max = 4 }
p = { dist = "pert", min = 0, mode = 1, max = 4, lambda = 3 }
n = { dist = "normal", ci = [-1, 2], lower = -2 }
l = { dist = "lognormal", mean = 5, sd = 2 }
b = { dist = "beta", successes = 7, trials = 20 }
g = { dist = "gamma", shape = 2, scale = 1.5, upper = 9 }
po = { dist = "poisson", mean = 4 }
bi = { dist = "binomial", n = 12, p = 0.3 }
be = { dist = "bernoulli", p = 0.4 }
d = { dist = "discrete", values = [1, 5, 9], weights = [1, 2, 1] }
[cases]
count = 7
heterogeneity = { dist = "gamma", mean = 1, sd = 0.5 }
[success]
rate = { dist = "beta", ci = [0.5, 0.8] }
[bias]
per_case = { dist = "lognormal", mean = 1, sd = 0.3 }
[[items]]
name = "a"
amount = 100
probability = 0.5
[extrapolation]
cases_per_year = 30
[costs]
fte = 1
cost_per_fte = 1000
[[costs.risks]]
name = "vat"
probability = 0.3
share = 0.21
[outputs]
mix = "u * t + p - n + log(l) + b * g + po - bi + be * d + sqrt(abs(n))"
"""


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NUMBA_CACHE_DIR", "NUMBA_DISABLE_JIT", "XDG_CACHE_HOME",
                        "ONZEKERHEID_DEBUG")}
    return {**env, "COLUMNS": "200", **extra}


def python(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def outputs_of(doc: dict) -> dict[str, dict[str, float]]:  # type: ignore[type-arg]
    return {name: {k: v for k, v in out.items() if isinstance(v, float)}
            for name, out in doc["outputs"].items()}


def assert_same_numbers(a: dict, b: dict, rtol: float = 1e-12) -> None:  # type: ignore[type-arg]
    left, right = outputs_of(a), outputs_of(b)
    assert left.keys() == right.keys()
    for name in left:
        assert left[name].keys() == right[name].keys(), name
        for key, value in left[name].items():
            assert math.isclose(value, right[name][key], rel_tol=rtol, abs_tol=1e-300), \
                (name, key, value, right[name][key])


# ------------------------------------------------------------------------ NUMBA_DISABLE_JIT


@pytest.mark.parametrize("source", ["every_family", "utrecht.toml"])
def test_disabled_jit_gives_the_same_numbers(tmp_path, source):  # type: ignore[no-untyped-def]
    if source == "every_family":
        path = tmp_path / "s.toml"
        path.write_text(EVERY_FAMILY)
    else:
        path = SCENARIOS / source
    args = ["run", str(path), "-n", "2000", "--seed", "7", "--json"]
    jit = CliRunner().invoke(app, args)
    assert jit.exit_code == 0, jit.output
    plain = subprocess.run([sys.executable, "-m", "onzekerheid", *args],
                           env=clean_env(NUMBA_DISABLE_JIT="1"), cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert plain.returncode == 0, plain.stderr
    assert "Traceback" not in plain.stderr
    # the kernels draw from numpy Generators in both modes: the same numbers to 1e-12
    assert_same_numbers(json.loads(jit.stdout), json.loads(plain.stdout))


# ------------------------------------------------------------------------ cache folder choice

CHOOSE = """
    import json, os, sys
    real = os.access
    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and os.path.abspath(path) == {engine!r} and {read_only!r}:
            return False
        return real(path, mode, *args, **kwargs)
    os.access = access
    import onzekerheid.engine._jit as jit
    import numba
    from numba.core.caching import CompileResultCacheImpl as CacheImpl
    from onzekerheid.engine import _kernels
    kernel = CacheImpl(_kernels.run_program.py_func)._locator
    print(json.dumps({{"env": os.environ.get("NUMBA_CACHE_DIR"),
                      "numba": numba.config.CACHE_DIR, "ours": jit.CACHE_DIR,
                      "kernel": kernel.get_cache_path()}}))
"""


def choose(tmp_path: Path, read_only: bool, **env: str) -> dict[str, str | None]:
    done = python(CHOOSE.format(engine=ENGINE, read_only=read_only), clean_env(**env), tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_writable_package_keeps_numbas_own_cache(tmp_path):  # type: ignore[no-untyped-def]
    if not os.access(ENGINE, os.W_OK):
        pytest.skip("the package is installed read-only here")
    chosen = choose(tmp_path, False, HOME=str(tmp_path))
    assert chosen["env"] is None and chosen["numba"] in ("", None) and chosen["ours"] is None
    assert chosen["kernel"].startswith(str(Path(ENGINE)))  # numba's own: beside the source


def test_read_only_package_uses_the_user_cache(tmp_path):  # type: ignore[no-untyped-def]
    chosen = choose(tmp_path, True, HOME=str(tmp_path / "home"))
    expected = str(tmp_path / "home" / ".cache" / "onzekerheid" / "numba")
    # only this package's kernels go there: the environment and numba's settings are untouched
    assert chosen.pop("kernel").startswith(expected)
    assert chosen == {"env": None, "numba": "", "ours": expected}
    assert Path(expected).is_dir()


def test_read_only_package_prefers_xdg_cache_home(tmp_path):  # type: ignore[no-untyped-def]
    chosen = choose(tmp_path, True, HOME=str(tmp_path / "home"),
                    XDG_CACHE_HOME=str(tmp_path / "xdg"))
    assert chosen["ours"] == str(tmp_path / "xdg" / "onzekerheid" / "numba")


def test_an_explicit_numba_cache_dir_wins(tmp_path):  # type: ignore[no-untyped-def]
    chosen = choose(tmp_path, True, NUMBA_CACHE_DIR=str(tmp_path / "mine"))
    assert chosen["env"] == chosen["numba"] == str(tmp_path / "mine") and chosen["ours"] is None


def test_no_home_falls_back_to_a_private_temporary_folder(tmp_path):  # type: ignore[no-untyped-def]
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    temp = tmp_path / "tmp"
    temp.mkdir()
    chosen = choose(tmp_path, True, HOME=str(blocker), TMPDIR=str(temp))
    folder = Path(str(chosen["ours"]))
    assert folder == temp / f"onzekerheid-numba-{os.getuid()}"
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_shared_temporary_folder_that_others_can_write_is_not_used(tmp_path):  # type: ignore[no-untyped-def]
    # numba loads pickles from its cache: a world-writable folder could hold planted code
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    temp = tmp_path / "tmp"
    planted = temp / f"onzekerheid-numba-{os.getuid()}"
    planted.mkdir(parents=True)
    planted.chmod(0o777)
    chosen = choose(tmp_path, True, HOME=str(blocker), TMPDIR=str(temp))
    folder = Path(str(chosen["ours"]))
    assert folder != planted and folder.parent == temp
    assert folder.name.startswith("onzekerheid-numba-")
    assert folder.stat().st_mode & 0o777 == 0o700


# ------------------------------------------------------------------------ compiling at once


@pytest.mark.slow  # two cold compilations (about 10 s of CPU each)
def test_two_processes_compiling_into_a_fresh_read_only_fallback_cache(tmp_path):  # type: ignore[no-untyped-def]
    # Both processes see a read-only package, so both compile into the same fresh user cache
    # folder at the same time; both must succeed with the same numbers, and a third run then
    # loads the compiled code from that folder.
    scenario = tmp_path / "s.toml"
    scenario.write_text(EVERY_FAMILY)
    home = tmp_path / "home"
    code = textwrap.dedent(CHOOSE).split("import onzekerheid.engine._jit")[0].format(
        engine=ENGINE, read_only=True) + textwrap.dedent(f"""
        from onzekerheid.cli import app
        sys.argv = ["onzekerheid", "run", {str(scenario)!r}, "-n", "2000", "--json"]
        app()
    """)
    env = clean_env(HOME=str(home))
    processes = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env,
                                  cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    results = [p.communicate(timeout=600) for p in processes]
    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
        assert "Traceback" not in err
    first, second = (json.loads(out) for out, _ in results)
    assert_same_numbers(first, second, rtol=0.0)
    cache = home / ".cache" / "onzekerheid" / "numba"
    index = sorted(cache.rglob("*.nbi"))
    assert index, "nothing was cached in the fallback folder"
    stamps = {p: p.stat().st_mtime_ns for p in index}
    third = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=600)
    assert third.returncode == 0, third.stderr
    assert_same_numbers(first, json.loads(third.stdout), rtol=0.0)
    # loaded, not compiled again: numba rewrites an index only when it saves new code
    assert {p: p.stat().st_mtime_ns for p in index} == stamps


# ------------------------------------------------------------------------ the fit cache


def test_the_fit_cache_can_be_turned_off(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from onzekerheid.scenario import _fitcache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(_fitcache, "_memory", None)
    monkeypatch.setenv(_fitcache.OPT_OUT, "1")
    _fitcache.put("k", (1.0,))
    assert _fitcache.get("k") == (1.0,)  # remembered for this process
    assert not (tmp_path / "onzekerheid").exists()  # and nothing written
    monkeypatch.setattr(_fitcache, "_memory", None)
    monkeypatch.delenv(_fitcache.OPT_OUT)
    _fitcache.put("k", (2.0,))
    assert (tmp_path / "onzekerheid" / "interval-fits.json").is_file()
