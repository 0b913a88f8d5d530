"""A tuning study names its target from the registry, never by an import path: a database
that says ``module:Class`` (or anything else unregistered) is refused before anything is
imported, and options are checked against the target's constructor."""

from __future__ import annotations

import sys

import optuna
import pytest
from typer.testing import CliRunner

from attncc.cli import app
from attncc.errors import TuningError
from attncc.search.measure import MeasureTask
from attncc.search.measure import measure
from attncc.search.problem import Problem
from attncc.search.reference import reference_file
from attncc.search.registry import register_target
from attncc.search.registry import registrations
from attncc.search.registry import resolve_target
from attncc.search.registry import target_options
from attncc.search.registry import target_spec
from attncc.search.tuner import Tuner
from attncc.variants import CATALOGUE
from tests.search.conftest import TINY
from tests.search.conftest import fast
from tests.search.fakes import FakeTarget
from tests.search.fakes import OptionTarget

HOSTILE = "attncc_hostile_target"


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    """A module that leaves a mark when imported, on the import path of this process and of
    the processes it starts: a study naming it must never import it."""
    marker = tmp_path / "imported"
    (tmp_path / f"{HOSTILE}.py").write_text(
        f"open({str(marker)!r}, 'w').write('imported')\n"
        "from tests.search.fakes import FakeTarget as Evil\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield f"{HOSTILE}:Evil", marker
    sys.modules.pop(HOSTILE, None)


def _plant(storage: str, problem: Problem, target: str) -> str:
    """A study as a hostile (or old) database holds it: ``target`` in its attributes."""
    tuner = Tuner(problem, storage, fast(), cost_model=None)
    tuner.study.set_user_attr("target", target)
    return tuner.study.study_name


def test_a_study_naming_an_import_path_is_refused_unimported(problem, storage, hostile):
    path, marker = hostile
    name = _plant(storage, problem, path)
    with pytest.raises(TuningError, match="never by an import path"):
        Tuner.join(storage, name, fast(), cost_model=None)
    result = CliRunner().invoke(app, ["worker", "--storage", storage, "--study", name])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith(f"error: unknown target '{path}'")
    assert not marker.exists() and HOSTILE not in sys.modules


def test_the_measurement_process_resolves_from_the_registry_only(problem, hostile):
    path, marker = hostile
    data = reference_file(problem.program, problem.extents)
    for target in (path, "tests.search.fakes:FakeTarget", "os:system"):
        task = MeasureTask(target, problem.program.text, dict(problem.extents), data)
        result = measure(task, {"tile": 4, "order": "ij"})
        assert result["status"] == "compile_error" and "unknown target" in result["error"]
    assert not marker.exists() and HOSTILE not in sys.modules


@pytest.mark.parametrize(
    "attrs, message",
    [
        ({"target": ["cpu"]}, "unknown target"),
        ({"target": "fake", "target_options": "{}"}, "'target_options' attribute is str"),
        ({"target": "fake", "target_options": {"x": 1}}, "has no option 'x'"),
        ({"target": "fake", "extents": [1, 2]}, "'extents' attribute is list"),
        ({"target": "fake", "params": [["W", 1]]}, "'params' attribute is list"),
        ({"target": "fake", "program": 7}, "'program' attribute is int"),
        ({"target": "fake", "extents": {**TINY, "h": "2"}}, "must be an integer"),
    ],
)
def test_malformed_study_attributes_are_errors(problem, attrs, message):
    from attncc.errors import AttnccError

    with pytest.raises(AttnccError, match=message):
        Problem.from_study_attrs({**problem.study_attrs(), **attrs})


def test_target_options_round_trip_through_the_study(storage):
    target = OptionTarget(lanes=8, mode="wide", exact=False)
    problem = Problem.create(CATALOGUE["mha_causal"](), target, TINY)
    attrs = problem.study_attrs()
    assert attrs["target"] == "optioned" and attrs["target_options"] == {
        "lanes": 8,
        "mode": "wide",
        "exact": False,
    }
    again = Problem.from_study_attrs(attrs)
    assert (again.target.lanes, again.target.mode, again.target.exact) == (8, "wide", False)
    assert again.study_name == problem.study_name
    other = Problem.create(CATALOGUE["mha_causal"](), OptionTarget(lanes=2), TINY)
    assert other.study_name != problem.study_name  # options are part of the target hash
    Tuner(problem, storage, fast(), cost_model=None)
    joined = Tuner.join(storage, problem.study_name, fast(), cost_model=None)
    assert joined.problem.target.lanes == 8


@pytest.mark.parametrize(
    "options, message",
    [
        ({"lanes": "8"}, "option lanes of target optioned takes int, got '8'"),
        ({"lanes": True}, "takes int, got True"),
        ({"exact": 1}, "takes bool, got 1"),
        ({"mode": 3}, "option mode of target optioned takes"),
        ({"lanes": [8]}, "must be a JSON scalar"),
        ({"speed": 1}, "has no option 'speed'; it takes lanes, mode, exact"),
    ],
)
def test_target_options_are_checked_against_the_constructor(options, message):
    with pytest.raises(TuningError, match=message):
        resolve_target("optioned", options)
    with pytest.raises(TuningError, match="JSON object"):
        resolve_target("optioned", ["lanes"])


def test_builtin_targets_take_their_options():
    webgpu = resolve_target("webgpu", {"f16": False})
    assert webgpu.f16 is False and target_options(webgpu) == {"f16": False}
    with pytest.raises(TuningError, match="takes bool"):
        resolve_target("webgpu", {"f16": "no"})
    assert target_options(resolve_target("cpu")) == {} and target_spec(resolve_target("cpu"))
    pytest.importorskip("triton")
    cuda = resolve_target("cuda", {"arch": "sm_80"})
    assert cuda.arch == "sm_80" and target_options(cuda) == {"arch": "sm_80"}
    with pytest.raises(Exception, match="sm_12"):  # the target's own check of the value
        resolve_target("cuda", {"arch": "sm_12"})


def test_registration_is_explicit_and_checked():
    assert {"fake", "faulty", "optioned", "slow"} <= set(registrations())
    assert register_target(FakeTarget) == "fake"  # again: harmless

    class Local(FakeTarget):
        name = "local_fake"

    with pytest.raises(TuningError, match="cannot import it"):
        register_target(Local)

    class Clash(FakeTarget):
        name = "cpu"

    with pytest.raises(TuningError, match="attncc's own"):
        register_target(Clash)
    with pytest.raises(TuningError, match="Target subclass"):
        register_target(object)  # type: ignore[arg-type]

    class Impostor(FakeTarget):  # calls itself "fake", is not the registered class
        pass

    with pytest.raises(TuningError, match=r"registered for tests\.search\.fakes:FakeTarget"):
        target_spec(Impostor())


def test_old_studies_with_a_module_path_are_refused_with_the_fix(problem, storage):
    name = _plant(storage, problem, "tests.search.fakes:FakeTarget")
    with pytest.raises(TuningError, match="use one of those names"):
        Tuner.join(storage, name, fast(), cost_model=None)
    assert optuna.load_study(study_name=name, storage=storage).user_attrs["program"]
