"""What a result folder holds: files, run log, outcomes; below every other package.

``experiments`` writes result folders and ``analysis`` reads them; both take the layout
(:mod:`result_folder.layout`) and the run log (:mod:`result_folder.run_log`) from here, so the
writer does not import the reader. The outcomes the tables hold are declared once in
:mod:`result_folder.outcomes`, which the model imports too. This package imports none of the
project's others.
"""
