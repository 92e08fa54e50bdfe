"""Sage Intacct's REST API (``/ia/api/v1``) behind the same ports as the XML gateway."""
