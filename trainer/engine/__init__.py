"""The model-facing side of the trainer: what drafting needs at run time, apart from the
training recipe. ``pool.Engine`` keeps one runtime per loaded model for the whole process."""
