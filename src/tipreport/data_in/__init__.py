"""Data in: read the reference, build the tables, validate and load the data package.

Step 1 of 4, data in: may import tipreport.paths, tipreport.fileops and other tipreport.data_in modules only."""
