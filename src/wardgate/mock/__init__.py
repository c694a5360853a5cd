"""The built-in mock model: a local OpenAI-compatible upstream for ``wardgate demo`` and the tests."""

from wardgate.mock.model import MOCK_MODELS, MockModelApp, create_mock_app

__all__ = ["MOCK_MODELS", "MockModelApp", "create_mock_app"]
