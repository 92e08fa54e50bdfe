"""Adapters: the Intacct XML client, the Re-Leased HTTP client and the state store."""
