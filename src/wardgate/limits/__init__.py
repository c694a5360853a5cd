"""Rate limits, concurrency caps, token and cost budgets."""
