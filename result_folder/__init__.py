"""What a result folder holds: its files' names and its run log, below every other package.

``experiments`` writes result folders and ``analysis`` reads them; both take the layout
(:mod:`result_folder.layout`) and the run log (:mod:`result_folder.run_log`) from here, so the
writer does not import the reader. This package imports none of the project's others.
"""
