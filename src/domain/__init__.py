"""The pure core: model, sync rules, field mapping, matching, planning and ports.

Nothing here performs I/O or imports an I/O library; only the standard library and ``returns``.
"""
