"""Few-shot by DTW on the wand's IMU: the host's ring and cut over real tries replayed
through the simulated wand (losses, batches, wrapping sample numbers), matching, and the
enrolment file (new format, the older embedding format kept aside)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from wand.enrol import EnrolmentSet, Rival, Rivals, builtin_rivals, cut_builtin_templates, cut_tries, load
from wand.errors import GestureFileError
from wand.events import EventStream
from wand.events.naming import Namer
from wand.fewshot import decide
from wand.events.imu import decision_sample, gesture_span
from wand.protocol import PACKET_TYPE_OFFSET, PKT_GESTURE, ConfigPacket, GesturePacket, ImuPacket
from wand.simwand.device import SimulatedWand, streaming
from wand.wand_core.resampler import resample_block


def _packets(bundle, rec, start: int, batch: int = 1):
    """One try through the simulated wand, its sample count started at ``start`` (so the
    16-bit sample numbers wrap inside the try), IMU stream on: all packets in order."""
    wand = SimulatedWand(bundle, [rec], config=streaming(), pause_s=0)
    wand.core.idle(start)
    wand.core.imu_batch = batch
    return [e.packet for e in wand.replay()]


@pytest.mark.parametrize("batch", [1, 5])
def test_cut_over_real_tries_is_the_wands_own_samples_despite_wrap_loss_and_late_imu(bundle, vocab, batch):
    """The host cuts onset..decision from what it received; with every 7th IMU packet lost
    it has exactly the other samples of that span, in order, and names the event once the
    batch holding the decision has arrived (the gesture packet may come first)."""
    span = gesture_span(bundle.window, bundle.hop, ConfigPacket())
    checked = 0
    for rec in vocab["shake"].recordings()[:4]:
        start = (1 << 16) - 20  # the try's samples are numbered 65516, ..., 65535, 0, 1, ...
        packets = _packets(bundle, rec, start, batch)
        gesture = next(GesturePacket.decode(p) for p in packets if p[PACKET_TYPE_OFFSET] == PKT_GESTURE)
        if gesture.gesture_id != 0xFF:
            continue  # the model named it: its onset is found from the gate (next test)
        truth = resample_block(rec.samples, rec.rate_hz, bundle.rate_hz)
        last = (decision_sample(gesture.timestamp_ms, bundle.rate_hz) - start) % (1 << 16)
        want = truth[last - span + 1: last + 1]
        # deliver the gesture packet before the IMU batch that holds its decision sample, and lose some IMU
        imu = [p for p in packets if p[PACKET_TYPE_OFFSET] != PKT_GESTURE]
        lost = set(range(3, len(imu), 7))
        stream = EventStream("w", bundle, _one_gesture(bundle, rec), max_age_ms=None, rivals=Rivals())  # the cut alone
        got = []
        for i, p in enumerate(imu):
            first = ImuPacket.decode(p).first_seq
            if (first - start) % (1 << 16) > last - batch and stream.sequencer.stats.delivered == 0:
                assert stream.feed(gesture.encode()) is None  # waits for its samples
            if i not in lost:
                got += stream.feed_imu(p)
        assert len(got) == 1 and got[0].seq == gesture.seq and got[0].source == "enrolled"
        seg = stream.cut(gesture)
        kept = [j for j in range(span) if not _lost_sample(imu, lost, start, last - span + 1 + j)]
        assert seg.tolist() == want[kept].tolist() and len(kept) < span
        checked += 1
    assert checked >= 2


def _lost_sample(imu, lost, start, index) -> bool:
    for i in lost:
        p = ImuPacket.decode(imu[i])
        first = (p.first_seq - start) % (1 << 16)
        if first <= index < first + len(p.samples):
            return True
    return False


def _one_gesture(bundle, rec) -> EnrolmentSet:
    """An enrolment whose one gesture is this very try (it matches itself at distance 0)."""
    es = EnrolmentSet(bundle.rate_hz)
    es.enrol("wiggle", [cut_tries(bundle, [rec])[0].segment], radius=100.0)  # accepts what is left after the losses
    return es


def test_named_packets_are_cut_from_the_gate_onset_the_same_at_enrolment_and_in_use(bundle, vocab):
    """A try the model names: the same segment from ``cut_tries`` and from a live stream."""
    rec = vocab["push_forward"].recordings()[0]
    seg = cut_tries(bundle, [rec])[0].segment
    packets = _packets(bundle, rec, 1000)
    stream = EventStream("w", bundle, None, max_age_ms=None)
    gesture = None
    for p in packets:
        if p[PACKET_TYPE_OFFSET] == PKT_GESTURE:
            gesture = gesture or GesturePacket.decode(p)
        else:
            stream.feed_imu(p)
    assert gesture.gesture_id == bundle.classes.index("push_forward")
    assert stream.cut(gesture).tolist() == seg.tolist()
    assert len(seg) == gesture_span(bundle.window, bundle.hop, ConfigPacket())


def test_enrolled_gesture_recognised_still_wand_rejected(bundle, vocab):
    shake, diag = vocab["shake"].recordings(), vocab["diagonal_up_right"].recordings()
    es = EnrolmentSet(bundle.rate_hz)
    es.enrol("shake", [c.segment for c in cut_tries(bundle, shake[:3])])
    es.enrol("diag", [c.segment for c in cut_tries(bundle, diag[:3])])
    assert 0 < es.gestures["shake"].scale and 0 < es.gestures["diag"].scale
    named = [es.decide(c.segment).nearest for c in cut_tries(bundle, shake[3:7])]
    assert named.count("shake") >= 3
    still = np.tile([0, 0, 1000, 0, 0, 0], (48, 1))  # a wand lying still: nothing like a shake
    es.remove("diag")
    assert es.match(still) is None and es.decide(still).nearest == "shake"


def test_a_built_in_rival_nearer_or_not_clearly_farther_rejects_the_enrolled_gesture():
    raw, scale, radius = {"a": 1.0, "b": 3.0}, {"a": 1.0, "b": 1.0}, {"a": 1.25, "b": 1.25}
    assert decide(raw, scale, radius, 0.8).accepted
    assert decide(raw, scale, radius, 0.8, rival=2.0).accepted and decide(raw, scale, radius, 0.8, rival=2.0).ratio == 0.5
    assert not decide(raw, scale, radius, 0.8, rival=0.9).accepted  # the model's gesture is nearer
    assert not decide(raw, scale, radius, 0.8, rival=1.1).accepted  # nearer, but not by the ratio
    assert not decide({"a": 0.0}, {"a": 1.0}, {"a": 1.25}, 0.8, rival=0.0).accepted  # a tie is no win


def test_shipped_built_in_templates_are_the_models_recordings_cut_today(bundle, vocab):
    """wand/assets/builtin_templates.json is stale if the model, the spotter or the cut changed:
    rewrite it with ``python -m training.studies.recognisers.fewshot_grid assets``."""
    shipped, today = builtin_rivals(bundle), cut_builtin_templates(bundle, list(vocab.values()))
    assert shipped.classes == set(bundle.classes) - {bundle.classes[bundle.other_class]}
    assert [(r.gesture, r.person, r.samples.tolist()) for r in shipped.templates] == \
        [(r.gesture, r.person, r.samples.tolist()) for r in today.templates]


def test_built_in_tries_lose_to_the_other_persons_rival_templates_enrolled_ones_still_win(bundle, vocab):
    """Real tries: three unseen gestures enrolled; the model's gestures as one person performed
    them are never taken for an enrolled one when the other person's templates compete."""
    es = EnrolmentSet(bundle.rate_hz)
    for n in ("shake", "diagonal_up_right", "swipe_down"):
        es.enrol(n, [c.segment for c in cut_tries(bundle, vocab[n].recordings()[:3])])
    rivals = builtin_rivals(bundle)
    taken_alone = taken_with = 0
    for person in ("tti-data", "tti-peter"):
        others = rivals.without(person)
        for r in rivals.templates:
            if r.person == person:
                taken_alone += es.decide(r.samples).accepted
                taken_with += es.decide(r.samples, 1.0, others).accepted
    assert taken_with == 0 < taken_alone
    for n in ("shake", "diagonal_up_right"):
        named = [es.decide(c.segment, 1.0, rivals).name for c in cut_tries(bundle, vocab[n].recordings()[3:])]
        assert named.count(n) >= 5


def test_a_rival_that_draws_the_same_shape_wider_vetoes_what_the_imu_alone_accepts(bundle, vocab):
    """The second stage: the gyro stroke is free of size, so a rival drawing the query's shape
    three times as wide (far on the IMU) is nearest in shape, and the match is refused."""
    cuts = [c.segment for c in cut_tries(bundle, vocab["shake"].recordings())]
    es = EnrolmentSet(bundle.rate_hz)
    es.enrol("shake", cuts[:3])
    vetoed = 0
    for q in cuts[3:]:
        wide = q.copy()
        wide[:, 3:] *= 3
        rival = Rivals((Rival("push_forward", "x", wide),), bundle.rate_hz)
        imu_only = es.decide(q, 1.0, rival, shape=False)
        vetoed += imu_only.accepted and imu_only.nearest == "shake" and not es.decide(q, 1.0, rival).accepted
    assert vetoed >= 4


def test_a_model_named_packet_needs_the_tighter_match_only_for_a_class_without_rival_templates(bundle, vocab):
    shake = [c.segment for c in cut_tries(bundle, vocab["shake"].recordings()[:3])]
    es = EnrolmentSet(bundle.rate_hz)
    es.enrol("wiggle", shake[:2])
    es.gestures["wiggle"].radius = es.decide(shake[2]).distance / 0.9  # inside the radius, outside 0.75 x it
    push = bundle.classes.index("push_forward")
    packet = GesturePacket(0, push, 200, 10, 1000, ())
    still = Rival("push_forward", "x", np.tile([0, 0, 1000, 0, 0, 0], (48, 1)))
    assert Namer(bundle, es, Rivals((still,))).name(packet, shake[2]).gesture == "wiggle"
    assert Namer(bundle, es, Rivals()).name(packet, shake[2]).gesture == "push_forward"
    unnamed = GesturePacket(0, 0xFF, 0, 10, 1000, ())
    assert Namer(bundle, es, Rivals()).name(unnamed, shake[2]).gesture == "wiggle"


def test_enrolment_file_round_trip_rate_and_safety(bundle, vocab, tmp_path):
    es = EnrolmentSet(bundle.rate_hz)
    segs = [c.segment for c in cut_tries(bundle, vocab["shake"].recordings()[:2])]
    es.enrol("wiggle", segs, radius=3.0)
    path = es.save(tmp_path / "enrolled.json")
    again = load(path, bundle.rate_hz)
    g = again.gestures["wiggle"]
    assert g.tries == [s.tolist() for s in segs] and g.radius == 3.0 and g.scale == es.gestures["wiggle"].scale
    assert again.match(segs[0]).name == "wiggle"
    half = load(path, bundle.rate_hz // 2)  # a model at another rate: templates follow it
    assert len(half.gestures["wiggle"].tries[0]) == (len(segs[0]) - 1) // 2 + 1
    path.chmod(0o666)
    with pytest.raises(GestureFileError, match=r"writable by other users.*chmod go-w .*enrolled.json"):
        load(path, bundle.rate_hz)
    path.chmod(0o644)
    path.write_text("{not json")
    with pytest.raises(GestureFileError, match=r"enrolled.json:1: not valid JSON"):
        load(path, bundle.rate_hz)


@pytest.mark.parametrize("gesture", [
    {"name": "g", "tries": [[["a"] * 6] * 3], "scale": 0.2, "radius": 1.0},
    {"name": "g", "tries": [[[1] * 4] * 3], "scale": 0.2, "radius": 1.0},
    {"name": "g", "tries": [], "scale": 0.2, "radius": 1.0},
    {"name": "g", "tries": [[[1] * 6] * 3], "scale": 0.0, "radius": 1.0},
    {"name": "g", "tries": [[[1] * 6] * 3], "scale": 0.2, "radius": -1},
])
def test_hand_edited_enrolment_with_wrong_shapes_fails_on_load_not_per_event(bundle, tmp_path, gesture):
    path = tmp_path / "enrolled.json"
    path.write_text(json.dumps({"format": "wand-enrolled-dtw-imu/1", "rate_hz": 50, "gestures": {"g": gesture}}))
    with pytest.raises(GestureFileError, match="not an enrolment file"):
        load(path, bundle.rate_hz)


def _old_file(path, crc: int, names=("wiggle",)) -> None:
    path.write_text(json.dumps({"model_crc32": f"{crc:08x}", "centre": [0] * 8, "gestures": {
        n: {"name": n, "examples": [[1] * 8], "radius": 0.2} for n in names}}))
    path.chmod(0o600)


def test_old_embedding_file_loads_with_one_warning_and_is_kept_aside_never_overwritten(bundle, vocab, tmp_path,
                                                                                        caplog):
    path = tmp_path / "enrolled.json"
    earlier = tmp_path / "enrolled-0000abcd.json"
    earlier.write_text("an aside from before")
    _old_file(path, 0xABCD)
    caplog.set_level("WARNING")
    es = load(path, bundle.rate_hz)
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert es.gestures == {} and len(warnings) == 1 and "wand enrol NAME --replace" in warnings[0].getMessage()
    original = path.read_text()
    es.enrol("shake", [c.segment for c in cut_tries(bundle, vocab["shake"].recordings()[:2])])
    assert es.save() == path
    assert json.loads(path.read_text())["format"] == "wand-enrolled-dtw-imu/1"
    assert earlier.read_text() == "an aside from before"  # the older aside untouched
    assert (tmp_path / "enrolled-0000abcd-2.json").read_text() == original  # this one kept beside it
    assert "shake" in load(path, bundle.rate_hz).gestures


def test_daemon_streams_imu_only_while_gestures_are_enrolled(bundle):
    from wand.config import example_path, load_config
    from wand.daemon import Daemon
    from wand.outputs import OutputSet
    config = load_config(example_path("tv"))
    es = EnrolmentSet(bundle.rate_hz)
    d = Daemon(config, bundle, OutputSet(config, dry_run=True), es, line=lambda s: None)
    assert not d.spotting().stream_imu and "IMU stream off" in d.imu_cost_line()
    es.enrol("wiggle", [np.tile([0, 0, 1000, 0, 0, 0], (48, 1))])
    assert d.spotting().stream_imu and f"{bundle.rate_hz} notifications/s" in d.imu_cost_line()
    assert dataclasses.replace(d.spotting(), flags=config.spotting.flags) == config.spotting


def test_a_packet_waiting_for_imu_that_never_comes_is_released(bundle, monkeypatch):
    """The stream stalls after a gesture: the event is named with what arrived, not kept forever."""
    import wand.events as ev
    clock = [100.0]
    monkeypatch.setattr(ev.time, "monotonic", lambda: clock[0])
    es = EnrolmentSet(bundle.rate_hz)
    es.enrol("wiggle", [np.tile([0, 0, 1000, 0, 0, 0], (48, 1))])
    s = EventStream("w", bundle, es, max_age_ms=None)
    s.feed_imu(ImuPacket(0, ((0, 0, 1000, 0, 0, 0),)).encode())
    assert s.feed(GesturePacket(0, 0xFF, 0, 10, 60 * 20, ()).encode()) is None  # decided on sample 59: not here
    assert s.overdue() == []
    clock[0] += 2.0
    got = s.overdue()
    assert [(e.seq, e.gesture) for e in got] == [(0, "unknown")] and s.stats.no_imu == 1


def test_self_check_says_how_often_each_try_is_understood_and_why_not(bundle, vocab):
    """`wand enrol` judges each try by the others: a distinct gesture passes, a copy of a
    built-in gesture is named as too like it (the reason the user can act on)."""
    from wand.enrol import builtin_rivals
    rivals = builtin_rivals(bundle)
    es = EnrolmentSet(bundle.rate_hz)
    es.enrol("shake", [c.segment for c in cut_tries(bundle, vocab["shake"].recordings()[:5])])
    es.enrol("diag", [c.segment for c in cut_tries(bundle, vocab["diagonal_up_right"].recordings()[:5])])
    why = es.self_check("shake", rivals)
    assert len(why) == 5 and why.count("recognised") >= 4, why
    # a person whose pushes the built-in gesture was taught with: their other tries are rivals
    pushes = [r for r in vocab["push_forward"].recordings() if r.person == "tti-data"]
    theirs = Rivals(tuple(Rival("push_forward", "tti-data", c.segment) for c in cut_tries(bundle, pushes[5:])
                          if c.segment is not None), bundle.rate_hz)
    es.enrol("mypush", [c.segment for c in cut_tries(bundle, pushes[:5])])
    why = es.self_check("mypush", theirs)
    assert sum(w in ("too like the built-in 'push_forward'", "drawn more like the built-in 'push_forward'")
               for w in why) >= 3, why
    # (another person's pushes do not stand in the way: tti-peter's leave tti-data's recognised)
    assert es.self_check("mypush", rivals.without("tti-data")).count("recognised") >= 4
    assert es.self_check("shake", rivals).count("recognised") >= 4  # a look-alike built-in elsewhere changes nothing here
    twin = [c.segment for c in cut_tries(bundle, vocab["shake"].recordings()[5:10])]
    es.enrol("shake2", twin)  # the same gesture under two names: the check names the twin
    assert sum("your 'shake2'" in w for w in es.self_check("shake", rivals)) >= 3
    single = EnrolmentSet(bundle.rate_hz)
    single.enrol("one", [cut_tries(bundle, vocab["shake"].recordings()[:1])[0].segment])
    assert single.self_check("one", rivals) == []  # nothing to judge one try by


def _templates_with(**change) -> str:
    from wand.paths import BUILTIN_TEMPLATES_FILE
    data = json.loads(BUILTIN_TEMPLATES_FILE.read_text())
    data.update(change)
    return json.dumps(data)


def _first_samples(samples) -> str:
    from wand.paths import BUILTIN_TEMPLATES_FILE
    data = json.loads(BUILTIN_TEMPLATES_FILE.read_text())
    data["templates"][0]["samples"] = samples
    return json.dumps(data)


@pytest.mark.parametrize("text, what", [
    ("[]", "not a JSON object"),  # once AttributeError: 'list' object has no attribute 'get'
    ("[" * 5000 + "]" * 5000, "nested too deeply"),  # once RecursionError
    (_templates_with(rate_hz=0), "rate_hz 0"),  # once ZeroDivisionError in the resampler
    (_templates_with(rate_hz=-5), "rate_hz -5"),  # once IndexError
    (_templates_with(rate_hz="50"), "rate_hz '50'"),
    (_first_samples([[10 ** 30, 0, 0, 0, 0, 0]] * 3), "too large"),  # once OverflowError
    (_first_samples([[1, 2, 3, 4, 5, 6]]), "2 or more rows"),
    (_first_samples([[40000, 0, 0, 0, 0, 0]] * 3), "-32768..32767"),
])
def test_a_hand_edited_built_in_templates_asset_is_one_warning_and_no_rivals(bundle, tmp_path, caplog, text, what):
    """``wand/assets/builtin_templates.json`` edited by hand: `wand enrol` and the daemon go on
    without the built-in rivals, with one warning naming the file; never an internal error."""
    path = tmp_path / "builtin_templates.json"
    path.write_text(text)
    with caplog.at_level("WARNING", logger="wand.enrol"):
        rivals = builtin_rivals(bundle, path)
    assert rivals.templates == ()
    [warning] = [r.getMessage() for r in caplog.records if "built-in gesture templates not usable" in r.getMessage()]
    assert str(path) in warning and what in warning and "\n" not in warning
