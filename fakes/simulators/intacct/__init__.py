"""A simulator of the Sage Intacct XML gateway."""
