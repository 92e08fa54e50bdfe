"""A simulator of the Re-Leased REST API (``docs/released-rest.md``), served by Starlette."""
