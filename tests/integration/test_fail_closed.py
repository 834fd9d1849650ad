"""Fail closed (issue 11, point 13): outside the `local` stage a missing, short or public
ONCESHIP_SECRET_KEY or ONCESHIP_ADMIN_TOKEN stops the function with a clear message instead of
deriving every secret from a key anyone can read."""
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from chalicelib import config
from tests.helpers import admin, anonymous, assert_problem

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 40
GOOD_TOKEN = "t" * 40


@pytest.fixture
def environment(monkeypatch):
    """Set ONCESHIP_* variables for one test; the cached settings follow, and are put back after."""
    def set_env(**variables):
        for name, value in variables.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        config.reset()
    yield set_env
    monkeypatch.undo()
    config.reset()


@pytest.mark.parametrize("key, token, named", [
    (None, GOOD_TOKEN, "ONCESHIP_SECRET_KEY is not set"),
    ("", GOOD_TOKEN, "ONCESHIP_SECRET_KEY is not set"),
    (GOOD_KEY, None, "ONCESHIP_ADMIN_TOKEN is not set"),
    ("short-key", GOOD_TOKEN, "ONCESHIP_SECRET_KEY is shorter than 32 characters"),
    (GOOD_KEY, "short-token", "ONCESHIP_ADMIN_TOKEN is shorter than 32 characters"),
    (config.LOCAL_DEVELOPMENT_KEY + "-padded-to-length", GOOD_TOKEN, None),
])
def test_outside_local_the_settings_refuse_missing_or_weak_secrets(environment, key, token, named):
    environment(ONCESHIP_STAGE="prod", ONCESHIP_SECRET_KEY=key, ONCESHIP_ADMIN_TOKEN=token)
    if named is None:  # a long key that merely contains the public one is a key like any other
        assert config.settings().secret_key == key.encode()
        return
    with pytest.raises(config.ConfigurationError) as refused:
        config.settings()
    assert named in str(refused.value) and "refuses to start" in str(refused.value)
    assert "'prod'" in str(refused.value)


def test_the_public_development_key_is_refused_outside_local(environment, monkeypatch):
    monkeypatch.setattr(config, "MIN_SECRET_LENGTH", 8)
    environment(ONCESHIP_STAGE="prod", ONCESHIP_SECRET_KEY=config.LOCAL_DEVELOPMENT_KEY, ONCESHIP_ADMIN_TOKEN=GOOD_TOKEN)
    with pytest.raises(config.ConfigurationError, match="public local development key"):
        config.settings()


def test_no_stage_means_production(environment):
    environment(ONCESHIP_STAGE=None, ONCESHIP_SECRET_KEY=None, ONCESHIP_ADMIN_TOKEN=None)
    with pytest.raises(config.ConfigurationError, match="ONCESHIP_SECRET_KEY is not set.*ONCESHIP_ADMIN_TOKEN is not set"):
        config.settings()


def test_a_refusal_is_not_cached_and_the_local_stage_keeps_its_default(environment):
    environment(ONCESHIP_STAGE="prod", ONCESHIP_SECRET_KEY=None, ONCESHIP_ADMIN_TOKEN=GOOD_TOKEN)
    with pytest.raises(config.ConfigurationError):
        config.settings()
    os.environ["ONCESHIP_SECRET_KEY"] = GOOD_KEY   # (monkeypatch puts it back)
    assert config.settings().secret_key == GOOD_KEY.encode()
    environment(ONCESHIP_STAGE="local", ONCESHIP_SECRET_KEY=None, ONCESHIP_ADMIN_TOKEN=None)
    assert config.settings().secret_key == config.LOCAL_DEVELOPMENT_KEY.encode()


def _lambda_init(**variables) -> subprocess.CompletedProcess:
    """A fresh interpreter importing app.py as a Lambda function's init does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCESHIP_")}
    env.update({"AWS_LAMBDA_FUNCTION_NAME": "onceship-prod-api_handler", "ONCESHIP_STAGE": "prod"})
    env.update({k: v for k, v in variables.items() if v is not None})
    return subprocess.run([sys.executable, "-c", "import app; print('started')"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_lambda_function_without_its_secret_key_fails_its_init():
    started = _lambda_init(ONCESHIP_ADMIN_TOKEN=GOOD_TOKEN)
    assert started.returncode != 0 and "started" not in started.stdout
    assert "ConfigurationError" in started.stderr and "ONCESHIP_SECRET_KEY is not set" in started.stderr
    without_token = _lambda_init(ONCESHIP_SECRET_KEY=GOOD_KEY)
    assert without_token.returncode != 0 and "ONCESHIP_ADMIN_TOKEN is not set" in without_token.stderr
    configured = _lambda_init(ONCESHIP_SECRET_KEY=GOOD_KEY, ONCESHIP_ADMIN_TOKEN=GOOD_TOKEN)
    assert configured.returncode == 0 and "started" in configured.stdout, configured.stderr


def test_the_live_api_refuses_every_request_while_misconfigured(stack, environment, caplog):
    """The live stack's API runs in this process: switched to a production stage without a secret
    key, it answers nothing but 500 (health included) and derives no secret; the log says why."""
    name = f"never-created-{uuid.uuid4().hex[:8]}"
    environment(ONCESHIP_STAGE="prod", ONCESHIP_SECRET_KEY=None)
    with caplog.at_level(logging.CRITICAL):
        for answer in (anonymous(stack).get("/v1/health"),
                       admin(stack).post("/v1/admin/merchants", {"name": name}),
                       anonymous(stack).post("/v1/console/sessions", {"merchant_id": "m_1", "username": "a",
                                                                      "password": "b"})):
            body = assert_problem(answer, 500, "internal_error")
            assert "secret" not in body and "ONCESHIP" not in answer.text
    assert any("ONCESHIP_SECRET_KEY is not set" in r.getMessage() for r in caplog.records)
    environment(ONCESHIP_STAGE=stack.environment["ONCESHIP_STAGE"],
                ONCESHIP_SECRET_KEY=stack.environment["ONCESHIP_SECRET_KEY"])
    assert anonymous(stack).get("/v1/health").status_code == 200
    from chalicelib.store.accounts import AccountStore
    assert name not in {m["name"] for m in AccountStore().merchants()}
