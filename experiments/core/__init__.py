"""What every job shares.

Errors, seeds, where runs execute, progress, safe writes, provenance, replays, the
ensemble's members and what studies set up alike.
"""
