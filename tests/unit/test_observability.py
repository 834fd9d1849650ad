"""Metrics: switched off, nothing is printed, however many values a worker counts."""
from chalicelib import observability as obs


def test_disabled_metrics_print_nothing_even_past_powertools_own_flush_at_100_values(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    for _ in range(250):
        obs.count("WebhookDeliveries")
    obs.flush()
    assert capsys.readouterr().out == ""


def test_enabled_metrics_are_flushed_as_one_emf_document(monkeypatch, capsys):
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    obs.count("WebhookDeliveries")
    obs.count("WebhookDeliveries")
    obs.flush()
    out = capsys.readouterr().out
    assert '"WebhookDeliveries"' in out and "CloudWatchMetrics" in out
