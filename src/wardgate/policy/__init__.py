"""Policy: from findings to decisions (pure), and which rules apply to which request."""
