"""released-intacct: keeps a Re-Leased company and a Sage Intacct company in step.

Layers: ``released_intacct.domain`` (pure rules, mapping, matching, planning and ports),
``released_intacct.adapters`` (Intacct XML, Re-Leased HTTP, state store) and
``released_intacct.app`` (service, scheduler, admin API, CLI).
"""

__all__: list[str] = []
