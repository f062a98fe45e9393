"""The convention every trainer follows (docking model, pose scorer, SMILES policy, RePO,
edit policy): one YAML config loader with command-line overrides and presets shipped as
package data (`config`), and one checkpoint reader that never unpickles (`checkpoint`)."""
