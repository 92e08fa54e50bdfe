"""The simulator's REST mode: Intacct's REST API (``/ia/api/v1``) over the same companies as the
XML gateway, so a record written through one API is read through the other.

``state`` keeps what only REST has (OAuth clients, tokens, idempotency keys); ``objects`` maps
REST objects onto the XML records; ``oauth``, ``crud``, ``query`` answer the endpoints and
``routes`` serves them over HTTP with the gateway's admission, latency and fault rules.
"""
