"""Sub-commands of ``tipsim``."""
