"""Outputs: running the notebooks, the reading site and its country pages, the command line.

Step 4 of 4, outputs: may import from every step (data_in, analysis, charts) and other tipreport.outputs modules."""
