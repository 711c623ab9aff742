"""Property-based fuzzing of the config loader (hypothesis): mutated example configs,
structurally (any value anywhere replaced, removed or added) and as text, must give a
Config or a ConfigError, never another exception; and a config that passes must map and
describe every one of its gestures without an internal error.

WAND_FUZZ_EXAMPLES raises the example count for a longer run (CI keeps it small).
"""

from __future__ import annotations

import os
import tomllib
from collections import Counter

import pytest

hypothesis = pytest.importorskip("hypothesis")
tomli_w = pytest.importorskip("tomli_w")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from wand.config import all_kinds, example_names, example_path, parse_config  # noqa: E402
from wand.outputs import sections  # noqa: E402
from wand.errors import ConfigError  # noqa: E402
from wand.events import GestureEvent  # noqa: E402
from wand.mapper import Mapper  # noqa: E402
from wand.outputs import OutputSet  # noqa: E402

N = int(os.environ.get("WAND_FUZZ_EXAMPLES", "400"))
FUZZ = settings(deadline=None, max_examples=N, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
EXAMPLES = {name: example_path(name).read_text() for name in example_names()}
DATA = {name: tomllib.loads(text) for name, text in EXAMPLES.items()}
TALLY: Counter = Counter()

kinds = sorted(all_kinds())
bad_words = st.sampled_from(["²", "¹=5", "٣", "x=²", "²=1", "digits=²", "\0", "", "nan", "x=nan", "1e999", "+999",
                             "💥", "1,²", "input=", "=", ":"])
words = st.one_of(bad_words, st.sampled_from(["a", "C4", "F#3", "x=1.0", "7=100", "+1", "-1", "strength", "next", "ctrl+z", "1,2",
                         "²", "¹=5", "٣", "", " ", "\0", "\n", "/x", "hdmi2", "digits=12", "channel_up", "tv",
                         "/etc/passwd/x", "💥", "a" * 70, "-0", "1e999", "nan", "inf"]))
strings = st.one_of(words, st.text(max_size=12), st.builds(lambda k, w: f"{k}:{w}", st.sampled_from(kinds), words))
scalars = st.one_of(strings, st.integers(), st.integers(-2, 300), st.floats(allow_nan=True), st.booleans(),
                    st.datetimes(), st.dates())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(words, st.sampled_from(["action", "key", "argv", "note", "value", "profile",
                                                      "address", "threshold", "port", "command", "host"])),
                    inner, max_size=4)), max_leaves=12)


param_names = sorted({p.name for k in all_kinds().values() for p in k.params} | {"action", "colour"})
nasty = st.one_of(words, st.integers(-5, 300), st.integers(), st.floats(), st.booleans(), st.text(max_size=6),
                  st.lists(st.one_of(words, st.integers(0, 9)), max_size=3))
actions = st.one_of(
    st.builds(lambda k, w: f"{k}:{w}", st.sampled_from(kinds), st.one_of(words, st.text(max_size=6))),
    st.builds(lambda k, p: {"action": k, **p}, st.sampled_from(kinds),
              st.dictionaries(st.sampled_from(param_names), nasty, max_size=3)))
settings_tables = st.dictionaries(
    st.sampled_from(sorted(sections())),
    st.dictionaries(st.sampled_from(sorted({p.name for s in sections().values() for p in s.params} | {"x"})),
                    nasty, max_size=3), max_size=2)


def paths(node, prefix=()):
    """Every key path in a parsed config (list items included)."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, prefix + (i,))


def mutate(data, path, how, value):
    data = tomllib.loads(tomli_w.dumps(data))  # a deep copy
    if not path:
        return data
    parent = data
    for k in path[:-1]:
        parent = parent[k]
    last = path[-1]
    if how == "delete":
        del parent[last]
    elif how == "add" and isinstance(parent, dict):
        parent[f"{last}_x"] = value
    else:
        parent[last] = value
    return data


def check(text: str) -> None:
    """The property: a Config or a ConfigError; a Config then maps and describes every gesture."""
    try:
        cfg = parse_config(text)
    except ConfigError as e:
        assert str(e).startswith("<config>"), str(e)
        TALLY["ConfigError"] += 1
        return
    TALLY["accepted"] += 1
    mapper, outs = Mapper(cfg), OutputSet(cfg, dry_run=True)
    for wand in ["w", *(b.name for b in cfg.wands)]:
        for profile in cfg.profiles.values():
            for gesture in profile.gestures:
                ev = GestureEvent(wand, gesture, "model", 0.9, 0.5, 1, 1)
                for action in mapper.map(ev).actions:
                    assert outs.perform(action, ev).startswith("(dry run) ")


@FUZZ
@given(name=st.sampled_from(sorted(DATA)), pick=st.randoms(use_true_random=False),
       how=st.sampled_from(["replace", "delete", "add"]), value=st.one_of(values, actions))
def test_structural_mutations_of_the_examples(name, pick, how, value):
    data = DATA[name]
    every = list(paths(data))
    in_gestures = [p for p in every if len(p) >= 4 and p[2] == "gestures"]
    path = pick.choice(in_gestures if pick.random() < 0.6 else every)  # actions are where the variety is
    try:
        text = tomli_w.dumps(mutate(data, path, how, value))
    except (TypeError, ValueError, AttributeError):  # not expressible as TOML (e.g. a list at the top)
        return
    TALLY["tried"] += 1
    check(text)


@FUZZ
@given(name=st.sampled_from(sorted(EXAMPLES)), edits=st.lists(
    st.tuples(st.floats(0, 1), st.sampled_from(["insert", "delete", "replace"]),
              st.text(alphabet='[]{}=".,:#\n \\0123456789²abcxyz_-+\'', min_size=1, max_size=4)),
    min_size=1, max_size=6))
def test_text_mutations_of_the_examples(name, edits):
    text = EXAMPLES[name]
    for where, how, chunk in edits:
        i = int(where * len(text))
        if how == "insert":
            text = text[:i] + chunk + text[i:]
        elif how == "delete":
            text = text[:i] + text[i + len(chunk):]
        else:
            text = text[:i] + chunk + text[i + len(chunk):]
    TALLY["tried"] += 1
    check(text)


@FUZZ
@given(gestures=st.dictionaries(st.sampled_from(["circle_cw", "shake", "g"]),
                                st.one_of(actions, st.lists(actions, max_size=3)), min_size=1, max_size=3),
       tables=settings_tables)
def test_generated_actions_and_settings(gestures, tables):
    """Every kind with every parameter name given nasty values, and every settings section."""
    try:
        text = tomli_w.dumps({**tables, "profiles": {"p": {"gestures": gestures}}})
    except (TypeError, ValueError):
        return
    TALLY["tried"] += 1
    check(text)


def test_zz_report_counts(capsys):
    """Prints what the two fuzzers tried (run with -s to see it)."""
    if TALLY["tried"]:
        with capsys.disabled():
            print(f"\nconfig fuzz: tried {TALLY['tried']}, survived {TALLY['accepted'] + TALLY['ConfigError']} "
                  f"({TALLY['accepted']} accepted, {TALLY['ConfigError']} ConfigError)")
        assert TALLY["accepted"] + TALLY["ConfigError"] == TALLY["tried"]
