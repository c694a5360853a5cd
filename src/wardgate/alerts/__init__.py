"""Anomaly alerts: per-key and per-team baselines, Slack-compatible webhooks, cool-down.

The request path calls :meth:`AlertService.observe` once per finished request; ``start()``/``aclose()`` belong to
the application's lifespan. The method and its defaults are described in :mod:`wardgate.alerts.detector`.
"""

from wardgate.alerts.config import AlertsConfig, WebhookConfig
from wardgate.alerts.detector import AnomalyDetector
from wardgate.alerts.model import Alert, AlertCounts, Observation, Signal, Subject
from wardgate.alerts.service import AlertService
from wardgate.alerts.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, DeliveryStats, WebhookNotifier, sign

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Alert",
    "AlertCounts",
    "AlertService",
    "AlertsConfig",
    "AnomalyDetector",
    "DeliveryStats",
    "Observation",
    "Signal",
    "Subject",
    "WebhookConfig",
    "WebhookNotifier",
    "sign",
]
