"""``wardgate demo``: the gateway in front of the built-in mock model, with a scripted session."""
