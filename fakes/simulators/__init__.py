"""HTTP simulators of the Intacct XML gateway and the Re-Leased REST API.

They model the two outside systems, not this product: nothing here imports
``released_intacct.domain``, ``.adapters`` or ``.app`` (an import-linter contract enforces it), so a
bug in our XML or rules cannot be mirrored by the simulator that tests it.
"""
