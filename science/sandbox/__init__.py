"""Where an evaluation runs: confined worker processes (Landlock, seccomp, cgroups, rlimits), their zygotes and pools (local or Ray), and candidate child processes."""
