"""Molecular optimization: RDKit oracles, molecule tasks, graph GA, SMILES policy, RePO."""
