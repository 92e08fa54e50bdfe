"""The application shell: sync service, scheduler, admin API and CLI."""
