"""Training data and trainers: complexes, Vina poses, labelled poses, the two trainers."""
