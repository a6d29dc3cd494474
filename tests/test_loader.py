"""Loading scenario files: every problem collected with its key path and line; checks; --set."""

from __future__ import annotations

import pytest

import onzekerheid as oz
from onzekerheid import ScenarioError
from onzekerheid.cli.app import parse_override
from onzekerheid.scenario.checks import parse_check

GOOD = """\
[scenario]
title = "t"
[parameters]
count = 3
price = { dist = "normal", mean = 100, sd = 10 }
[outputs]
net = "count * price - 250"
"""


def problems_of(load_toml, text: str) -> list[oz.Problem]:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError) as info:
        load_toml(text)
    return info.value.problems


def test_good_file_loads(load_toml):  # type: ignore[no-untyped-def]
    sc = load_toml(GOOD)
    assert sc.title == "t"
    assert set(sc.parameters) == {"count", "price"} and set(sc.outputs) == {"net"}
    assert sc.file.endswith("scenario.toml")


def test_all_problems_of_a_file_in_one_error(load_toml):  # type: ignore[no-untyped-def]
    text = """\
[scenario]
title = "t"
colour = "blue"
[parameters]
a = { dist = "normal", mean = 0, sd = -1 }
b = { dist = "uniform", min = 1, max = 0 }
c = "a + d"
[outputs]
net = "a + b + c"
[claim]
nett = 5
[[checks]]
expect = "P(net > 0) >= 0.9"
[[checks]]
expect = "mode(net) > 1"
"""
    found = problems_of(load_toml, text)
    where = {(p.path, p.line) for p in found}
    assert where == {
        ("scenario.colour", 3),
        ("parameters.a.sd", 5),
        ("parameters.b.min", 6),
        ("parameters.c", 7),
        ("claim.nett", 11),
        ("checks.1.expect", 15),
    }
    assert all(p.file.endswith("scenario.toml") for p in found)
    rendered = str(ScenarioError(found))
    assert "scenario.toml:7: parameters.c: unknown name 'd'" in rendered
    assert "did you mean 'net'?" in rendered


@pytest.mark.parametrize(("text", "path", "line", "message"), [
    (GOOD + "[paramters]\nx = 1\n", "paramters", 8,
     r"unknown section \[paramters\] \(did you mean 'parameters'\?\)"),
    (GOOD + "[zzz]\n", "zzz", 8, r"unknown section \[zzz\] \(allowed: bias, .*scenario"),
    (GOOD.replace('title = "t"', 'source = "s"'), "scenario.title", 1,
     r"a title \(text\) is required"),
    (GOOD.replace('title = "t"', "title = 5"), "scenario.title", 2,
     r"a title \(text\) is required"),
    (GOOD.replace('[scenario]\ntitle = "t"\n', ""), "scenario", None,
     r"missing \[scenario\] section"),
    (GOOD.replace('title = "t"', 'title = "t"\nsource = 3'), "scenario.source", 3,
     "source must be text"),
    (GOOD.replace('[outputs]\nnet = "count * price - 250"\n', ""), "outputs", None,
     "the scenario has no outputs"),
    (GOOD + "[claim]\nnett = 5\n", "claim.nett", 9,
     r"'nett' is not an output \(did you mean 'net'\?\)"),
    (GOOD + '[claim]\nnet = "lots"\n', "claim.net", 9, "a claim must be a number, got 'lots'"),
    (GOOD.replace("count = 3", "count = [1, 2]"), "parameters.count", 4,
     "'count' must be a number, text or a table, got list"),
    (GOOD.replace("count = 3", "2count = 3").replace("count *", "price *"),
     "parameters.2count", 4, "'2count' is not a valid name"),
    (GOOD.replace("count = 3", 'count = { dist = "fixed", value = 3, source = 1 }'),
     "parameters.count.source", 4, "source must be text"),
    (GOOD + "price = 4\n", "outputs.price", 8, "'price' is both a parameter and an output"),
    (GOOD + "other = true\n", "outputs.other", 8,
     "output 'other' must be an expression"),
    ("checks = 1\n" + GOOD, "checks", 1, r"\[\[checks\]\] must be an array of tables"),
    (GOOD + "[[checks]]\nexpekt = 'P(net > 0) > 0.5'\n", "checks.0", 8,
     r"each \[\[checks\]\] needs expect"),
    (GOOD + "[[checks]]\nexpect = 'P(net > 0) > 0.5'\nnoet = 'x'\n", "checks.0.noet", 10,
     r"unknown key 'noet' \(did you mean 'note'\?\)"),
    (GOOD + "[[checks]]\nexpect = 'mean(nett) > 0'\n", "checks.0.expect", 9,
     r"'nett' is not an output \(did you mean 'net'\?\)"),
    (GOOD + "[[checks]]\nexpect = 'P(net > 0) >= 1.5'\n", "checks.0.expect", 9,
     "a probability must lie in 0..1, got 1.5"),
    (GOOD + "[[checks]]\nexpect = 'q00(net) > 1'\n", "checks.0.expect", 9,
     "q00 must be a percentile between q01 and q99"),
])
def test_one_problem_each(load_toml, text, path, line, message):  # type: ignore[no-untyped-def]
    found = problems_of(load_toml, text)
    assert [(p.path, p.line) for p in found] == [(path, line)]
    with pytest.raises(ScenarioError, match=message):
        load_toml(text)


@pytest.mark.parametrize(("data", "line", "message"), [
    (b"", None, "the file is empty"),
    (b"  \n\n  \n", None, "the file is empty"),
    (b'[scenario]\ntitle = "t"\nx = = 1\n', 3, "not valid TOML"),
    (b'[scenario]\ntitle = "t\n', 2, "not valid TOML"),
    (b'[scenario]\ntitle = "t"\n[scenario]\n', 3, "not valid TOML"),
    (b'[scenario]\ntitle = "caf\xe9"\n', 2, r"the file is not UTF-8 text \(byte 23\)"),
    (b"[a]\n" * 0 + b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", None, "TOML|nested"),
])
def test_unreadable_files(tmp_path, data, line, message):  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.toml"
    path.write_bytes(data)
    with pytest.raises(ScenarioError, match=message) as info:
        oz.load(path)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    if line is not None:
        assert problem.line == line


def test_misspelt_title_gives_both_problems(load_toml):  # type: ignore[no-untyped-def]
    found = problems_of(load_toml, GOOD.replace('title = "t"', 'titel = "t"'))
    assert [(p.path, p.line, p.hint) for p in found] == [
        ("scenario.title", 1, 'add title = "what the claim is" under [scenario]'),
        ("scenario.titel", 2, "did you mean 'title'?"),
    ]


def test_byte_order_mark_is_accepted(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert oz.load(path).title == "t"


def test_missing_file_and_folder(tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError, match=r"nope\.toml: file not found"):
        oz.load(tmp_path / "nope.toml")
    with pytest.raises(ScenarioError, match="is a folder, not a scenario file"):
        oz.load(tmp_path)


def test_a_broken_parameter_is_not_reported_again_where_it_is_used(load_toml):  # type: ignore[no-untyped-def]
    found = problems_of(load_toml, GOOD.replace("sd = 10", "sd = 0"))
    assert [p.path for p in found] == ["parameters.price.sd"]


# --------------------------------------------------------------------------------------------
# checks grammar


@pytest.mark.parametrize(("text", "fields"), [
    ("P(net > 0) >= 0.9", ("P", "net", ">=", 0.9, ">", 0.0)),
    ("  P( net <= -0.5 )<.5 ", ("P", "net", "<", 0.5, "<=", -0.5)),
    ("P(a.b >= 1.8e6) > 1e-1", ("P", "a.b", ">", 0.1, ">=", 1.8e6)),
    ("q05(bcr) >= 1", ("q05", "bcr", ">=", 1.0)),
    ("q95(bcr) < +2.5E3", ("q95", "bcr", "<", 2500.0)),
    ("q2.5(bcr) > -1", ("q2.5", "bcr", ">", -1.0)),
    ("mean(net) > -1.5e3", ("mean", "net", ">", -1500.0)),
    ("median(net) <= 0", ("median", "net", "<=", 0.0)),
    ("sd(net) < 10", ("sd", "net", "<", 10.0)),
])
def test_check_forms(text, fields):  # type: ignore[no-untyped-def]
    check = parse_check(text)
    got = (check.stat, check.output, check.op, check.threshold)
    if check.stat == "P":
        got += (check.inner_op, check.inner_value)
    assert got == fields


@pytest.mark.parametrize("text", [
    "P(net > 0)", "P(net == 0) > 0.5", "P(net > 0) = 0.5", "mode(net) > 1", "mean(net) > x",
    "mean(net > 0) > 1", "q100(net) > 1", "mean(net) > 1 2", "P(net > 0) >= 0.9 and 1",
    "net > 0", "", "mean(net) > 1e", "mean(net) > --1",
])
def test_bad_check_forms(text):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=r"cannot read check .*P\(<output> <op> <number>\)"):
        parse_check(text)


def test_check_must_be_text():
    with pytest.raises(ValueError, match="expect must be text, got 5"):
        parse_check(5)


# --------------------------------------------------------------------------------------------
# overrides (--set)


@pytest.mark.parametrize(("text", "pair"), [
    ("x=5", ("x", 5)),
    (" x = 5 ", ("x", 5)),
    ("x=-1.5", ("x", -1.5)),
    ("x=1e3", ("x", 1000.0)),
    ("a.b=2", ("a.b", 2)),
    ("x=10 to 20", ("x", "10 to 20")),
    ("x=a * 2", ("x", "a * 2")),
    ("x=a==b", ("x", "a==b")),
])
def test_parse_override(text, pair):  # type: ignore[no-untyped-def]
    assert parse_override(text) == pair


@pytest.mark.parametrize(("text", "message"), [
    ("x", "expected NAME=VALUE"),
    ("=5", "both NAME and VALUE are needed"),
    ("x=", "both NAME and VALUE are needed"),
])
def test_bad_override_text(text, message):  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError, match=message):
        parse_override(text)


def test_override_with_a_number_an_interval_and_an_expression(load_toml):  # type: ignore[no-untyped-def]
    text = GOOD + '[parameters.prices]\nmelding = 7\n'
    fixed = load_toml(text, {"price": 12})
    assert fixed.parameters["price"].kind == "fixed" and fixed.parameters["price"].value == 12
    interval = load_toml(text, {"price": "50 to 200"}).parameters["price"]
    assert interval.dist.family == "lognormal"
    assert interval.dist.ppf([0.05, 0.95]) == pytest.approx([50, 200])
    negative = load_toml(text, {"price": "-5 to 5"}).parameters["price"]
    assert negative.dist.family == "normal"
    expression = load_toml(text, {"price": "count * 10 + prices.melding"})
    assert oz.point(expression).values["net"] == 3 * 37 - 250
    assert load_toml(text, {"prices.melding": 9}).parameters["prices.melding"].value == 9
    assert oz.point(load_toml(text, {"net": "count"})).values["net"] == 3


def test_override_of_an_unknown_name_suggests_one(load_toml):  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError,
                       match=r"overrides pricee: no parameter or output called 'pricee' "
                             r"\(did you mean 'price'\?\)") as caught:
        load_toml(GOOD, {"pricee": 3})
    assert "--set pricee: no parameter" in caught.value.render({"overrides": "--set"})


def test_bad_override_values_name_the_parameter(load_toml):  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError, match=r"parameters\.price: '20 to 10': the first number"):
        load_toml(GOOD, {"price": "20 to 10"})
    with pytest.raises(ScenarioError, match=r"parameters\.price: unknown name 'cuont'.*"
                                            r"did you mean 'count'"):
        load_toml(GOOD, {"price": "cuont * 2"})
    with pytest.raises(ScenarioError, match=r"circular definition"):
        load_toml(GOOD, {"price": "net + 1"})


def test_overrides_do_not_change_the_raw_document(load_toml):  # type: ignore[no-untyped-def]
    sc = load_toml(GOOD)
    again = oz.scenario.with_overrides(sc, {"count": 4})
    assert again.parameters["count"].value == 4
    assert again.overrides == {"count": 4}
    assert sc.parameters["count"].value == 3
    assert oz.scenario.with_overrides(again, {}).parameters["count"].value == 4


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from onzekerheid.scenario import _toml

    monkeypatch.setattr(_toml, "MAX_FILE_BYTES", 10)
    path = tmp_path / "big.toml"
    path.write_text(GOOD)
    with pytest.raises(ScenarioError, match=rf"big\.toml: file is {len(GOOD)} bytes; a scenario "
                                            r"file may be at most 10 bytes"):
        oz.load(path)


def test_line_numbers_of_dotted_keys_and_array_tables(load_toml):  # type: ignore[no-untyped-def]
    text = GOOD + """\
[[checks]]
expect = "P(net > 0) > 0.5"

[[checks]]
note = "second"
expect = "P(net > 0) > 5"
[parameters.group]
inner.deep = { dist = "normal", mean = 0, sd = -1 }
"""
    found = problems_of(load_toml, text)
    assert [(p.path, p.line) for p in found] == [("parameters.group.inner.deep.sd", 15),
                                                 ("checks.1.expect", 13)]
