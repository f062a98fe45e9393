"""RePO: instruction-following molecule editing trained with SFT, GRPO and reference guidance.

Reproduces the comparison of *Reference-guided Policy Optimization* (RePO) on a small causal
language model trained here from scratch: SFT, GRPO, GRPO started from SFT, and RePO (GRPO
plus β times the log-likelihood of the reference answer, on the answer tokens only), scored
with TOMG-Bench's MolOpt / MolEdit metrics and the hgraph2graph constrained benchmarks.
See docs/repo.md.
"""
