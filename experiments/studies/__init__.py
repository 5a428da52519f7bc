"""Studies of the model beside batches.

The out-of-sample forecast, the cost of the population scale, and the reform's gain year by
year with the theory of change off and on.
"""
