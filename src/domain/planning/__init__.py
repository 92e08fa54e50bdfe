"""Pure planning: what the sync does with the changes seen on both sides."""
