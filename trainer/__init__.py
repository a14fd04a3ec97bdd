"""Everything about the model: runtime, prompt builder, playback, LoRA recipe, evaluation."""
