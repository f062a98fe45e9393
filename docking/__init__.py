"""FABFlex-style flexible blind docking: data, model, training, inference."""
