"""Training data and trainers: complexes, Vina poses, labelled poses, the network's and the scorer's trainers, the pose ranker's fit."""
