"""The sync rules as pure functions returning ``Result[..., SyncError]``."""
