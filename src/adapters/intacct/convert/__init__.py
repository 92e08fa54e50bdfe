"""Intacct XML records to and from the domain's Intacct-side records."""
