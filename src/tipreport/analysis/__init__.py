"""Analysis: tier order, completeness of each report year, summaries, movements and spells, claims, country records.

Step 2 of 4, analysis: may import tipreport.paths, tipreport.fileops, tipreport.data_in and other tipreport.analysis modules; never charts or outputs."""
