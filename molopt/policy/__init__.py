"""A SMILES language-model policy: tokenizer, GPT-2 model, pretraining, sampling, proposer."""
