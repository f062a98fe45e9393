"""The application: task spec, CLI, runs, reports (and later the daemon)."""
