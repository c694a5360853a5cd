"""The admin REST API (``/admin/v1``): key management, for the admin role."""
