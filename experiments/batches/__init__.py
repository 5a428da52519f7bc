"""Batches: the batch file, its plan, running it, its manifest and resuming it.

The plan holds the runs and draws; running covers one run, a shared past and memory; the
pilot file is built on a batch.
"""
