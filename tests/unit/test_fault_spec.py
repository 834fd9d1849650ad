"""ONCESHIP_FAULTS: parsed and validated before anything starts; seeded decisions."""
import pytest

from chalicelib.local import faults


def test_a_full_spec_parses_and_writes_back_the_same():
    spec = faults.parse("seed=7, aws_lost_reply=0.02,aws_throttle=0.02,aws_error=0.01,aws_delay=0.01,"
                        "aws_delay_ms=50,sqs_duplicate=0.5,handler_crash_after=0.1")
    assert (spec.seed, spec.aws_lost_reply, spec.sqs_duplicate, spec.aws_delay_ms) == (7, 0.02, 0.5, 50)
    assert spec.aws_on and spec.pump_on
    assert faults.parse(spec.text()) == spec


@pytest.mark.parametrize("text", [None, "", "  "])
def test_no_spec_is_no_faults(text):
    assert faults.parse(text) is None


@pytest.mark.parametrize("text, says", [
    ("aws_throtle=0.1", "unknown fault 'aws_throtle'"),
    ("aws_throttle=1.5", "not a probability"),
    ("aws_throttle=-0.1", "not a probability"),
    ("aws_throttle=nan", "not a probability"),
    ("aws_throttle=1e9999", "not a probability"),
    ("aws_throttle=lots", "is not a number"),
    ("aws_throttle", "is not name=value"),
    ("seed=1.5", "not a whole number"),
    ("seed=7,seed=8", "seed is given twice"),
    ("aws_delay_ms=0", "outside 1..30000"),
    ("aws_throttle=0.5,aws_lost_reply=0.4,aws_error=0.2", "at most 1"),
])
def test_a_bad_spec_says_what_is_wrong(text, says):
    with pytest.raises(faults.FaultSpecError, match="ONCESHIP_FAULTS") as raised:
        faults.parse(text)
    assert says in str(raised.value)


def test_decisions_are_drawn_from_the_seed_and_a_counter():
    def draws(seed):
        dice = faults.Dice(seed)
        return [dice.roll("aws").random() for _ in range(20)] + [dice.roll("other").random()]
    assert draws(7) == draws(7)
    assert draws(7) != draws(8)


def test_pump_faults_duplicate_and_crash_as_often_as_asked():
    pump = faults.PumpFaults(faults.parse("seed=3,sqs_duplicate=0.5,handler_crash_after=0.25"))
    records = list(range(4000))
    concurrent, after = pump.duplicates("q", records)
    assert 1800 < len(concurrent) + len(after) < 2200 and concurrent and after
    assert 850 < sum(pump.crashes("q") for _ in range(4000)) < 1150
    assert pump.counts.snapshot()["sqs:duplicate"] == len(concurrent) + len(after)
