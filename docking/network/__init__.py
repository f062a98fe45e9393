"""FABFlex-style network and pose scorer: layers, model, losses, featurization, checkpoints."""
