"""Running the model: single runs, scenario batches, executors, result storage and the CLI."""
